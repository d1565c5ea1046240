/* net.int80_socket: socket(AF_INET, SOCK_STREAM) through the 32-bit entry (int 0x80, i386
 * __NR_socket 359), then, when HOST PORT are given, connect through it too (362) with the
 * address in memory below 4 GiB. A seccomp filter that does not check the architecture
 * reads these numbers against the x86-64 table (where 359 and 362 mean nothing it denies). */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.int80_socket"
#define I386_SOCKET 359
#define I386_CONNECT 362

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = {.ss_family = AF_INET};
	socklen_t len = 0;
	const char *target = argc > 1 ? argv[1] : "AF_INET";

	if (!FSNET_HAVE_INT80)
		probe_result(PROBE, target, PROBE_INCONCLUSIVE, ENOSYS, "not x86-64", NULL);
	if (argc == 2 || (argc > 2 && !fsnet_sockaddr(argv[1], argv[2], &ss, &len)))
		probe_result(PROBE, target, PROBE_INCONCLUSIVE, EINVAL,
		             "usage: net_int80_socket [HOST PORT]", NULL);
	long fd = fsnet_int80(I386_SOCKET, ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		errno = (int)-fd;
		probe_finish(PROBE, target, -1, "socket");
	}
	if (argc < 3)
		probe_finish(PROBE, target, 0, "socket");
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		probe_inconclusive(PROBE, target, "mmap MAP_32BIT");
	memcpy(low, &ss, len);
	struct timeval tv = {.tv_sec = 5};
	setsockopt((int)fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	long rc = fsnet_int80(I386_CONNECT, fd, (long)(unsigned long)low, len);
	if (rc < 0)
		errno = (int)-rc;
	probe_finish(PROBE, target, rc, "connect");
}
