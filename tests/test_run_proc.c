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
#include <grp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
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
	/* A kept directory would resolve openat in the host's mount namespace (issue 18): refused
	 * before anything starts, with one line naming the descriptor and its kind. */
	/* On Landlock ABI < 3 the plan itself would be refused first (truncate through the kept
	 * file, issue 19): --best-effort there, so that the directory's own refusal is what shows. */
	const char *flags_dir[] = {"--keep-fd", "9", "--keep-fd", "8", NULL};
	const char *flags_dir_be[] = {"--keep-fd", "9", "--keep-fd", "8", "--best-effort", NULL};
	const char **flags = tu_landlock_abi() < 3 ? flags_dir_be : flags_dir;
	assert_int_equal(
	        ru_run(w, flags, "cat <&9; echo pwned > /proc/self/fd/8/new || echo refused", &r),
	        0);
	printf("%s%s", r.out, r.err);
	assert_int_equal(r.status, 125);
	assert_non_null(strstr(r.err, "--keep-fd 8: a directory"));
	assert_null(strstr(r.out, "through fd 9"));
	assert_int_equal(access(ru_path(1, out, "new"), F_OK), -1);
	tu_result_free(&r);
	/* The read-only file alone is passed and readable. Without Landlock's truncate right
	 * (ABI < 3) a path-based truncate through it would reach outside, so cordon refuses the
	 * plan unless --best-effort (issue 19). */
	const char *flags9[] = {"--keep-fd", "9", NULL};
	const char *flags9_be[] = {"--keep-fd", "9", "--best-effort", NULL};
	if (tu_landlock_abi() < 3) {
		assert_int_equal(ru_run(w, flags9, "cat <&9", &r), 0);
		assert_int_equal(r.status, 125);
		assert_non_null(strstr(r.err, "truncate"));
		tu_result_free(&r);
	}
	assert_int_equal(ru_run(w, tu_landlock_abi() < 3 ? flags9_be : flags9, "cat <&9", &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "through fd 9"));
	tu_result_free(&r);
	close(9);
	close(8);
	ru_rm_outside(out);
}

/* Issue 11: from a directory the sandbox does not show (under the host's private /tmp, or
 * deleted), the command ran in the workspace root instead: `rm -rf` of everything from a scratch
 * directory emptied the workspace. Now the run is refused (125) and nothing runs. */
static void body_cwd_unavailable(struct ru_who *w)
{
	char *scratch = tu_tmpdir("cordon-scratch", w->uid, w->gid);
	assert_non_null(scratch);
	ru_put(w, ru_path(0, w->ws, "keep-me"), "precious\n");
	const char *argv[] = {tu_cordon(), "run", "--workspace",          w->ws, "--",
	                      "/bin/sh",   "-c",  "rm -f ./keep-me; pwd", NULL};
	struct tu_spawn s = {.argv = (char *const *)argv,
	                     .cwd = scratch,
	                     .uid = w->root ? (uid_t)-1 : w->uid,
	                     .gid = w->gid};
	struct tu_result r;
	assert_int_equal(tu_run(&s, &r), 0);
	printf("status %d out '%s' err '%s'\n", r.status, r.out, r.err);
	assert_int_equal(access(ru_path(0, w->ws, "keep-me"), F_OK), 0);
	assert_int_equal(r.status, 125);
	assert_non_null(strstr(r.err, "not visible inside the sandbox"));
	assert_string_equal(r.out, "");
	tu_result_free(&r);
	/* Deleted under the caller's feet: the directory cannot even be named. */
	const char *gone_argv[] = {"/bin/sh",
	                           "-c",
	                           "cd \"$1\" && rmdir \"$1\" && exec \"$2\" run "
	                           "--workspace \"$3\" -- /bin/sh -c 'rm -f ./keep-me; pwd'",
	                           "sh",
	                           scratch,
	                           tu_cordon(),
	                           w->ws,
	                           NULL};
	s.argv = (char *const *)gone_argv;
	s.cwd = w->ws;
	assert_int_equal(tu_run(&s, &r), 0);
	printf("status %d out '%s' err '%s'\n", r.status, r.out, r.err);
	assert_int_equal(access(ru_path(0, w->ws, "keep-me"), F_OK), 0);
	assert_int_equal(r.status, 125);
	assert_non_null(strstr(r.err, "current directory"));
	tu_result_free(&r);
	tu_rm_rf(scratch);
	free(scratch);
}

