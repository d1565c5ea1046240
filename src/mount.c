/* The mount namespace view, built with the new mount API (open_tree, mount_setattr,
 * move_mount): every writable tree is cloned as a detached mount BEFORE one recursive
 * mount_setattr makes the whole tree read-only, and is then moved back. The cost is a few
 * syscalls per op, independent of how many mounts the host has or how big the tree is. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "mount.h"
#include "sys.h"

/* The host device nodes a minimal /dev binds; the first five are writable under Landlock. */
static const char *const mount_dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
#define MOUNT_N_DEV ARRAY_SIZE(mount_dev_nodes)

struct mount_state {
	const struct cordon_plan *plan;
	int *fds;                 /* per op: the detached tree cloned first, or -1 */
	int dev_fds[MOUNT_N_DEV]; /* clones of the host's device nodes */
	int hide_tmpl;            /* the first hidden directory's empty tmpfs, detached copy */
};

static int mount_errno(cordon_error *err, const char *what, const char *path)
{
	int e = errno;
	return cordon_err(err, -e, "mount: cannot %s %s: %s", what, path, strerror(e));
}

/* A detached copy of the tree at path (submounts included). */
static int mount_clone(const char *path, int *out, cordon_error *err)
{
	*out = cordon_sys_open_tree(AT_FDCWD, path,
	                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	return *out < 0 ? mount_errno(err, "clone", path) : 0;
}

static int mount_set_fd(int fd, uint64_t set, const char *path, cordon_error *err)
{
	struct cordon_mount_attr a = {.attr_set = set};
	if (cordon_sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
		return mount_errno(err, "set attributes of", path);
	return 0;
}

/* Attach a detached tree at path; the fd is consumed. */
static int mount_attach(int *fd, const char *path, cordon_error *err)
{
	int r = cordon_sys_move_mount(*fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
	int e = errno;
	close(*fd);
	*fd = -1;
	errno = e;
	return r < 0 ? mount_errno(err, "attach over", path) : 0;
}

/* mkdir -p, for mount points inside a fresh tmpfs (a workspace under a private /tmp). From
 * the deepest component up, stopping at the first parent that exists: siblings (a thousand
 * roots in one folder) cost one mkdir each. buf is modified and restored. */
static void mount_mkdir_in(char *buf)
{
	if (mkdir(buf, 0755) == 0 || errno != ENOENT)
		return;
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return;
	*slash = '\0';
	mount_mkdir_in(buf);
	*slash = '/';
	mkdir(buf, 0755);
}

static void mount_mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	mount_mkdir_in(buf);
}

static bool mount_plan_has(const struct cordon_plan *plan, enum cordon_op_kind kind)
{
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].kind == kind)
			return true;
	return false;
}

/* ---- cloning what must survive the read-only root ------------------------------- */

