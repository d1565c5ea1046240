/* proc.pidfd_signal PID SIG: the pidfd route to a signal, which a filter written only for
 * kill/tgkill would miss. detail says which step was refused. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	int sig;

	probe_need_args("proc.pidfd_signal", argc, 3, "usage: proc_pidfd_signal PID SIG");
	if (!pu_parse_pid(argv[1], &pid) || !pu_parse_signal(argv[2], &sig))
		probe_inconclusive("proc.pidfd_signal", argv[1], "bad PID or SIG");
	long fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		probe_finish("proc.pidfd_signal", argv[1], -1, "pidfd_open");
	probe_finish("proc.pidfd_signal", argv[1],
	             syscall(SYS_pidfd_send_signal, (int)fd, sig, NULL, 0), "pidfd_send_signal");
}
