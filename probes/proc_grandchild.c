/* proc.grandchild PROBE [ARGS...]: run PROBE as a grandchild in a new session and relay it:
 * its line reaches our stdout directly (inherited), its exit status becomes ours, and a death
 * by signal is re-raised so the harness sees the same signal. A sandbox must bind every
 * descendant, not only the first process. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "probe.h"
#include "proc_util.h"

/* Exit the way the waited-for child did. */
static _Noreturn void relay(int st)
{
	if (WIFSIGNALED(st)) {
		signal(WTERMSIG(st), SIG_DFL);
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		raise(WTERMSIG(st));
	}
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
}

static int wait_for(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

int main(int argc, char **argv)
{
	probe_need_args("proc.grandchild", argc, 2, "usage: proc_grandchild PROBE [ARGS...]");
	pid_t child = fork();
	if (child < 0)
		probe_finish("proc.grandchild", argv[1], -1, "fork");
	if (child == 0) {
		if (setsid() < 0)
			probe_finish("proc.grandchild", argv[1], -1, "setsid");
		pid_t grand = fork();
		if (grand < 0)
			probe_finish("proc.grandchild", argv[1], -1, "fork");
		if (grand == 0) {
			execv(argv[1], argv + 1);
			probe_inconclusive("proc.grandchild", argv[1], "execv");
		}
		int st = wait_for(grand);
		if (st < 0)
			probe_inconclusive("proc.grandchild", argv[1], "waitpid");
		relay(st);
	}
	int st = wait_for(child);
	if (st < 0)
		probe_inconclusive("proc.grandchild", argv[1], "waitpid");
	relay(st);
}
