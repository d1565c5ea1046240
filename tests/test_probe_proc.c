/* Tests of the proc.* probes, run with no sandbox: each checks the probe's line and the real
 * effect with its own eyes (the victim got the signal, its limit changed, the canary grew, the
 * pty received the character, the daemon lives on...). As root the probes act on our own
 * children; as the unprivileged test user they must be refused where the kernel says so. */
#define _GNU_SOURCE
#include "ppp_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

/* The ptrace/vm_readv victims are forks of this process: same address, same magic. */
static volatile unsigned long victim_magic = 0x636f72646f6e2121UL;

struct victim {
	pid_t pid;
	int sigfd; /* the victim writes one byte per signal it receives */
};

static int victim_report_fd = -1;

static void victim_handler(int sig)
{
	unsigned char b = (unsigned char)sig;
	(void)!write(victim_report_fd, &b, 1);
}

/* A child of ours that reports SIGUSR1, SIGUSR2 and SIGURG on a pipe; "R" once ready. */
static struct victim victim_start(void)
{
	int p[2];
	struct victim v;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	v.pid = fork();
	assert_true(v.pid >= 0);
	if (v.pid == 0) {
		/* A failed assertion skips victim_stop: die with the test, never linger. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		victim_report_fd = p[1];
		signal(SIGUSR1, victim_handler);
		signal(SIGUSR2, victim_handler);
		signal(SIGURG, victim_handler);
		(void)!write(p[1], "R", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	v.sigfd = p[0];
	char c = 0;
	assert_int_equal(read(v.sigfd, &c, 1), 1);
	assert_int_equal(c, 'R');
	return v;
}

/* The next signal the victim reported within ms milliseconds, 0 when none. */
static int victim_got(const struct victim *v, int ms)
{
	struct pollfd pf = {.fd = v->sigfd, .events = POLLIN};
	unsigned char b = 0;
	if (poll(&pf, 1, ms) != 1 || read(v->sigfd, &b, 1) != 1)
		return 0;
	return b;
}

static void victim_stop(struct victim *v)
{
	kill(v->pid, SIGKILL);
	waitpid(v->pid, NULL, 0);
	close(v->sigfd);
}

static void pid_str(pid_t pid, char *buf, size_t n)
{
	snprintf(buf, n, "%d", (int)pid);
}

static void need_root(void)
{
	if (geteuid() != 0)
		tu_skip("needs root: the unprivileged case is asserted against a root-owned "
		        "victim");
}

static void test_probe_proc_kill_signals_victim(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16];
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run("proc_kill", pid, "USR1");
	ppp_check(&r, "proc.kill", "succeeded", NULL);
	assert_int_equal(victim_got(&v, 10000), SIGUSR1);
	tu_result_free(&r);
	r = ppp_run("proc_kill", pid, "NOSUCHSIG");
	ppp_check(&r, "proc.kill", "inconclusive", NULL);
	tu_result_free(&r);
	r = ppp_run("proc_kill");
	ppp_check(&r, "proc.kill", "inconclusive", "EINVAL");
	tu_result_free(&r);
	victim_stop(&v);
}

static void test_probe_proc_kill_refused_for_other_user(void **state)
{
	(void)state;
	uid_t uid;
	gid_t gid;
	need_root();
	PPP_TEST_USER(uid, gid);
	struct victim v = victim_start();
	char pid[16];
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run_user(uid, gid, "proc_kill", pid, "USR1");
	ppp_check(&r, "proc.kill", "refused", "EPERM");
	assert_int_equal(victim_got(&v, 200), 0);
	tu_result_free(&r);
	victim_stop(&v);
}

/* Inside a throwaway PID namespace: init forks a victim and runs the probe; kill(-1) must
 * reach the victim, and nothing outside the namespace can be touched. */
static void test_probe_proc_kill_all_reaches_namespace_peers(void **state)
{
	(void)state;
	int sigp[2], outp[2];
	assert_int_equal(pipe(sigp), 0);
	assert_int_equal(pipe(outp), 0);
	pid_t a = fork();
	assert_true(a >= 0);
	if (a == 0) {
		/* Unprivileged, a user namespace grants the right to make the PID namespace. */
		if (unshare(CLONE_NEWPID) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
			_exit(77);
		pid_t init = fork();
		if (init != 0) {
			int st;
			waitpid(init, &st, 0);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 99);
		}
		struct victim v = {0};
		v.pid = fork();
		if (v.pid == 0) {
			victim_report_fd = sigp[1];
			signal(SIGUSR1, victim_handler);
			(void)!write(sigp[1], "R", 1);
			for (;;)
				pause();
		}
		char c;
		if (read(sigp[0], &c, 1) != 1)
			_exit(98);
		/* We are init here: kill(-1) skips us. */
		pid_t p = fork();
		if (p == 0) {
			dup2(outp[1], 1);
			execl(tu_probe("proc_kill_all"), "proc_kill_all", "USR1", (char *)NULL);
			_exit(127);
		}
		int st;
		waitpid(p, &st, 0);
		struct pollfd pf = {.fd = sigp[0], .events = POLLIN};
		unsigned char got = 0;
		if (poll(&pf, 1, 10000) == 1)
			(void)!read(sigp[0], &got, 1);
		kill(v.pid, SIGKILL);
		_exit(got == SIGUSR1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 97);
	}
	close(sigp[1]);
	close(outp[1]);
	int st;
	waitpid(a, &st, 0);
	char out[512] = "";
	(void)!read(outp[0], out, sizeof(out) - 1);
	close(outp[0]);
	close(sigp[0]);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		tu_skip("cannot unshare a PID namespace here; kill(-1) unconfined would signal "
		        "every process of the user");
	printf("  %s", out);
	assert_non_null(strstr(out, "\"probe\":\"proc.kill_all\""));
	assert_non_null(strstr(out, "\"outcome\":\"succeeded\""));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0); /* the victim got SIGUSR1 */
}

