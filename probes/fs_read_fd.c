/* fs.read_fd: read from descriptor FD, inherited from whoever started the probe, and report
 * how many bytes came back ("bytes"). A sandbox must close what it was not asked to keep:
 * refused EBADF (detail "fstat") is the sound outcome for a descriptor not passed with
 * --keep-fd. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/stat.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.read_fd"

int main(int argc, char **argv)
{
	char buf[65536], extra[64];
	long long total = 0;
	ssize_t n;
	struct stat st;

	probe_need_args(PROBE, argc, 2, "usage: fs_read_fd FD");
	int fd = atoi(argv[1]);
	if (fd < 3 || fstat(fd, &st) < 0)
		probe_finish(PROBE, argv[1], -1, "fstat");
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		probe_finish(PROBE, argv[1], -1, "read");
	snprintf(extra, sizeof(extra), "\"bytes\":%lld", total);
	probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, "read", extra);
}
