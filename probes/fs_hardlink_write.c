/* fs.hardlink_write: hard-link OUTSIDE (a file outside the writable roots) to LINK (inside),
 * then write through LINK: the inode is the outside file's. The target field is OUTSIDE. */
#define _GNU_SOURCE
#include <unistd.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.hardlink_write"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 3, "usage: fs_hardlink_write OUTSIDE LINK");
	if (link(argv[1], argv[2]) < 0)
		probe_finish(PROBE, argv[1], -1, "link");
	const char *step = NULL;
	int rc = fsnet_open_write(argv[2], O_WRONLY | O_APPEND, PROBE, &step);
	probe_finish(PROBE, argv[1], rc, step);
}
