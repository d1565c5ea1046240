/* The guard (see guard.h): inotify on the directories of absent protected paths, and a helper
 * that binds one read-only inside the sandbox once it appears. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "guard.h"
#include "sys.h"

struct guard_path {
	int wd;           /* the watch on its directory */
	char *path;       /* absolute: the same in the sandbox's view as in ours */
	const char *name; /* its last component, inside path */
	bool bound;       /* bound by a scan (events bind again: a name made anew is a new file) */
};

struct cordon_guard {
	const struct cordon_plan *plan; /* its writable roots (BIND_RW ops) */
	int ino;                        /* the inotify instance */
	int userns, mntns;              /* the sandbox's namespaces (userns -1 without one) */
	struct guard_path *v;
	size_t n;
};

/* ---- the helper, inside the sandbox's namespaces ---------------------------------------- */

/* In the forked child: only system calls. Returns an errno, 0 when bound. The supervisor's
 * uid owns the sandbox's user namespace, so joining it gives every capability there, which
 * the mount namespace (owned by it) needs; the sandbox's processes cannot see or stop this
 * one (it is in our PID namespace, not theirs). */
static int guard_child(const struct cordon_guard *g, const char *path)
{
	if (g->userns >= 0 && setns(g->userns, CLONE_NEWUSER) < 0)
		return errno;
	if (setns(g->mntns, CLONE_NEWNS) < 0)
		return errno;
	/* No symlink is followed on the way (the path is canonical; one that is a link now was
	 * planted by the sandbox since), nor the final name: a symlink is bound over itself, like
	 * plan.c's. The bind goes onto the very file looked up. */
	int at = cordon_sys_openat2(AT_FDCWD, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0,
	                            CORDON_RESOLVE_NO_SYMLINKS | CORDON_RESOLVE_NO_MAGICLINKS);
	if (at < 0 && errno == ENOSYS) /* before Linux 5.6: what the plan saw, as it is now */
		at = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (at < 0)
		return errno;
	int fd = cordon_sys_open_tree(
	        at, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (fd < 0)
		return errno;
	struct cordon_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
	                                          MOUNT_ATTR_NODEV};
	if (cordon_sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0 ||
	    cordon_sys_move_mount(fd, "", at, "",
	                          MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return errno;
	return 0;
}

/* Fork the helper and wait for it: one bind, a millisecond or two. */
static int guard_bind(const struct cordon_guard *g, const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(guard_child(g, path));
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st))
		return -EIO;
	return -WEXITSTATUS(st);
}

static bool guard_in_root(const struct cordon_guard *g, const char *path)
{
	for (size_t i = 0; i < g->plan->n_ops; i++)
		if (g->plan->ops[i].kind == CORDON_OP_BIND_RW &&
		    cordon_path_is_beneath(path, g->plan->ops[i].path))
			return true;
	return false;
}

/* Bind path (inside a writable root: elsewhere it is read-only already). Gone meanwhile:
 * nothing to protect. */
static int guard_bind_in_root(const struct cordon_guard *g, const char *path)
{
	struct stat st;
	if (!guard_in_root(g, path) || lstat(path, &st) < 0)
		return 0;
	int r = guard_bind(g, path);
	return r == -ENOENT ? 0 : r;
}

/* cordon_path_follow's callback: a symlink on the way to a gitdir (plan.c's protect_link). */
static int guard_link(void *ctx, const char *link)
{
	return guard_bind_in_root(ctx, link);
}

/* A `.git` file that appeared names its repository (`gitdir: X`): bind every symlink on the
 * way and the directory, as plan.c does for one there from the start. */
