/* net.udp_send: send one datagram "cordon-probe net.udp_send" to HOST PORT (v4 or v6).
 * sendto succeeding only means the kernel took it; the harness's listener is the oracle. */
#define _GNU_SOURCE
#include "fsnet.h"
#include "probe.h"

#define PROBE "net.udp_send"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	static const char msg[] = "cordon-probe " PROBE "\n";

	probe_need_args(PROBE, argc, 3, "usage: net_udp_send HOST PORT");
	if (!fsnet_sockaddr(argv[1], argv[2], &ss, &len))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL,
		             "usage: numeric HOST, PORT", NULL);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "socket");
	ssize_t n = sendto(fd, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&ss, len);
	probe_finish(PROBE, argv[1], n, "sendto");
}
