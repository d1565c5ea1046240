/* Integration: processes under `cordon run` — exit statuses, the PID namespace, the end of the
 * tree (exit, timeout, SIGKILL of cordon), privileges, the environment and descriptors. Checked
 * on the host: process scans of /proc, a victim process, files. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "run_util.h"

static int run_status(struct ru_who *w, const char *script)
{
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	int st = r.status;
	tu_result_free(&r);
	return st;
}

/* Wait (bounded, not timed: the bound only stops a broken build from hanging) until the
 * number of processes carrying marker equals want. Returns the last count seen. */
static int wait_marker_count(const char *marker, int want, int max_seconds)
{
	int n = ru_count_marker(marker);
	for (int i = 0; n != want && i < max_seconds * 20; i++) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
		n = ru_count_marker(marker);
	}
	return n;
}

static void make_marker(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "cordon-marker-%s-%d-%ld", what, (int)getpid(), (long)time(NULL));
}

/* ---- tests -------------------------------------------------------------------------------- */

static void body_exit_codes(struct ru_who *w)
{
	assert_int_equal(run_status(w, "exit 0"), 0);
	assert_int_equal(run_status(w, "exit 3"), 3);
	assert_int_equal(run_status(w, "kill -TERM $$"), 128 + SIGTERM);
	assert_int_equal(run_status(w, "kill -KILL $$"), 128 + SIGKILL);
	/* The command itself (not a shell) cannot be found or executed. */
	struct tu_result r;
	const char *argv[] = {tu_cordon(),        "run", "--workspace", w->ws, "--",
	                      "/nonexistent/cmd", NULL};
	struct tu_spawn s = {.argv = (char *const *)argv,
	                     .cwd = w->ws,
	                     .uid = w->root ? (uid_t)-1 : w->uid,
	                     .gid = w->gid};
	assert_int_equal(tu_run(&s, &r), 0);
	assert_int_equal(r.status, 127);
	assert_non_null(strstr(r.err, "/nonexistent/cmd"));
	tu_result_free(&r);
	const char *plain = ru_path(0, w->ws, "not-executable");
	ru_put(w, plain, "data\n");
	const char *argv2[] = {tu_cordon(), "run", "--workspace", w->ws, "--", plain, NULL};
	s.argv = (char *const *)argv2;
	assert_int_equal(tu_run(&s, &r), 0);
	assert_int_equal(r.status, 126);
	tu_result_free(&r);
}

static void test_run_proc_exit_codes(void **state)
{
	(void)state;
	ru_both(body_exit_codes);
}

