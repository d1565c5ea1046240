/* proc.setaffinity PID [CPU]: set PID's CPU mask (default: write back its current mask;
 * with CPU: only that CPU). */
#define _GNU_SOURCE
#include <sched.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	long cpu = -1;
	cpu_set_t set;

	probe_need_args("proc.setaffinity", argc, 2, "usage: proc_setaffinity PID [CPU]");
	if (!pu_parse_pid(argv[1], &pid) ||
	    (argc > 2 && (!pu_parse_long(argv[2], &cpu) || cpu < 0 || cpu >= CPU_SETSIZE)))
		probe_inconclusive("proc.setaffinity", argv[1], "bad PID or CPU");
	if (sched_getaffinity(pid, sizeof(set), &set) < 0)
		probe_finish("proc.setaffinity", argv[1], -1, "sched_getaffinity");
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET((int)cpu, &set);
	}
	probe_finish("proc.setaffinity", argv[1], sched_setaffinity(pid, sizeof(set), &set),
	             "sched_setaffinity");
}
