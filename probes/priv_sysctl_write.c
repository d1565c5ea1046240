/* priv.sysctl_write PATH: open PATH (core_pattern, sysrq-trigger, a cgroup control file)
 * for writing and close it untouched. Writing even the current value would be a real write
 * to a host setting; whether the open is allowed is the question. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv)
{
	probe_need_args("priv.sysctl_write", argc, 2, "usage: priv_sysctl_write PATH");
	int fd = open(argv[1], O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	probe_finish("priv.sysctl_write", argv[1], fd, "open");
}
