/* proc.vm_readv PID [ADDR]: read 8 bytes of PID's memory with process_vm_readv. Without ADDR
 * the first readable mapping listed in /proc/PID/maps is used (and an unreadable maps file
 * is itself the refusal). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/uio.h>

#include "probe.h"
#include "proc_util.h"

/* First mapping with 'r' permission; 0 when none. */
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

	probe_need_args("proc.vm_readv", argc, 2, "usage: proc_vm_readv PID [ADDR]");
	if (!pu_parse_pid(argv[1], &pid) || (argc > 2 && !pu_parse_ulong(argv[2], &addr)))
		probe_inconclusive("proc.vm_readv", argv[1], "bad PID or ADDR");
	if (!addr) {
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
		long n = pu_read_file(path, maps, sizeof(maps));
		if (n < 0) {
			errno = (int)-n;
			probe_finish("proc.vm_readv", argv[1], -1, "maps");
		}
		addr = first_readable(maps);
		if (!addr) {
			errno = EACCES;
			probe_finish("proc.vm_readv", argv[1], -1, "maps-empty");
		}
	}
	struct iovec local = {.iov_base = &word, .iov_len = sizeof(word)};
	struct iovec remote = {.iov_base = (void *)addr, .iov_len = sizeof(word)};
	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) < 0)
		probe_finish("proc.vm_readv", argv[1], -1, "process_vm_readv");
	snprintf(extra, sizeof(extra), "\"addr\":\"0x%lx\",\"value\":\"0x%lx\"", addr, word);
	probe_result("proc.vm_readv", argv[1], PROBE_SUCCEEDED, 0, "process_vm_readv", extra);
}
