/* fs.link_swap: point the symlink PATH at TARGET instead (`ln -sfn TARGET PATH`): a new link
 * PATH.swap, renamed over PATH. Succeeded when PATH then reads TARGET; PATH.swap is removed
 * when the rename fails. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.link_swap"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 3, "usage: fs_link_swap PATH TARGET");
	char tmp[PATH_MAX], got[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.swap", argv[1]) >= (int)sizeof(tmp))
		probe_inconclusive(PROBE, argv[1], "path too long");
	unlink(tmp);
	if (symlink(argv[2], tmp) < 0)
		probe_finish(PROBE, argv[1], -1, "symlink");
	if (rename(tmp, argv[1]) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		probe_finish(PROBE, argv[1], -1, "rename");
	}
	ssize_t n = readlink(argv[1], got, sizeof(got) - 1);
	if (n < 0)
		probe_finish(PROBE, argv[1], -1, "readlink");
	got[n] = '\0';
	if (strcmp(got, argv[2]) != 0)
		probe_result(PROBE, argv[1], PROBE_REFUSED, 0, "readlink", NULL);
	probe_finish(PROBE, argv[1], 0, "rename");
}