static void test_probe_proc_pidfd_signal_signals_victim(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16];
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run("proc_pidfd_signal", pid, "USR2");
	if (strstr(r.out, "ENOSYS"))
		tu_skip("kernel lacks pidfd_open/pidfd_send_signal");
	ppp_check(&r, "proc.pidfd_signal", "succeeded", NULL);
	assert_int_equal(victim_got(&v, 10000), SIGUSR2);
	tu_result_free(&r);
	r = ppp_run("proc_pidfd_signal", "999999999", "USR2"); /* no such process */
	ppp_check(&r, "proc.pidfd_signal", "refused", "ESRCH");
	assert_non_null(strstr(r.out, "\"detail\":\"pidfd_open\""));
	tu_result_free(&r);
	victim_stop(&v);
}

static void test_probe_proc_fsetown_delivers_sigurg(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16];
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run("proc_fsetown", pid);
	ppp_check(&r, "proc.fsetown", "succeeded", NULL);
	assert_int_equal(victim_got(&v, 10000), SIGURG);
	tu_result_free(&r);
	victim_stop(&v);
}

/* The unprivileged probe's write "succeeds", but the kernel drops the signal at delivery:
 * this is why the harness judges by the victim, not by the line. */
static void test_probe_proc_fsetown_other_user_not_delivered(void **state)
{
	(void)state;
	uid_t uid;
	gid_t gid;
	need_root();
	PPP_TEST_USER(uid, gid);
	struct victim v = victim_start();
	char pid[16];
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run_user(uid, gid, "proc_fsetown", pid);
	assert_non_null(strstr(r.out, "\"probe\":\"proc.fsetown\""));
	printf("  %s", r.out);
	assert_int_equal(victim_got(&v, 300), 0);
	tu_result_free(&r);
	victim_stop(&v);
}

/* A field of /proc/PID/<file> line starting with key, as a string. */
static void proc_field(pid_t pid, const char *file, const char *key, char *out, size_t n)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	char *text = tu_read_file(path);
	assert_non_null(text);
	const char *at = strstr(text, key);
	assert_non_null(at);
	at += strlen(key);
	while (*at == ' ' || *at == '\t')
		at++;
	snprintf(out, n, "%.*s", (int)strcspn(at, " \n"), at);
	free(text);
}

