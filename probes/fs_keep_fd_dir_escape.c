/* fs.keep_fd_dir_escape FD NAME [append]: through the inherited directory descriptor FD, read
 * NAME and report how many bytes came back ("bytes"), or with `append` open NAME for appending
 * (no O_CREAT: a plain open, not a creation a supervisor would look at) and write a marker.
 * The harness passes a directory of the host: a deny-read one (like a kept $HOME holding
 * ~/.ssh), or the workspace (whose .git is read-only only in the sandbox's mounts). openat
 * through the descriptor resolves in the mount namespace it was opened in, past the sandbox's
 * binds. A sandbox must not pass the descriptor (EBADF) or must refuse to start. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.keep_fd_dir_escape"

static _Noreturn void probe_read(int fd, const char *name)
{
	char buf[65536], extra[64];
	long long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		probe_finish(PROBE, name, -1, "read");
	snprintf(extra, sizeof(extra), "\"bytes\":%lld", total);
	probe_result(PROBE, name, total > 0 ? PROBE_SUCCEEDED : PROBE_REFUSED, 0, "read", extra);
}

int main(int argc, char **argv)
{
	long dfd;

	probe_need_args(PROBE, argc, 3, "usage: fs_keep_fd_dir_escape FD NAME [append]");
	if (!fsnet_parse_long(argv[1], 0, 1 << 20, &dfd))
		probe_result(PROBE, argv[2], PROBE_INCONCLUSIVE, EINVAL, "usage: FD is a number",
		             NULL);
	bool append = argc > 3 && strcmp(argv[3], "append") == 0;
	int fd = openat((int)dfd, argv[2], (append ? O_WRONLY | O_APPEND : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		probe_finish(PROBE, argv[2], -1, "openat");
	if (!append)
		probe_read(fd, argv[2]);
	probe_finish(PROBE, argv[2], fsnet_write_marker(fd, PROBE), "write");
}
