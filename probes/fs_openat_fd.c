/* fs.openat_fd: create NAME for writing relative to the inherited directory descriptor FD
 * (the harness opens it on a directory outside the writable roots and passes it down). A
 * sandbox must either close the descriptor (EBADF at fstat) or refuse writes through it. */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.openat_fd"

int main(int argc, char **argv)
{
	long dfd;
	struct stat st;
	probe_need_args(PROBE, argc, 3, "usage: fs_openat_fd FD NAME");
	if (!fsnet_parse_long(argv[1], 0, 1 << 20, &dfd))
		probe_result(PROBE, argv[2], PROBE_INCONCLUSIVE, EINVAL, "usage: FD is a number",
		             NULL);
	if (fstat((int)dfd, &st) < 0)
		probe_finish(PROBE, argv[2], -1, "fstat");
	if (!S_ISDIR(st.st_mode))
		probe_result(PROBE, argv[2], PROBE_INCONCLUSIVE, ENOTDIR, "fstat", NULL);
	int fd = openat((int)dfd, argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		probe_finish(PROBE, argv[2], -1, "openat");
	probe_finish(PROBE, argv[2], fsnet_write_marker(fd, PROBE), "write");
}
