/* priv.ptrace_rewrite [NAME]: a child asks to be traced, stops, then calls getpid. At the
 * syscall-entry stop the parent rewrites the number to NAME (default keyctl, with harmless
 * arguments: KEYCTL_GET_KEYRING_ID of the user keyring; or unshare with flags 0). Before
 * Linux 4.8 seccomp ran before the tracer, so a rewritten call skipped the filter; a sound
 * kernel and filter refuse it. The child reports what its "getpid" returned ("child_ret",
 * "child_errno"): its own pid means the rewrite did not happen, anything else the rewritten
 * call ran ("succeeded") or was refused with that errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "probe.h"

#define P "priv.ptrace_rewrite"

struct rewrite {
	const char *name;
	long nr;
	unsigned long a0, a1, a2;
};

static const struct rewrite rewrites[] = {
        {"keyctl", SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, (unsigned long)-4 /* @u */, 0},
        {"unshare", SYS_unshare, 0, 0, 0},
};

static _Noreturn void child(int fd)
{
	char msg[64];
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
		int n = snprintf(msg, sizeof(msg), "T %d", errno);
		(void)!write(fd, msg, (size_t)n);
		_exit(1);
	}
	raise(SIGSTOP);
	errno = 0;
	long r = syscall(SYS_getpid);
	int n = snprintf(msg, sizeof(msg), "R %ld %d %d", r, r < 0 ? errno : 0, (int)getpid());
	(void)!write(fd, msg, (size_t)n);
	_exit(0);
}

/* Drive the stopped child to the entry of its getpid and rewrite it. 0 or -errno. */
static int rewrite_next_getpid(pid_t pid, const struct rewrite *rw)
{
	int st;
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
	           (void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) < 0)
		return -errno;
	for (int stops = 0; stops < 64; stops++) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0)
			return -errno;
		if (waitpid(pid, &st, __WALL) < 0)
			return -errno;
		if (!WIFSTOPPED(st))
			return -ECHILD;
		if (WSTOPSIG(st) != (SIGTRAP | 0x80))
			continue;
		struct user_regs_struct regs;
		if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
			return -errno;
		if ((long)regs.orig_rax != SYS_getpid)
			continue; /* an exit stop or another call (the raise's own kill) */
		regs.orig_rax = (unsigned long)rw->nr;
		regs.rdi = rw->a0;
		regs.rsi = rw->a1;
		regs.rdx = rw->a2;
		if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0)
			return -errno;
		return ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0 ? -errno : 0;
	}
	return -ETIMEDOUT;
}

int main(int argc, char **argv)
{
	const struct rewrite *rw = &rewrites[0];
	int p[2], st;
	char buf[64] = "", extra[96];

#if !defined(__x86_64__)
	probe_inconclusive(P, "keyctl", "x86_64 only");
#endif
	for (size_t i = 0; argc > 1 && i < sizeof(rewrites) / sizeof(rewrites[0]); i++)
		if (strcmp(argv[1], rewrites[i].name) == 0)
			rw = &rewrites[i];
	if (argc > 1 && strcmp(argv[1], rw->name) != 0)
		probe_inconclusive(P, argv[1], "NAME is keyctl or unshare");
	if (pipe2(p, O_CLOEXEC) < 0)
		probe_inconclusive(P, rw->name, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		probe_inconclusive(P, rw->name, "fork");
	if (pid == 0)
		child(p[1]);
	close(p[1]);
	if (waitpid(pid, &st, __WALL) < 0 || !WIFSTOPPED(st)) {
		ssize_t n = read(p[0], buf, sizeof(buf) - 1);
		int e = 0;
		if (n > 0 && sscanf(buf, "T %d", &e) == 1)
			probe_result(P, rw->name, PROBE_REFUSED, e, "traceme", NULL);
		probe_inconclusive(P, rw->name, "child did not stop");
	}
	int rc = rewrite_next_getpid(pid, rw);
	if (rc < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, __WALL);
		probe_result(P, rw->name, PROBE_REFUSED, -rc, "ptrace", NULL);
	}
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
	long ret;
	int err, cpid;
	if (n <= 0 || sscanf(buf, "R %ld %d %d", &ret, &err, &cpid) != 3) {
		if (WIFSIGNALED(st)) {
			snprintf(extra, sizeof(extra), "\"signal\":%d", WTERMSIG(st));
			probe_result(P, rw->name, PROBE_REFUSED, 0, "killed", extra);
		}
		probe_inconclusive(P, rw->name, "no report from child");
	}
	snprintf(extra, sizeof(extra), "\"child_ret\":%ld,\"child_errno\":%d", ret, err);
	if (ret == cpid)
		probe_result(P, rw->name, PROBE_INCONCLUSIVE, 0, "not-rewritten", extra);
	if (ret < 0)
		probe_result(P, rw->name, PROBE_REFUSED, err, "rewritten", extra);
	probe_result(P, rw->name, PROBE_SUCCEEDED, 0, "rewritten", extra);
}