static void test_probe_proc_prlimit_changes_victim_limit(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16], soft[32];
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run("proc_prlimit", pid, "123");
	ppp_check(&r, "proc.prlimit", "succeeded", NULL);
	proc_field(v.pid, "limits", "Max open files", soft, sizeof(soft));
	assert_string_equal(soft, "123");
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, soft, sizeof(soft))) {
		r = ppp_run_user(uid, gid, "proc_prlimit", pid, "77");
		ppp_check(&r, "proc.prlimit", "refused", "EPERM");
		proc_field(v.pid, "limits", "Max open files", soft, sizeof(soft));
		assert_string_equal(soft, "123");
		tu_result_free(&r);
	}
	victim_stop(&v);
}

static long stat_nice(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *text = tu_read_file(path);
	assert_non_null(text);
	const char *p = strrchr(text, ')');
	assert_non_null(p);
	long field = 2, nice_val = 0;
	for (; *p && field < 19; p++)
		if (*p == ' ')
			field++;
	nice_val = strtol(p, NULL, 10);
	free(text);
	return nice_val;
}

static void test_probe_proc_setpriority_renices_victim(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16], why[128];
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run("proc_setpriority", pid, "7");
	ppp_check(&r, "proc.setpriority", "succeeded", NULL);
	assert_int_equal(stat_nice(v.pid), 7);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, why, sizeof(why))) {
		r = ppp_run_user(uid, gid, "proc_setpriority", pid, "9");
		ppp_check(&r, "proc.setpriority", "refused", "EPERM");
		assert_int_equal(stat_nice(v.pid), 7);
		tu_result_free(&r);
	}
	victim_stop(&v);
}

static void test_probe_proc_setaffinity_pins_victim(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16], list[64];
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run("proc_setaffinity", pid, "0");
	ppp_check(&r, "proc.setaffinity", "succeeded", NULL);
	proc_field(v.pid, "status", "Cpus_allowed_list:", list, sizeof(list));
	assert_string_equal(list, "0");
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, list, sizeof(list))) {
		r = ppp_run_user(uid, gid, "proc_setaffinity", pid);
		ppp_check(&r, "proc.setaffinity", "refused", "EPERM");
		tu_result_free(&r);
	}
	victim_stop(&v);
}

static void test_probe_proc_proc_root_write_appends_canary(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("ppp-root", PPP_ROOT, (gid_t)-1);
	assert_non_null(dir);
	char canary[512], pid[16];
	snprintf(canary, sizeof(canary), "%s/canary", dir);
	assert_int_equal(tu_write_file(canary, "original\n"), 0);
	struct victim v = victim_start();
	pid_str(v.pid, pid, sizeof(pid));
	struct tu_result r = ppp_run("proc_proc_root_write", pid, canary);
	ppp_check(&r, "proc.proc_root_write", "succeeded", NULL);
	char *text = tu_read_file(canary);
	assert_non_null(strstr(text, "original\ncordon-probe"));
	free(text);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, pid, sizeof(pid))) {
		chmod(dir, 0755);
		chmod(canary, 0666); /* writable: only /proc/PID/root's ptrace check may refuse */
		pid_str(v.pid, pid, sizeof(pid));
		r = ppp_run_user(uid, gid, "proc_proc_root_write", pid, canary);
		ppp_check(&r, "proc.proc_root_write", "refused", "EACCES");
		text = tu_read_file(canary);
		assert_null(strstr(strstr(text, "cordon-probe") + 1, "cordon-probe"));
		free(text);
		tu_result_free(&r);
	}
	victim_stop(&v);
	tu_rm_rf(dir);
	free(dir);
}

