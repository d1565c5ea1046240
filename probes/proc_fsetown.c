/* proc.fsetown PID [SIG]: make a pipe deliver SIG (default SIGURG) to PID through O_ASYNC.
 * The kernel sends it with the credentials recorded at F_SETOWN time, bypassing kill(2), so
 * it needs its own check (Landlock scopes it via file_send_sigiotask). The probe cannot see
 * the delivery: "succeeded" means the trigger fired; the victim is the oracle. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	int sig = SIGURG, p[2];

	probe_need_args("proc.fsetown", argc, 2, "usage: proc_fsetown PID [SIG]");
	if (!pu_parse_pid(argv[1], &pid) || (argc > 2 && !pu_parse_signal(argv[2], &sig)) ||
	    sig == 0)
		probe_inconclusive("proc.fsetown", argv[1], "bad PID or SIG");
	if (pipe2(p, O_CLOEXEC) < 0)
		probe_inconclusive("proc.fsetown", argv[1], "pipe");
	if (fcntl(p[0], F_SETOWN, pid) < 0)
		probe_finish("proc.fsetown", argv[1], -1, "F_SETOWN");
	if (fcntl(p[0], F_SETSIG, sig) < 0)
		probe_finish("proc.fsetown", argv[1], -1, "F_SETSIG");
	if (fcntl(p[0], F_SETFL, O_ASYNC) < 0)
		probe_finish("proc.fsetown", argv[1], -1, "O_ASYNC");
	/* Data arriving on the read end raises the signal at its owner. */
	probe_finish("proc.fsetown", argv[1], write(p[1], "x", 1), "write");
}
