/* fs.chmod: chmod PATH to MODE (octal, default 0666), e.g. making a protected file writable. */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.chmod"

int main(int argc, char **argv)
{
	long mode = 0666;
	probe_need_args(PROBE, argc, 2, "usage: fs_chmod PATH [MODE]");
	if (argc > 2 && !fsnet_parse_long(argv[2], 0, 07777, &mode))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL, "usage: MODE is octal",
		             NULL);
	probe_finish(PROBE, argv[1], chmod(argv[1], (mode_t)mode), "chmod");
}