static void test_probe_proc_exe_write_open_refused_etxtbsy(void **state)
{
	(void)state;
	/* The kernel refuses write-opens of a running executable (ETXTBSY) even unconfined, so
	 * the success case cannot be shown here; the test pins the line and that the probe's
	 * own binary is left intact. */
	struct stat before, after;
	assert_int_equal(stat(tu_probe("proc_exe_write"), &before), 0);
	struct tu_result r = ppp_run("proc_exe_write");
	/* Not root and not the owner: the permission check comes first. */
	ppp_check(&r, "proc.exe_write", "refused",
	          access(tu_probe("proc_exe_write"), W_OK) == 0 ? "ETXTBSY" : "EACCES");
	assert_non_null(strstr(r.out, "\"target\":\"/proc/self/exe\""));
	assert_int_equal(stat(tu_probe("proc_exe_write"), &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	tu_result_free(&r);
	r = ppp_run("proc_exe_write", "notapid");
	ppp_check(&r, "proc.exe_write", "inconclusive", NULL);
	tu_result_free(&r);
}

static void test_probe_proc_ptrace_reads_victim_memory(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16], addr[32], want[64];
	pid_str(v.pid, pid, sizeof(pid));
	snprintf(addr, sizeof(addr), "%p", (void *)&victim_magic);
	snprintf(want, sizeof(want), "\"value\":\"0x%lx\"", victim_magic);
	struct tu_result r = ppp_run("proc_ptrace", pid, addr);
	ppp_check(&r, "proc.ptrace", "succeeded", NULL);
	assert_non_null(strstr(r.out, want));
	tu_result_free(&r);
	/* Detached and running on: it still handles a signal. */
	kill(v.pid, SIGUSR1);
	assert_int_equal(victim_got(&v, 10000), SIGUSR1);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, want, sizeof(want))) {
		r = ppp_run_user(uid, gid, "proc_ptrace", pid, addr);
		ppp_check(&r, "proc.ptrace", "refused", "EPERM");
		tu_result_free(&r);
	}
	victim_stop(&v);
}

static void test_probe_proc_vm_readv_reads_victim_memory(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16], addr[32], want[64];
	pid_str(v.pid, pid, sizeof(pid));
	snprintf(addr, sizeof(addr), "%p", (void *)&victim_magic);
	snprintf(want, sizeof(want), "\"value\":\"0x%lx\"", victim_magic);
	struct tu_result r = ppp_run("proc_vm_readv", pid, addr);
	ppp_check(&r, "proc.vm_readv", "succeeded", NULL);
	assert_non_null(strstr(r.out, want));
	tu_result_free(&r);
	r = ppp_run("proc_vm_readv", pid); /* address taken from /proc/PID/maps */
	ppp_check(&r, "proc.vm_readv", "succeeded", NULL);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, want, sizeof(want))) {
		r = ppp_run_user(uid, gid, "proc_vm_readv", pid, addr);
		ppp_check(&r, "proc.vm_readv", "refused", "EPERM");
		tu_result_free(&r);
		r = ppp_run_user(uid, gid, "proc_vm_readv", pid);
		ppp_check(&r, "proc.vm_readv", "refused", "EACCES"); /* maps unreadable */
		tu_result_free(&r);
	}
	victim_stop(&v);
}

/* proc.mem and proc.fd: a process of ours is open to both; another user's is not. */
static void test_probe_proc_mem_and_fd_of_victim(void **state)
{
	(void)state;
	struct victim v = victim_start();
	char pid[16], addr[32], want[64];
	pid_str(v.pid, pid, sizeof(pid));
	snprintf(addr, sizeof(addr), "%p", (void *)&victim_magic);
	snprintf(want, sizeof(want), "\"value\":\"0x%lx\"", victim_magic);
	struct tu_result r = ppp_run("proc_mem", pid, addr);
	ppp_check(&r, "proc.mem", "succeeded", NULL);
	assert_non_null(strstr(r.out, want));
	assert_non_null(strstr(r.out, "\"read\":true"));
	tu_result_free(&r);
	r = ppp_run("proc_fd", pid, "0");
	ppp_check(&r, "proc.fd", "succeeded", NULL);
	assert_non_null(strstr(r.out, "\"path\":\"/dev/null\""));
	tu_result_free(&r);
	r = ppp_run("proc_mem", "notapid");
	ppp_check(&r, "proc.mem", "inconclusive", NULL);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, want, sizeof(want))) {
		r = ppp_run_user(uid, gid, "proc_mem", pid);
		ppp_check(&r, "proc.mem", "refused", "EACCES");
		tu_result_free(&r);
		r = ppp_run_user(uid, gid, "proc_fd", pid);
		ppp_check(&r, "proc.fd", "refused", "EACCES");
		tu_result_free(&r);
	}
	victim_stop(&v);
}

