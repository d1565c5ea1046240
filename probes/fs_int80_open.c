/* fs.int80_open: fs.write through the 32-bit entry (int 0x80): i386 open (5) with the path
 * copied below 4 GiB, then i386 write (4). A seccomp filter written for the x86-64 table only
 * (no architecture check) reads 5 as fstat and 4 as stat. */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.int80_open"
#define I386_WRITE 4
#define I386_OPEN 5

int main(int argc, char **argv)
{
	char marker[128];

	probe_need_args(PROBE, argc, 2, "usage: fs_int80_open PATH");
	if (!FSNET_HAVE_INT80)
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, ENOSYS, "not x86-64", NULL);
	size_t plen = strlen(argv[1]) + 1;
	int mlen = snprintf(marker, sizeof(marker), "cordon-probe %s\n", PROBE);
	char *low = mmap(NULL, plen + sizeof(marker), PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		probe_inconclusive(PROBE, argv[1], "mmap MAP_32BIT");
	memcpy(low, argv[1], plen);
	memcpy(low + plen, marker, (size_t)mlen);
	long fd = fsnet_int80(I386_OPEN, (long)(unsigned long)low,
	                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		errno = (int)-fd;
		probe_finish(PROBE, argv[1], -1, "open");
	}
	long n = fsnet_int80(I386_WRITE, fd, (long)(unsigned long)(low + plen), mlen);
	if (n < 0)
		errno = (int)-n;
	else if (n != mlen)
		errno = EIO;
	probe_finish(PROBE, argv[1], n == mlen ? 0 : -1, "write");
}
