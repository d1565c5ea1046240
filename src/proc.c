/* The sandbox's init. It runs as pid 1 of the new PID namespace, builds the confinement on
 * itself (mounts, limits, privilege drop, Landlock, seccomp) so the command inherits all of it,
 * forks the command (a process group of its own), forwards the supervisor's signals to that
 * group, reaps orphans, and reports the command's status. When it exits, the kernel kills
 * whatever is left in the namespace. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "landlock.h"
#include "limit.h"
#include "mount.h"
#include "proc.h"
#include "sys.h"
#include "warm.h"

/* ---- messages ---------------------------------------------------------------------------- */

int cordon_msg_send(int sock, const struct cordon_msg *m, int fd)
{
	/* Without a descriptor, send(): the init keeps reporting after its seccomp filter is
	 * loaded, and that filter hands every sendmsg to the supervisor (notify_net.c), while
	 * sendto without an address never reaches it. */
	if (fd >= 0)
		return cordon_fds_send(sock, m, sizeof(*m), &fd, 1);
	ssize_t n;
	while ((n = send(sock, m, sizeof(*m), MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n < 0 ? -errno : 0;
}

int cordon_msg_recv(int sock, struct cordon_msg *m, int *fd)
{
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof(u.buf)};
	*fd = -1;
	ssize_t n;
	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return -errno;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(*m))
		return -EPIPE;
	m->text[sizeof(m->text) - 1] = '\0';
	return 0;
}

static void init_send(int sock, int type, int value, const char *text, int fd)
{
	struct cordon_msg m = {.type = type, .value = value};
	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	cordon_msg_send(sock, &m, fd);
}

/* ---- setup steps, in order --------------------------------------------------------------- */

/* Die with the supervisor; and if it already died before we asked, go now. */
static int init_bind_to_parent(const struct cordon_init *in, cordon_error *err)
{
	close(in->peer_sock);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return cordon_err(err, -errno, "init: PR_SET_PDEATHSIG: %s", strerror(errno));
	struct pollfd p = {.fd = in->sock, .events = 0};
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
		_exit(1);
	return 0;
}

static int init_write_file(const char *path, const char *data, cordon_error *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cordon_err(err, -errno, "userns: cannot open %s: %s", path, strerror(errno));
	ssize_t n = write(fd, data, strlen(data));
	int e = errno;
	close(fd);
	return n < 0 ? cordon_err(err, -e, "userns: cannot write %s: %s", path, strerror(e)) : 0;
}

/* Map the caller's own uid and gid, nothing else: inside, the command is who it was. */
static int init_map_ids(const struct cordon_host *h, cordon_error *err)
{
	char uid_map[64], gid_map[64];
	snprintf(uid_map, sizeof(uid_map), "%u %u 1\n", (unsigned)h->uid, (unsigned)h->uid);
	snprintf(gid_map, sizeof(gid_map), "%u %u 1\n", (unsigned)h->gid, (unsigned)h->gid);
	int r = init_write_file("/proc/self/setgroups", "deny", err);
	if (r == 0)
		r = init_write_file("/proc/self/uid_map", uid_map, err);
	if (r == 0)
		r = init_write_file("/proc/self/gid_map", gid_map, err);
	return r;
}

/* A new network namespace has only a loopback, and it starts down. */
int cordon_net_loopback_up(cordon_error *err)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cordon_err(err, -errno, "network: socket: %s", strerror(errno));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	int r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	int e = errno;
	close(fd);
	return r < 0 ? cordon_err(err, -e, "network: cannot bring lo up: %s", strerror(e)) : 0;
}

static int init_wait_go(const struct cordon_init *in, cordon_error *err)
{
	struct cordon_msg m;
	int fd = -1;
	int r = cordon_msg_recv(in->sock, &m, &fd);
	if (fd >= 0)
		close(fd);
	if (r < 0 || m.type != CORDON_MSG_GO)
		return cordon_err(err, r < 0 ? r : -EPROTO,
		                  "init: the supervisor did not release us");
	return 0;
}

static int init_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close every descriptor above 2 except the status socket and --keep-fd ones, which are made
 * inheritable. One close_range per gap: cost independent of how many are open. */
