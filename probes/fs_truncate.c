/* fs.truncate: truncate PATH to zero bytes without opening it (destroys a protected file's
 * content through a path-based call that open()-only checks would miss). */
#define _GNU_SOURCE
#include <unistd.h>

#include "probe.h"

#define PROBE "fs.truncate"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_truncate PATH");
	probe_finish(PROBE, argv[1], truncate(argv[1], 0), "truncate");
}