static void test_run_proc_cwd_unavailable_refused(void **state)
{
	(void)state;
	ru_both(body_cwd_unavailable);
}

/* Issue 11: the sandbox's pid 1 is a copy of cordon: its environment strings were the
 * caller's unfiltered ones and its command line cordon's whole one. Inside, neither may be
 * read: /proc/1/environ, /proc/1/mem and the targets of /proc/1/fd refused (not dumpable; as
 * root the numbers can be listed, not followed), /proc/1/cmdline (readable by design) only
 * cordon's argv[0]. */
static void body_init_unreadable(struct ru_who *w)
{
	char marker[128], env[160];
	make_marker(marker, sizeof(marker), "initenv");
	snprintf(env, sizeof(env), "MY_API_TOKEN=%s", marker);
	const char *extra[] = {env, NULL};
	const char *script =
	        "cat /proc/1/environ 2>/dev/null | tr '\\0' '\\n';"
	        "head -c 64 /proc/1/mem >/dev/null 2>&1 && echo mem-readable;"
	        "for f in /proc/1/fd/*; do readlink $f >/dev/null 2>&1 && echo fd-readable; done;"
	        "echo cmdline=$(tr '\\0' ' ' < /proc/1/cmdline)";
	struct tu_result r;
	assert_int_equal(ru_run_env(w, NULL, extra, script, &r), 0);
	printf("%s", r.out);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, marker));
	assert_null(strstr(r.out, "mem-readable"));
	assert_null(strstr(r.out, "fd-readable"));
	assert_non_null(strstr(r.out, "cmdline="));
	assert_null(strstr(r.out, "--workspace"));
	tu_result_free(&r);
}

static void test_run_proc_init_unreadable(void **state)
{
	(void)state;
	ru_both(body_init_unreadable);
}

static void test_run_proc_keep_fd(void **state)
{
	(void)state;
	ru_both(body_keep_fd);
}

/* ---- the user's terminal (issue 18 class 2, issue 11) -------------------------------------- */

/* cordon run -- sh -c script as w, with a pty of the test's as its stdin, stdout, stderr and
 * controlling terminal, as in an interactive shell. *master and *slave stay the test's. */
static pid_t start_on_pty_with(struct ru_who *w, const char *timeout, const char *script,
                               int *master, int *slave)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(*master >= 0);
	assert_int_equal(grantpt(*master), 0);
	assert_int_equal(unlockpt(*master), 0);
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(*slave >= 0);
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	assert_int_equal(ioctl(*slave, TIOCSWINSZ, &ws), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char home[4200];
		snprintf(home, sizeof(home), "HOME=%s", w->home);
		char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", home, "LANG=C",
		                "TERM=xterm", NULL};
		const char *argv[] = {tu_cordon(), "run",   "--workspace", w->ws,
		                      "--timeout", timeout, "--",          "/bin/sh",
		                      "-c",        script,  NULL};
		setsid();
		if (ioctl(*slave, TIOCSCTTY, 0) < 0 || dup2(*slave, 0) < 0 || dup2(*slave, 1) < 0 ||
		    dup2(*slave, 2) < 0 || chdir(w->ws) < 0)
			_exit(120);
		signal(SIGPIPE, SIG_DFL);
		if (!w->root &&
		    (setgroups(0, NULL) < 0 || setgid(w->gid) < 0 || setuid(w->uid) < 0))
			_exit(121);
		execve(argv[0], (char *const *)argv, envp);
		_exit(122);
	}
	return pid;
}

static pid_t start_on_pty(struct ru_who *w, const char *script, int *master, int *slave)
{
	return start_on_pty_with(w, "0", script, master, slave);
}

/* Read the master into buf (NUL-terminated) until needle shows up or seconds pass (a bound
 * that only stops a broken build from hanging). true when it showed up. */
static bool pty_read_until(int master, char *buf, size_t len, size_t *used, const char *needle,
                           int seconds)
{
	for (int i = 0; i < seconds * 20; i++) {
		buf[*used] = '\0';
		if (needle && strstr(buf, needle))
			return true;
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t n = read(master, buf + *used, len - 1 - *used);
		if (n <= 0)
			break;
		*used += (size_t)n;
	}
	buf[*used] = '\0';
	return needle && strstr(buf, needle);
}

