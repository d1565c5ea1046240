/* fs.link_into: hard-link SRC (a file we may write) to the new name PATH in a protected
 * directory, e.g. a hook under .git/hooks: a new name appears without any open(O_CREAT). */
#define _GNU_SOURCE
#include <unistd.h>

#include "probe.h"

#define PROBE "fs.link_into"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 3, "usage: fs_link_into SRC PATH");
	probe_finish(PROBE, argv[2], link(argv[1], argv[2]), "link");
}
