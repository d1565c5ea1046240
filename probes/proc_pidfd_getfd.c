/* proc.pidfd_getfd PID FD: copy descriptor FD out of PID (pidfd_getfd, Linux 5.6+), e.g. a
 * credential file or socket a host process holds open. "path" is what the stolen descriptor
 * points at. Needs ptrace-attach rights over PID, so a sound sandbox cannot even see PID. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>

#include "probe.h"
#include "proc_util.h"

#define P "proc.pidfd_getfd"

int main(int argc, char **argv)
{
	pid_t pid;
	long target_fd;
	char link[64], path[4096], extra[4200];
	size_t len = 0;

	probe_need_args(P, argc, 3, "usage: proc_pidfd_getfd PID FD");
	if (!pu_parse_pid(argv[1], &pid) || !pu_parse_long(argv[2], &target_fd) || target_fd < 0 ||
	    target_fd > 0x7fffffff)
		probe_inconclusive(P, argv[1], "bad PID or FD");
	long pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		probe_finish(P, argv[1], -1, "pidfd_open");
	long fd = syscall(SYS_pidfd_getfd, (int)pidfd, (int)target_fd, 0);
	if (fd < 0)
		probe_finish(P, argv[1], -1, "pidfd_getfd");
	snprintf(link, sizeof(link), "/proc/self/fd/%ld", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	len += (size_t)snprintf(extra, sizeof(extra), "\"path\":");
	probe_json_str(extra, sizeof(extra), &len, path);
	probe_result(P, argv[1], PROBE_SUCCEEDED, 0, "pidfd_getfd", extra);
}