/* Wait (bounded) until a process whose whole command line is cmdline (words joined by
 * spaces) exists. */
static bool wait_cmdline(const char *cmdline, int seconds)
{
	for (int i = 0; i < seconds * 20; i++) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		bool found = false;
		while (d && !found && (de = readdir(d))) {
			char path[300], buf[256];
			snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
			if (fd >= 0)
				close(fd);
			for (ssize_t k = 0; k < n; k++)
				if (buf[k] == '\0')
					buf[k] = k == n - 1 ? '\0' : ' ';
			buf[n > 0 ? n : 0] = '\0';
			found = n > 0 && strcmp(buf, cmdline) == 0;
		}
		if (d)
			closedir(d);
		if (found)
			return true;
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Wait for pid up to seconds; false (and the process killed) when it did not end. */
static bool wait_bounded(pid_t pid, int *status, int seconds)
{
	for (int i = 0; i < seconds * 20; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return true;
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return false;
}

/* The command changes its terminal's size and mode; the user's terminal keeps both. */
static void body_tty_state(struct ru_who *w)
{
	int master, slave;
	pid_t pid = start_on_pty(w,
	                         "stty cols 77 rows 33 && stty -echo -icanon -isig && "
	                         "test -t 0 && stty size && echo done",
	                         &master, &slave);
	struct termios before;
	struct winsize ws_before;
	assert_int_equal(tcgetattr(slave, &before), 0);
	assert_int_equal(ioctl(slave, TIOCGWINSZ, &ws_before), 0);
	char buf[8192];
	size_t used = 0;
	pty_read_until(master, buf, sizeof(buf), &used, "done", 20);
	int st = 0;
	assert_true(wait_bounded(pid, &st, 20));
	printf("%s\n", buf);
	assert_non_null(strstr(buf, "33 77")); /* the command's own terminal did change */
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	struct termios after;
	struct winsize ws_after;
	assert_int_equal(tcgetattr(slave, &after), 0);
	assert_int_equal(ioctl(slave, TIOCGWINSZ, &ws_after), 0);
	assert_int_equal(ws_after.ws_row, ws_before.ws_row);
	assert_int_equal(ws_after.ws_col, ws_before.ws_col);
	assert_int_equal(after.c_lflag, before.c_lflag);
	assert_int_equal(after.c_iflag, before.c_iflag);
	assert_int_equal(after.c_oflag, before.c_oflag);
	close(master);
	close(slave);
}

static void test_run_proc_tty_state_restored(void **state)
{
	(void)state;
	ru_both(body_tty_state);
}

static void assert_tty_same(int slave, const struct termios *t0, const struct winsize *w0)
{
	struct termios t1;
	struct winsize w1;
	assert_int_equal(tcgetattr(slave, &t1), 0);
	assert_int_equal(ioctl(slave, TIOCGWINSZ, &w1), 0);
	assert_int_equal(t1.c_lflag, t0->c_lflag);
	assert_int_equal(t1.c_iflag, t0->c_iflag);
	assert_int_equal(t1.c_oflag, t0->c_oflag);
	assert_int_equal(w1.ws_row, w0->ws_row);
	assert_int_equal(w1.ws_col, w0->ws_col);
}

/* The same when the run ends by --timeout, and by SIGTERM to cordon. */
static void body_tty_restored_on_end(struct ru_who *w)
{
	const char *script = "stty -echo -icanon cols 10 rows 5; echo ready; sleep 30";
	for (int by_term = 0; by_term <= 1; by_term++) {
		int master, slave;
		pid_t pid = start_on_pty_with(w, by_term ? "0" : "1", script, &master, &slave);
		struct termios t0;
		struct winsize w0;
		assert_int_equal(tcgetattr(slave, &t0), 0);
		assert_int_equal(ioctl(slave, TIOCGWINSZ, &w0), 0);
		char buf[8192];
		size_t used = 0;
		assert_true(pty_read_until(master, buf, sizeof(buf), &used, "ready", 20));
		if (by_term)
			kill(pid, SIGTERM);
		int st = 0;
		assert_true(wait_bounded(pid, &st, 20));
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), by_term ? 128 + SIGTERM : 124);
		assert_tty_same(slave, &t0, &w0);
		close(master);
		close(slave);
	}
}

