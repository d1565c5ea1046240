/* net.tcp_connect: TCP connect to HOST PORT (IPv4 or IPv6 by the address's syntax). With the
 * network off, even the host's loopback must be unreachable. */
#define _GNU_SOURCE
#include "fsnet.h"
#include "probe.h"

#define PROBE "net.tcp_connect"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	probe_need_args(PROBE, argc, 3, "usage: net_tcp_connect HOST PORT");
	if (!fsnet_sockaddr(argv[1], argv[2], &ss, &len))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL,
		             "usage: numeric HOST, PORT", NULL);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "socket");
	probe_finish(PROBE, argv[1], fsnet_connect(fd, (struct sockaddr *)&ss, len, 5), "connect");
}
