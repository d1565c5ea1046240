/* fs.umount: detach the mount at PATH, revealing what lies beneath (under a read-only bind
 * of a protected file: the writable original). */
#define _GNU_SOURCE
#include <sys/mount.h>

#include "probe.h"

#define PROBE "fs.umount"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_umount PATH");
	probe_finish(PROBE, argv[1], umount2(argv[1], MNT_DETACH), "umount2");
}
