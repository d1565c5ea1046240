/* fs.chown: chown PATH to UID GID (default: our own ids, which is harmless on our own files
 * and still needs write access to the mount, and ownership or CAP_CHOWN for anything else). */
#define _GNU_SOURCE
#include <unistd.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.chown"

int main(int argc, char **argv)
{
	long uid = (long)getuid(), gid = (long)getgid();
	probe_need_args(PROBE, argc, 2, "usage: fs_chown PATH [UID GID]");
	if (argc > 2 && (argc < 4 || !fsnet_parse_long(argv[2], 0, 0xfffffffeL, &uid) ||
	                 !fsnet_parse_long(argv[3], 0, 0xfffffffeL, &gid)))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL, "usage: UID GID", NULL);
	probe_finish(PROBE, argv[1], chown(argv[1], (uid_t)uid, (gid_t)gid), "chown");
}
