/* fs.remount: remount the bind mount at PATH read-write (MS_REMOUNT|MS_BIND without
 * MS_RDONLY), undoing a read-only bind. Reports "writable" (access W_OK afterwards). */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <unistd.h>

#include "probe.h"

#define PROBE "fs.remount"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_remount PATH");
	if (mount(NULL, argv[1], NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
		probe_finish(PROBE, argv[1], -1, "mount");
	probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, "mount",
	             access(argv[1], W_OK) == 0 ? "\"writable\":true" : "\"writable\":false");
}