static int mount_clone_dev(struct mount_state *st, cordon_error *err)
{
	for (size_t i = 0; i < MOUNT_N_DEV; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/dev/%s", mount_dev_nodes[i]);
		int r = mount_clone(path, &st->dev_fds[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_clone_one(struct mount_state *st, size_t i, cordon_error *err)
{
	const struct cordon_op *op = &st->plan->ops[i];
	switch (op->kind) {
	case CORDON_OP_BIND_RW:
		return mount_clone(op->path, &st->fds[i], err);
	case CORDON_OP_TMP:
	case CORDON_OP_SHM:
		return op->source ? mount_clone(op->source, &st->fds[i], err) : 0;
	case CORDON_OP_HIDE:
		/* A hidden file becomes a node-less /dev/null: open() of it fails. */
		return op->is_dir || access(op->path, F_OK) < 0
		               ? 0
		               : mount_clone("/dev/null", &st->fds[i], err);
	case CORDON_OP_DEV:
		return mount_clone_dev(st, err);
	default:
		return 0;
	}
}

/* ---- the read-only root --------------------------------------------------------- */

static int mount_readonly_root(const struct mount_state *st, cordon_error *err)
{
	/* nodev only when /dev is replaced: otherwise the host's /dev/null must keep working. */
	uint64_t set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
	if (mount_plan_has(st->plan, CORDON_OP_DEV))
		set |= MOUNT_ATTR_NODEV;
	struct cordon_mount_attr a = {.attr_set = set};
	if (cordon_sys_mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &a) < 0)
		return mount_errno(err, "make read-only", "/");
	return 0;
}

/* ---- fresh /proc and /dev, then /tmp and /dev/shm -------------- */

static int mount_proc(const struct cordon_op *op, cordon_error *err)
{
	/* Read-only too: the fresh proc is only for looking at our own PID namespace. */
	if (mount("proc", op->path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) < 0)
		return mount_errno(err, "mount proc on", op->path);
	return 0;
}

static int mount_dev_links(cordon_error *err)
{
	static const char *const links[][2] = {
	        {"pts/ptmx", "/dev/ptmx"},          {"/proc/self/fd", "/dev/fd"},
	        {"/proc/self/fd/0", "/dev/stdin"},  {"/proc/self/fd/1", "/dev/stdout"},
	        {"/proc/self/fd/2", "/dev/stderr"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			return mount_errno(err, "create", links[i][1]);
	if (mkdir("/dev/shm", 01777) < 0 || mkdir("/dev/pts", 0755) < 0)
		return mount_errno(err, "create", "/dev/shm or /dev/pts");
	return 0;
}

static int mount_dev_nodes_attach(struct mount_state *st, cordon_error *err)
{
	for (size_t i = 0; i < MOUNT_N_DEV; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/dev/%s", mount_dev_nodes[i]);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (fd < 0)
			return mount_errno(err, "create", path);
		close(fd);
		int r = mount_attach(&st->dev_fds[i], path, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_dev(struct mount_state *st, const struct cordon_op *op, cordon_error *err)
{
	if (mount("tmpfs", op->path, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
		return mount_errno(err, "mount a tmpfs on", op->path);
	int r = mount_dev_nodes_attach(st, err);
	if (r < 0 || (r = mount_dev_links(err)) < 0)
		return r;
	/* A private devpts: the host's terminals are not visible, ptys made inside work. */
	if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	          "newinstance,ptmxmode=0666,mode=620") < 0)
		return mount_errno(err, "mount devpts on", "/dev/pts");
	/* Only the tmpfs itself: the device binds and devpts below keep their own flags. */
	struct cordon_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
	if (cordon_sys_mount_setattr(AT_FDCWD, op->path, 0, &a) < 0)
		return mount_errno(err, "make read-only", op->path);
	return 0;
}

static int mount_scratch(struct mount_state *st, size_t i, cordon_error *err)
{
	const struct cordon_op *op = &st->plan->ops[i];
	if (st->fds[i] >= 0) {
		int r = mount_set_fd(st->fds[i], MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, op->path,
		                     err);
		return r < 0 ? r : mount_attach(&st->fds[i], op->path, err);
	}
	/* Bounded: a tmpfs without size= may take half of the host's RAM, its pages are not
	 * counted by RLIMIT_AS, and outlive every process that wrote them. */
	const struct cordon_policy *p = st->plan->policy;
	char opts[96];
	snprintf(opts, sizeof(opts), "mode=1777,size=%llu,nr_inodes=%llu",
	         (unsigned long long)(p ? p->limits.tmp_size : CORDON_DEFAULT_TMP_SIZE),
	         (unsigned long long)(p ? p->limits.tmp_inodes : CORDON_DEFAULT_TMP_INODES));
	if (mount("tmpfs", op->path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return mount_errno(err, "mount a tmpfs on", op->path);
	return 0;
}

/* ---- writable roots back, shallowest first ------------------------------------- */

struct rw_order {
	size_t len, op;
};

static int rw_order_cmp(const void *a, const void *b)
{
	const struct rw_order *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->op > y->op) - (x->op < y->op);
}

static int mount_reattach_one(struct mount_state *st, size_t i, cordon_error *err)
{
	const char *path = st->plan->ops[i].path;
	int r = mount_set_fd(st->fds[i], MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, path, err);
	if (r < 0)
		return r;
	/* Under a fresh /tmp the mount point has to be made first; elsewhere it is there, and a
	 * mkdir would cost a locked lookup per root for nothing. */
	if (cordon_sys_move_mount(st->fds[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) == 0) {
		close(st->fds[i]);
		st->fds[i] = -1;
		return 0;
	}
	if (errno != ENOENT)
		return mount_attach(&st->fds[i], path, err); /* again, for its error */
	mount_mkdir_p(path);
	return mount_attach(&st->fds[i], path, err);
}

/* Shortest path first: a nested writable root goes on top of its parent's copy. Sorted once,
 * so a thousand roots cost n log n (issue 5's scaling), not a scan per root. */
static int mount_reattach_rw(struct mount_state *st, cordon_error *err)
{
	const struct cordon_plan *plan = st->plan;
	cleanup_free struct rw_order *order = calloc(plan->n_ops + 1, sizeof(*order));
	if (!order)
		return cordon_err(err, -ENOMEM, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].kind == CORDON_OP_BIND_RW && st->fds[i] >= 0)
			order[n++] = (struct rw_order){.len = strlen(plan->ops[i].path), .op = i};
	qsort(order, n, sizeof(*order), rw_order_cmp);
	int r = 0;
	for (size_t k = 0; r == 0 && k < n; k++)
		r = mount_reattach_one(st, order[k].op, err);
	return r;
}

/* ---- protect and hide ---------------------------------------------- */

/* Whether path lies in a writable root (where a missing protected path would matter). */
static bool mount_in_writable_root(const struct cordon_plan *plan, const char *path)
{
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].kind == CORDON_OP_BIND_RW &&
		    cordon_path_is_beneath(path, plan->ops[i].path))
			return true;
	return false;
}

/* All protected paths are cloned before any is attached: the kernel checks a clone against
 * every mount beneath the same parent mount (has_locked_children), and with each protected
 * file attached first a thousand of them made that quadratic. */
static int mount_protect_clone(struct mount_state *st, size_t i, cordon_error *err)
{
	const struct cordon_op *op = &st->plan->ops[i];
	/* Outside the writable roots and not in the sandbox's view (it was under the host's
	 * /tmp, say): nothing to protect. Inside them, a path that vanished is an error. */
	struct stat lst;
	if (!mount_in_writable_root(st->plan, op->path) && lstat(op->path, &lst) < 0 &&
	    errno == ENOENT)
		return 0;
	/* Never followed: a symlink on the way to a protected path (plan.c) is bound over itself,
	 * so it cannot be removed or replaced; what it names has its own op. */
	st->fds[i] = cordon_sys_open_tree(AT_FDCWD, op->path,
	                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
	                                          AT_SYMLINK_NOFOLLOW);
	return st->fds[i] < 0 ? mount_errno(err, "clone", op->path) : 0;
}

static int mount_protect(struct mount_state *st, size_t i, cordon_error *err)
{
	const char *path = st->plan->ops[i].path;
	if (st->fds[i] < 0)
		return 0;
	int r = mount_set_fd(st->fds[i], MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	                     path, err);
	return r < 0 ? r : mount_attach(&st->fds[i], path, err);
}

/* An empty directory owned by the caller: it simply looks empty. What the caller cannot reach
 * (EACCES) or what is gone (ENOENT) needs no hiding. */
static int mount_hide_dir(struct mount_state *st, const struct cordon_op *op, cordon_error *err)
{
	/* One empty read-only tmpfs, its copies over every other hidden directory: a tmpfs each
	 * made a thousand hidden directories cost a thousand superblocks. A copy shows the same
	 * empty directory, which nothing can write to. */
	int fd =
	        st->hide_tmpl < 0
	                ? -1
	                : cordon_sys_open_tree(st->hide_tmpl, "",
	                                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	int r;
	if (fd >= 0) {
		r = cordon_sys_move_mount(fd, "", AT_FDCWD, op->path, MOVE_MOUNT_F_EMPTY_PATH);
		int e = errno;
		close(fd);
		errno = e;
	} else {
		r = mount("tmpfs", op->path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          "mode=0700,size=16k");
		if (r == 0 && st->hide_tmpl < 0)
			st->hide_tmpl = cordon_sys_open_tree(AT_FDCWD, op->path,
			                                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	}
	if (r < 0 && errno != EACCES && errno != ENOENT)
		return mount_errno(err, "hide", op->path);
	return 0;
}

static int mount_hide(struct mount_state *st, size_t i, cordon_error *err)
{
	const struct cordon_op *op = &st->plan->ops[i];
	if (op->is_dir)
		return mount_hide_dir(st, op, err);
	if (st->fds[i] < 0)
		return 0;
	int r = mount_set_fd(st->fds[i],
	                     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	                             MOUNT_ATTR_NOEXEC,
	                     op->path, err);
	if (r < 0)
		return r;
	/* Gone from the sandbox's view (under the private /tmp, say): nothing to hide there. */
	if (access(op->path, F_OK) < 0 && (errno == ENOENT || errno == EACCES))
		return 0;
	return mount_attach(&st->fds[i], op->path, err);
}

/* ---- driver ------------------------------------------------------------------------------ */

/* In this order: what must survive the read-only root is cloned first; writable roots come
 * back after everything that may cover their mount points; protect and hide go on top (the
 * policy refuses a hidden path that contains a writable root). */
enum mount_phase {
	PH_CLONE,
	PH_READONLY_ROOT,
	PH_PROC_DEV,
	PH_SCRATCH, /* /tmp, /dev/shm */
	PH_WRITABLE,
	PH_PROTECT_CLONE,
	PH_PROTECT,
	PH_HIDE,
	PH_DONE,
};

static int mount_op(struct mount_state *st, enum mount_phase ph, size_t i, cordon_error *err)
{
	const struct cordon_op *op = &st->plan->ops[i];
	switch (ph) {
	case PH_CLONE:
		return mount_clone_one(st, i, err);
	case PH_READONLY_ROOT:
		return op->kind == CORDON_OP_READONLY_ROOT ? mount_readonly_root(st, err) : 0;
	case PH_PROC_DEV:
		if (op->kind == CORDON_OP_PROC)
			return mount_proc(op, err);
		return op->kind == CORDON_OP_DEV ? mount_dev(st, op, err) : 0;
	case PH_SCRATCH:
		return op->kind == CORDON_OP_TMP || op->kind == CORDON_OP_SHM
		               ? mount_scratch(st, i, err)
		               : 0;
	case PH_PROTECT_CLONE:
		return op->kind == CORDON_OP_PROTECT ? mount_protect_clone(st, i, err) : 0;
	case PH_PROTECT:
		return op->kind == CORDON_OP_PROTECT ? mount_protect(st, i, err) : 0;
	case PH_HIDE:
		return op->kind == CORDON_OP_HIDE ? mount_hide(st, i, err) : 0;
	case PH_WRITABLE:
	case PH_DONE:
	default:
		return 0;
	}
}

static int mount_phase(struct mount_state *st, enum mount_phase ph, cordon_error *err)
{
	if (ph == PH_WRITABLE)
		return mount_reattach_rw(st, err);
	for (size_t i = 0; i < st->plan->n_ops; i++) {
		int r = mount_op(st, ph, i, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static void mount_state_clear(struct mount_state *st)
{
	for (size_t i = 0; st->fds && i < st->plan->n_ops; i++)
		if (st->fds[i] >= 0)
			close(st->fds[i]);
	for (size_t i = 0; i < MOUNT_N_DEV; i++)
		if (st->dev_fds[i] >= 0)
			close(st->dev_fds[i]);
	if (st->hide_tmpl >= 0)
		close(st->hide_tmpl);
	free(st->fds);
}

int cordon_mount_apply(const struct cordon_plan *plan, cordon_error *err)
{
	struct mount_state st = {.plan = plan, .hide_tmpl = -1};
	for (size_t i = 0; i < MOUNT_N_DEV; i++)
		st.dev_fds[i] = -1;
	st.fds = malloc((plan->n_ops + 1) * sizeof(int));
	if (!st.fds)
		return cordon_err(err, -ENOMEM, "mount: out of memory");
	for (size_t i = 0; i < plan->n_ops; i++)
		st.fds[i] = -1;
	/* Each writable root and protected path is held as a detached clone for a while: a
	 * thousand of them need more descriptors than the usual soft limit of 1024. Raised for
	 * this step only; the command gets the limit it had. */
	struct rlimit nofile;
	bool raised =
	        getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max &&
	        setrlimit(RLIMIT_NOFILE, &(struct rlimit){nofile.rlim_max, nofile.rlim_max}) == 0;
	/* Nothing we do may propagate back to the host's mount namespace. */
	int r = 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		r = mount_errno(err, "make private", "/");
	for (enum mount_phase ph = PH_CLONE; r == 0 && ph < PH_DONE; ph++)
		r = mount_phase(&st, ph, err);
	mount_state_clear(&st);
	if (raised)
		setrlimit(RLIMIT_NOFILE, &nofile);
	return r;
}
