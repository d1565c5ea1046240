/* net.unix_abstract: connect to the abstract UNIX socket @NAME (stream, then datagram).
 * Abstract sockets belong to the network namespace, not the filesystem, so mount views do
 * not hide them: X11's @/tmp/.X11-unix/X0, containerd-shim (CVE-2020-15257). */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/un.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.unix_abstract"

static int abstract_connect(const struct sockaddr_un *sa, socklen_t len, int type)
{
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	return fsnet_connect(fd, (const struct sockaddr *)sa, len, 5);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	probe_need_args(PROBE, argc, 2, "usage: net_unix_abstract NAME");
	size_t n = strlen(argv[1]);
	if (n + 1 > sizeof(sa.sun_path))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, ENAMETOOLONG, "name too long",
		             NULL);
	memcpy(sa.sun_path + 1, argv[1], n); /* sun_path[0] == 0: the abstract namespace */
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	int rc = abstract_connect(&sa, len, SOCK_STREAM);
	if (rc < 0 && errno == EPROTOTYPE)
		rc = abstract_connect(&sa, len, SOCK_DGRAM);
	probe_finish(PROBE, argv[1], rc, "connect");
}
