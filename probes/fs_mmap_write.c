/* fs.mmap_write: write PATH through a shared writable mapping instead of write(2).
 * rw (default): open O_RDWR, mmap PROT_WRITE MAP_SHARED, copy the marker in, msync.
 * ro: mmap PROT_WRITE MAP_SHARED of an O_RDONLY descriptor; the kernel itself must say
 * EACCES (a control that the mapping check holds; it is refused even unconfined).
 * The file must not be empty: a mapping cannot grow it, and growing it would be a write. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.mmap_write"

static _Noreturn void write_mapped(const char *path, int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size == 0)
		probe_result(PROBE, path, PROBE_INCONCLUSIVE, st.st_size == 0 ? EINVAL : errno,
		             "the file must not be empty", NULL);
	size_t len = st.st_size < 4096 ? (size_t)st.st_size : 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		probe_finish(PROBE, path, -1, "mmap");
	char marker[128];
	int n = snprintf(marker, sizeof(marker), "cordon-probe %s\n", PROBE);
	memcpy(p, marker, (size_t)n < len ? (size_t)n : len);
	probe_finish(PROBE, path, msync(p, len, MS_SYNC), "msync");
}

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_mmap_write PATH [rw|ro]");
	const char *mode = argc > 2 ? argv[2] : "rw";
	int flags;
	if (strcmp(mode, "rw") == 0)
		flags = O_RDWR;
	else if (strcmp(mode, "ro") == 0)
		flags = O_RDONLY;
	else
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL, "usage: rw|ro", NULL);
	int fd = open(argv[1], flags | O_CLOEXEC);
	if (fd < 0 && flags == O_RDONLY)
		probe_inconclusive(PROBE, argv[1], "open read-only");
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "open");
	write_mapped(argv[1], fd);
}