static int init_close_fds(const struct cordon_init *in, cordon_error *err)
{
	const struct cordon_policy *p = in->plan->policy;
	/* Prepared: what is open at those numbers now is the server's; the run's come later. */
	size_t n = p && !in->warm ? p->n_keep_fds : 0;
	int *keep = malloc((n + 2) * sizeof(int));
	if (!keep)
		return cordon_err(err, -ENOMEM, "init: out of memory");
	for (size_t i = 0; i < n; i++) {
		keep[i] = p->keep_fds[i];
		int fl = fcntl(keep[i], F_GETFD);
		if (fl >= 0)
			fcntl(keep[i], F_SETFD, fl & ~FD_CLOEXEC);
	}
	keep[n++] = in->sock;
	if (in->pty_master >= 0)
		keep[n++] = in->pty_master; /* close-on-exec: the command never has it */
	qsort(keep, n, sizeof(int), init_cmp_int);
	unsigned next = 3;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 3 || (unsigned)keep[i] < next)
			continue;
		if ((unsigned)keep[i] > next)
			cordon_sys_close_range(next, (unsigned)keep[i] - 1, 0);
		next = (unsigned)keep[i] + 1;
	}
	cordon_sys_close_range(next, ~0U, 0);
	free(keep);
	return 0;
}

/* No capability survives, none can come back through exec (securebits, locked), and setuid
 * binaries grant nothing (no_new_privs). */
