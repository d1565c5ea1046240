/* fs.rename_race: a check-then-use race. DIR is a real directory (made if missing) and
 * DIR.lnk a symlink to TARGET_DIR; one thread keeps exchanging the two names with
 * renameat2(RENAME_EXCHANGE) while the main thread creates files DIR/race-PID-I. A sandbox
 * that checks a path and then lets the kernel resolve it again lets some of them land in
 * TARGET_DIR. Reports "landed" (files found in TARGET_DIR afterwards) and "attempts".
 * Bounded by N attempts (default 2000) and 3 seconds. DIR.lnk and the files created under
 * the real DIR are removed at the end; files that landed in TARGET_DIR stay as evidence. */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.rename_race"
#define MAX_SECONDS 3

struct race {
	const char *dir, *lnk;
	atomic_bool stop;
	int swap_errno;
};

static void *swapper(void *arg)
{
	struct race *r = arg;
	while (!atomic_load(&r->stop)) {
		if (renameat2(AT_FDCWD, r->dir, AT_FDCWD, r->lnk, RENAME_EXCHANGE) < 0) {
			r->swap_errno = errno;
			break;
		}
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Create files under DIR until N attempts or the time is up; the first errno seen is kept. */
static long write_loop(const char *dir, long n, int *first_err)
{
	char path[4096];
	double end = now() + MAX_SECONDS;
	long i;
	for (i = 0; i < n && now() < end; i++) {
		snprintf(path, sizeof(path), "%s/race-%d-%ld", dir, (int)getpid(), i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			if (!*first_err)
				*first_err = errno;
			continue;
		}
		if (fsnet_write_marker(fd, PROBE) < 0 && !*first_err)
			*first_err = errno;
		close(fd);
	}
	return i;
}

/* Remove our files from a directory; returns how many there were. */
static long sweep(const char *dir, bool remove)
{
	char prefix[64];
	long found = 0;
	struct dirent *de;
	int len = snprintf(prefix, sizeof(prefix), "race-%d-", (int)getpid());
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, (size_t)len) != 0)
			continue;
		found++;
		if (remove)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	return found;
}

/* Run the swapper thread against the writer loop; returns the attempts made. */
static long race(struct race *r, long n, int *first_err)
{
	pthread_t th;
	if (pthread_create(&th, NULL, swapper, r) != 0)
		return -1;
	long attempts = write_loop(r->dir, n, first_err);
	atomic_store(&r->stop, true);
	pthread_join(th, NULL);
	return attempts;
}

/* Put the real directory back under DIR, then remove the link and our files in DIR. */
static void restore(const char *dir, const char *lnk)
{
	struct stat st;
	if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		renameat2(AT_FDCWD, dir, AT_FDCWD, lnk, RENAME_EXCHANGE);
	unlink(lnk);
	sweep(dir, true);
}

int main(int argc, char **argv)
{
	char lnk[4096], extra[128];
	long n = 2000;
	int first_err = 0;

	probe_need_args(PROBE, argc, 3, "usage: fs_rename_race DIR TARGET_DIR [N]");
	const char *dir = argv[1], *target = argv[2];
	if (argc > 3 && !fsnet_parse_long(argv[3], 1, 10000000, &n))
		probe_result(PROBE, target, PROBE_INCONCLUSIVE, EINVAL, "usage: N", NULL);
	snprintf(lnk, sizeof(lnk), "%s.lnk", dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		probe_inconclusive(PROBE, target, "mkdir DIR");
	if (symlink(target, lnk) < 0)
		probe_inconclusive(PROBE, target, "symlink DIR.lnk");
	struct race r = {.dir = dir, .lnk = lnk};
	atomic_init(&r.stop, false);
	long attempts = race(&r, n, &first_err);
	restore(dir, lnk);
	if (attempts < 0)
		probe_inconclusive(PROBE, target, "pthread_create");
	long landed = sweep(target, false);
	if (r.swap_errno) {
		errno = r.swap_errno;
		probe_inconclusive(PROBE, target, "renameat2");
	}
	snprintf(extra, sizeof(extra), "\"landed\":%ld,\"attempts\":%ld", landed, attempts);
	if (landed > 0)
		probe_result(PROBE, target, PROBE_SUCCEEDED, 0, "open", extra);
	if (!first_err)
		probe_result(PROBE, target, PROBE_INCONCLUSIVE, 0, "the race never hit", extra);
	probe_result(PROBE, target, PROBE_REFUSED, first_err, "open", extra);
}
