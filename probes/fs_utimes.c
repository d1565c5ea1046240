/* fs.utimes: set PATH's access and modification times to now (a metadata write that needs
 * neither open() nor write(); it fools build systems into skipping or redoing work). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>

#include "probe.h"

#define PROBE "fs.utimes"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_utimes PATH");
	probe_finish(PROBE, argv[1], utimensat(AT_FDCWD, argv[1], NULL, 0), "utimensat");
}