static void test_run_proc_tty_restored_on_timeout_and_term(void **state)
{
	(void)state;
	ru_both(body_tty_restored_on_end);
}

/* Ctrl-C typed on the user's terminal ends the whole command, not just the shell that waits
 * for its child (issue 11): "after" never comes. */
static void body_tty_ctrl_c(struct ru_who *w)
{
	int master, slave;
	char sleeper[64], script[160];
	snprintf(sleeper, sizeof(sleeper), "sleep 30.%d", (int)getpid() % 100000);
	snprintf(script, sizeof(script), "echo ready; %s; echo after", sleeper);
	pid_t pid = start_on_pty(w, script, &master, &slave);
	char buf[8192];
	size_t used = 0;
	assert_true(pty_read_until(master, buf, sizeof(buf), &used, "ready", 20));
	/* Typed once sleep runs: a key typed while sh itself runs a builtin is swallowed by
	 * dash -c, which catches SIGINT, on any terminal. */
	assert_true(wait_cmdline(sleeper, 20));
	assert_int_equal(write(master, "\003", 1), 1);
	int st = 0;
	bool ended = wait_bounded(pid, &st, 10);
	pty_read_until(master, buf, sizeof(buf), &used, NULL, 1);
	printf("%s\n", buf);
	assert_true(ended);
	assert_null(strstr(buf, "after"));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 128 + SIGINT);
	close(master);
	close(slave);
}

static void test_run_proc_tty_ctrl_c_ends_group(void **state)
{
	(void)state;
	ru_both(body_tty_ctrl_c);
}

/* The user's terminal is resized: the command's terminal follows (SIGWINCH relayed). */
static void body_tty_winch(struct ru_who *w)
{
	int master, slave;
	pid_t pid = start_on_pty(w,
	                         "trap 'stty size; exit 0' WINCH; echo ready; "
	                         "i=0; while [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done",
	                         &master, &slave);
	char buf[8192];
	size_t used = 0;
	assert_true(pty_read_until(master, buf, sizeof(buf), &used, "ready", 20));
	struct winsize ws = {.ws_row = 50, .ws_col = 100};
	assert_int_equal(ioctl(master, TIOCSWINSZ, &ws), 0); /* the kernel signals cordon */
	bool seen = pty_read_until(master, buf, sizeof(buf), &used, "50 100", 10);
	int st = 0;
	wait_bounded(pid, &st, 20);
	printf("%s\n", buf);
	assert_true(seen);
	close(master);
	close(slave);
}

static void test_run_proc_tty_winch_relayed(void **state)
{
	(void)state;
	ru_both(body_tty_winch);
}

/* Without a terminal, SIGINT to cordon reaches the command's whole process group. */
static void body_sigint_group(struct ru_who *w)
{
	char sleeper[64], script[160];
	snprintf(sleeper, sizeof(sleeper), "sleep 30.%d", (int)getpid() % 100000);
	snprintf(script, sizeof(script), "touch started; %s; echo after > after", sleeper);
	pid_t pid = start_cordon(w, script);
	assert_true(wait_cmdline(sleeper, 20)); /* not while dash runs a builtin: see above */
	kill(pid, SIGINT);
	int st = 0;
	assert_true(wait_bounded(pid, &st, 10));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 128 + SIGINT);
	assert_int_equal(access(ru_path(0, w->ws, "after"), F_OK), -1);
}

static void test_run_proc_sigint_reaches_group(void **state)
{
	(void)state;
	ru_both(body_sigint_group);
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
	        cmocka_unit_test(test_run_proc_cwd_unavailable_refused),
	        cmocka_unit_test(test_run_proc_init_unreadable),
	        cmocka_unit_test(test_run_proc_tty_state_restored),
	        cmocka_unit_test(test_run_proc_tty_restored_on_timeout_and_term),
	        cmocka_unit_test(test_run_proc_tty_ctrl_c_ends_group),
	        cmocka_unit_test(test_run_proc_tty_winch_relayed),
	        cmocka_unit_test(test_run_proc_sigint_reaches_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