/* A sleeping exec'd process with a marker in its argv[0] and environment. */
static pid_t sleeper_start(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = {"cordon-victim-argv-marker", "60", NULL};
		char *envp[] = {"CORDON_FAKE_TOKEN=cordon-env-marker", NULL};
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	/* Wait until the exec happened: cmdline shows the marker. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	for (int i = 0; i < 1000; i++) {
		char *t = tu_read_file(path);
		bool done = t && strstr(t, "cordon-victim-argv-marker");
		free(t);
		if (done)
			break;
		usleep(10000);
	}
	return pid;
}

static void test_probe_proc_environ_and_cmdline_show_markers(void **state)
{
	(void)state;
	pid_t s = sleeper_start();
	char pid[16];
	pid_str(s, pid, sizeof(pid));
	struct tu_result r = ppp_run("proc_environ", pid, "cordon-env-marker");
	ppp_check(&r, "proc.environ", "succeeded", NULL);
	assert_non_null(strstr(r.out, "\"found\":true"));
	tu_result_free(&r);
	r = ppp_run("proc_cmdline", pid, "cordon-victim-argv-marker");
	ppp_check(&r, "proc.cmdline", "succeeded", NULL);
	assert_non_null(strstr(r.out, "\"found\":true"));
	tu_result_free(&r);
	r = ppp_run("proc_cmdline", pid, "not-there-at-all");
	ppp_check(&r, "proc.cmdline", "succeeded", NULL);
	assert_non_null(strstr(r.out, "\"found\":false"));
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, pid, sizeof(pid))) {
		pid_str(s, pid, sizeof(pid));
		r = ppp_run_user(uid, gid, "proc_environ", pid, "cordon-env-marker");
		ppp_check(&r, "proc.environ", "refused", "EACCES");
		tu_result_free(&r);
		/* cmdline is world-readable: only a PID namespace hides it. */
		r = ppp_run_user(uid, gid, "proc_cmdline", pid, "cordon-victim-argv-marker");
		ppp_check(&r, "proc.cmdline", "succeeded", NULL);
		assert_non_null(strstr(r.out, "\"found\":true"));
		tu_result_free(&r);
	}
	kill(s, SIGKILL);
	waitpid(s, NULL, 0);
	r = ppp_run("proc_environ", pid);
	ppp_check(&r, "proc.environ", "refused", "ENOENT");
	tu_result_free(&r);
}

static void test_probe_proc_count_sees_our_processes(void **state)
{
	(void)state;
	struct victim v = victim_start();
	struct tu_result r = ppp_run("proc_count");
	ppp_check(&r, "proc.count", "succeeded", NULL);
	/* At least us, the victim and the probe itself. */
	assert_true(ppp_num(r.out, "count") >= 3);
	tu_result_free(&r);
	victim_stop(&v);
}

/* Run proc_tiocsti on a fresh pty as uid; ctty: make the pty its controlling terminal.
 * Returns what the pty's input queue holds afterwards. */
