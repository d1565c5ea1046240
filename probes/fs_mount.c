/* fs.mount: mount a small tmpfs on DIR (hiding whatever the sandbox put there, or making a
 * fresh writable place over a read-only one). Detached again at once unless --keep, so an
 * unconfined control run as root leaves the host as it was. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mount.h>

#include "probe.h"

#define PROBE "fs.mount"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_mount DIR [--keep]");
	int keep = argc > 2 && strcmp(argv[2], "--keep") == 0;
	if (mount("cordon-probe", argv[1], "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0)
		probe_finish(PROBE, argv[1], -1, "mount");
	if (!keep)
		umount2(argv[1], MNT_DETACH);
	probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, "mount",
	             keep ? "\"kept\":true" : "\"kept\":false");
}
