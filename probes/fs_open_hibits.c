/* fs.open_hibits: fs.write with bit 32 set in openat's dirfd and flags arguments. The kernel
 * takes both as int and drops the upper half; a seccomp filter that compares the full 64-bit
 * register (e.g. "flags == O_WRONLY|O_CREAT|O_TRUNC: deny") is not matched. */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.open_hibits"
#define HIGH (1UL << 32)

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_open_hibits PATH");
	unsigned long dirfd = HIGH | (unsigned int)AT_FDCWD;
	unsigned long flags = HIGH | (unsigned long)(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
	long fd = syscall(SYS_openat, dirfd, argv[1], flags, 0644UL);
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "openat");
	probe_finish(PROBE, argv[1], fsnet_write_marker((int)fd, PROBE), "write");
}
