/* fs.write: create or truncate PATH and write the marker (the basic write). */
#define _GNU_SOURCE
#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.write"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_write PATH");
	const char *step = NULL;
	int rc = fsnet_open_write(argv[1], O_WRONLY | O_CREAT | O_TRUNC, PROBE, &step);
	probe_finish(PROBE, argv[1], rc, step);
}
