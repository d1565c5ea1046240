/* fs.x32_open: fs.write with the x32 bit (__X32_SYSCALL_BIT, 0x40000000) set in the openat
 * and write system call numbers. Where the kernel has x32 (CONFIG_X86_X32_ABI) they are the
 * same calls under other numbers; a filter that neither masks nor refuses the bit lets them
 * through. Without x32 the kernel says ENOSYS at "openat" (not live on that host). */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.x32_open"
#define X32_BIT 0x40000000L

int main(int argc, char **argv)
{
	char marker[128];

	probe_need_args(PROBE, argc, 2, "usage: fs_x32_open PATH");
	if (!FSNET_HAVE_INT80) /* x86-64 only, like the 32-bit entry */
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, ENOSYS, "not x86-64", NULL);
	long fd = syscall(X32_BIT | SYS_openat, (long)AT_FDCWD, argv[1],
	                  (long)(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC), 0644L);
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "openat");
	int n = snprintf(marker, sizeof(marker), "cordon-probe %s\n", PROBE);
	long w = syscall(X32_BIT | SYS_write, fd, marker, (long)n);
	if (w >= 0 && w != n)
		errno = EIO;
	probe_finish(PROBE, argv[1], w == n ? 0 : -1, "write");
}
