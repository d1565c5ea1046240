/* fs.mknod: make a node at PATH. fifo (default): mknod(S_IFIFO); mkfifo: the libc call;
 * chr: a character device with the numbers of /dev/null (1:3), which needs CAP_MKNOD and is
 * harmless if it is made; a sandbox must refuse device nodes everywhere. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.mknod"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_mknod PATH [fifo|mkfifo|chr]");
	const char *mode = argc > 2 ? argv[2] : "fifo";
	if (strcmp(mode, "fifo") == 0)
		probe_finish(PROBE, argv[1], mknod(argv[1], S_IFIFO | 0600, 0), "mknod");
	if (strcmp(mode, "mkfifo") == 0)
		probe_finish(PROBE, argv[1], mkfifo(argv[1], 0600), "mkfifo");
	if (strcmp(mode, "chr") == 0)
		probe_finish(PROBE, argv[1], mknod(argv[1], S_IFCHR | 0600, makedev(1, 3)),
		             "mknod");
	probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL, "usage: fifo|mkfifo|chr", NULL);
}
