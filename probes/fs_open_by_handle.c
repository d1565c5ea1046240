/* fs.open_by_handle: get PATH's file handle with name_to_handle_at, then open it for writing
 * with open_by_handle_at relative to MOUNT_DIR (default: PATH's directory). The handle open
 * takes the mount from MOUNT_DIR, not from PATH, so a writable directory on the same
 * filesystem turns a read-only view into a writable file: the "Shocker" breakout. It needs
 * CAP_DAC_READ_SEARCH, which a sandbox must not leave. */
#define _GNU_SOURCE
#include <libgen.h>
#include <string.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.open_by_handle"

static int open_mount_dir(const char *path, const char *mount_dir)
{
	char copy[4096];
	if (!mount_dir) {
		snprintf(copy, sizeof(copy), "%s", path);
		mount_dir = dirname(copy);
	}
	return open(mount_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int main(int argc, char **argv)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	int mount_id;

	probe_need_args(PROBE, argc, 2, "usage: fs_open_by_handle PATH [MOUNT_DIR]");
	const char *path = argv[1];
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0)
		probe_finish(PROBE, path, -1, "name_to_handle_at");
	int mfd = open_mount_dir(path, argc > 2 ? argv[2] : NULL);
	if (mfd < 0)
		probe_inconclusive(PROBE, path, "open mount dir");
	int fd = open_by_handle_at(mfd, &h.fh, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		probe_finish(PROBE, path, -1, "open_by_handle_at");
	probe_finish(PROBE, path, fsnet_write_marker(fd, PROBE), "write");
}
