/* fs.exchange: atomically swap PATH with OTHER (renameat2 RENAME_EXCHANGE). Neither name is
 * created or removed, so a sandbox that only guards create, unlink and plain rename misses
 * it; PATH's content ends up under OTHER and OTHER's under PATH. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>

#include "probe.h"

#define PROBE "fs.exchange"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 3, "usage: fs_exchange PATH OTHER");
	probe_finish(PROBE, argv[1],
	             renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[1], RENAME_EXCHANGE), "renameat2");
}
