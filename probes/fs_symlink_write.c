/* fs.symlink_write: make LINK -> TARGET (usually inside the workspace, which is allowed), then
 * open LINK for writing: a sandbox that checks the path it was given rather than the object
 * reached lets the write through. The target field is TARGET, the path under attack. */
#define _GNU_SOURCE
#include <unistd.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.symlink_write"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 3, "usage: fs_symlink_write LINK TARGET");
	if (symlink(argv[2], argv[1]) < 0)
		probe_finish(PROBE, argv[2], -1, "symlink");
	const char *step = NULL;
	int rc = fsnet_open_write(argv[1], O_WRONLY | O_APPEND | O_CREAT, PROBE, &step);
	probe_finish(PROBE, argv[2], rc, step);
}
