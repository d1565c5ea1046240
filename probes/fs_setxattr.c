/* fs.setxattr: set the extended attribute user.cordon-probe on PATH, a metadata write that
 * needs neither open() nor write() (xattrs carry security labels, capabilities, ACLs). */
#define _GNU_SOURCE
#include <sys/xattr.h>

#include "probe.h"

#define PROBE "fs.setxattr"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_setxattr PATH");
	probe_finish(PROBE, argv[1], setxattr(argv[1], "user.cordon-probe", "1", 1, 0), "setxattr");
}
