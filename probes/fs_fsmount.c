/* fs.fsmount: fs.mount through the new mount API: fsopen("tmpfs"), fsconfig(CREATE),
 * fsmount, move_mount onto DIR. A seccomp filter that refuses mount(2) but not these system
 * calls (added in Linux 5.2) lets it through. Detached again at once unless --keep. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "probe.h"

#define PROBE "fs.fsmount"

/* A detached tmpfs mount; -1 with *step naming the call that failed. */
static int make_tmpfs(const char **step)
{
	*step = "fsopen";
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	*step = "fsconfig";
	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "64k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	*step = "fsmount";
	return fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
}

int main(int argc, char **argv)
{
	const char *step = NULL;

	probe_need_args(PROBE, argc, 2, "usage: fs_fsmount DIR [--keep]");
	int keep = argc > 2 && strcmp(argv[2], "--keep") == 0;
	int mnt = make_tmpfs(&step);
	if (mnt < 0)
		probe_finish(PROBE, argv[1], -1, step);
	if (move_mount(mnt, "", AT_FDCWD, argv[1], MOVE_MOUNT_F_EMPTY_PATH) < 0)
		probe_finish(PROBE, argv[1], -1, "move_mount");
	if (!keep)
		umount2(argv[1], MNT_DETACH);
	probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, "move_mount",
	             keep ? "\"kept\":true" : "\"kept\":false");
}
