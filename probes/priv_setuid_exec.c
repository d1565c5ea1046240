/* priv.setuid_exec PATH: exec PATH, a setuid copy of this very probe that the harness made,
 * with --report; the copy prints "euid=N" and exits. "succeeded" means the setuid bit took
 * effect: the child's euid became the file's owner. no_new_privs or a nosuid mount keep the
 * old euid (refused, detail "nosuid"). When we already are the owner the question is moot
 * (inconclusive).
 * Safety: when this program itself runs setuid (euid != uid) it does nothing but --report;
 * any other use first drops back to the real ids, so the copy cannot run PATH as root. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "probe.h"
#include "proc_util.h"

#define P "priv.setuid_exec"

/* Run PATH --report with stdout on a pipe; returns the euid it printed, or -1. */
static long child_euid(const char *path, int *err)
{
	int p[2];
	char buf[64] = "";
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		execl(path, path, "--report", (char *)NULL);
		dprintf(1, "exec-errno=%d\n", errno);
		_exit(127);
	}
	close(p[1]);
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	long v;
	int e;
	if (n > 0 && sscanf(buf, "exec-errno=%d", &e) == 1) {
		*err = e;
		return -1;
	}
	if (n <= 0 || sscanf(buf, "euid=%ld", &v) != 1)
		return -1;
	return v;
}

int main(int argc, char **argv)
{
	char extra[96];
	struct stat sb;
	int err = 0;

	if (argc == 2 && strcmp(argv[1], "--report") == 0) {
		printf("euid=%d\n", (int)geteuid());
		return 0;
	}
	if (geteuid() != getuid() || getegid() != getgid()) {
		/* Running as a setuid copy in probe mode: never act with borrowed privilege. */
		if (setresgid(getgid(), getgid(), getgid()) < 0 ||
		    setresuid(getuid(), getuid(), getuid()) < 0)
			_exit(2);
	}
	probe_need_args(P, argc, 2, "usage: priv_setuid_exec PATH");
	if (stat(argv[1], &sb) < 0)
		probe_inconclusive(P, argv[1], "stat");
	if (!(sb.st_mode & S_ISUID))
		probe_inconclusive(P, argv[1], "PATH is not setuid");
	if (sb.st_uid == geteuid())
		probe_inconclusive(P, argv[1], "already the owner of PATH");
	long euid = child_euid(argv[1], &err);
	if (euid < 0 && err) {
		errno = err;
		probe_finish(P, argv[1], -1, "exec");
	}
	if (euid < 0)
		probe_inconclusive(P, argv[1],
		                   "no euid report (PATH must be a copy of this probe)");
	snprintf(extra, sizeof(extra), "\"euid\":%ld,\"owner\":%d,\"uid\":%d", euid, (int)sb.st_uid,
	         (int)getuid());
	if (euid == (long)sb.st_uid)
		probe_result(P, argv[1], PROBE_SUCCEEDED, 0, "setuid", extra);
	probe_result(P, argv[1], PROBE_REFUSED, 0, "nosuid", extra);
}
