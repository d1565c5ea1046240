/* res.memory MIB: allocate MIB MiB and touch every page, so the memory is really charged.
 * A memory limit shows as ENOMEM (refused) or as a kill (no line). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	long mib;
	char extra[48];

	probe_need_args("res.memory", argc, 2, "usage: res_memory MIB");
	if (!pu_parse_long(argv[1], &mib) || mib < 1 || mib > (1L << 20))
		probe_inconclusive("res.memory", argv[1], "bad MIB");
	size_t len = (size_t)mib << 20;
	long page = sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		probe_finish("res.memory", argv[1], -1, "mmap");
	for (size_t off = 0; off < len; off += (size_t)page)
		mem[off] = 1;
	snprintf(extra, sizeof(extra), "\"mib\":%ld", mib);
	probe_result("res.memory", argv[1], PROBE_SUCCEEDED, 0, "touch", extra);
}
