/* proc.exe_write [PID]: open /proc/PID/exe (default: self) for writing, and never write.
 * CVE-2019-5736 overwrote the host's runc through this link; the open is the whole question,
 * so the probe closes the descriptor untouched (writing would damage a real binary). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	pid_t pid = 0;
	char path[64];

	if (argc > 1 && !pu_parse_pid(argv[1], &pid))
		probe_inconclusive("proc.exe_write", argv[1], "bad PID");
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/exe");
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	probe_finish("proc.exe_write", path, fd, "open");
}
