/* fs.mkdir: create a directory (e.g. `.git` where none exists yet, which git would then use). */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "probe.h"

#define PROBE "fs.mkdir"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_mkdir PATH");
	probe_finish(PROBE, argv[1], mkdir(argv[1], 0755), "mkdir");
}