static void tiocsti_run(uid_t uid, gid_t gid, bool ctty, char *status, size_t n, char *got)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	const char *name = ptsname(master);
	assert_non_null(name);
	int slave = open(name, O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	struct termios t;
	assert_int_equal(tcgetattr(slave, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(slave, TCSANOW, &t), 0);
	int outp[2];
	assert_int_equal(pipe(outp), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setsid();
		int fd = open(name, O_RDWR | (ctty ? 0 : O_NOCTTY));
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(outp[1], 1) < 0)
			_exit(120);
		if (uid != PPP_ROOT &&
		    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(121);
		execl(tu_probe("proc_tiocsti"), "proc_tiocsti", "#", (char *)NULL);
		_exit(127);
	}
	close(outp[1]);
	int st;
	waitpid(pid, &st, 0);
	ssize_t len = read(outp[0], status, n - 1);
	status[len > 0 ? len : 0] = '\0';
	printf("  %s", status);
	close(outp[0]);
	fcntl(slave, F_SETFL, O_NONBLOCK);
	*got = 0;
	(void)!read(slave, got, 1);
	close(slave);
	close(master);
}

static void test_probe_proc_tiocsti_injects_into_pty(void **state)
{
	(void)state;
	char line[512], got;
	tiocsti_run(PPP_ROOT, (gid_t)-1, true, line, sizeof(line), &got);
	if (strstr(line, "EIO"))
		tu_skip("dev.tty.legacy_tiocsti=0: the kernel refuses TIOCSTI to everyone");
	assert_non_null(strstr(line, "\"probe\":\"proc.tiocsti\""));
	assert_non_null(strstr(line, "\"outcome\":\"succeeded\""));
	assert_int_equal(got, '#');
	uid_t uid;
	gid_t gid;
	/* dev.tty.legacy_tiocsti=0 (Linux 6.2+ with it off): TIOCSTI needs CAP_SYS_ADMIN, so root
	 * above still types, everyone else gets EIO, even on their own terminal. */
	char *legacy = tu_read_file("/proc/sys/dev/tty/legacy_tiocsti");
	bool legacy_off = legacy && legacy[0] == '0';
	free(legacy);
	if (!legacy_off && geteuid() == 0 && tu_test_user(&uid, &gid, line, sizeof(line))) {
		/* Unprivileged, on its own controlling terminal: still allowed. That is the
		 * CVE-2017-5226 shape, and why a sandbox must setsid. */
		tiocsti_run(uid, gid, true, line, sizeof(line), &got);
		assert_non_null(strstr(line, "\"outcome\":\"succeeded\""));
		assert_int_equal(got, '#');
		/* Not its controlling terminal: EPERM, nothing typed. */
		tiocsti_run(uid, gid, false, line, sizeof(line), &got);
		assert_non_null(strstr(line, "\"outcome\":\"refused\""));
		assert_non_null(strstr(line, "\"errno\":\"EPERM\""));
		assert_int_equal(got, 0);
	}
	struct tu_result r = ppp_run("proc_tiocsti"); /* stdin is /dev/null */
	ppp_check(&r, "proc.tiocsti", "inconclusive", "ENOTTY");
	tu_result_free(&r);
	if (legacy_off && geteuid() == 0 && tu_test_user(&uid, &gid, line, sizeof(line))) {
		tiocsti_run(uid, gid, true, line, sizeof(line), &got);
		assert_non_null(strstr(line, "\"outcome\":\"refused\""));
		assert_non_null(strstr(line, "\"errno\":\"EIO\""));
		assert_int_equal(got, 0);
		tu_skip("dev.tty.legacy_tiocsti=0: an unprivileged TIOCSTI is refused (EIO) even "
		        "on its own terminal, so the injection cannot be shown unprivileged here");
	}
}

static void test_probe_proc_daemon_outlives_probe(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("ppp-daemon", PPP_ROOT, (gid_t)-1);
	assert_non_null(dir);
	char marker[512], path[64];
	snprintf(marker, sizeof(marker), "%s/daemon-marker", dir);
	struct tu_result r = ppp_run("proc_daemon", marker, "30");
	ppp_check(&r, "proc.daemon", "succeeded", NULL);
	long pid = ppp_num(r.out, "pid");
	tu_result_free(&r);
	char *text = tu_read_file(marker);
	assert_non_null(text);
	assert_int_equal(strtol(text, NULL, 10), pid);
	free(text);
	/* It is alive, findable by the marker in its argv, in its own session, and ignores
	 * SIGHUP (bit 0) and SIGTERM (bit 14). */
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	text = tu_read_file(path);
	assert_non_null(text);
	assert_string_equal(text + strlen(text) + 1, marker);
	free(text);
	assert_true(getsid((pid_t)pid) != getsid(0));
	char ign[32];
	proc_field((pid_t)pid, "status", "SigIgn:", ign, sizeof(ign));
	unsigned long mask = strtoul(ign, NULL, 16);
	assert_true(mask & (1UL << (SIGHUP - 1)));
	assert_true(mask & (1UL << (SIGTERM - 1)));
	kill((pid_t)pid, SIGKILL);
	tu_rm_rf(dir);
	free(dir);
}

static void test_probe_proc_daemon_marker_refused(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("proc_daemon", "/nonexistent-dir/marker", "1");
	ppp_check(&r, "proc.daemon", "refused", "ENOENT");
	tu_result_free(&r);
	r = ppp_run("proc_daemon", "/tmp/x", "soon");
	ppp_check(&r, "proc.daemon", "inconclusive", NULL);
	tu_result_free(&r);
}

static void test_probe_proc_grandchild_relays_line_status_signal(void **state)
{
	(void)state;
	char count[4096];
	snprintf(count, sizeof(count), "%s", tu_probe("proc_count")); /* tu_probe: static buffer */
	struct tu_result r = ppp_run("proc_grandchild", count);
	ppp_check(&r, "proc.count", "succeeded", NULL);
	tu_result_free(&r);
	char probe[4096];
	snprintf(probe, sizeof(probe), "%s", tu_probe("proc_kill"));
	r = ppp_run("proc_grandchild", probe, "1", "BOGUS");
	ppp_check(&r, "proc.kill", "inconclusive", NULL);
	tu_result_free(&r);
	/* A death by signal comes back as the same signal, with no line. */
	r = ppp_run("proc_grandchild", "/bin/sh", "-c", "kill -USR2 $$");
	assert_int_equal(r.signal, SIGUSR2);
	assert_string_equal(r.out, "");
	tu_result_free(&r);
	/* The grandchild runs in another session than ours. */
	char sid[32];
	snprintf(sid, sizeof(sid), "%d", (int)getsid(0));
	r = ppp_run("proc_grandchild", "/bin/sh", "-c", "cut -d' ' -f6 /proc/$$/stat");
	assert_int_equal(r.status, 0);
	assert_true(strtol(r.out, NULL, 10) > 0);
	assert_int_not_equal(strtol(r.out, NULL, 10), getsid(0));
	tu_result_free(&r);
	r = ppp_run("proc_grandchild", "/nonexistent/probe");
	ppp_check(&r, "proc.grandchild", "inconclusive", "ENOENT");
	tu_result_free(&r);
}

static void test_probe_proc_keyctl_reads_user_keyring(void **state)
{
	(void)state;
	char want[64];
	struct tu_result r = ppp_run("proc_keyctl");
	ppp_check(&r, "proc.keyctl", "succeeded", NULL);
	snprintf(want, sizeof(want), "_uid.%d\"", (int)getuid());
	assert_non_null(strstr(r.out, want));
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, want, sizeof(want))) {
		r = ppp_run_user(uid, gid, "proc_keyctl");
		ppp_check(&r, "proc.keyctl", "succeeded", NULL);
		snprintf(want, sizeof(want), "_uid.%d\"", (int)uid);
		assert_non_null(strstr(r.out, want));
		tu_result_free(&r);
	}
}

