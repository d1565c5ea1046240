/* fs.mount_setattr: clear MOUNT_ATTR_RDONLY on the mount at PATH with mount_setattr (Linux
 * 5.12), the new-API twin of fs.remount that filters written for mount(2) may miss. Reports
 * "writable" (access W_OK afterwards). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "probe.h"

#define PROBE "fs.mount_setattr"

int main(int argc, char **argv)
{
	struct mount_attr attr = {.attr_clr = MOUNT_ATTR_RDONLY};

	probe_need_args(PROBE, argc, 2, "usage: fs_mount_setattr PATH");
	if (mount_setattr(AT_FDCWD, argv[1], 0, &attr, sizeof(attr)) < 0)
		probe_finish(PROBE, argv[1], -1, "mount_setattr");
	probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, "mount_setattr",
	             access(argv[1], W_OK) == 0 ? "\"writable\":true" : "\"writable\":false");
}