static int init_drop_privileges(const struct cordon_init *in, cordon_error *err)
{
	int r = init_close_fds(in, err);
	if (r < 0)
		return r;
	/* Up to the first cap this kernel does not know (EINVAL); EPERM means we hold no
	 * CAP_SETPCAP (no user namespace): then there is nothing we could drop. */
	for (unsigned long cap = 0; cap < 64 && prctl(PR_CAPBSET_DROP, cap) == 0; cap++)
		;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
	                     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
	                     SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
	if (prctl(PR_SET_SECUREBITS, bits) < 0 && in->in_userns)
		return cordon_err(err, -errno, "init: cannot set securebits: %s", strerror(errno));
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return cordon_err(err, -errno, "init: cannot drop capabilities: %s",
		                  strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cordon_err(err, -errno, "init: cannot set no_new_privs: %s",
		                  strerror(errno));
	return 0;
}

static int init_namespaces(const struct cordon_init *in, cordon_error *err)
{
	int r = 0;
	if (in->clone_flags & CLONE_NEWUSER)
		r = init_map_ids(in->plan->host, err);
	/* While we hold our capabilities in the user namespace, whether new or the session's. */
	if (r == 0 && in->in_userns && in->plan->policy)
		r = cordon_limits_ucounts(in->plan, err);
	if (r == 0 && (in->clone_flags & CLONE_NEWNS))
		r = cordon_mount_apply(in->plan, err);
	/* The view is final: the supervisor reads what it needs of it while we go on (the
	 * loopback, privileges, Landlock and seccomp take as long again). */
	if (r == 0 && (in->clone_flags & CLONE_NEWNS))
		init_send(in->sock, CORDON_MSG_MOUNTED, 0, NULL, -1);
	if (r == 0 && (in->clone_flags & CLONE_NEWNET))
		r = cordon_net_loopback_up(err);
	if (r < 0)
		return r;
	/* Out of the caller's session: the user's terminal is no controlling terminal in here
	 * (/dev/tty would reach it). The command gets cordon's own pty instead (pty.h). */
	setsid();
	if ((in->clone_flags & CLONE_NEWUTS) && sethostname("cordon", 6) < 0)
		return cordon_err(err, -errno, "uts: sethostname: %s", strerror(errno));
	if (!(in->clone_flags & CLONE_NEWPID))
		prctl(PR_SET_CHILD_SUBREAPER, 1); /* best effort: orphans at least come to us */
	return 0;
}

/* Confine ourselves, and give the supervisor the very ruleset, by SCM_RIGHTS while our
 * sendmsg is not notified yet: whatever it opens or creates for the command, it does in a
 * thread confined by it (notify.c). */
static int init_landlock(const struct cordon_init *in, cordon_error *err)
{
	int ruleset = -1;
	int r = cordon_landlock_apply(in->plan, in->plan->host->landlock_abi, &ruleset, err);
	if (r == 0 && in->sc && cordon_seccomp_notifies(in->sc))
		init_send(in->sock, CORDON_MSG_LANDLOCK, 0, NULL, ruleset);
	if (ruleset >= 0)
		close(ruleset);
	return r;
}

/* cordon's pty where the user's terminal was (and on kept descriptors of that terminal). */
static int init_pty_stdio(const struct cordon_init *in, cordon_error *err)
{
	if (in->pty_slave < 0)
		return 0;
	for (size_t i = 0; i < in->n_pty_fds; i++)
		if (dup2(in->pty_slave, in->pty_fds[i]) < 0)
			return cordon_err(err, -errno,
			                  "init: cannot give the command its terminal: %s",
			                  strerror(errno));
	close(in->pty_slave);
	return 0;
}

/* Everything up to the point where the command may run. *listener gets the seccomp
 * supervisor's descriptor, or -1. */
static int init_setup(const struct cordon_init *in, int *listener, struct cordon_rlimits *rlimits,
                      cordon_error *err)
{
	*listener = -1;
	int r = init_bind_to_parent(in, err);
	if (r == 0)
		r = init_pty_stdio(in, err);
	if (r == 0)
		r = init_namespaces(in, err);
	if (r == 0 && in->wait_go)
		r = init_wait_go(in, err);
	if (r == 0)
		r = cordon_limits_prepare(in->plan, in->cgroup_active, rlimits, err);
	if (r == 0)
		r = init_drop_privileges(in, err);
	if (r == 0 && in->use_landlock)
		r = init_landlock(in, err);
	if (r == 0 && in->sc)
		r = cordon_seccomp_load(in->sc, listener, err);
	return r;
}

/* ---- the command ------------------------------------------------------------------------- */

/* What the command must not inherit: a signal ignored here stays ignored across execve (no
 * handler survives it, and cordon sets none). One read of SigIgn, rather than a sigaction for
 * each of the 64 signals, which cost nearly as much as the command's own exec (issue 5);
 * every signal when /proc cannot say. */
static uint64_t init_ignored_signals(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return ~0ULL;
	buf[n] = '\0';
	const char *line = strstr(buf, "\nSigIgn:");
	char *end = NULL;
	unsigned long long mask = line ? strtoull(line + 8, &end, 16) : 0;
	return line && end != line + 8 ? (uint64_t)mask : ~0ULL;
}

/* The command's side of vfork: only syscalls and stack memory until execve. */
static _Noreturn void init_exec_command(const struct cordon_init *in,
                                        const struct cordon_rlimits *rlimits, uint64_t ignored,
                                        volatile int *exec_errno)
{
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG && sig <= 64; sig++)
		if ((ignored >> (sig - 1)) & 1 && sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* A process group of its own, which forwarded signals go to, as a terminal's keys go to
	 * its foreground group (issue 11: `sh -c "sleep 30; echo after"` must end on Ctrl-C).
	 * With cordon's pty, a session of its own whose controlling terminal the pty is: the
	 * line discipline then sends Ctrl-C, Ctrl-Z and Ctrl-\ to its foreground group. */
	if (in->n_pty_fds > 0) {
		setsid();
		ioctl(in->pty_fds[0], TIOCSCTTY, 0);
	} else {
		setpgid(0, 0);
	}
	cordon_limits_set(rlimits);
	execvpe(in->argv[0], in->argv, in->envp);
	int e = errno;
	dprintf(2, "cordon: %s: %s\n", in->argv[0], strerror(e));
	*exec_errno = e;
	_exit(e == ENOENT ? CORDON_EXIT_NOTFOUND : CORDON_EXIT_NOEXEC);
}

/* The command runs where the caller is, or not at all: falling back to another directory (the
 * workspace root, say) would point `rm -rf` of everything from a scratch directory at the workspace. The
 * caller's directory is unavailable inside when it is under a private or hidden tree (the
 * host's /tmp), was deleted, or could not be named (longer than the supervisor's buffer). */
static int init_enter_cwd(const struct cordon_init *in, cordon_error *err)
{
	if (!in->cwd)
		return cordon_err(err, -ENOENT,
		                  "the current directory cannot be named (deleted, or longer than "
		                  "PATH_MAX): cd to a directory in the workspace");
	if (chdir(in->cwd) < 0)
		return cordon_err(
		        err, -errno,
		        "the current directory %s is not visible inside the sandbox (%s): "
		        "cd to a directory the sandbox shows (the workspace, say)",
		        in->cwd, strerror(errno));
	return 0;
}

/* vfork: no copy of the init's page tables, and when it returns the command has either been
 * exec'd or has failed to, with the errno left in our (shared) memory. */
static pid_t init_fork_command(const struct cordon_init *in, const struct cordon_rlimits *rlimits,
                               int *exec_errno)
{
	uint64_t ignored = init_ignored_signals();
	volatile int e = 0;
	pid_t pid = vfork();
	if (pid == 0)
		init_exec_command(in, rlimits, ignored, &e);
	*exec_errno = pid < 0 ? errno : e;
	return pid;
}

/* The signals pid 1 handles. The supervisor blocked them before clone, so none is lost
 * before this point; a blocked signal also counts as handled for pid 1, so the supervisor's
 * TERM from outside the namespace is delivered rather than ignored. */
static int init_signalfd(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* To the command's process group, and to the pty's foreground group when a shell in there
 * made another one the foreground (the master answers TIOCGPGRP for any caller); then
 * SIGCONT, so that a stopped group (Ctrl-Z) does not keep the signal pending for ever. */
static void init_forward(int pty_master, pid_t command, int sig)
{
	pid_t fg = 0;
	kill(-command, sig);
	if (pty_master >= 0 && ioctl(pty_master, TIOCGPGRP, &fg) == 0 && fg > 0 && fg != command)
		kill(-fg, sig);
	kill(-command, SIGCONT);
	if (fg > 0 && fg != command)
		kill(-fg, SIGCONT);
}

/* Forward signals, reap everything; return the command's wait status once it ends. */
static int init_supervise(int sigfd, int pty_master, pid_t command)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sigfd, &si, sizeof(si));
		if (n != (ssize_t)sizeof(si)) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		if (si.ssi_signo != SIGCHLD) {
			init_forward(pty_master, command, (int)si.ssi_signo);
			continue;
		}
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == command)
				return status;
	}
}