static int guard_gitdir(const struct cordon_guard *g, const char *git_file)
{
	char line[4096];
	cleanup_close int fd = open(git_file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof(line) - 1);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "gitdir:", 7) != 0)
		return 0;
	const char *target = line + 7 + strspn(line + 7, " \t");
	cleanup_free char *dir = strdup(git_file);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash || !*target)
		return dir ? 0 : -ENOMEM;
	*slash = '\0';
	cleanup_free char *joined =
	        target[0] == '/' ? strdup(target) : cordon_path_join(dir[0] ? dir : "/", target);
	cleanup_free char *resolved = NULL;
	int r = joined ? cordon_path_follow(joined, guard_link, (void *)g, &resolved) : -ENOMEM;
	if (r == -ELOOP || r == -ENAMETOOLONG || r == -EINVAL)
		return 0;
	return r < 0 ? r : guard_bind_in_root(g, resolved);
}

/* A protected name that appeared as a symlink: the link (bound over itself by guard_link, as
 * the first on the way), every link after it, and what it leads to, as plan.c does. */
static int guard_link_target(const struct cordon_guard *g, const struct guard_path *p)
{
	cleanup_free char *resolved = NULL;
	int r = cordon_path_follow(p->path, guard_link, (void *)g, &resolved);
	if (r == -ELOOP || r == -ENAMETOOLONG || r == -EINVAL)
		return 0;
	struct stat st;
	if (r == 0)
		r = guard_bind_in_root(g, resolved);
	if (r == 0 && !strcmp(p->name, ".git") && stat(resolved, &st) == 0 && S_ISREG(st.st_mode))
		r = guard_gitdir(g, resolved);
	return r;
}

/* path exists (again): make it read-only inside, and a `.git` file's gitdir with it. */
static int guard_check(struct guard_path *p, const struct cordon_guard *g, cordon_error *err)
{
	struct stat st;
	if (lstat(p->path, &st) < 0)
		return 0;
	int r = S_ISLNK(st.st_mode) ? guard_link_target(g, p) : guard_bind(g, p->path);
	if (r == -ENOENT)
		return 0;
	if (r == 0 && S_ISREG(st.st_mode) && !strcmp(p->name, ".git"))
		r = guard_gitdir(g, p->path);
	if (r < 0)
		return cordon_err(err, r,
		                  "guard: %s appeared while the command ran and cannot be made "
		                  "read-only inside: %s",
		                  p->path, strerror(-r));
	p->bound = true;
	return 0;
}

