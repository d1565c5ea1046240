/* res.fork_bomb MAX: fork children that only wait, until fork is refused or MAX are alive;
 * report "count", then kill and reap every one of them. Children also die with us
 * (PR_SET_PDEATHSIG), so a probe killed mid-way leaves nothing behind. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "probe.h"
#include "proc_util.h"

#define P "res.fork_bomb"

int main(int argc, char **argv)
{
	long max, count = 0;
	int err = 0;
	char extra[48];

	probe_need_args(P, argc, 2, "usage: res_fork_bomb MAX");
	if (!pu_parse_long(argv[1], &max) || max < 1 || max > 100000)
		probe_inconclusive(P, argv[1], "bad MAX");
	pid_t *kids = calloc((size_t)max, sizeof(*kids));
	if (!kids)
		probe_inconclusive(P, argv[1], "calloc");
	pid_t self = getpid();
	for (; count < max; count++) {
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != self)
				_exit(0);
			for (;;)
				pause();
		}
		kids[count] = pid;
	}
	for (long i = 0; i < count; i++)
		kill(kids[i], SIGKILL);
	for (long i = 0; i < count; i++)
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	snprintf(extra, sizeof(extra), "\"count\":%ld", count);
	probe_result(P, argv[1], err ? PROBE_REFUSED : PROBE_SUCCEEDED, err, "fork", extra);
}