extern char **environ;

/* Prepared: wait for the command and make it ours, as if the supervisor had cloned us with it.
 * environ too: execvpe searches the PATH of its caller. */
static int init_take_command(struct cordon_init *run, struct cordon_warm_cmd *cmd,
                             cordon_error *err)
{
	int r = cordon_warm_cmd_take(&run->sock, cmd, err);
	if (r < 0)
		return r;
	run->argv = cmd->argv;
	run->envp = cmd->envp;
	run->cwd = cmd->cwd[0] ? cmd->cwd : NULL;
	environ = cmd->envp;
	return 0;
}

/* As pid 1: end every other process of the namespace and reap it. Each one is our descendant
 * (orphans are reparented to us), so once wait says there are no children, none is left, not
 * even one forked while we were killing: its parent was alive then, so it is a child of ours
 * or of someone we still have to reap. Then the run is over: the supervisor need not wait for
 * the kernel to tear the namespaces down before it says so (issue 5: up to 2 ms). */
static bool init_end_tree(void)
{
	for (;;) {
		kill(-1, SIGKILL);
		if (waitpid(-1, NULL, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECHILD;
		}
	}
}

/* A copy of a NULL-terminated vector and its strings, in one allocation. */
static char **init_copy_strv(char *const *v)
{
	size_t n = 0, bytes = 0;
	for (; v && v[n]; n++)
		bytes += strlen(v[n]) + 1;
	char **out = malloc((n + 1) * sizeof(char *) + bytes);
	if (!out)
		return NULL;
	char *p = (char *)(out + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		out[i] = memcpy(p, v[i], len);
		p += len;
	}
	out[n] = NULL;
	return out;
}

/* The kernel's idea of where our arguments and environment strings live (/proc/PID/cmdline
 * and /proc/PID/environ read exactly these ranges): fields 48 to 51 of /proc/self/stat. */
static bool init_arg_env_area(unsigned long area[4])
{
	char buf[2048];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold blanks and parentheses */
	for (int field = 2; p && field < 48; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return false;
	for (int i = 0; i < 4; i++) {
		char *end;
		area[i] = strtoul(p, &end, 10);
		if (end == p)
			return false;
		p = end;
	}
	return area[0] <= area[1] && area[2] <= area[3];
}

/* We are a copy of the supervisor: our environment strings are the caller's, unfiltered
 * (the secrets the filter drops for the command), and our arguments are the caller's command
 * line. Both are readable in /proc/1 by anyone the kernel lets read our memory, and
 * /proc/1/cmdline by everyone in the sandbox. Keep copies of what the command is given, then
 * zero the originals (a copy-on-write copy: the supervisor's own are untouched); argv[0] stays
 * so that pid 1 is still called cordon. */
static int init_scrub(struct cordon_init *run, cordon_error *err)
{
	extern char **environ;
	char **argv = init_copy_strv(run->argv), **envp = init_copy_strv(run->envp);
	if (!argv || !envp) {
		free(argv);
		free(envp);
		return cordon_err(err, -ENOMEM, "init: out of memory");
	}
	run->argv = argv;
	run->envp = envp;
	environ = envp; /* execvpe searches this PATH: the command's own */
	unsigned long a[4];
	if (!init_arg_env_area(a))
		return cordon_err(err, -EIO, "init: cannot find its own environment to clear it");
	char *arg0 = (char *)a[0];
	size_t keep = a[1] > a[0] ? strnlen(arg0, a[1] - a[0] - 1) + 1 : 0;
	memset(arg0 + keep, 0, a[1] - a[0] - keep);
	memset((char *)a[2], 0, a[3] - a[2]);
	return 0;
}

_Noreturn void cordon_init_run(const struct cordon_init *in)
{
	cordon_error err = {0};
	int listener = -1;
	struct cordon_rlimits rlimits = {0};
	struct cordon_init scrubbed = *in;
	if (init_scrub(&scrubbed, &err) < 0) {
		init_send(in->sock, CORDON_MSG_FAIL, err.code, err.msg, -1);
		_exit(1);
	}
	in = &scrubbed;
	if (init_setup(in, &listener, &rlimits, &err) < 0) {
		init_send(in->sock, CORDON_MSG_FAIL, err.code, err.msg, -1);
		_exit(1);
	}
	/* The listener goes by number, not SCM_RIGHTS: our own sendmsg would now wait on the
	 * supervisor that has no listener yet. It takes the descriptor with pidfd_getfd and opens
	 * our /proc/PID/root, both of which need us dumpable and the descriptor open until it
	 * says it is done. */
	init_send(in->sock, CORDON_MSG_READY, listener, NULL, -1);
	if (listener >= 0) {
		if (init_wait_go(in, &err) < 0)
			_exit(1);
		close(listener);
	}
	/* Not dumpable from here on: the command (same uid, no capabilities) cannot ptrace or
	 * process_vm_readv its init, nor open its /proc/PID files. */
	prctl(PR_SET_DUMPABLE, 0);
	struct cordon_init run = *in;
	struct cordon_warm_cmd cmd = {0};
	if (in->warm && init_take_command(&run, &cmd, &err) < 0) {
		init_send(run.sock, CORDON_MSG_FAIL, err.code, err.msg, -1);
		_exit(1);
	}
	if (init_enter_cwd(&run, &err) < 0) {
		init_send(run.sock, CORDON_MSG_FAIL, err.code, err.msg, -1);
		_exit(1);
	}
	int sigfd = init_signalfd();
	int exec_errno = 0;
	pid_t command = init_fork_command(&run, &rlimits, &exec_errno);
	init_send(run.sock, CORDON_MSG_EXEC, exec_errno, NULL, -1);
	int status =
	        command > 0 && sigfd >= 0 ? init_supervise(sigfd, run.pty_master, command) : -1;
	init_send(run.sock, CORDON_MSG_EXIT, status, NULL, -1);
	if (!(in->clone_flags & CLONE_NEWPID)) {
		/* Best effort without a PID namespace: the command's process group, then ours. */
		if (command > 0)
			kill(-command, SIGKILL);
		kill(0, SIGKILL);
	}
	/* A warm run returns on GONE, before the kernel tears the namespaces down; a cold one
	 * waits for us to be reaped anyway, and our exit ends what is left in the namespace. */
	else if (in->warm && init_end_tree())
		init_send(run.sock, CORDON_MSG_GONE, 0, NULL, -1);
	_exit(0);
}
