/* fs.append: append the marker to an existing file (e.g. ~/.bashrc persistence). */
#define _GNU_SOURCE
#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.append"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_append PATH");
	const char *step = NULL;
	int rc = fsnet_open_write(argv[1], O_WRONLY | O_APPEND, PROBE, &step);
	probe_finish(PROBE, argv[1], rc, step);
}
