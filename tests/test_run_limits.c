/* Integration: resource limits under `cordon run`: --pids stops a fork bomb, --memory holds,
 * --file-size, --open-files and --cpu reach the command. Root uses the cgroup where the host
 * has one it may write (v1 here); the unprivileged user gets rlimits (RLIMIT_NPROC counted per
 * user namespace). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "run_util.h"

/* Inside: fork up to n children that just wait; report how many forks succeeded and why the
 * next one failed; then end them. */
static int helper_forkbomb(int n)
{
	pid_t kids[4096];
	int k = 0, e = 0;
	for (; k < n && k < 4096; k++) {
		pid_t p = fork();
		if (p < 0) {
			e = errno;
			break;
		}
		if (p == 0) {
			pause();
			_exit(0);
		}
		kids[k] = p;
	}
	printf("forked=%d error=%s\n", k, e ? strerror(e) : "none");
	for (int i = 0; i < k; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < k; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}

/* Inside: allocate and touch mb megabytes. */
static int helper_alloc(int mb)
{
	size_t len = (size_t)mb << 20;
	char *p = malloc(len);
	if (!p) {
		printf("alloc failed\n");
		return 1;
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	printf("allocated %d MB\n", mb);
	free(p);
	return 0;
}

static void body_pids(struct ru_who *w)
{
	char script[4300];
	snprintf(script, sizeof(script), "exec '%s' --forkbomb 200", ru_self_in_ws(w));
	const char *flags[] = {"--pids", "12", "--timeout", "30", NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	printf("%s", r.out);
	assert_int_equal(r.status, 0);
	const char *f = strstr(r.out, "forked=");
	assert_non_null(f);
	int forked = atoi(f + 7);
	assert_true(forked >= 1);
	assert_true(forked <= 12);
	assert_non_null(strstr(r.out, "Resource temporarily unavailable"));
	tu_result_free(&r);
	/* Control: without --pids the same bomb gets all its 200. */
	const char *none[] = {"--timeout", "30", NULL};
	assert_int_equal(ru_run(w, none, script, &r), 0);
	assert_non_null(strstr(r.out, "forked=200"));
	tu_result_free(&r);
}

static void test_run_limits_pids_stops_fork_bomb(void **state)
{
	(void)state;
	ru_both(body_pids);
}

static void body_memory(struct ru_who *w)
{
	char script[4300];
	snprintf(script, sizeof(script), "exec '%s' --alloc 256", ru_self_in_ws(w));
	const char *flags[] = {"--memory", "64M", "--timeout", "30", NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	if (r.status == 125) {
		/* No cgroup for this caller: a per-process RLIMIT_AS is weaker than a limit for
		 * the tree, so cordon refuses unless best-effort, which then holds that much. */
		printf("refused: %s", r.err);
		assert_non_null(strstr(r.err, "memory: RLIMIT_AS only"));
		assert_non_null(strstr(r.err, "--best-effort"));
		assert_null(strstr(r.out, "allocated"));
		tu_result_free(&r);
		const char *weaker[] = {"--memory",  "64M", "--best-effort",
		                        "--timeout", "30",  NULL};
		assert_int_equal(ru_run(w, weaker, script, &r), 0);
	}
	printf("limited: status %d %s", r.status, r.out);
	assert_int_not_equal(r.status, 0);
	assert_null(strstr(r.out, "allocated"));
	tu_result_free(&r);
	/* Control: without --memory it fits. */
	const char *none[] = {"--timeout", "30", NULL};
	assert_int_equal(ru_run(w, none, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "allocated 256 MB"));
	tu_result_free(&r);
}

static void test_run_limits_memory_holds(void **state)
{
	(void)state;
	ru_both(body_memory);
}

static void body_rlimits(struct ru_who *w)
{
	const char *flags[] = {"--file-size", "1K", "--open-files", "20", "--cpu", "7", NULL};
	struct tu_result r;
	assert_int_equal(
	        ru_run(w, flags, "ulimit -n; ulimit -t; head -c 8192 /dev/zero > big; exit 0", &r),
	        0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "20\n7\n");
	struct stat st;
	assert_int_equal(stat(ru_path(0, w->ws, "big"), &st), 0);
	assert_true(st.st_size <= 1024);
	tu_result_free(&r);
}

static void test_run_limits_rlimits_reach_command(void **state)
{
	(void)state;
	ru_both(body_rlimits);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--forkbomb") == 0)
		return helper_forkbomb(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "--alloc") == 0)
		return helper_alloc(atoi(argv[2]));
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_limits_pids_stops_fork_bomb),
	        cmocka_unit_test(test_run_limits_memory_holds),
	        cmocka_unit_test(test_run_limits_rlimits_reach_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
