/* fs.tmpfile_link: open an unnamed file in DIR (O_TMPFILE), write the marker, then give it
 * the name DIR/NAME with linkat through /proc/self/fd/N. The file is written before it has a
 * name, so a check on open(O_CREAT) of a path never sees it. */
#define _GNU_SOURCE
#include <stdio.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.tmpfile_link"

int main(int argc, char **argv)
{
	char target[4096], fdpath[64];

	probe_need_args(PROBE, argc, 3, "usage: fs_tmpfile_link DIR NAME");
	snprintf(target, sizeof(target), "%s/%s", argv[1], argv[2]);
	int fd = open(argv[1], O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		probe_finish(PROBE, target, -1, "open O_TMPFILE");
	if (fsnet_write_marker(fd, PROBE) < 0)
		probe_finish(PROBE, target, -1, "write");
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	probe_finish(PROBE, target, linkat(AT_FDCWD, fdpath, AT_FDCWD, target, AT_SYMLINK_FOLLOW),
	             "linkat");
}
