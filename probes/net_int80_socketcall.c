/* net.int80_socketcall: socket(AF_INET) and, given HOST PORT, connect through the i386
 * multiplexer socketcall (102) over int 0x80: one system call number for every socket
 * operation, the arguments in an array below 4 GiB. A filter that denies socket and connect
 * by number but forgets socketcall lets these through. */
#define _GNU_SOURCE
#include <linux/net.h>
#include <stdint.h>
#include <sys/mman.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.int80_socketcall"
#define I386_SOCKETCALL 102

static long socketcall(int call, uint32_t *args)
{
	return fsnet_int80(I386_SOCKETCALL, call, (long)(uintptr_t)args, 0);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = {.ss_family = AF_INET};
	socklen_t len = 0;
	const char *target = argc > 1 ? argv[1] : "AF_INET";

	if (!FSNET_HAVE_INT80)
		probe_result(PROBE, target, PROBE_INCONCLUSIVE, ENOSYS, "not x86-64", NULL);
	if (argc == 2 || (argc > 2 && !fsnet_sockaddr(argv[1], argv[2], &ss, &len)))
		probe_result(PROBE, target, PROBE_INCONCLUSIVE, EINVAL,
		             "usage: net_int80_socketcall [HOST PORT]", NULL);
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		probe_inconclusive(PROBE, target, "mmap MAP_32BIT");
	uint32_t *args = (uint32_t *)low;
	args[0] = ss.ss_family;
	args[1] = SOCK_STREAM | SOCK_CLOEXEC;
	args[2] = 0;
	long fd = socketcall(SYS_SOCKET, args);
	if (fd < 0) {
		errno = (int)-fd;
		probe_finish(PROBE, target, -1, "socket");
	}
	if (argc < 3)
		probe_finish(PROBE, target, 0, "socket");
	memcpy(low + 64, &ss, len);
	args[0] = (uint32_t)fd;
	args[1] = (uint32_t)(uintptr_t)(low + 64);
	args[2] = len;
	struct timeval tv = {.tv_sec = 5};
	setsockopt((int)fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	long rc = socketcall(SYS_CONNECT, args);
	if (rc < 0)
		errno = (int)-rc;
	probe_finish(PROBE, target, rc, "connect");
}
