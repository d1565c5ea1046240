/* proc.setpriority PID [NICE]: set PID's nice value (default: write back its current one). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	long nice_val = 0;
	char extra[64];

	probe_need_args("proc.setpriority", argc, 2, "usage: proc_setpriority PID [NICE]");
	if (!pu_parse_pid(argv[1], &pid) ||
	    (argc > 2 && (!pu_parse_long(argv[2], &nice_val) || nice_val < -20 || nice_val > 19)))
		probe_inconclusive("proc.setpriority", argv[1], "bad PID or NICE");
	errno = 0;
	int old = getpriority(PRIO_PROCESS, (id_t)pid);
	if (old == -1 && errno)
		probe_finish("proc.setpriority", argv[1], -1, "getpriority");
	if (argc <= 2)
		nice_val = old;
	snprintf(extra, sizeof(extra), "\"old\":%d", old);
	if (setpriority(PRIO_PROCESS, (id_t)pid, (int)nice_val) < 0)
		probe_result("proc.setpriority", argv[1], PROBE_REFUSED, errno, "setpriority",
		             extra);
	probe_result("proc.setpriority", argv[1], PROBE_SUCCEEDED, 0, "setpriority", extra);
}
