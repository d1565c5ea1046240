/* fs.proc_fd_reopen: open PATH read-only, then reopen it for writing through
 * /proc/self/fd/N. The magic link bypasses the path walk, so only a check on the object
 * (a read-only mount, Landlock, permissions) stops it. */
#define _GNU_SOURCE
#include <stdio.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.proc_fd_reopen"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_proc_fd_reopen PATH");
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		probe_inconclusive(PROBE, argv[1], "open read-only");
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	const char *step = NULL;
	int rc = fsnet_open_write(link, O_WRONLY | O_APPEND, PROBE, &step);
	probe_finish(PROBE, argv[1], rc, step);
}
