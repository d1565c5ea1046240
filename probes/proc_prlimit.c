/* proc.prlimit PID [SOFT]: set PID's RLIMIT_NOFILE soft limit. Without SOFT the current value
 * is written back: the permission check is the same, the target is unchanged. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	struct rlimit old, lim;
	unsigned long soft;
	char extra[64];

	probe_need_args("proc.prlimit", argc, 2, "usage: proc_prlimit PID [SOFT]");
	if (!pu_parse_pid(argv[1], &pid) || (argc > 2 && !pu_parse_ulong(argv[2], &soft)))
		probe_inconclusive("proc.prlimit", argv[1], "bad PID or SOFT");
	if (prlimit(pid, RLIMIT_NOFILE, NULL, &old) < 0)
		probe_finish("proc.prlimit", argv[1], -1, "get");
	lim = old;
	if (argc > 2)
		lim.rlim_cur = soft;
	snprintf(extra, sizeof(extra), "\"old\":%llu", (unsigned long long)old.rlim_cur);
	if (prlimit(pid, RLIMIT_NOFILE, &lim, NULL) < 0)
		probe_result("proc.prlimit", argv[1], PROBE_REFUSED, errno, "set", extra);
	probe_result("proc.prlimit", argv[1], PROBE_SUCCEEDED, 0, "set", extra);
}
