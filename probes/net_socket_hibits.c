/* net.socket_hibits: socket() with the domain AF_INET | 1<<32, then connect to HOST PORT. The
 * kernel takes the domain as an int and drops the upper bits; a seccomp filter that compares
 * the whole 64-bit register sees no AF_INET and may let it through. */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.socket_hibits"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	probe_need_args(PROBE, argc, 3, "usage: net_socket_hibits HOST PORT");
	if (!fsnet_sockaddr(argv[1], argv[2], &ss, &len))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL,
		             "usage: numeric HOST, PORT", NULL);
	unsigned long domain = (1UL << 32) | (unsigned long)ss.ss_family;
	unsigned long type = (1UL << 32) | SOCK_STREAM | SOCK_CLOEXEC;
	long fd = syscall(SYS_socket, domain, type, 0UL);
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "socket");
	probe_finish(PROBE, argv[1], fsnet_connect((int)fd, (struct sockaddr *)&ss, len, 5),
	             "connect");
}
