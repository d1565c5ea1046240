/* fs.rename_into: rename SRC onto PATH, replacing it (a read-only file is not written, it is
 * swapped). The target field is PATH, the path under attack. */
#define _GNU_SOURCE
#include <stdio.h>

#include "probe.h"

#define PROBE "fs.rename_into"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 3, "usage: fs_rename_into SRC PATH");
	probe_finish(PROBE, argv[2], rename(argv[1], argv[2]), "rename");
}