static void body_pid_namespace(struct ru_who *w)
{
	/* A victim outside: the test's own sleeping child. */
	pid_t victim = fork();
	assert_true(victim >= 0);
	if (victim == 0) {
		execl("/bin/sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	char script[512];
	snprintf(script, sizeof(script),
	         "echo procs=$(ls /proc | grep -c '^[0-9]'); kill -KILL %d 2>/dev/null && echo "
	         "killed;"
	         "test -e /proc/%d && echo visible; exit 0",
	         (int)victim, (int)victim);
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	printf("inside: %s", r.out);
	int procs = -1;
	const char *p = strstr(r.out, "procs=");
	assert_non_null(p);
	procs = atoi(p + 6);
	assert_true(procs >= 2 && procs <= 5); /* init, sh, ls, grep (+ a subshell) */
	assert_null(strstr(r.out, "killed"));
	/* The victim survived: still ours to reap, not dead. */
	assert_int_equal(waitpid(victim, NULL, WNOHANG), 0);
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
	tu_result_free(&r);
}

/* kill(-1) from inside reaches only the sandbox's own tree: a victim of the same user
 * outside survives `kill -KILL -1` (unconfined, it would die with every process of the user;
 * the probe battery's proc.kill_all cannot be run unconfined for that reason). */
static void body_kill_all(struct ru_who *w)
{
	pid_t victim = fork();
	assert_true(victim >= 0);
	if (victim == 0) {
		if (!w->root && (setgid(w->gid) < 0 || setuid(w->uid) < 0))
			_exit(126);
		execl("/bin/sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, "kill -KILL -1; echo after=$?", &r), 0);
	printf("inside: %s", r.out);
	bool alive = waitpid(victim, NULL, WNOHANG) == 0;
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "after="));
	tu_result_free(&r);
	assert_true(alive);
}

static void test_run_proc_kill_all_stays_inside(void **state)
{
	(void)state;
	/* Only as the unprivileged user: were the sandbox broken, root's kill(-1) would end
	 * every process on the machine. */
	struct ru_who w;
	if (!ru_who_init(&w, false)) {
		tu_skip("no unprivileged user to run as");
		return;
	}
	body_kill_all(&w);
	ru_who_free(&w);
}

static void test_run_proc_sees_only_its_tree(void **state)
{
	(void)state;
	ru_both(body_pid_namespace);
}

static void body_timeout(struct ru_who *w)
{
	char marker[128], script[512];
	make_marker(marker, sizeof(marker), "timeout");
	/* The shell and its child both ignore SIGTERM. */
	snprintf(script, sizeof(script),
	         "trap '' TERM; sh -c 'trap \"\" TERM; sleep 300; :' %s & sleep 300", marker);
	const char *flags[] = {"--timeout", "1", NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	assert_false(r.timed_out);
	assert_int_equal(r.status, 124);
	assert_int_equal(wait_marker_count(marker, 0, 10), 0);
	tu_result_free(&r);
}

static void test_run_proc_timeout_kills_tree(void **state)
{
	(void)state;
	ru_both(body_timeout);
}

static void body_daemon(struct ru_who *w)
{
	char marker[128], script[512];
	make_marker(marker, sizeof(marker), "daemon");
	/* Double fork + new session + SIGTERM/SIGHUP ignored: a classic daemon. */
	snprintf(script, sizeof(script),
	         "(setsid sh -c 'trap \"\" TERM HUP; sleep 300; :' %s &) ; sleep 0.2; exit 0",
	         marker);
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(wait_marker_count(marker, 0, 10), 0);
	tu_result_free(&r);
}

static void test_run_proc_daemon_gone_after_exit(void **state)
{
	(void)state;
	ru_both(body_daemon);
}

/* Start cordon running script as w, without waiting; bounded wait until the command has
 * touched "started" in the workspace. */
static pid_t start_cordon(struct ru_who *w, const char *script)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!w->root && (setgid(w->gid) < 0 || setuid(w->uid) < 0))
			_exit(120);
		if (chdir(w->ws) < 0)
			_exit(121);
		execl(tu_cordon(), "cordon", "run", "--workspace", w->ws, "--", "/bin/sh", "-c",
		      script, (char *)NULL);
		_exit(122);
	}
	const char *started = ru_path(1, w->ws, "started");
	for (int i = 0; i < 400 && access(started, F_OK) < 0; i++) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	assert_int_equal(access(started, F_OK), 0);
	return pid;
}

static void body_forward_term(struct ru_who *w)
{
	/* SIGTERM to cordon reaches the command, whose handler decides the exit status. */
	pid_t pid = start_cordon(w, "trap 'exit 3' TERM; touch started; sleep 100 & wait");
	kill(pid, SIGTERM);
	int st = 0;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 3);
}

static void test_run_proc_sigterm_is_forwarded(void **state)
{
	(void)state;
	ru_both(body_forward_term);
}

static void body_sigkill_cordon(struct ru_who *w)
{
	char marker[128], script[512];
	make_marker(marker, sizeof(marker), "sigkill");
	snprintf(script, sizeof(script),
	         "sh -c 'trap \"\" TERM; touch started; sleep 300; :' %s & sleep 300", marker);
	pid_t pid = start_cordon(w, script);
	assert_true(ru_count_marker(marker) >= 2);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	assert_int_equal(wait_marker_count(marker, 0, 10), 0);
}

static void test_run_proc_sigkill_of_cordon_leaves_nothing(void **state)
{
	(void)state;
	ru_both(body_sigkill_cordon);
}

static void body_privileges(struct ru_who *w)
{
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL,
	                        "grep -E '^(NoNewPrivs|CapInh|CapPrm|CapEff|CapBnd|CapAmb)' "
	                        "/proc/self/status; hostname",
	                        &r),
	                 0);
	assert_int_equal(r.status, 0);
	printf("%s", r.out);
	assert_non_null(strstr(r.out, "NoNewPrivs:\t1"));
	assert_non_null(strstr(r.out, "CapEff:\t0000000000000000"));
	assert_non_null(strstr(r.out, "CapPrm:\t0000000000000000"));
	assert_non_null(strstr(r.out, "CapBnd:\t0000000000000000"));
	assert_non_null(strstr(r.out, "CapAmb:\t0000000000000000"));
	assert_non_null(strstr(r.out, "cordon\n"));
	tu_result_free(&r);
}

