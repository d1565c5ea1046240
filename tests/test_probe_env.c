/* Tests of the env.* probes, run with no sandbox: each compares the probe's report with what
 * this process sees itself (its environment, host name, mounts, a UNIX socket it bound, the
 * kernel's kallsyms policy). */
#define _GNU_SOURCE
#include "ppp_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>

static void test_probe_env_vars_reports_present_names(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof(path), "%s", tu_probe("env_vars"));
	char *argv[] = {path, "CORDON_PPP_SECRET", "CORDON_PPP_ABSENT", NULL};
	char *envp[] = {"CORDON_PPP_SECRET=hunter2", "PATH=/usr/bin:/bin", NULL};
	struct tu_spawn s = {.argv = argv, .envp = envp, .uid = PPP_ROOT};
	struct tu_result r;
	assert_int_equal(tu_run(&s, &r), 0);
	ppp_check(&r, "env.vars", "succeeded", NULL);
	assert_non_null(strstr(r.out, "\"present\":{\"CORDON_PPP_SECRET\":true,"
	                              "\"CORDON_PPP_ABSENT\":false}"));
	assert_null(strstr(r.out, "hunter2")); /* names only, never values */
	tu_result_free(&r);
	char *argv2[] = {path, "CORDON_PPP_ABSENT", NULL};
	s.argv = argv2;
	assert_int_equal(tu_run(&s, &r), 0);
	ppp_check(&r, "env.vars", "refused", NULL);
	tu_result_free(&r);
}

static void test_probe_env_hostname_matches_uname(void **state)
{
	(void)state;
	struct utsname u;
	char want[200];
	assert_int_equal(uname(&u), 0);
	snprintf(want, sizeof(want), "\"hostname\":\"%s\"", u.nodename);
	struct tu_result r = ppp_run("env_hostname");
	ppp_check(&r, "env.hostname", "succeeded", NULL);
	assert_non_null(strstr(r.out, want));
	tu_result_free(&r);
}

static void test_probe_env_mounts_matches_mountinfo(void **state)
{
	(void)state;
	char *info = tu_read_file("/proc/self/mountinfo");
	assert_non_null(info);
	long lines = 0;
	for (char *p = info; *p; p++)
		lines += *p == '\n';
	free(info);
	struct tu_result r = ppp_run("env_mounts");
	ppp_check(&r, "env.mounts", "succeeded", NULL);
	assert_int_equal(ppp_num(r.out, "count"), lines);
	tu_result_free(&r);
}

static int bind_unix(const char *name, bool abstract, char *shown, size_t n)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	socklen_t len;
	if (abstract) {
		snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "%s", name);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
		snprintf(shown, n, "@%s", name);
	} else {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", name);
		len = sizeof(a);
		snprintf(shown, n, "%s", name);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&a, len), 0);
	assert_int_equal(listen(fd, 1), 0);
	return fd;
}

static void test_probe_env_proc_net_unix_lists_our_sockets(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("ppp-unix", PPP_ROOT, (gid_t)-1);
	char abs_name[64], path[256], shown_abs[80], shown_path[300], want[400];
	snprintf(abs_name, sizeof(abs_name), "cordon-ppp-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/sock", dir);
	int a = bind_unix(abs_name, true, shown_abs, sizeof(shown_abs));
	int p = bind_unix(path, false, shown_path, sizeof(shown_path));
	struct tu_result r = ppp_run("env_proc_net_unix", shown_abs, shown_path, "@not-bound-here");
	ppp_check(&r, "env.proc_net_unix", "succeeded", NULL);
	/* Both ours are found (in the kernel's order), the unbound name is not. */
	const char *found = strstr(r.out, "\"found\":[");
	assert_non_null(found);
	snprintf(want, sizeof(want), "\"%s\"", shown_abs);
	assert_non_null(strstr(found, want));
	snprintf(want, sizeof(want), "\"%s\"", shown_path);
	assert_non_null(strstr(found, want));
	assert_null(strstr(found, "not-bound-here"));
	assert_true(ppp_num(r.out, "count") >= 2);
	tu_result_free(&r);
	close(a);
	close(p);
	tu_rm_rf(dir);
	free(dir);
}

static long sysctl_long(const char *path, long dflt)
{
	char *t = tu_read_file(path);
	long v = t ? strtol(t, NULL, 10) : dflt;
	free(t);
	return v;
}

static void test_probe_env_kallsyms_follows_kptr_restrict(void **state)
{
	(void)state;
	long kptr = sysctl_long("/proc/sys/kernel/kptr_restrict", 1);
	long paranoid = sysctl_long("/proc/sys/kernel/perf_event_paranoid", 2);
	struct tu_result r = ppp_run("env_kallsyms");
	if (strstr(r.out, "ENOENT"))
		tu_skip("kernel without /proc/kallsyms");
	if (geteuid() == 0) {
		bool shown = kptr < 2;
		ppp_check(&r, "env.kallsyms", shown ? "succeeded" : "refused", NULL);
		assert_true(ppp_num(r.out, "lines") > 0);
	}
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	char why[256];
	if (geteuid() == 0 && tu_test_user(&uid, &gid, why, sizeof(why))) {
		bool shown = kptr == 0 && paranoid <= 1;
		r = ppp_run_user(uid, gid, "env_kallsyms");
		ppp_check(&r, "env.kallsyms", shown ? "succeeded" : "refused", NULL);
		if (!shown)
			assert_int_equal(ppp_num(r.out, "nonzero"), 0);
		tu_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_probe_env_vars_reports_present_names),
	        cmocka_unit_test(test_probe_env_hostname_matches_uname),
	        cmocka_unit_test(test_probe_env_mounts_matches_mountinfo),
	        cmocka_unit_test(test_probe_env_proc_net_unix_lists_our_sockets),
	        cmocka_unit_test(test_probe_env_kallsyms_follows_kptr_restrict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
