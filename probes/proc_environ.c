/* proc.environ PID [MARKER]: read /proc/PID/environ; "found" says whether MARKER (e.g. a fake
 * token the harness planted) appears in it, "bytes" how much was readable. */
#define _GNU_SOURCE
#include <stdio.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	static char buf[262144];
	char path[64], extra[96];

	probe_need_args("proc.environ", argc, 2, "usage: proc_environ PID [MARKER]");
	if (!pu_parse_pid(argv[1], &pid))
		probe_inconclusive("proc.environ", argv[1], "bad PID");
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	long n = pu_read_file(path, buf, sizeof(buf));
	if (n < 0) {
		errno = (int)-n;
		probe_finish("proc.environ", argv[1], -1, "read");
	}
	snprintf(extra, sizeof(extra), "\"bytes\":%ld,\"found\":%s", n,
	         pu_mem_contains(buf, (size_t)n, argc > 2 ? argv[2] : NULL) ? "true" : "false");
	probe_result("proc.environ", argv[1], PROBE_SUCCEEDED, 0, "read", extra);
}
