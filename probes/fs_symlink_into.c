/* fs.symlink_into: create the symlink PATH -> TARGET (default "cordon-probe") in a protected
 * directory. A symlink is enough to plant code: git runs .git/hooks/pre-commit -> ../x.sh. */
#define _GNU_SOURCE
#include <unistd.h>

#include "probe.h"

#define PROBE "fs.symlink_into"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_symlink_into PATH [TARGET]");
	probe_finish(PROBE, argv[1], symlink(argc > 2 ? argv[2] : "cordon-probe", argv[1]),
	             "symlink");
}
