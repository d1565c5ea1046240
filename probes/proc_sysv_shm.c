/* proc.sysv_shm KEY | --create KEY | --remove KEY: look up an existing SysV shared memory
 * segment by key and attach it ("value": its first bytes). --create makes the segment (4 KiB,
 * mode 0666 so that only namespace isolation, not permissions, can hide it) holding
 * "cordon-shm-KEY"; --remove deletes it. The harness creates in one session and looks from
 * another: a private IPC namespace must hide it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/shm.h>

#include "probe.h"
#include "proc_util.h"

#define P "proc.sysv_shm"

static _Noreturn void create(const char *arg, key_t key)
{
	int id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0666);
	if (id < 0)
		probe_finish(P, arg, -1, "create");
	char *mem = shmat(id, NULL, 0);
	if (mem == (void *)-1)
		probe_finish(P, arg, -1, "shmat");
	snprintf(mem, 4096, "cordon-shm-%s", arg);
	probe_finish(P, arg, 0, "create");
}

static _Noreturn void lookup(const char *arg, key_t key)
{
	char extra[160];
	size_t len = 0;
	int id = shmget(key, 0, 0);
	if (id < 0)
		probe_finish(P, arg, -1, "shmget");
	const char *mem = shmat(id, NULL, SHM_RDONLY);
	if (mem == (void *)-1)
		probe_finish(P, arg, -1, "shmat");
	char value[64];
	snprintf(value, sizeof(value), "%.63s", mem);
	len += (size_t)snprintf(extra, sizeof(extra), "\"value\":");
	probe_json_str(extra, sizeof(extra), &len, value);
	probe_result(P, arg, PROBE_SUCCEEDED, 0, "shmat", extra);
}

int main(int argc, char **argv)
{
	long key;
	const char *mode = argc > 2 ? argv[1] : "";
	const char *arg = argv[argc > 2 ? 2 : 1];

	probe_need_args(P, argc, 2, "usage: proc_sysv_shm [--create|--remove] KEY");
	if (!pu_parse_long(arg, &key) || key == IPC_PRIVATE)
		probe_inconclusive(P, arg, "bad KEY");
	if (strcmp(mode, "--create") == 0)
		create(arg, (key_t)key);
	if (strcmp(mode, "--remove") == 0) {
		int id = shmget((key_t)key, 0, 0);
		probe_finish(P, arg, id < 0 ? -1 : shmctl(id, IPC_RMID, NULL), "remove");
	}
	if (*mode)
		probe_inconclusive(P, arg, "unknown mode");
	lookup(arg, (key_t)key);
}