static void test_probe_proc_sysv_shm_create_find_remove(void **state)
{
	(void)state;
	char key[32], want[64];
	srand((unsigned)(getpid() ^ time(NULL)));
	int k = 0x43000000 | (rand() & 0xffffff);
	snprintf(key, sizeof(key), "%d", k);
	struct tu_result r = ppp_run("proc_sysv_shm", "--create", key);
	ppp_check(&r, "proc.sysv_shm", "succeeded", NULL);
	tu_result_free(&r);
	assert_true(shmget(k, 0, 0) >= 0); /* it really exists */
	snprintf(want, sizeof(want), "\"value\":\"cordon-shm-%s\"", key);
	r = ppp_run("proc_sysv_shm", key);
	ppp_check(&r, "proc.sysv_shm", "succeeded", NULL);
	assert_non_null(strstr(r.out, want));
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, want, sizeof(want))) {
		r = ppp_run_user(uid, gid, "proc_sysv_shm", key); /* 0666: visible to all */
		ppp_check(&r, "proc.sysv_shm", "succeeded", NULL);
		tu_result_free(&r);
	}
	r = ppp_run("proc_sysv_shm", "--remove", key);
	ppp_check(&r, "proc.sysv_shm", "succeeded", NULL);
	tu_result_free(&r);
	assert_true(shmget(k, 0, 0) < 0);
	r = ppp_run("proc_sysv_shm", key);
	ppp_check(&r, "proc.sysv_shm", "refused", "ENOENT");
	tu_result_free(&r);
}

static void test_probe_proc_posix_shm_create_find_remove(void **state)
{
	(void)state;
	char name[64], path[96], want[96];
	snprintf(name, sizeof(name), "/cordon-ppp-%d", (int)getpid());
	snprintf(path, sizeof(path), "/dev/shm%s", name);
	struct tu_result r = ppp_run("proc_posix_shm", "--create", name);
	ppp_check(&r, "proc.posix_shm", "succeeded", NULL);
	tu_result_free(&r);
	char *text = tu_read_file(path);
	assert_non_null(text);
	snprintf(want, sizeof(want), "cordon-shm-%s", name);
	assert_string_equal(text, want);
	free(text);
	snprintf(want, sizeof(want), "\"value\":\"cordon-shm-%s\"", name);
	r = ppp_run("proc_posix_shm", name);
	ppp_check(&r, "proc.posix_shm", "succeeded", NULL);
	assert_non_null(strstr(r.out, want));
	tu_result_free(&r);
	r = ppp_run("proc_posix_shm", "--remove", name);
	ppp_check(&r, "proc.posix_shm", "succeeded", NULL);
	tu_result_free(&r);
	assert_int_equal(access(path, F_OK), -1);
	r = ppp_run("proc_posix_shm", name);
	ppp_check(&r, "proc.posix_shm", "refused", "ENOENT");
	tu_result_free(&r);
	r = ppp_run("proc_posix_shm", "no-slash");
	ppp_check(&r, "proc.posix_shm", "inconclusive", NULL);
	tu_result_free(&r);
}

