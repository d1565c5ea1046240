/* net.x32_socket: socket(AF_INET) and, given HOST PORT, connect with the x32 bit
 * (__X32_SYSCALL_BIT, 0x40000000) set in the system call number. Where the kernel has x32
 * (CONFIG_X86_X32_ABI) these are real calls under another number; a filter that does not
 * mask or refuse the bit lets them through. Without x32 the kernel says ENOSYS (not live). */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.x32_socket"
#define X32_BIT 0x40000000L
#define X32_SOCKET 41 /* x32 shares these numbers with x86-64 */
#define X32_CONNECT 42

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = {.ss_family = AF_INET};
	socklen_t len = 0;
	const char *target = argc > 1 ? argv[1] : "AF_INET";

	if (!FSNET_HAVE_INT80) /* x86-64 only, like the 32-bit entry */
		probe_result(PROBE, target, PROBE_INCONCLUSIVE, ENOSYS, "not x86-64", NULL);
	if (argc == 2 || (argc > 2 && !fsnet_sockaddr(argv[1], argv[2], &ss, &len)))
		probe_result(PROBE, target, PROBE_INCONCLUSIVE, EINVAL,
		             "usage: net_x32_socket [HOST PORT]", NULL);
	long fd = syscall(X32_BIT | X32_SOCKET, (long)ss.ss_family,
	                  (long)(SOCK_STREAM | SOCK_CLOEXEC), 0L);
	if (fd < 0)
		probe_finish(PROBE, target, -1, "socket");
	if (argc < 3)
		probe_finish(PROBE, target, 0, "socket");
	struct timeval tv = {.tv_sec = 5};
	setsockopt((int)fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	probe_finish(PROBE, target, syscall(X32_BIT | X32_CONNECT, fd, (long)&ss, (long)len),
	             "connect");
}
