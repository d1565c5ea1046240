/* proc.kill PID SIG: send a real (harmless, caller-chosen) signal to PID. Signal 0 would only
 * test reachability; the harness passes e.g. USR1 to a victim that records it. */
#define _GNU_SOURCE
#include <signal.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	int sig;

	probe_need_args("proc.kill", argc, 3, "usage: proc_kill PID SIG");
	if (!pu_parse_pid(argv[1], &pid) || !pu_parse_signal(argv[2], &sig))
		probe_inconclusive("proc.kill", argv[1], "bad PID or SIG");
	probe_finish("proc.kill", argv[1], kill(pid, sig), "kill");
}