/* Every watched path that exists and was not bound by a scan yet. */
static int guard_scan(struct cordon_guard *g, cordon_error *err)
{
	for (size_t i = 0; i < g->n; i++) {
		int r = g->v[i].bound ? 0 : guard_check(&g->v[i], g, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- set up --------------------------------------------------------------------------- */

static int guard_watch(struct cordon_guard *g, const char *path, bool bound)
{
	struct guard_path *v = realloc(g->v, (g->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	g->v = v;
	struct guard_path *p = &v[g->n];
	*p = (struct guard_path){.wd = -1, .path = strdup(path), .bound = bound};
	if (!p->path)
		return -ENOMEM;
	char *slash = strrchr(p->path, '/');
	if (!slash || !slash[1] || slash == p->path) {
		free(p->path);
		return 0; /* "/" or a name in "/": the read-only root already keeps it */
	}
	*slash = '\0';
	p->wd = inotify_add_watch(g->ino, p->path,
	                          IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR |
	                                  IN_DONT_FOLLOW);
	int e = errno;
	*slash = '/';
	p->name = slash + 1;
	if (p->wd < 0) {
		free(p->path);
		/* Its directory does not exist (a nested --protect beneath missing ones): the
		 * supervisor refuses its creation from inside; from outside it is not watched. */
		return e == ENOENT || e == ENOTDIR || e == EACCES ? 0 : -e;
	}
	g->n++;
	return 0;
}

static int ns_open(pid_t pid, const char *ns)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static bool guard_needed(const struct cordon_plan *plan)
{
	if (!(plan->clone_flags & CLONE_NEWNS))
		return false;
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].kind == CORDON_OP_PROTECT_ABSENT ||
		    plan->ops[i].kind == CORDON_OP_PROTECT)
			return true;
	return false;
}

int cordon_guard_new(const struct cordon_plan *plan, pid_t init_pid, struct cordon_guard **out,
                     cordon_error *err)
{
	*out = NULL;
	if (!guard_needed(plan))
		return 0;
	struct cordon_guard *g = calloc(1, sizeof(*g));
	if (!g)
		return cordon_err(err, -ENOMEM, "out of memory");
	g->plan = plan;
	g->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	g->mntns = ns_open(init_pid, "mnt");
	g->userns = plan->use_userns ? ns_open(init_pid, "user") : -1;
	int r = 0;
	if (g->ino < 0 || g->mntns < 0 || (plan->use_userns && g->userns < 0))
		r = cordon_err(err, -errno,
		               "guard: cannot watch the writable roots for protected names: %s",
		               strerror(errno));
	/* With --session we are in the sandbox's user namespace already (setns would fail). */
	struct stat theirs, ours;
	if (g->userns >= 0 && fstat(g->userns, &theirs) == 0 &&
	    stat("/proc/self/ns/user", &ours) == 0 && theirs.st_ino == ours.st_ino &&
	    theirs.st_dev == ours.st_dev) {
		close(g->userns);
		g->userns = -1;
	}
	/* Existing ones too (bound by mount.c already): removed and made anew from outside, the
	 * name is a new file, and the bind went with the old one. */
	for (size_t i = 0; r == 0 && i < plan->n_ops; i++) {
		const struct cordon_op *op = &plan->ops[i];
		if (op->kind != CORDON_OP_PROTECT_ABSENT && op->kind != CORDON_OP_PROTECT)
			continue;
		r = guard_watch(g, op->path, op->kind == CORDON_OP_PROTECT);
		if (r < 0)
			r = cordon_err(err, r, "guard: cannot watch %s: %s", op->path,
			               strerror(-r));
	}
	/* Watching now: what appeared between the plan and here is found by this scan, what
	 * appears later by an event. */
	if (r == 0)
		r = guard_scan(g, err);
	if (r < 0) {
		cordon_guard_free(g);
		return r;
	}
	*out = g;
	return 0;
}

/* ---- events ----------------------------------------------------------------------------- */

int cordon_guard_fd(const struct cordon_guard *g)
{
	return g ? g->ino : -1;
}

static int guard_event(struct cordon_guard *g, const struct inotify_event *ev, cordon_error *err)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		for (size_t i = 0; i < g->n; i++)
			g->v[i].bound = false;
		return guard_scan(g, err);
	}
	if (!ev->len)
		return 0;
	/* A file is created empty and written after: a `.git` file says where its gitdir is
	 * only once closed (and the user may rewrite it later, from outside). */
	bool written = !(ev->mask & (IN_CREATE | IN_MOVED_TO));
	for (size_t i = 0; i < g->n; i++) {
		struct guard_path *p = &g->v[i];
		if (p->wd != ev->wd || strcmp(p->name, ev->name) != 0)
			continue;
		int r = 0;
		if (!written)
			r = guard_check(p, g, err);
		else if (!strcmp(p->name, ".git") && (r = guard_gitdir(g, p->path)) < 0)
			r = cordon_err(err, r,
			               "guard: the gitdir of %s cannot be made read-only: %s",
			               p->path, strerror(-r));
		if (r < 0)
			return r;
	}
	return 0;
}

int cordon_guard_handle(struct cordon_guard *g, cordon_error *err)
{
	if (!g)
		return 0;
	union {
		char buf[4096];
		struct inotify_event align;
	} u;
	for (;;) {
		ssize_t n = read(g->ino, u.buf, sizeof(u.buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return cordon_err(err, n < 0 ? -errno : -EIO, "guard: inotify: %s",
			                  strerror(n < 0 ? errno : EIO));
		for (ssize_t off = 0; off < n;) {
			const struct inotify_event *ev = (const void *)(u.buf + off);
			int r = guard_event(g, ev, err);
			if (r < 0)
				return r;
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
}

void cordon_guard_free(struct cordon_guard *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].path);
	free(g->v);
	if (g->ino >= 0)
		close(g->ino);
	if (g->userns >= 0)
		close(g->userns);
	if (g->mntns >= 0)
		close(g->mntns);
	free(g);
}
