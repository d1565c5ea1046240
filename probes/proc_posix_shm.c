/* proc.posix_shm NAME | --create NAME | --remove NAME: open an existing POSIX shared memory
 * object read-only and map it ("value": its first bytes). --create makes it (4 KiB, 0666)
 * holding "cordon-shm-NAME"; --remove unlinks it. A private /dev/shm must hide it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "probe.h"
#include "proc_util.h"

#define P "proc.posix_shm"

static _Noreturn void create(const char *name)
{
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
		probe_finish(P, name, -1, "create");
	fchmod(fd, 0666); /* umask must not decide who can see it */
	if (ftruncate(fd, 4096) < 0)
		probe_finish(P, name, -1, "ftruncate");
	char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		probe_finish(P, name, -1, "mmap");
	snprintf(mem, 4096, "cordon-shm-%s", name);
	probe_finish(P, name, 0, "create");
}

static _Noreturn void lookup(const char *name)
{
	char extra[160], value[64];
	size_t len = 0;
	int fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0)
		probe_finish(P, name, -1, "shm_open");
	const char *mem = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		probe_finish(P, name, -1, "mmap");
	snprintf(value, sizeof(value), "%.63s", mem);
	len += (size_t)snprintf(extra, sizeof(extra), "\"value\":");
	probe_json_str(extra, sizeof(extra), &len, value);
	probe_result(P, name, PROBE_SUCCEEDED, 0, "mmap", extra);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	const char *name = argv[argc > 2 ? 2 : 1];

	probe_need_args(P, argc, 2, "usage: proc_posix_shm [--create|--remove] NAME");
	if (name[0] != '/' || strchr(name + 1, '/') || !name[1])
		probe_inconclusive(P, name, "bad NAME (like /cordon-x)");
	if (strcmp(mode, "--create") == 0)
		create(name);
	if (strcmp(mode, "--remove") == 0)
		probe_finish(P, name, shm_unlink(name), "remove");
	if (*mode)
		probe_inconclusive(P, name, "unknown mode");
	lookup(name);
}
