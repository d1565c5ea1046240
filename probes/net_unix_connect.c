/* net.unix_connect: connect to the pathname UNIX socket PATH (stream, then datagram when the
 * socket is of that type). Outside the writable roots (docker.sock, the D-Bus bus, an agent
 * socket under $HOME) a sound sandbox refuses; inside it must work. */
#define _GNU_SOURCE
#include <sys/un.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.unix_connect"

static int unix_connect(const struct sockaddr_un *sa, int type)
{
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	return fsnet_connect(fd, (const struct sockaddr *)sa, sizeof(*sa), 5);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	probe_need_args(PROBE, argc, 2, "usage: net_unix_connect PATH");
	if (strlen(argv[1]) >= sizeof(sa.sun_path))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, ENAMETOOLONG, "path too long",
		             NULL);
	memcpy(sa.sun_path, argv[1], strlen(argv[1]));
	int rc = unix_connect(&sa, SOCK_STREAM);
	if (rc < 0 && errno == EPROTOTYPE)
		rc = unix_connect(&sa, SOCK_DGRAM);
	probe_finish(PROBE, argv[1], rc, "connect");
}
