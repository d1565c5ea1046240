/* fs.read: read PATH to the end and report how many bytes came back ("bytes"). Allowed almost
 * everywhere; refused (or hidden: ENOENT) for deny-read paths such as ~/.ssh. */
#define _GNU_SOURCE
#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.read"

int main(int argc, char **argv)
{
	char buf[65536], extra[64];
	long long total = 0;
	ssize_t n;

	probe_need_args(PROBE, argc, 2, "usage: fs_read PATH");
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "open");
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		probe_finish(PROBE, argv[1], -1, "read");
	snprintf(extra, sizeof(extra), "\"bytes\":%lld", total);
	probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, "read", extra);
}
