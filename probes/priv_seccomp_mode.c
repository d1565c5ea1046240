/* priv.seccomp_mode: in a child, switch to seccomp strict mode and prove it by writing one
 * byte (one of the four calls strict mode allows) before a raw exit. Under an existing filter
 * the kernel refuses the change (EINVAL); a filter may also refuse prctl itself. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/seccomp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "probe.h"

#define P "priv.seccomp_mode"

int main(void)
{
	int p[2], st;
	char got[16] = "";

	if (pipe2(p, O_CLOEXEC) < 0)
		probe_inconclusive(P, "strict", "pipe");
	pid_t pid = fork();
	if (pid < 0)
		probe_inconclusive(P, "strict", "fork");
	if (pid == 0) {
		char msg[16];
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) < 0) {
			int n = snprintf(msg, sizeof(msg), "E%d", errno);
			(void)!write(p[1], msg, (size_t)n);
			_exit(1);
		}
		(void)!write(p[1], "OK", 2);
		syscall(SYS_exit, 0); /* exit_group is not allowed in strict mode */
	}
	close(p[1]);
	ssize_t n = read(p[0], got, sizeof(got) - 1);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int e = 0;
	if (n >= 2 && strncmp(got, "OK", 2) == 0)
		probe_result(P, "strict", PROBE_SUCCEEDED, 0, "prctl", NULL);
	if (n > 1 && sscanf(got, "E%d", &e) == 1)
		probe_result(P, "strict", PROBE_REFUSED, e, "prctl", NULL);
	if (WIFSIGNALED(st))
		probe_result(P, "strict", PROBE_REFUSED, 0, "killed", NULL);
	probe_inconclusive(P, "strict", "no report from child");
}