static void test_run_proc_no_privileges(void **state)
{
	(void)state;
	ru_both(body_privileges);
}

static void body_env(struct ru_who *w)
{
	const char *env[] = {"MY_API_TOKEN=t0ps3cret", "PLAIN_VALUE=visible", NULL};
	struct tu_result r;
	assert_int_equal(ru_run_env(w, NULL, env, "env", &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "CORDON_SANDBOX=1\n"));
	assert_non_null(strstr(r.out, "PLAIN_VALUE=visible"));
	assert_null(strstr(r.out, "t0ps3cret"));
	tu_result_free(&r);
}

static void test_run_proc_environment(void **state)
{
	(void)state;
	ru_both(body_env);
}

/* A signal ignored where cordon was started (nohup's SIGHUP) is not ignored by the command:
 * it starts with every disposition at its default. (SIGPIPE is not tried: the test's spawn
 * helper resets it for every child.) */
static void body_ignored_signals(struct ru_who *w)
{
	signal(SIGHUP, SIG_IGN);
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, "grep SigIgn /proc/self/status", &r), 0);
	signal(SIGHUP, SIG_DFL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "SigIgn:\t0000000000000000"));
	tu_result_free(&r);
}

static void test_run_proc_ignored_signals_reset(void **state)
{
	(void)state;
	ru_both(body_ignored_signals);
}

static void body_keep_fd(struct ru_who *w)
{
	char *out = ru_outside_dir(w->uid, w->gid);
	assert_non_null(out);
	const char *file = ru_path(0, out, "kept");
	ru_put(w, file, "through fd 9\n");
	int fd = open(file, O_RDONLY); /* inheritable on purpose */
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 9), 9);
	close(fd);
	int dfd = open(out, O_RDONLY | O_DIRECTORY); /* a directory outside the writable roots */
	assert_true(dfd >= 0);
	assert_int_equal(dup2(dfd, 8), 8);
	close(dfd);
	struct tu_result r;
	/* Without --keep-fd both are closed. */
	assert_int_equal(ru_run(w, NULL,
	                        "cat <&9 || echo closed9; ls /proc/self/fd/8 >/dev/null 2>&1 || "
	                        "echo closed8",
	                        &r),
	                 0);
	assert_null(strstr(r.out, "through fd 9"));
	assert_non_null(strstr(r.out, "closed9"));
	assert_non_null(strstr(r.out, "closed8"));
	tu_result_free(&r);
	/* Kept: readable, but the kept directory still cannot be written through (Landlock). */
	static const char *const kept[] = {"--keep-fd", "9", "--keep-fd", "8", NULL};
	static const char *const kept_be[] = {"--keep-fd",     "9", "--keep-fd", "8",
	                                      "--best-effort", NULL};
	const char *const *flags = kept;
	const char *script = "cat <&9; echo pwned > /proc/self/fd/8/new || echo refused";
	if (tu_landlock_abi() < 3) {
		/* No truncate right: a path-based truncate through fd 8 or 9 would reach outside,
		 * so cordon refuses the plan; --best-effort runs it, writes still refused. */
		assert_int_equal(ru_run(w, flags, script, &r), 0);
		assert_int_equal(r.status, 125);
		assert_non_null(strstr(r.err, "truncate"));
		assert_null(strstr(r.out, "through fd 9"));
		tu_result_free(&r);
		flags = kept_be;
	}
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	printf("%s%s", r.out, r.err);
	assert_non_null(strstr(r.out, "through fd 9"));
	assert_int_equal(access(ru_path(1, out, "new"), F_OK), -1);
	tu_result_free(&r);
	close(9);
	close(8);
	ru_rm_outside(out);
}

static void test_run_proc_keep_fd(void **state)
{
	(void)state;
	ru_both(body_keep_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_proc_exit_codes),
	        cmocka_unit_test(test_run_proc_sees_only_its_tree),
	        cmocka_unit_test(test_run_proc_kill_all_stays_inside),
	        cmocka_unit_test(test_run_proc_timeout_kills_tree),
	        cmocka_unit_test(test_run_proc_daemon_gone_after_exit),
	        cmocka_unit_test(test_run_proc_sigkill_of_cordon_leaves_nothing),
	        cmocka_unit_test(test_run_proc_sigterm_is_forwarded),
	        cmocka_unit_test(test_run_proc_no_privileges),
	        cmocka_unit_test(test_run_proc_environment),
	        cmocka_unit_test(test_run_proc_ignored_signals_reset),
	        cmocka_unit_test(test_run_proc_keep_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
