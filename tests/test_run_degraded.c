/* Integration: a host without user namespaces. Simulated with bubblewrap's --disable-userns
 * (a parent user namespace whose limit is 0, which detection cannot see: only the real clone
 * fails). Without --best-effort cordon refuses (125) naming the cause and the fix; with it, it
 * runs with what is left and Landlock still fences writes. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "run_util.h"

static const char *bwrap_path(void)
{
	return access("/usr/bin/bwrap", X_OK) == 0 ? "/usr/bin/bwrap" : NULL;
}

static int run_in_bwrap(struct ru_who *w, bool best_effort, const char *script, struct tu_result *r)
{
	const char *argv[24];
	size_t n = 0;
	const char *prefix[] = {bwrap_path(),
	                        "--dev-bind",
	                        "/",
	                        "/",
	                        "--unshare-user",
	                        "--disable-userns",
	                        "--",
	                        tu_cordon(),
	                        "run",
	                        "--workspace",
	                        w->ws};
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		argv[n++] = prefix[i];
	if (best_effort)
		argv[n++] = "--best-effort";
	const char *command[] = {"--", "/bin/sh", "-c", script, NULL};
	for (size_t i = 0; i < sizeof(command) / sizeof(command[0]); i++)
		argv[n++] = command[i];
	struct tu_spawn s = {.argv = (char *const *)argv,
	                     .cwd = w->ws,
	                     .uid = w->root ? (uid_t)-1 : w->uid,
	                     .gid = w->gid,
	                     .timeout = 60};
	return tu_run(&s, r);
}

static bool bwrap_can_disable_userns(struct ru_who *w)
{
	const char *argv[] = {bwrap_path(),       "--dev-bind", "/",         "/", "--unshare-user",
	                      "--disable-userns", "--",         "/bin/true", NULL};
	struct tu_spawn s = {
	        .argv = (char *const *)argv, .uid = w->root ? (uid_t)-1 : w->uid, .gid = w->gid};
	struct tu_result r;
	bool ok = bwrap_path() && tu_run(&s, &r) == 0 && r.status == 0;
	if (bwrap_path())
		tu_result_free(&r);
	return ok;
}

static void test_run_degraded_refuses_without_userns(void **state)
{
	(void)state;
	struct ru_who w;
	if (!ru_who_init(&w, false))
		tu_skip("no test user");
	if (!bwrap_can_disable_userns(&w)) {
		ru_who_free(&w);
		tu_skip("bubblewrap with --disable-userns is not available to simulate the host");
	}
	struct tu_result r;
	assert_int_equal(run_in_bwrap(&w, false, "echo ran > ran", &r), 0);
	printf("stderr: %s", r.err);
	assert_int_equal(r.status, 125);
	assert_non_null(strstr(r.err, "user namespace"));
	assert_non_null(strstr(r.err, "fix:"));
	assert_int_equal(access(ru_path(0, w.ws, "ran"), F_OK), -1); /* nothing ran */
	tu_result_free(&r);
	ru_who_free(&w);
}

static void test_run_degraded_best_effort_runs_with_landlock(void **state)
{
	(void)state;
	struct ru_who w;
	if (!ru_who_init(&w, false))
		tu_skip("no test user");
	if (!bwrap_can_disable_userns(&w)) {
		ru_who_free(&w);
		tu_skip("bubblewrap with --disable-userns is not available to simulate the host");
	}
	char *out = ru_outside_dir(w.uid, w.gid);
	assert_non_null(out);
	char script[9000];
	snprintf(script, sizeof(script),
	         "echo ran > ran; echo pwned > '%s/canary'; "
	         "grep NoNewPrivs /proc/self/status; exit 0",
	         out);
	struct tu_result r;
	assert_int_equal(run_in_bwrap(&w, true, script, &r), 0);
	printf("stdout: %sstderr: %s", r.out, r.err);
	/* Look first, clean up, then assert: a failure here must not leave the canary behind. */
	int status = r.status;
	bool nnp = strstr(r.out, "NoNewPrivs:\t1") != NULL;
	bool ran = access(ru_path(0, w.ws, "ran"), F_OK) == 0;
	bool canary = access(ru_path(1, out, "canary"), F_OK) == 0;
	bool landlock = syscall(444, NULL, 0, 1) > 0;
	tu_result_free(&r);
	ru_rm_outside(out);
	ru_who_free(&w);
	assert_int_equal(status, 0);
	assert_true(nnp);
	assert_true(ran);
	if (landlock) /* the outside stays unwritable */
		assert_false(canary);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_degraded_refuses_without_userns),
	        cmocka_unit_test(test_run_degraded_best_effort_runs_with_landlock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
