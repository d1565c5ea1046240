/* rlimits and cgroups. A cgroup is the only thing that bounds the whole tree's memory and
 * process count (RLIMIT_AS is per process, RLIMIT_NPROC per uid and ignored for root), so it is
 * used whenever the host lets us write one. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "limit.h"

/* A leaked group younger than this may be a live run's that we cannot see the PID of. */
#define LIMITS_STALE_SECONDS 60

static int limits_write(const char *dir, const char *file, const char *value)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	return n < 0 ? -e : 0;
}

static int limits_write_u64(const char *dir, const char *file, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return limits_write(dir, file, buf);
}

/* A group left behind by a cordon that was killed (SIGKILL runs no cleanup): named
 * cordon-PID-..., its creator gone, old enough not to be one a live run made a moment ago
 * under a PID we cannot see, and empty (rmdir refuses a populated group). */
static void limits_reap_stale(const char *parent)
{
	DIR *d = opendir(parent);
	if (!d)
		return;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		int pid = 0;
		if (strncmp(e->d_name, "cordon-", 7) != 0 ||
		    sscanf(e->d_name + 7, "%d", &pid) != 1 || pid <= 0 ||
		    (kill(pid, 0) == 0 || errno != ESRCH))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode) && now - st.st_mtime > LIMITS_STALE_SECONDS)
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* A group of our own, never one that exists already: with the PID alone, a group leaked by a
 * killed run made the next run with that PID fail to create it and go on without limits. */
static int limits_mkgroup(char *out, size_t len, const char *parent, cordon_error *err)
{
	limits_reap_stale(parent);
	for (int tries = 0; tries < 8; tries++) {
		uint64_t tag = 0;
		if (getrandom(&tag, sizeof(tag), 0) != (ssize_t)sizeof(tag))
			tag = (uint64_t)time(NULL) ^ ((uint64_t)tries << 32);
		snprintf(out, len, "%s/cordon-%d-%016" PRIx64, parent, (int)getpid(), tag);
		if (mkdir(out, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	int e = errno;
	cordon_err(err, -e,
	           "cgroup: cannot create a group in %s: %s (--memory and --pids would not hold)",
	           parent, strerror(e));
	out[0] = '\0';
	return -e;
}

static int limits_set(const char *dir, const char *file, uint64_t v, cordon_error *err)
{
	int r = limits_write_u64(dir, file, v);
	return r < 0 ? cordon_err(err, r, "cgroup: cannot write %s/%s: %s", dir, file, strerror(-r))
	             : 0;
}

static int limits_cgroup_v1(const struct cordon_limits *l, const struct cordon_host *h,
                            struct cordon_cgroup *cg, cordon_error *err)
{
	int r = limits_mkgroup(cg->mem, sizeof(cg->mem), h->cgroup_dir, err);
	if (r == 0)
		r = limits_mkgroup(cg->pids, sizeof(cg->pids), h->cgroup_pids_dir, err);
	if (r == 0 && l->memory) {
		r = limits_set(cg->mem, "memory.limit_in_bytes", l->memory, err);
		/* Swap must not be a way around the limit; absent without swap accounting. */
		limits_write_u64(cg->mem, "memory.memsw.limit_in_bytes", l->memory);
	}
	return r == 0 && l->pids ? limits_set(cg->pids, "pids.max", l->pids, err) : r;
}

static int limits_cgroup_v2(const struct cordon_limits *l, const struct cordon_host *h,
                            struct cordon_cgroup *cg, cordon_error *err)
{
	/* The controllers must be enabled for children; this fails when the delegated group
	 * still holds processes itself (cgroup v2's no-internal-process rule). */
	int r = limits_write(h->cgroup_dir, "cgroup.subtree_control", "+memory +pids");
	if (r < 0)
		return cordon_err(err, r,
		                  "cgroup: cannot enable memory and pids in %s: %s (a group that "
		                  "holds processes cannot; run cordon from a leaf of its own)",
		                  h->cgroup_dir, strerror(-r));
	r = limits_mkgroup(cg->mem, sizeof(cg->mem), h->cgroup_dir, err);
	if (r == 0 && l->memory) {
		r = limits_set(cg->mem, "memory.max", l->memory, err);
		limits_write(cg->mem, "memory.swap.max", "0"); /* absent without swap accounting */
	}
	return r == 0 && l->pids ? limits_set(cg->mem, "pids.max", l->pids, err) : r;
}

int cordon_cgroup_create(const struct cordon_plan *plan, struct cordon_cgroup *cg,
                         cordon_error *err)
{
	memset(cg, 0, sizeof(*cg));
	const struct cordon_limits *l = &plan->policy->limits;
	if (!l->memory && !l->pids)
		return 0;
	/* The plan (and explain) said the group holds these limits: when it cannot be made,
	 * the run is refused rather than run under the weaker rlimits. */
	int r = 0;
	if (plan->host->cgroup == CORDON_CGROUP_V1)
		r = limits_cgroup_v1(l, plan->host, cg, err);
	else if (plan->host->cgroup == CORDON_CGROUP_V2)
		r = limits_cgroup_v2(l, plan->host, cg, err);
	else
		return 0;
	if (r < 0) {
		cordon_cgroup_destroy(cg);
		return r;
	}
	cg->active = true;
	return 0;
}

int cordon_cgroup_attach(const struct cordon_cgroup *cg, pid_t pid, cordon_error *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	const char *dirs[] = {cg->mem, cg->pids};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (!dirs[i][0])
			continue;
		int r = limits_write(dirs[i], "cgroup.procs", buf);
		if (r < 0)
			return cordon_err(err, r, "cgroup: cannot move the sandbox into %s: %s",
			                  dirs[i], strerror(-r));
	}
	return 0;
}

void cordon_cgroup_destroy(struct cordon_cgroup *cg)
{
	/* The tree is reaped before this runs, but the kernel may take a moment to let go. */
	char *dirs[] = {cg->mem, cg->pids};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		for (int tries = 0; dirs[i][0] && tries < 100; tries++) {
			if (rmdir(dirs[i]) == 0 || errno != EBUSY)
				break;
			usleep(1000);
		}
		dirs[i][0] = '\0';
	}
	cg->active = false;
}

/* Record one limit after checking it can be set: lowering always can, raising a hard limit
 * needs a privilege the sandbox never has. */
static int limits_add(struct cordon_rlimits *out, int resource, uint64_t value, const char *name,
                      cordon_error *err)
{
	struct rlimit cur;
	if (getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && value > cur.rlim_max)
		return cordon_err(err, -EPERM,
		                  "limits: %s %" PRIu64 " is above the hard limit %" PRIu64, name,
		                  value, (uint64_t)cur.rlim_max);
	out->resource[out->n] = resource;
	out->value[out->n] = value;
	out->n++;
	return 0;
}

/* Per-user kernel objects without an rlimit of their own are counted per user namespace
 * (ucounts), each namespace with its own maximum under /proc/sys/user, checked at every level
 * up to the host's: set in the sandbox's namespace, they bound the whole tree, and what the
 * sandbox takes can no longer starve the host user's editors and file watchers. */
static int limits_ucount(const char *name, uint64_t v, cordon_error *err)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/sys/user");
	int r = limits_write_u64(dir, name, v);
	if (r == -ENOENT) /* the kernel has no such object (built without it) */
		return 0;
	return r < 0 ? cordon_err(err, r, "limits: cannot set /proc/sys/user/%s: %s", name,
	                          strerror(-r))
	             : 0;
}

