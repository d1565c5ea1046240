/* fs.userns_remount: from inside a fresh user+mount namespace (where we are root over the
 * new mount namespace), try to remount PATH read-write, else to detach the mount on it, then
 * write PATH (a directory: create PATH/cordon-probe). The kernel locks mounts copied into a
 * less privileged namespace (MNT_LOCK_READONLY, MNT_LOCKED), so a sound sandbox yields EPERM
 * at unshare or EROFS at the write. "step" says which undo worked (none, remount, umount). */
#define _GNU_SOURCE
#include <sys/mount.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.userns_remount"

static const char *undo_view(const char *path, int *remount_err, int *umount_err)
{
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND, NULL) == 0)
		return "remount";
	*remount_err = errno;
	if (umount2(path, MNT_DETACH) == 0)
		return "umount";
	*umount_err = errno;
	return "none";
}

static int write_target(const char *path, const char **step)
{
	struct stat st;
	char inside[4096];
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(inside, sizeof(inside), "%s/cordon-probe", path);
		return fsnet_open_write(inside, O_WRONLY | O_CREAT | O_TRUNC, PROBE, step);
	}
	return fsnet_open_write(path, O_WRONLY | O_APPEND, PROBE, step);
}

static const char *ename(int e)
{
	return e ? strerrorname_np(e) : "";
}

int main(int argc, char **argv)
{
	const char *step = NULL;
	int remount_err = 0, umount_err = 0;
	char extra[256];

	probe_need_args(PROBE, argc, 2, "usage: fs_userns_remount PATH");
	if (fsnet_enter_userns(&step) < 0)
		probe_finish(PROBE, argv[1], -1, step);
	const char *undo = undo_view(argv[1], &remount_err, &umount_err);
	int rc = write_target(argv[1], &step);
	int saved = errno;
	snprintf(extra, sizeof(extra),
	         "\"step\":\"%s\",\"remount_errno\":\"%s\",\"umount_errno\":\"%s\"", undo,
	         ename(remount_err), ename(umount_err));
	if (rc == 0)
		probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, step, extra);
	probe_result(PROBE, argv[1], PROBE_REFUSED, saved, step, extra);
}
