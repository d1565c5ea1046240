/* fs.bind: bind a UNIX stream socket at PATH, which makes a socket inode there (a name like
 * any file's: `.git`, `.agents`, a nested `src/.git`). The socket stays as evidence. */
#define _GNU_SOURCE
#include <sys/un.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.bind"

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	probe_need_args(PROBE, argc, 2, "usage: fs_bind PATH");
	if (strlen(argv[1]) >= sizeof(sa.sun_path))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, ENAMETOOLONG, "path too long",
		             NULL);
	memcpy(sa.sun_path, argv[1], strlen(argv[1]));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "socket");
	probe_finish(PROBE, argv[1], bind(fd, (struct sockaddr *)&sa, sizeof(sa)), "bind");
}
