/* The notification supervisor (see cordon_seccomp.h): lifecycle, the shared helpers of the
 * handlers, and the dispatch of one request.
 *
 * Rules every handler follows:
 *  - Never SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel would re-read the target's memory and
 *    re-resolve its path after our check, and another thread can rewrite both in between. The
 *    supervisor performs the operation itself on what it checked (a taken socket, a directory
 *    fd) and answers with the result.
 *  - Everything read from the target (memory, /proc) is trusted only once
 *    SECCOMP_IOCTL_NOTIF_ID_VALID confirms afterwards that the target is still the one waiting
 *    (a pid is never reused while its task waits).
 *  - A target that dies mid-request makes the ioctls fail with ENOENT: not an error. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#include "notify_int.h"

/* ---- helpers shared by the handlers ------------------------------------------------------ */

int notify_valid(const struct notify_req *r)
{
	uint64_t id = r->req->id;
	if (ioctl(r->n->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -ENOENT;
	return 0;
}

int notify_read(const struct notify_req *r, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	ssize_t got = process_vm_readv(r->req->pid, &local, 1, &remote, 1, 0);
	if (got < 0)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	return (size_t)got == len ? 0 : -EFAULT;
}

/* A NUL-terminated string, read page by page so a string ending just before an unmapped page
 * is still read. -ENAMETOOLONG when no NUL within size. */
int notify_read_string(const struct notify_req *r, uint64_t addr, char *buf, size_t size)
{
	const size_t page = 4096;
	size_t got = 0;
	while (got < size) {
		size_t chunk = page - (size_t)((addr + got) % page);
		if (chunk > size - got)
			chunk = size - got;
		int e = notify_read(r, addr + got, buf + got, chunk);
		if (e < 0)
			return e;
		if (memchr(buf + got, '\0', chunk))
			return 0;
		got += chunk;
	}
	return -ENAMETOOLONG;
}

/* A descriptor of the target, duplicated into the supervisor. fd arguments are ints. */
int notify_take_fd(const struct notify_req *r, uint64_t fd_arg)
{
	int fd = cordon_sys_pidfd_getfd(r->pidfd, (int)(uint32_t)fd_arg);
	return fd < 0 ? -errno : fd;
}

/* The last number on the "key:" line of /proc/PID/status (NSpid lists one per namespace;
 * the innermost is last). */
int notify_proc_status(const struct notify_req *r, const char *key, int base, long *out)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)r->req->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char line[256];
	size_t klen = strlen(key);
	int ret = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		char *last = NULL;
		for (char *tok = strtok(line + klen + 1, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
			last = tok;
		if (last) {
			*out = strtol(last, NULL, base);
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
}

int notify_send(int listener, uint64_t id, int64_t val, int error)
{
	struct seccomp_notif_resp resp = {.id = id, .val = val, .error = error, .flags = 0};
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int notify_inject_fd(int listener, uint64_t id, int fd, int flags)
{
	struct seccomp_notif_addfd add = {
	        .id = id,
	        .flags = SECCOMP_ADDFD_FLAG_SEND,
	        .srcfd = (uint32_t)fd,
	        .newfd = 0,
	        .newfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0,
	};
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0 && errno != ENOENT)
		return -errno;
	return NOTIFY_ANSWERED;
}

int notify_mnt_id(int fd, const char *name, int flags, uint64_t *mnt)
{
	struct statx stx;
	if (statx(fd, name, flags | (name[0] ? 0 : AT_EMPTY_PATH), STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -ENOTSUP;
	*mnt = stx.stx_mnt_id;
	return 0;
}

/* The supervisor is not under Landlock: before it writes anything on the sandbox's behalf,
 * the place must lie on one of the sandbox's writable mounts. */
bool notify_mount_writable(const struct cordon_notify *n, int fd)
{
	if (!n->check_mounts)
		return true;
	uint64_t mnt = 0;
	if (notify_mnt_id(fd, "", 0, &mnt) < 0)
		return false;
	for (size_t i = 0; i < n->n_writable; i++)
		if (n->writable_mnt[i] == mnt)
			return true;
	return false;
}

bool notify_mount_is_root(const struct cordon_notify *n, int fd)
{
	uint64_t mnt = 0;
	if (n->n_root == 0 || notify_mnt_id(fd, "", 0, &mnt) < 0)
		return false;
	for (size_t i = 0; i < n->n_root; i++)
		if (n->root_mnt[i] == mnt)
			return true;
	return false;
}

/* A supervisor running as root acts with the target's file-system ids and without effective
 * capabilities while it handles a request (both per-thread, and restored afterwards), so it
 * cannot open, traverse or create what the sandbox itself could not. An unprivileged
 * supervisor already has the target's ids. Job threads started meanwhile inherit this; the
 * confined helper (below) takes the same ids for each call it makes. */
struct notify_creds {
	bool dropped;
	gid_t fsgid;
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct caps[2];
};

static int creds_drop_to(struct notify_creds *c, uid_t uid, gid_t gid)
{
	c->dropped = false;
	if (geteuid() != 0)
		return 0;
	c->hdr = (struct __user_cap_header_struct){.version = _LINUX_CAPABILITY_VERSION_3};
	if (syscall(SYS_capget, &c->hdr, c->caps) < 0)
		return -errno;
	struct __user_cap_data_struct none[2];
	memcpy(none, c->caps, sizeof(none));
	none[0].effective = none[1].effective = 0;
	c->fsgid = (gid_t)setfsgid((gid_t)-1);
	setfsgid(gid);
	setfsuid(uid);
	c->dropped = true;
	if (syscall(SYS_capset, &c->hdr, none) < 0)
		return -errno;
	return 0;
}

static int creds_drop(struct notify_req *r, struct notify_creds *c)
{
	long uid = 0, gid = 0;
	c->dropped = false;
	if (geteuid() != 0)
		return 0;
	if (notify_proc_status(r, "Uid", 10, &uid) < 0 ||
	    notify_proc_status(r, "Gid", 10, &gid) < 0)
		return -ESRCH;
	r->uid = (uid_t)uid;
	r->gid = (gid_t)gid;
	r->as_target = true;
	return creds_drop_to(c, r->uid, r->gid);
}

static void creds_restore(struct notify_creds *c)
{
	if (!c->dropped)
		return;
	setfsuid(0);
	setfsgid(c->fsgid);
	syscall(SYS_capset, &c->hdr, c->caps);
}

/* ---- confined threads -------------------------------------------------------------------- */

/* The supervisor is not under Landlock, and must not become so (it resolves paths through
 * /proc/PID/root, which a confined task may not open for a task outside its domain). Landlock
 * restricts per thread: a thread of ours that restricts itself with the sandbox's own ruleset
 * opens and creates with exactly the sandbox's rights, whatever the file's type (a FIFO or a
 * device outside the roots, which the mounts alone do not fence). Its credentials are those of
 * the thread that starts it (the target's file-system ids, no effective capabilities). */
int notify_confine_self(int ruleset)
{
	if (ruleset < 0)
		return 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    cordon_sys_landlock_restrict_self(ruleset) < 0)
		return -errno;
	return 0;
}

struct confined_call {
	bool own_fs; /* unshare cwd, root and umask first */
	int ruleset;
	int (*fn)(void *);
	void *arg;
	int ret;
};

static void *confined_main(void *p)
{
	struct confined_call *c = p;
	c->ret = c->own_fs && unshare(CLONE_FS) < 0 ? -errno : 0;
	if (c->ret == 0)
		c->ret = notify_confine_self(c->ruleset);
	if (c->ret == 0)
		c->ret = c->fn(c->arg);
	return NULL;
}

#define NOTIFY_CONFINED_STACK (64 * 1024)

static int confined_run(const struct cordon_notify *n, bool own_fs, int (*fn)(void *), void *arg)
{
	struct confined_call c = {
	        .own_fs = own_fs, .ruleset = n->ruleset, .fn = fn, .arg = arg, .ret = -EPERM};
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, NOTIFY_CONFINED_STACK);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_t t;
	int e = pthread_create(&t, &attr, confined_main, &c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (e != 0)
		return -e;
	pthread_join(t, NULL);
	return c.ret;
}

/* The helper: one long-lived thread per supervised sandbox, confined once, that runs each
 * open or creation the handler hands it (a thread per call would cost a clone and a Landlock
 * domain each time). Only the supervisor's loop calls it, one call at a time. */
struct notify_helper {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int confined; /* 0, or the -errno of confining the thread (every call then fails) */
	bool pending, done, quit;
	int (*fn)(void *);
	void *arg;
	bool as_target;
	uid_t uid;
	gid_t gid;
	int ret;
};

static void helper_run_one(struct notify_helper *h)
{
	struct notify_creds c = {0};
	int ret = h->confined;
	if (ret == 0 && h->as_target)
		ret = creds_drop_to(&c, h->uid, h->gid);
	if (ret == 0)
		ret = h->fn(h->arg);
	creds_restore(&c);
	h->ret = ret;
}

static void *helper_main(void *p)
{
	struct notify_helper *h = p;
	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->pending && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->quit)
			break;
		pthread_mutex_unlock(&h->mu);
		helper_run_one(h);
		pthread_mutex_lock(&h->mu);
		h->pending = false;
		h->done = true;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

struct helper_start {
	struct notify_helper *h;
	int ruleset;
};

/* Confine first, then serve: the thread is restricted before any call reaches it. */
static void *helper_start_main(void *p)
{
	struct helper_start *s = p;
	struct notify_helper *h = s->h;
	h->confined = notify_confine_self(s->ruleset);
	free(s);
	return helper_main(h);
}

static void helper_stop(struct notify_helper *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->quit = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

static struct notify_helper *helper_start(int ruleset)
{
	struct notify_helper *h = calloc(1, sizeof(*h));
	struct helper_start *s = malloc(sizeof(*s));
	if (!h || !s) {
		free(h);
		free(s);
		return NULL;
	}
	*s = (struct helper_start){.h = h, .ruleset = ruleset};
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, NOTIFY_CONFINED_STACK);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&h->thread, &attr, helper_start_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (e != 0) {
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->mu);
		free(h);
		free(s);
		return NULL;
	}
	return h;
}

int notify_confined(struct notify_req *r, int (*fn)(void *), void *arg)
{
	const struct cordon_notify *n = r->n;
	if (n->ruleset < 0)
		return fn(arg);
	struct notify_helper *h = n->helper;
	if (!h) /* it could not be started: each call gets a thread of its own */
		return confined_run(n, false, fn, arg);
	pthread_mutex_lock(&h->mu);
	h->fn = fn;
	h->arg = arg;
	h->as_target = r->as_target;
	h->uid = r->uid;
	h->gid = r->gid;
	h->done = false;
	h->pending = true;
	pthread_cond_broadcast(&h->cv);
	while (!h->done)
		pthread_cond_wait(&h->cv, &h->mu);
	int ret = h->ret;
	pthread_mutex_unlock(&h->mu);
	return ret;
}

int notify_confined_fs(struct notify_req *r, int (*fn)(void *), void *arg)
{
	return confined_run(r->n, true, fn, arg);
}

void cordon_notify_confine(struct cordon_notify *n, int ruleset)
{
	helper_stop(n->helper);
	n->helper = NULL;
	if (n->ruleset >= 0)
		close(n->ruleset);
	n->ruleset = ruleset;
}

/* Operations that may block (a connect, opening a FIFO) run in short-lived detached threads
 * that answer their notification themselves, so the supervisor's loop never waits on one.
 *
 * Those threads are the supervisor's, outside every limit of the run, and a job outlives a
 * target that a signal took away (the connect goes on waiting for the backlog): a command
 * limited to 8 processes once piled up 64 of them by killing its blocked children (issue 18).
 * So a run has at most NOTIFY_MAX_JOBS of them, and no more than its --pids; beyond that the
 * call fails with EAGAIN. Each holds a 64 KiB stack and at most CORDON_NOTIFY_MAX_SEND of
 * copied data: a run's supervisor never holds more than NOTIFY_MAX_JOBS times that.
 * One supervisor process serves one run (warm members are forked), so the count is the
 * process's. */
#define NOTIFY_MAX_JOBS 16
#define NOTIFY_JOB_STACK (64 * 1024)

static atomic_int jobs_running;
static atomic_int jobs_cap = NOTIFY_MAX_JOBS;

static void notify_set_job_cap(const struct cordon_plan *plan)
{
	uint64_t pids = plan->policy ? plan->policy->limits.pids : 0;
	atomic_store(&jobs_cap, pids && pids < NOTIFY_MAX_JOBS ? (int)pids : NOTIFY_MAX_JOBS);
}

void notify_job_done(void)
{
	atomic_fetch_sub(&jobs_running, 1);
}

/* The thread starts with every signal blocked: the process's signals are the caller's. */
int notify_start_job(void *(*fn)(void *), void *arg)
{
	if (atomic_fetch_add(&jobs_running, 1) >= atomic_load(&jobs_cap)) {
		notify_job_done();
		return -EAGAIN;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, NOTIFY_JOB_STACK);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_t t;
	int e = pthread_create(&t, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (e != 0)
		notify_job_done();
	return -e;
}

/* ---- lifecycle --------------------------------------------------------------------------- */

/* The plan names each writable root and then each protected name under it (.git, .codex...):
 * remember every directory looked up, so that a root costs one lookup and not five, and a
 * walk up from a protected path stops where an earlier walk already went. An open-addressing
 * table keyed by path keeps a thousand roots linear. */
struct dir_entry {
	char *path;       /* NULL: a free slot */
	int err;          /* 0, or the -errno of the lookup */
	bool walked;      /* add_protected went on above this directory already */
	struct statx stx; /* STATX_INO | STATX_MNT_ID, read through the sandbox's root */
};

struct dir_cache {
	struct dir_entry *e;
	size_t cap, n; /* cap is 0 or a power of two */
};

static void dir_cache_free(struct dir_cache *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->e[i].path);
	free(c->e);
}

static size_t dir_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (size_t)h;
}

static struct dir_entry *dir_slot(struct dir_entry *e, size_t cap, const char *path)
{
	size_t i = dir_hash(path) & (cap - 1);
	while (e[i].path && strcmp(e[i].path, path) != 0)
		i = (i + 1) & (cap - 1);
	return &e[i];
}

static int dir_cache_grow(struct dir_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 64;
	struct dir_entry *e = calloc(cap, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < c->cap; i++)
		if (c->e[i].path)
			*dir_slot(e, cap, c->e[i].path) = c->e[i];
	free(c->e);
	c->e = e;
	c->cap = cap;
	return 0;
}

/* -> the entry for path (err set when it cannot be opened), or NULL without memory */
static struct dir_entry *dir_lookup(struct dir_cache *c, int root, const char *path)
{
	if (c->cap && dir_slot(c->e, c->cap, path)->path)
		return dir_slot(c->e, c->cap, path);
	if ((c->n + 1) * 2 > c->cap && dir_cache_grow(c) < 0)
		return NULL;
	struct dir_entry *e = dir_slot(c->e, c->cap, path);
	*e = (struct dir_entry){.path = strdup(path)};
	if (!e->path)
		return NULL;
	c->n++;
	cleanup_close int fd = cordon_sys_openat2(root, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
	                                          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd < 0 || statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &e->stx) < 0)
		e->err = -errno;
	return e;
}

static int add_writable(struct cordon_notify *n, struct dir_cache *c, int root, const char *path,
                        bool is_root, cordon_error *err)
{
	struct dir_entry *e = dir_lookup(c, root, path);
	if (!e)
		return cordon_err(err, -ENOMEM, "out of memory");
	/* A writable root that is not there only makes the supervisor stricter. */
	if (e->err == -ENOENT)
		return 0;
	if (e->err < 0)
		return cordon_err(err, e->err, "seccomp notify: cannot open %s in the sandbox: %s",
		                  path, strerror(-e->err));
	if (!(e->stx.stx_mask & STATX_MNT_ID))
		return cordon_err(err, -ENOTSUP, "seccomp notify: no mount id for %s: %s", path,
		                  strerror(ENOTSUP));
	uint64_t *v = realloc(n->writable_mnt, (n->n_writable + 1) * sizeof(*v));
	if (!v)
		return cordon_err(err, -ENOMEM, "out of memory");
	n->writable_mnt = v;
	v[n->n_writable++] = e->stx.stx_mnt_id;
	if (!is_root)
		return 0;
	v = realloc(n->root_mnt, (n->n_root + 1) * sizeof(*v));
	if (!v)
		return cordon_err(err, -ENOMEM, "out of memory");
	n->root_mnt = v;
	v[n->n_root++] = e->stx.stx_mnt_id;
	return 0;
}

static int push_protected(struct cordon_notify *n, const struct statx *dir, const char *name,
                          cordon_error *err)
{
	struct notify_protected *v = realloc(n->protected, (n->n_protected + 1) * sizeof(*v));
	if (!v)
		return cordon_err(err, -ENOMEM, "out of memory");
	n->protected = v;
	v[n->n_protected] =
	        (struct notify_protected){.dev = makedev(dir->stx_dev_major, dir->stx_dev_minor),
	                                  .ino = dir->stx_ino,
	                                  .name = strdup(name)};
	if (!v[n->n_protected].name)
		return cordon_err(err, -ENOMEM, "out of memory");
	n->n_protected++;
	return 0;
}

static bool is_mount_root(const struct statx *stx)
{
	return (stx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx->stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* Remember (directory identity, name) for a protected path, and for each directory between
 * it and the mount it lives on (a writable root's bind): were one of those renamed away and
 * made anew, the new directory would have another identity and the name would be free again.
 * Where the parent does not exist yet, the first missing component is what is refused. Read
 * once, before the command starts. */
static int add_protected(struct cordon_notify *n, struct dir_cache *c, int root, const char *path,
                         cordon_error *err)
{
	cleanup_free char *p = strdup(path);
	if (!p)
		return cordon_err(err, -ENOMEM, "out of memory");
	for (;;) {
		char *slash = strrchr(p, '/');
		if (!slash || !slash[1])
			return 0;
		char *name = slash + 1;
		*slash = '\0';
		struct dir_entry *e = dir_lookup(c, root, p[0] ? p : "/");
		if (!e)
			return cordon_err(err, -ENOMEM, "out of memory");
		if (e->err == -ENOENT)
			continue; /* look for the deepest directory that exists */
		if (e->err < 0)
			return 0;
		int r = push_protected(n, &e->stx, name, err);
		if (r < 0 || !p[0] || is_mount_root(&e->stx) || e->walked)
			return r;
		e->walked = true;
	}
}

static int read_plan(struct cordon_notify *n, const struct cordon_plan *plan, int root,
                     cordon_error *err)
{
	int r = 0;
	struct dir_cache cache = {0};
	n->private_netns = plan->use_netns;
	notify_set_job_cap(plan);
	for (size_t i = 0; r == 0 && i < plan->n_ops; i++) {
		const struct cordon_op *op = &plan->ops[i];
		switch (op->kind) {
		case CORDON_OP_READONLY_ROOT:
			n->check_mounts = true;
			break;
		case CORDON_OP_BIND_RW:
		case CORDON_OP_TMP:
		case CORDON_OP_SHM:
			r = add_writable(n, &cache, root, op->path, op->kind == CORDON_OP_BIND_RW,
			                 err);
			break;
		case CORDON_OP_PROTECT_ABSENT:
		case CORDON_OP_PROTECT:
		case CORDON_OP_HIDE: /* its directories may not be renamed away either */
			r = add_protected(n, &cache, root, op->path, err);
			break;
		default:
			break;
		}
	}
	dir_cache_free(&cache);
	return r;
}

int cordon_notify_read(const struct cordon_plan *plan, pid_t init_pid, struct cordon_notify **out,
                       cordon_error *err)
{
	*out = NULL;
	struct cordon_notify *n = calloc(1, sizeof(*n));
	if (!n)
		return cordon_err(err, -ENOMEM, "out of memory");
	n->init_pid = init_pid;
	n->listener = n->ruleset = -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/root", (int)init_pid);
	cleanup_close int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		int e = -errno;
		cordon_notify_free(n);
		return cordon_err(err, e, "seccomp notify: cannot open %s: %s", path, strerror(-e));
	}
	/* Now, before the command runs: once it does, it can rename the directories that lead to
	 * a nested writable root and put a symlink in their place, and a lookup made then would
	 * count whatever mount that names as writable (test_run_net_unix_rewired_root). */
	int r = read_plan(n, plan, root, err);
	if (r < 0) {
		cordon_notify_free(n);
		return r;
	}
	*out = n;
	return 0;
}

int cordon_notify_listen(struct cordon_notify *n, int listener, cordon_error *err)
{
	n->listener = fcntl(listener, F_DUPFD_CLOEXEC, 3);
	if (n->listener < 0)
		return cordon_err(err, -errno, "seccomp notify: bad listener: %s", strerror(errno));
	return 0;
}

int cordon_notify_new(const struct cordon_plan *plan, pid_t init_pid, int listener,
                      struct cordon_notify **out, cordon_error *err)
{
	int r = cordon_notify_read(plan, init_pid, out, err);
	if (r == 0 && (r = cordon_notify_listen(*out, listener, err)) < 0) {
		cordon_notify_free(*out);
		*out = NULL;
	}
	return r;
}

int cordon_notify_fd(const struct cordon_notify *n)
{
	return n ? n->listener : -1;
}

void cordon_notify_free(struct cordon_notify *n)
{
	if (!n)
		return;
	if (n->listener >= 0)
		close(n->listener);
	for (size_t i = 0; i < n->n_protected; i++)
		free(n->protected[i].name);
	free(n->protected);
	free(n->writable_mnt);
	free(n->root_mnt);
	helper_stop(n->helper);
	if (n->ruleset >= 0)
		close(n->ruleset);
	free(n);
}

/* ---- one request ------------------------------------------------------------------------- */

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* The notification names a thread. A pidfd on that very thread (Linux 6.9) keeps its own
 * descriptor table if it unshared one; before that, the thread group's pidfd. */
static int open_pidfd(struct notify_req *r)
{
	pid_t tid = (pid_t)r->req->pid;
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (fd >= 0 || errno != EINVAL)
		return fd;
	fd = cordon_sys_pidfd_open(tid, 0);
	long tgid = 0;
	if (fd >= 0 || errno != EINVAL || notify_proc_status(r, "Tgid", 10, &tgid) < 0)
		return fd;
	return cordon_sys_pidfd_open((pid_t)tgid, 0);
}

static int dispatch(struct notify_req *r)
{
	if (r->req->data.arch != AUDIT_ARCH_X86_64)
		return -EPERM;
	switch (r->req->data.nr) {
	case __NR_connect:
	case __NR_sendto:
	case __NR_sendmsg:
	case __NR_sendmmsg:
		return notify_handle_net(r);
	default:
		return notify_handle_fs(r);
	}
}

int cordon_notify_handle(struct cordon_notify *n)
{
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(n->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		/* ENOENT: the target died between poll and receive. */
		if (errno == ENOENT || errno == EINTR || errno == EAGAIN)
			return 0;
		return -errno;
	}
	struct notify_req r = {.n = n, .req = &req, .pidfd = -1};
	r.pidfd = open_pidfd(&r);
	if (r.pidfd < 0 || notify_valid(&r) < 0) {
		/* Gone already; answering is harmless if it is not. */
		if (r.pidfd >= 0)
			close(r.pidfd);
		notify_send(n->listener, req.id, 0, -ESRCH);
		return 0;
	}
	/* The helper is started at the first request (a command that never asks costs no
	 * thread), here, before this thread drops its credentials: it inherits them, and a root
	 * supervisor's helper must be able to take each request's ids. */
	if (n->ruleset >= 0 && !n->helper)
		n->helper = helper_start(n->ruleset);
	struct notify_creds creds;
	int v = creds_drop(&r, &creds);
	if (v == 0)
		v = dispatch(&r);
	creds_restore(&creds);
	close(r.pidfd);
	if (v == NOTIFY_ANSWERED)
		return 0;
	return notify_send(n->listener, req.id, v >= 0 ? v : 0, v >= 0 ? 0 : v);
}
