/* fs.create: create a file that does not exist yet (planting a hook or a config). */
#define _GNU_SOURCE
#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.create"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_create PATH");
	const char *step = NULL;
	int rc = fsnet_open_write(argv[1], O_WRONLY | O_CREAT | O_EXCL, PROBE, &step);
	probe_finish(PROBE, argv[1], rc, step);
}
