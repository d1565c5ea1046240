/* proc.mem PID [ADDR]: open /proc/PID/mem and read 8 bytes at ADDR (default: the first
 * readable mapping in /proc/PID/maps, or the start of the address space's usual text when
 * maps cannot be read). The open is the attempt: the kernel allows it only to a process that
 * may ptrace-attach PID, and it is a read/write window on all of PID's memory. */
#define _GNU_SOURCE
#include <stdio.h>

#include "probe.h"
#include "proc_util.h"

static unsigned long first_readable(const char *maps)
{
	for (const char *l = maps; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(l, "%lx-%lx %7s", &lo, &hi, perms) == 3 && perms[0] == 'r')
			return lo;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pid_t pid;
	unsigned long addr = 0, word = 0;
	static char maps[65536];
	char path[64], extra[96];

	probe_need_args("proc.mem", argc, 2, "usage: proc_mem PID [ADDR]");
	if (!pu_parse_pid(argv[1], &pid) || (argc > 2 && !pu_parse_ulong(argv[2], &addr)))
		probe_inconclusive("proc.mem", argv[1], "bad PID or ADDR");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		probe_finish("proc.mem", argv[1], -1, "open");
	if (!addr) {
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
		addr = pu_read_file(path, maps, sizeof(maps)) > 0 ? first_readable(maps) : 0;
	}
	ssize_t n = addr ? pread(fd, &word, sizeof(word), (off_t)addr) : -1;
	snprintf(extra, sizeof(extra), "\"addr\":\"0x%lx\",\"read\":%s,\"value\":\"0x%lx\"", addr,
	         n == (ssize_t)sizeof(word) ? "true" : "false", word);
	/* Opened: the window is there whether or not this one read found a mapped page. */
	probe_result("proc.mem", argv[1], PROBE_SUCCEEDED, 0, "open", extra);
}
