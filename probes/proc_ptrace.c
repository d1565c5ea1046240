/* proc.ptrace PID [ADDR]: PTRACE_ATTACH, wait for the stop, optionally PEEKDATA one word at
 * ADDR (hex) to prove access, then detach so the victim runs on unharmed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	unsigned long addr = 0;
	char extra[64] = "";
	int st;

	probe_need_args("proc.ptrace", argc, 2, "usage: proc_ptrace PID [ADDR]");
	if (!pu_parse_pid(argv[1], &pid) || (argc > 2 && !pu_parse_ulong(argv[2], &addr)))
		probe_inconclusive("proc.ptrace", argv[1], "bad PID or ADDR");
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
		probe_finish("proc.ptrace", argv[1], -1, "attach");
	while (waitpid(pid, &st, __WALL) < 0)
		if (errno != EINTR)
			probe_inconclusive("proc.ptrace", argv[1], "waitpid");
	if (addr) {
		errno = 0;
		long word = ptrace(PTRACE_PEEKDATA, pid, (void *)addr, NULL);
		if (word == -1 && errno) {
			int e = errno;
			ptrace(PTRACE_DETACH, pid, NULL, NULL);
			probe_result("proc.ptrace", argv[1], PROBE_SUCCEEDED, e, "peekdata", NULL);
		}
		snprintf(extra, sizeof(extra), "\"value\":\"0x%lx\"", (unsigned long)word);
	}
	/* Detach with no signal: the SIGSTOP of the attach is swallowed, the victim runs on. */
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	probe_result("proc.ptrace", argv[1], PROBE_SUCCEEDED, 0, "attach", extra);
}
