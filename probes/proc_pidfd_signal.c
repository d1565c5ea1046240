/* proc.pidfd_signal PID SIG: the pidfd route to a signal, which a filter written only for
 * kill/tgkill would miss. detail says which step was refused.
 * proc.pidfd_signal fd:N SIG: through a pidfd the sandbox was handed (--keep-fd N), which no
 * PID namespace hides: only Landlock's signal scope (ABI 6) refuses it. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	int sig;

	probe_need_args("proc.pidfd_signal", argc, 3, "usage: proc_pidfd_signal PID|fd:N SIG");
	if (strncmp(argv[1], "fd:", 3) == 0) {
		char *end = NULL;
		long kept = strtol(argv[1] + 3, &end, 10);
		if (!pu_parse_signal(argv[2], &sig) || end == argv[1] + 3 || *end || kept < 0 ||
		    kept > 1024)
			probe_inconclusive("proc.pidfd_signal", argv[1], "bad fd:N or SIG");
		probe_finish("proc.pidfd_signal", argv[1],
		             syscall(SYS_pidfd_send_signal, (int)kept, sig, NULL, 0),
		             "pidfd_send_signal (kept)");
	}
	if (!pu_parse_pid(argv[1], &pid) || !pu_parse_signal(argv[2], &sig))
		probe_inconclusive("proc.pidfd_signal", argv[1], "bad PID or SIG");
	long fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		probe_finish("proc.pidfd_signal", argv[1], -1, "pidfd_open");
	probe_finish("proc.pidfd_signal", argv[1],
	             syscall(SYS_pidfd_send_signal, (int)fd, sig, NULL, 0), "pidfd_send_signal");
}