static void test_probe_proc_pidfd_getfd_steals_victim_fd(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("ppp-getfd", PPP_ROOT, (gid_t)-1);
	char canary[512], pid[16], fdnum[16], want[600];
	snprintf(canary, sizeof(canary), "%s/held-open", dir);
	assert_int_equal(tu_write_file(canary, "secret\n"), 0);
	int fd = open(canary, O_RDONLY); /* not CLOEXEC: the victim fork holds it too */
	assert_true(fd >= 0);
	struct victim v = victim_start();
	close(fd);
	pid_str(v.pid, pid, sizeof(pid));
	snprintf(fdnum, sizeof(fdnum), "%d", fd);
	struct tu_result r = ppp_run("proc_pidfd_getfd", pid, fdnum);
	if (strstr(r.out, "ENOSYS"))
		tu_skip("kernel lacks pidfd_getfd (Linux 5.6)");
	ppp_check(&r, "proc.pidfd_getfd", "succeeded", NULL);
	snprintf(want, sizeof(want), "\"path\":\"%s\"", canary);
	assert_non_null(strstr(r.out, want));
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (geteuid() == 0 && tu_test_user(&uid, &gid, want, sizeof(want))) {
		r = ppp_run_user(uid, gid, "proc_pidfd_getfd", pid, fdnum);
		ppp_check(&r, "proc.pidfd_getfd", "refused", "EPERM");
		tu_result_free(&r);
	}
	victim_stop(&v);
	tu_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_probe_proc_kill_signals_victim),
	        cmocka_unit_test(test_probe_proc_kill_refused_for_other_user),
	        cmocka_unit_test(test_probe_proc_kill_all_reaches_namespace_peers),
	        cmocka_unit_test(test_probe_proc_pidfd_signal_signals_victim),
	        cmocka_unit_test(test_probe_proc_fsetown_delivers_sigurg),
	        cmocka_unit_test(test_probe_proc_fsetown_other_user_not_delivered),
	        cmocka_unit_test(test_probe_proc_prlimit_changes_victim_limit),
	        cmocka_unit_test(test_probe_proc_setpriority_renices_victim),
	        cmocka_unit_test(test_probe_proc_setaffinity_pins_victim),
	        cmocka_unit_test(test_probe_proc_proc_root_write_appends_canary),
	        cmocka_unit_test(test_probe_proc_exe_write_open_refused_etxtbsy),
	        cmocka_unit_test(test_probe_proc_ptrace_reads_victim_memory),
	        cmocka_unit_test(test_probe_proc_vm_readv_reads_victim_memory),
	        cmocka_unit_test(test_probe_proc_mem_and_fd_of_victim),
	        cmocka_unit_test(test_probe_proc_environ_and_cmdline_show_markers),
	        cmocka_unit_test(test_probe_proc_count_sees_our_processes),
	        cmocka_unit_test(test_probe_proc_tiocsti_injects_into_pty),
	        cmocka_unit_test(test_probe_proc_daemon_outlives_probe),
	        cmocka_unit_test(test_probe_proc_daemon_marker_refused),
	        cmocka_unit_test(test_probe_proc_grandchild_relays_line_status_signal),
	        cmocka_unit_test(test_probe_proc_keyctl_reads_user_keyring),
	        cmocka_unit_test(test_probe_proc_sysv_shm_create_find_remove),
	        cmocka_unit_test(test_probe_proc_posix_shm_create_find_remove),
	        cmocka_unit_test(test_probe_proc_pidfd_getfd_steals_victim_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