int cordon_limits_ucounts(const struct cordon_plan *plan, cordon_error *err)
{
	const struct cordon_limits *l = &plan->policy->limits;
	int r = limits_ucount("max_inotify_instances", l->inotify, err);
	if (r == 0)
		r = limits_ucount("max_inotify_watches", l->inotify_watches, err);
	if (r == 0)
		r = limits_ucount("max_fanotify_groups", CORDON_FANOTIFY_GROUPS, err);
	if (r == 0)
		r = limits_ucount("max_fanotify_marks", l->inotify_watches, err);
	return r;
}

/* A per-user rlimit the command gets lowered to value, never raised (the hard limit holds). */
static void limits_add_cap(struct cordon_rlimits *out, int resource, uint64_t value)
{
	struct rlimit cur;
	if (getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && value > cur.rlim_max)
		value = cur.rlim_max;
	out->resource[out->n] = resource;
	out->value[out->n] = value;
	out->n++;
}

int cordon_limits_prepare(const struct cordon_plan *plan, bool cgroup_active,
                          struct cordon_rlimits *out, cordon_error *err)
{
	const struct cordon_limits *l = &plan->policy->limits;
	int r = 0;
	out->n = 0;
	if (l->cpu)
		r = limits_add(out, RLIMIT_CPU, l->cpu, "--cpu", err);
	if (r == 0 && l->file_size)
		r = limits_add(out, RLIMIT_FSIZE, l->file_size, "--file-size", err);
	if (r == 0 && l->open_files)
		r = limits_add(out, RLIMIT_NOFILE, l->open_files, "--open-files", err);
	if (r == 0 && l->memory && !cgroup_active)
		r = limits_add(out, RLIMIT_AS, l->memory, "--memory", err);
	if (r == 0 && l->pids && !cgroup_active)
		r = limits_add(out, RLIMIT_NPROC, l->pids, "--pids", err);
	/* Per-user objects that have an rlimit: counted per user namespace too since 5.14, but
	 * the namespace's maximum is its creator's rlimit, the host user's whole budget. */
	if (r == 0) {
		limits_add_cap(out, RLIMIT_SIGPENDING, CORDON_SIGPENDING_MAX);
		limits_add_cap(out, RLIMIT_MSGQUEUE, CORDON_MSGQUEUE_MAX);
		limits_add_cap(out, RLIMIT_MEMLOCK, CORDON_MEMLOCK_MAX);
	}
	return r;
}

void cordon_limits_set(const struct cordon_rlimits *rl)
{
	for (int i = 0; i < rl->n; i++) {
		struct rlimit v = {.rlim_cur = rl->value[i], .rlim_max = rl->value[i]};
		setrlimit(rl->resource[i], &v);
	}
}
