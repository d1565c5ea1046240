/* proc.fd PID [FD]: open /proc/PID/fd/FD (default: the first descriptor /proc/PID/fd lists,
 * or 0 when it cannot be listed), which reopens the object PID holds as if the caller had it
 * (a file, a pipe, a socket's peer end); "path" is where the link points, when readable. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "probe.h"
#include "proc_util.h"

static long first_fd(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	long fd = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && pu_parse_long(e->d_name, &fd))
			break;
	closedir(d);
	return fd;
}

int main(int argc, char **argv)
{
	pid_t pid;
	long fd = -1;
	char path[96], target[512], extra[700];

	probe_need_args("proc.fd", argc, 2, "usage: proc_fd PID [FD]");
	if (!pu_parse_pid(argv[1], &pid) || (argc > 2 && (!pu_parse_long(argv[2], &fd) || fd < 0)))
		probe_inconclusive("proc.fd", argv[1], "bad PID or FD");
	if (fd < 0)
		fd = first_fd(pid);
	snprintf(path, sizeof(path), "/proc/%d/fd/%ld", (int)pid, fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	int got = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (got < 0)
		probe_finish("proc.fd", path, -1, "open");
	size_t len = 0;
	extra[0] = '\0';
	len = (size_t)snprintf(extra, sizeof(extra), "\"fd\":%ld,\"path\":", fd);
	probe_json_str(extra, sizeof(extra), &len, target);
	probe_result("proc.fd", path, PROBE_SUCCEEDED, 0, "open", extra);
}
