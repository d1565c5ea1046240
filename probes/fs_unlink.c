/* fs.unlink: remove PATH; a directory (unlink says EISDIR) is removed with rmdir instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "probe.h"

#define PROBE "fs.unlink"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_unlink PATH");
	if (unlink(argv[1]) == 0)
		probe_finish(PROBE, argv[1], 0, "unlink");
	if (errno != EISDIR)
		probe_finish(PROBE, argv[1], -1, "unlink");
	probe_finish(PROBE, argv[1], rmdir(argv[1]), "rmdir");
}
