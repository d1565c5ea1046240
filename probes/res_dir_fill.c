/* res.dir_fill DIR MAX: create empty files DIR/cordon-fill.N until refused or MAX, report
 * "count", then remove all of them. DIR is a directory the harness made. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	long max, count = 0;
	int err = 0;
	char name[64], extra[48];

	probe_need_args("res.dir_fill", argc, 3, "usage: res_dir_fill DIR MAX");
	if (!pu_parse_long(argv[2], &max) || max < 1)
		probe_inconclusive("res.dir_fill", argv[1], "bad MAX");
	int dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		probe_finish("res.dir_fill", argv[1], -1, "open");
	for (; count < max; count++) {
		snprintf(name, sizeof(name), "cordon-fill.%ld", count);
		int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			err = errno;
			break;
		}
		close(fd);
	}
	for (long i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "cordon-fill.%ld", i);
		unlinkat(dfd, name, 0);
	}
	snprintf(extra, sizeof(extra), "\"count\":%ld", count);
	probe_result("res.dir_fill", argv[1], err ? PROBE_REFUSED : PROBE_SUCCEEDED, err, "create",
	             extra);
}
