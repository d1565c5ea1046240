/* proc.proc_root_write PID PATH: append a line to PATH as seen from PID's root directory,
 * i.e. /proc/PID/root/PATH. With PID outside the sandbox this walks into the host's mount
 * namespace. PATH is a canary the harness made. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid;
	char path[4096];
	static const char line[] = "cordon-probe proc.proc_root_write\n";

	probe_need_args("proc.proc_root_write", argc, 3, "usage: proc_proc_root_write PID PATH");
	if (!pu_parse_pid(argv[1], &pid) || argv[2][0] != '/')
		probe_inconclusive("proc.proc_root_write", argv[2], "bad PID or PATH (absolute)");
	snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, argv[2]);
	int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		probe_finish("proc.proc_root_write", argv[2], -1, "open");
	probe_finish("proc.proc_root_write", argv[2], write(fd, line, sizeof(line) - 1), "write");
}
