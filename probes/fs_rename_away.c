/* fs.rename_away: rename PATH to PATH2 (moving a protected path, or a parent of one, aside so
 * that a fresh writable one can be put in its place). */
#define _GNU_SOURCE
#include <stdio.h>

#include "probe.h"

#define PROBE "fs.rename_away"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 3, "usage: fs_rename_away PATH PATH2");
	probe_finish(PROBE, argv[1], rename(argv[1], argv[2]), "rename");
}
