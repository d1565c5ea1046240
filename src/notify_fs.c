/* Creation of names, answered by the supervisor (see notify.c for the rules every handler
 * follows). Notified when the plan has a writable root, protects or hides a path, or protects a
 * name that does not exist yet: mkdir, mknod, symlink, link, rename, open(O_CREAT) and bind.
 *
 * Paths are resolved here component by component inside the target's root (/proc/PID/root),
 * from its cwd or the directory descriptor it passed (taken with pidfd_getfd), to a directory
 * fd plus a final name. Each step opens with O_NOFOLLOW; symlinks are read and spliced in,
 * absolute ones restart from the target's root, ".." stops at that root. /proc/self and
 * /proc/thread-self (which name the supervisor, not the target, when the supervisor follows
 * them) become the target's own ids; other procfs links (/proc/N/fd/M, cwd, root) are
 * followed by the kernel, as they would be for the target.
 *
 * The decision then uses only the directory fd: its identity (st_dev, st_ino) and the final
 * name against the protected set, the final name against the protected names at any depth of
 * a writable root (a nested .git), its mount id against the sandbox's writable mounts, and
 * whether the name is a mount point in the sandbox (the supervisor lives in another mount
 * namespace, where the sandbox's mounts are not "local": it could rename or replace what the
 * sandbox itself cannot). Then it performs the operation relative to that fd, with the
 * target's umask, and answers with the result. Opens of what exists, and the creation of
 * files, nodes and sockets, run in the supervisor's helper thread that carries the sandbox's
 * own Landlock ruleset (notify_confined): the supervisor itself is not under Landlock, and a
 * FIFO or device outside the roots is not fenced by the read-only mount.
 *
 * Not covered, knowingly: mounts nested inside a writable root other than its own bind (the
 * supervisor treats them as not writable, where Landlock would allow them). Syscall numbers are
 * x86_64's: the filter kills every other ABI before anything reaches the supervisor. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/vfs.h>

#include "notify_int.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define PROC_ROOT_INO 1
#define WALK_MAX_LINKS 40
#define WALK_MAX (2 * PATH_MAX)

struct walk {
	struct notify_req *r;
	int root;      /* the target's root directory */
	int cur;       /* where resolution stands */
	int links;     /* symlinks followed so far */
	bool trailing; /* the last component was followed by a slash */
	char rest[WALK_MAX];
};

static void walk_set_cur(struct walk *w, int fd)
{
	if (w->cur >= 0)
		close(w->cur);
	w->cur = fd;
}

static void walk_done(struct walk *w)
{
	if (w->root >= 0)
		close(w->root);
	if (w->cur >= 0)
		close(w->cur);
	free(w);
}

static int open_proc_link(pid_t pid, const char *what)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int dir_fd_of(struct notify_req *r, uint64_t dirfd_arg)
{
	if ((int)(uint32_t)dirfd_arg == AT_FDCWD)
		return open_proc_link(r->req->pid, "cwd");
	int fd = notify_take_fd(r, dirfd_arg);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))) {
		close(fd);
		return -ENOTDIR;
	}
	return fd;
}

/* Start resolving path for the target, relative to dirfd_arg (an int; AT_FDCWD: its cwd). */
static int walk_new(struct notify_req *r, uint64_t dirfd_arg, const char *path, struct walk **out)
{
	if (!path[0])
		return -ENOENT;
	if (strlen(path) >= WALK_MAX)
		return -ENAMETOOLONG;
	struct walk *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->r = r;
	w->cur = -1;
	w->root = open_proc_link(r->req->pid, "root");
	int fd = w->root < 0      ? w->root
	         : path[0] == '/' ? fcntl(w->root, F_DUPFD_CLOEXEC, 3)
	                          : dir_fd_of(r, dirfd_arg);
	if (fd < 0) {
		walk_done(w);
		return fd == -1 ? -errno : fd;
	}
	w->cur = fd;
	strcpy(w->rest, path);
	/* cwd and root were opened by pid: still the waiting target, so not a reused pid. */
	if (notify_valid(r) < 0) {
		walk_done(w);
		return -ESRCH;
	}
	*out = w;
	return 0;
}

/* Take the first component of w->rest into comp; *last when nothing follows it. */
static int walk_next(struct walk *w, char comp[NAME_MAX + 1], bool *last)
{
	char *p = w->rest;
	while (*p == '/')
		p++;
	size_t len = strcspn(p, "/");
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, p, len);
	comp[len] = '\0';
	char *q = p + len;
	bool slash = *q == '/';
	while (*q == '/')
		q++;
	*last = *q == '\0';
	w->trailing = *last && slash;
	memmove(w->rest, q, strlen(q) + 1);
	return 0;
}

static bool same_file(int a, int b)
{
	struct statx sa, sb;
	if (statx(a, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sa) < 0 ||
	    statx(b, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sb) < 0)
		return false;
	return sa.stx_ino == sb.stx_ino && sa.stx_dev_major == sb.stx_dev_major &&
	       sa.stx_dev_minor == sb.stx_dev_minor && sa.stx_mnt_id == sb.stx_mnt_id;
}

static int walk_dotdot(struct walk *w)
{
	if (same_file(w->cur, w->root))
		return 0; /* ".." of the root is the root */
	int fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	walk_set_cur(w, fd);
	return 0;
}

/* Put text (and a separating slash) in front of what remains to resolve. */
static int walk_prepend(struct walk *w, const char *text)
{
	size_t tl = strlen(text), rl = strlen(w->rest);
	if (tl + 1 + rl + 1 > WALK_MAX)
		return -ENAMETOOLONG;
	memmove(w->rest + tl + (rl ? 1 : 0), w->rest, rl + 1);
	memcpy(w->rest, text, tl);
	if (rl)
		w->rest[tl] = '/';
	return 0;
}

static int target_ids(struct notify_req *r)
{
	long tgid = 0, tid = 0;
	if (r->nstgid)
		return 0;
	if (notify_proc_status(r, "NStgid", 10, &tgid) < 0 ||
	    notify_proc_status(r, "NSpid", 10, &tid) < 0)
		return -ESRCH;
	r->nstgid = (int)tgid;
	r->nspid = (int)tid;
	return 0;
}

/* /proc/self or /proc/thread-self, which would name the supervisor: the target's ids. */
static int walk_proc_self(struct walk *w, bool thread)
{
	int e = target_ids(w->r);
	if (e < 0)
		return e;
	char ids[64];
	if (thread)
		snprintf(ids, sizeof(ids), "%d/task/%d", w->r->nstgid, w->r->nspid);
	else
		snprintf(ids, sizeof(ids), "%d", w->r->nstgid);
	return walk_prepend(w, ids);
}

/* comp in w->cur is a symlink (link is an O_PATH fd on it). 0: spliced into w->rest;
 * 1: a procfs magic link (/proc/N/fd/M, cwd, root, exe, ns/...) the caller must let the kernel
 * follow; < 0: an error. The symlinks of the procfs root itself (self, thread-self, mounts ->
 * self/mounts, net -> self/net) are ordinary ones. */
static int walk_symlink(struct walk *w, int link, const char *comp)
{
	if (++w->links > WALK_MAX_LINKS)
		return -ELOOP;
	struct statfs sf;
	struct stat st;
	if (fstatfs(w->cur, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
		if (fstat(w->cur, &st) < 0 || st.st_ino != PROC_ROOT_INO)
			return 1;
		if (!strcmp(comp, "self") || !strcmp(comp, "thread-self"))
			return walk_proc_self(w, comp[0] == 't');
	}
	char target[PATH_MAX];
	ssize_t n = readlinkat(link, "", target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (target[0] == '/') {
		int fd = fcntl(w->root, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -errno;
		walk_set_cur(w, fd);
	}
	return walk_prepend(w, target);
}

/* Resolve one non-final component (or a final one being followed) and move w->cur there. */
static int walk_dir_step(struct walk *w, const char *comp)
{
	if (!comp[0] || !strcmp(comp, "."))
		return 0;
	if (!strcmp(comp, ".."))
		return walk_dotdot(w);
	cleanup_close int fd = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		int k = walk_symlink(w, fd, comp);
		if (k != 1)
			return k;
		close(fd);
		fd = openat(w->cur, comp, O_PATH | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	walk_set_cur(w, steal_fd(&fd));
	return 0;
}

/* Resolve all but the final component: w->cur is then its directory, name the final name
 * ("" for "/"). Continues from wherever w stands, so it also resumes after a symlink. */
static int walk_parent(struct walk *w, char name[NAME_MAX + 1])
{
	for (;;) {
		bool last = false;
		int e = walk_next(w, name, &last);
		if (e < 0 || last)
			return e;
		e = walk_dir_step(w, name);
		if (e < 0)
			return e;
	}
}

/* Resolve the whole path to an O_PATH fd on the object, following a final symlink when
 * follow (connect, link with AT_SYMLINK_FOLLOW). */
static int walk_object(struct walk *w, bool follow)
{
	char name[NAME_MAX + 1];
	for (;;) {
		int e = walk_parent(w, name);
		if (e < 0)
			return e;
		if (!name[0] || !strcmp(name, ".") || !strcmp(name, "..")) {
			e = walk_dir_step(w, name);
			return e < 0 ? e : fcntl(w->cur, F_DUPFD_CLOEXEC, 3);
		}
		int fd = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0)
			return -errno;
		if (!S_ISLNK(st.st_mode) || !(follow || w->trailing))
			return fd;
		e = walk_symlink(w, fd, name);
		if (e == 1) {
			close(fd);
			fd = openat(w->cur, name, O_PATH | O_CLOEXEC);
			return fd < 0 ? -errno : fd;
		}
		close(fd);
		if (e < 0)
			return e;
	}
}

int notify_resolve_object(struct notify_req *r, uint64_t dirfd_arg, const char *path, bool follow)
{
	struct walk *w = NULL;
	int e = walk_new(r, dirfd_arg, path, &w);
	if (e < 0)
		return e;
	e = walk_object(w, follow);
	walk_done(w);
	return e;
}

/* ---- the decision ------------------------------------------------------------------------ */

static bool is_protected(const struct cordon_notify *n, int dir, const char *name)
{
	struct stat st;
	if (n->n_protected == 0)
		return false;
	if (fstat(dir, &st) < 0)
		return true;
	for (size_t i = 0; i < n->n_protected; i++)
		if (n->protected[i].dev == st.st_dev && n->protected[i].ino == st.st_ino &&
		    !strcmp(n->protected[i].name, name))
			return true;
	return false;
}

/* A mount point of the sandbox's view under this name (a protected path's read-only bind, a
 * hidden path). Mounts cannot change while the sandbox runs: it has no mount syscalls. */
static bool is_mount_point(int dir, const char *name)
{
	uint64_t dir_mnt = 0, mnt = 0;
	if (notify_mnt_id(dir, "", 0, &dir_mnt) < 0)
		return true;
	if (notify_mnt_id(dir, name, AT_SYMLINK_NOFOLLOW, &mnt) < 0)
		return false; /* absent */
	return mnt != dir_mnt;
}

static int refuse_unwritable(const struct cordon_notify *n, int fd)
{
	if (notify_mount_writable(n, fd))
		return 0;
	struct statvfs sv;
	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY) ? -EROFS : -EACCES;
}

/* A protected name (.git, .cordon, .codex, .agents) anywhere in a writable root, not only at
 * its top: a nested .git planted by the command would run its config (core.fsmonitor, hooks)
 * at the user's next `git status` in that directory; a nested .cordon would be the policy of
 * a later run with that directory as its workspace. /tmp and /dev/shm are not roots. */
static bool is_protected_name(const struct cordon_notify *n, int dir, const char *name)
{
	bool listed = false;
	for (size_t i = 0; !listed && cordon_protected_names[i]; i++)
		listed = !strcmp(name, cordon_protected_names[i]);
	return listed && notify_mount_is_root(n, dir);
}

/* May the sandbox make, replace or remove the entry name in dir? */
static int check_entry(const struct cordon_notify *n, int dir, const char *name)
{
	if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EEXIST;
	if (is_protected(n, dir, name) || is_protected_name(n, dir, name))
		return -EACCES;
	if (is_mount_point(dir, name))
		return -EBUSY;
	return refuse_unwritable(n, dir);
}

/* ---- requests ---------------------------------------------------------------------------- */

/* A path argument of the request: where it starts, what it says, where it resolved to. */
struct target_path {
	uint64_t dirfd;
	char path[PATH_MAX];
	struct walk *w;
	char name[NAME_MAX + 1];
};

static int read_path(struct notify_req *r, struct target_path *p, uint64_t dirfd, uint64_t addr)
{
	p->dirfd = dirfd;
	return notify_read_string(r, addr, p->path, sizeof(p->path));
}

static int resolve_parent(struct notify_req *r, struct target_path *p)
{
	int e = walk_new(r, p->dirfd, p->path, &p->w);
	return e < 0 ? e : walk_parent(p->w, p->name);
}

static void target_path_done(struct target_path *p)
{
	if (p->w)
		walk_done(p->w);
	p->w = NULL;
}

static int target_umask(struct notify_req *r, mode_t *um)
{
	long v = 0;
	int e = notify_proc_status(r, "Umask", 8, &v);
	*um = (mode_t)v & 0777;
	return e < 0 ? -ESRCH : 0;
}

static int do_mkdir(struct notify_req *r, uint64_t dirfd, uint64_t path, uint64_t mode)
{
	struct target_path p = {0};
	mode_t um = 0;
	int e = read_path(r, &p, dirfd, path);
	if (e == 0)
		e = target_umask(r, &um);
	if (e == 0)
		e = resolve_parent(r, &p);
	if (e == 0)
		e = check_entry(r->n, p.w->cur, p.name);
	if (e == 0) {
		mode_t old = umask(0);
		e = mkdirat(p.w->cur, p.name, (mode_t)mode & 07777 & ~um) < 0 ? -errno : 0;
		umask(old);
	}
	target_path_done(&p);
	return e;
}

struct confined_mknod {
	int dir;
	const char *name;
	mode_t mode;
};

static int confined_mknod(void *arg)
{
	const struct confined_mknod *c = arg;
	return mknodat(c->dir, c->name, c->mode, 0) < 0 ? -errno : 0;
}

/* Only what needs no privilege: regular files, FIFOs and sockets. A supervisor running as
 * root must not make device nodes for the sandbox. */
static int do_mknod(struct notify_req *r, uint64_t dirfd, uint64_t path, uint64_t mode)
{
	mode_t type = (mode_t)mode & S_IFMT;
	if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
		return -EPERM;
	struct target_path p = {0};
	mode_t um = 0;
	int e = read_path(r, &p, dirfd, path);
	if (e == 0)
		e = target_umask(r, &um);
	if (e == 0)
		e = resolve_parent(r, &p);
	if (e == 0 && p.w->trailing)
		e = -ENOENT;
	if (e == 0)
		e = check_entry(r->n, p.w->cur, p.name);
	if (e == 0) {
		struct confined_mknod c = {.dir = p.w->cur,
		                           .name = p.name,
		                           .mode = (type ? type : S_IFREG) |
		                                   ((mode_t)mode & 07777 & ~um)};
		mode_t old = umask(0);
		e = notify_confined(r, confined_mknod, &c);
		umask(old);
	}
	target_path_done(&p);
	return e;
}

static int do_symlink(struct notify_req *r, uint64_t target, uint64_t dirfd, uint64_t path)
{
	struct target_path p = {0};
	char *content = malloc(PATH_MAX);
	int e = content ? notify_read_string(r, target, content, PATH_MAX) : -ENOMEM;
	if (e == 0)
		e = read_path(r, &p, dirfd, path);
	if (e == 0)
		e = resolve_parent(r, &p);
	if (e == 0 && p.w->trailing)
		e = -ENOENT;
	if (e == 0)
		e = check_entry(r->n, p.w->cur, p.name);
	if (e == 0)
		e = symlinkat(content, p.w->cur, p.name) < 0 ? -errno : 0;
	target_path_done(&p);
	free(content);
	return e;
}

/* The source is linked through its O_PATH fd ("/proc/self/fd/N" with AT_SYMLINK_FOLLOW), so
 * what is linked is what was resolved. */
static int do_link(struct notify_req *r, uint64_t odir, uint64_t opath, uint64_t ndir,
                   uint64_t npath, uint64_t flags)
{
	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct target_path o = {0}, p = {0};
	cleanup_close int src = -1;
	int e = read_path(r, &o, odir, opath);
	if (e == 0)
		e = read_path(r, &p, ndir, npath);
	if (e == 0 && !o.path[0] && (flags & AT_EMPTY_PATH))
		src = (int)(uint32_t)odir == AT_FDCWD ? -EPERM : notify_take_fd(r, odir);
	else if (e == 0)
		src = notify_resolve_object(r, odir, o.path, flags & AT_SYMLINK_FOLLOW);
	if (e == 0 && src < 0)
		e = src;
	if (e == 0)
		e = resolve_parent(r, &p);
	if (e == 0 && p.w->trailing)
		e = -ENOENT;
	if (e == 0)
		e = check_entry(r->n, p.w->cur, p.name);
	if (e == 0) {
		char self[64];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", src);
		e = linkat(AT_FDCWD, self, p.w->cur, p.name, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
	}
	target_path_done(&p);
	return e;
}

static int do_rename(struct notify_req *r, uint64_t odir, uint64_t opath, uint64_t ndir,
                     uint64_t npath, uint64_t flags)
{
	/* A whiteout is a device node: it needs privilege the sandbox does not have. */
	if (flags & RENAME_WHITEOUT)
		return -EPERM;
	struct target_path o = {0}, p = {0};
	int e = read_path(r, &o, odir, opath);
	if (e == 0)
		e = read_path(r, &p, ndir, npath);
	if (e == 0)
		e = resolve_parent(r, &o);
	if (e == 0)
		e = resolve_parent(r, &p);
	if (e == 0)
		e = check_entry(r->n, o.w->cur, o.name);
	if (e == 0)
		e = check_entry(r->n, p.w->cur, p.name);
	if (e == -EEXIST)
		e = -EBUSY; /* "." or ".." */
	if (e == 0)
		e = renameat2(o.w->cur, o.name, p.w->cur, p.name, (unsigned)flags) < 0 ? -errno : 0;
	target_path_done(&o);
	target_path_done(&p);
	return e;
}

/* ---- bind() ------------------------------------------------------------------------------ */

struct confined_bind {
	int sock;
	const struct sockaddr *addr;
	socklen_t len;
	int dir; /* a pathname address: bound as its final name, from this directory; or -1 */
	mode_t umask;
};

static int confined_bind(void *arg)
{
	const struct confined_bind *c = arg;
	if (c->dir >= 0) { /* in a thread with its own cwd and umask (notify_confined_fs) */
		if (fchdir(c->dir) < 0)
			return -errno;
		umask(c->umask);
	}
	return bind(c->sock, c->addr, c->len) < 0 ? -errno : 0;
}

/* A pathname UNIX address makes a socket inode: the same creation rules as mknod (protected
 * names, writable mounts), then a thread whose cwd is the resolved directory binds the final
 * name, so a rename or symlink made meanwhile changes nothing (getsockname then says that
 * final name, not the whole path). Any other address (abstract, autobind, inet) makes no
 * name: bound as is. Either way in a confined thread, so Landlock's own checks (MAKE_SOCK, TCP
 * bind when the network is off) apply as they would to the sandbox. */
static int do_bind(struct notify_req *r, uint64_t fd_arg, uint64_t addr, uint64_t addrlen)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	socklen_t len = (socklen_t)addrlen;
	if (addrlen > sizeof(ss))
		return -EINVAL;
	cleanup_close int sock = notify_take_fd(r, fd_arg);
	if (sock < 0)
		return sock;
	int e = notify_read(r, addr, &ss, len);
	int domain = 0;
	socklen_t dl = sizeof(domain);
	if (e == 0 && getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0)
		e = -errno;
	if (e == 0 && notify_valid(r) < 0) /* the address was read from the waiting target */
		e = -ESRCH;
	struct confined_bind c = {
	        .sock = sock, .addr = (struct sockaddr *)&ss, .len = len, .dir = -1};
	if (e < 0 || domain != AF_UNIX || len <= off || len > sizeof(*un) ||
	    un->sun_family != AF_UNIX || un->sun_path[0] == '\0')
		return e < 0 ? e : notify_confined(r, confined_bind, &c);
	struct target_path p = {0};
	mode_t um = 0;
	size_t plen = strnlen(un->sun_path, len - off);
	memcpy(p.path, un->sun_path, plen);
	p.path[plen] = '\0';
	p.dirfd = (uint64_t)(uint32_t)AT_FDCWD;
	e = target_umask(r, &um);
	if (e == 0)
		e = resolve_parent(r, &p);
	struct stat st;
	if (e == 0 && p.w->trailing) /* "dir/": taken when it names something, else absent */
		e = fstatat(p.w->cur, p.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? -EADDRINUSE
		                                                             : -ENOENT;
	if (e == 0)
		e = check_entry(r->n, p.w->cur, p.name);
	if (e == -EEXIST) /* "/", "." or ".." */
		e = -EADDRINUSE;
	struct sockaddr_un at = {.sun_family = AF_UNIX};
	if (e == 0) {
		memcpy(at.sun_path, p.name, strlen(p.name) + 1); /* shorter than the whole path */
		c = (struct confined_bind){.sock = sock,
		                           .addr = (struct sockaddr *)&at,
		                           .len = (socklen_t)sizeof(at),
		                           .dir = p.w->cur,
		                           .umask = um};
		e = notify_confined_fs(r, confined_bind, &c);
	}
	target_path_done(&p);
	return e;
}

/* ---- open(O_CREAT) ----------------------------------------------------------------------- */

/* Open what obj (an O_PATH fd) names through its /proc/self/fd link, so that the kernel's open
 * checks (Landlock's among them, in a confined thread) see the object's real path. */
static int reopen(int obj, int flags)
{
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", obj);
	int fd = open(self, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)) | O_NOCTTY |
	                            O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

struct confined_open {
	int dir;          /* reopen: the object; create: the directory */
	const char *name; /* NULL: reopen */
	int flags;
	mode_t mode;
};

static int confined_open(void *arg)
{
	const struct confined_open *c = arg;
	if (!c->name)
		return reopen(c->dir, c->flags);
	int fd = openat(c->dir, c->name,
	                (c->flags & ~O_CLOEXEC) | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
	                c->mode);
	return fd < 0 ? -errno : fd;
}

/* reopen, with the sandbox's Landlock rights. */
static int reopen_confined(struct notify_req *r, int obj, int flags)
{
	struct confined_open c = {.dir = obj, .flags = flags};
	return notify_confined(r, confined_open, &c);
}

/* Opening a FIFO waits for its other end: done in a job thread, answered from there. */
struct fifo_job {
	int listener;
	int ruleset; /* a duplicate of the sandbox's, or -1 */
	int obj;
	int flags;
	uint64_t id;
};

static void *fifo_worker(void *arg)
{
	struct fifo_job *j = arg;
	int fd = notify_confine_self(j->ruleset);
	if (fd == 0)
		fd = reopen(j->obj, j->flags);
	int a = fd < 0 ? fd : notify_inject_fd(j->listener, j->id, fd, j->flags);
	if (a != NOTIFY_ANSWERED)
		notify_send(j->listener, j->id, 0, a);
	if (fd >= 0)
		close(fd);
	close(j->obj);
	close(j->listener);
	if (j->ruleset >= 0)
		close(j->ruleset);
	free(j);
	notify_job_done();
	return NULL;
}

static int open_fifo(struct notify_req *r, int obj, int flags)
{
	struct fifo_job *j = malloc(sizeof(*j));
	if (!j)
		return -ENOMEM;
	*j = (struct fifo_job){
	        .listener = fcntl(r->n->listener, F_DUPFD_CLOEXEC, 3),
	        .ruleset = r->n->ruleset < 0 ? -1 : fcntl(r->n->ruleset, F_DUPFD_CLOEXEC, 3),
	        .obj = fcntl(obj, F_DUPFD_CLOEXEC, 3),
	        .flags = flags,
	        .id = r->req->id};
	bool dup_failed = j->listener < 0 || j->obj < 0 || (r->n->ruleset >= 0 && j->ruleset < 0);
	int e = dup_failed ? -EMFILE : notify_start_job(fifo_worker, j);
	if (e < 0) {
		if (j->listener >= 0)
			close(j->listener);
		if (j->ruleset >= 0)
			close(j->ruleset);
		if (j->obj >= 0)
			close(j->obj);
		free(j);
		return e;
	}
	return NOTIFY_ANSWERED;
}

/* Open what obj (an O_PATH fd) names, as the target asked, minus creation. */
static int open_existing(struct notify_req *r, int obj, int flags)
{
	struct stat st;
	if (fstat(obj, &st) < 0)
		return -errno;
	/* /dev/tty would be the supervisor's terminal; the sandbox has none. */
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 0))
		return -ENXIO;
	bool writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	if (writes && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
		int e = refuse_unwritable(r->n, obj);
		if (e < 0)
			return e;
	}
	if (S_ISFIFO(st.st_mode) && !(flags & O_NONBLOCK))
		return open_fifo(r, obj, flags);
	cleanup_close int fd = reopen_confined(r, obj, flags);
	if (fd < 0)
		return fd;
	return notify_inject_fd(r->n->listener, r->req->id, fd, flags);
}

static int create_new(struct notify_req *r, int dir, const char *name, int flags, mode_t mode)
{
	int e = check_entry(r->n, dir, name);
	if (e < 0)
		return e == -EEXIST ? -EISDIR : e;
	struct confined_open c = {.dir = dir, .name = name, .flags = flags, .mode = mode};
	mode_t old = umask(0);
	cleanup_close int fd = notify_confined(r, confined_open, &c);
	umask(old);
	if (fd < 0)
		return fd;
	return notify_inject_fd(r->n->listener, r->req->id, fd, flags);
}

/* One step of open(O_CREAT) once the parent is resolved: > 0 means "the final name was a
 * symlink, spliced into w: resolve again". */
static int open_step(struct notify_req *r, struct walk *w, const char *name, int flags, mode_t mode)
{
	if (w->trailing || !name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EISDIR;
	if (is_protected(r->n, w->cur, name))
		return -EACCES;
	struct stat st;
	if (fstatat(w->cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return -errno;
		int e = create_new(r, w->cur, name, flags, mode);
		if (e == -EEXIST && !(flags & O_EXCL)) /* appeared meanwhile: look again */
			e = walk_prepend(w, name) < 0 ? -ENAMETOOLONG : 1;
		return e;
	}
	if (flags & O_EXCL)
		return -EEXIST;
	cleanup_close int obj = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (obj < 0 || fstat(obj, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		if (flags & O_NOFOLLOW)
			return -ELOOP;
		int k = walk_symlink(w, obj, name);
		if (k != 1)
			return k < 0 ? k : 1;
		close(obj);
		obj = openat(w->cur, name, O_PATH | O_CLOEXEC);
		if (obj < 0)
			return -errno;
	}
	return open_existing(r, obj, flags);
}

/* The descriptor a standard name stands for ("/dev/stdout" -> 1, "/dev/fd/N",
 * "/proc/self/fd/N", "/proc/thread-self/fd/N"), or -1. */
static int std_fd_of(const char *path)
{
	static const char *const names[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
	static const char *const dirs[] = {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(path, names[i]))
			return i;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		size_t len = strlen(dirs[i]);
		if (strncmp(path, dirs[i], len) != 0 || !path[len])
			continue;
		char *end = NULL;
		long v = strtol(path + len, &end, 10);
		return (*end == '\0' && v >= 0 && v < INT_MAX) ? (int)v : -1;
	}
	return -1;
}

/* `cmd > /dev/stdout` opens with O_CREAT, so it lands here; the file behind the target's own
 * descriptor may lie outside the writable mounts (cordon's stdout redirected to a file). Take
 * that very descriptor and reopen it only in a mode it already grants (an O_PATH one grants
 * none): nothing the target could not already do through it. The string selected which
 * descriptor; the decision and the reopen both use the descriptor itself, so a rewritten path
 * changes nothing. Not through the confined helper: the descriptor is the right here, and a
 * warm run's stdio (handed over after its sandbox was confined) has no Landlock rule. */
static int reopen_own_fd(struct notify_req *r, int fd_no, int flags)
{
	cleanup_close int own = notify_take_fd(r, (uint64_t)fd_no);
	if (own < 0)
		return own == -EBADF ? -ENOENT : own;
	int have = fcntl(own, F_GETFL);
	if (have < 0)
		return -errno;
	int want = flags & O_ACCMODE, mode = have & O_ACCMODE;
	bool ok = !(have & O_PATH) && (mode == O_RDWR || want == mode);
	if (!ok || (mode == O_RDONLY && (flags & O_TRUNC)))
		return -EACCES;
	cleanup_close int fd = reopen(own, flags & ~(O_CREAT | O_EXCL));
	if (fd < 0)
		return fd;
	return notify_inject_fd(r->n->listener, r->req->id, fd, flags);
}

static int do_open(struct notify_req *r, uint64_t dirfd, uint64_t path, int flags, mode_t mode)
{
	struct target_path p = {0};
	mode_t um = 0;
	int e = read_path(r, &p, dirfd, path);
	int std_fd = e == 0 ? std_fd_of(p.path) : -1;
	if (std_fd >= 0) {
		target_path_done(&p);
		return reopen_own_fd(r, std_fd, flags);
	}
	if (e == 0)
		e = target_umask(r, &um);
	if (e == 0)
		e = walk_new(r, dirfd, p.path, &p.w);
	mode = mode & 07777 & ~um;
	for (int round = 0; e == 0 && round < 2 * WALK_MAX_LINKS; round++) {
		e = walk_parent(p.w, p.name);
		if (e == 0)
			e = open_step(r, p.w, p.name, flags, mode);
		if (e != 1)
			break;
		e = 0;
	}
	target_path_done(&p);
	return e == 0 ? -ELOOP : e;
}

int notify_handle_fs(struct notify_req *r)
{
	const __u64 *a = r->req->data.args;
	const uint64_t cwd = (uint64_t)(uint32_t)AT_FDCWD;
	switch (r->req->data.nr) {
	case __NR_mkdir:
		return do_mkdir(r, cwd, a[0], a[1]);
	case __NR_mkdirat:
		return do_mkdir(r, a[0], a[1], a[2]);
	case __NR_mknod:
		return do_mknod(r, cwd, a[0], a[1]);
	case __NR_mknodat:
		return do_mknod(r, a[0], a[1], a[2]);
	case __NR_symlink:
		return do_symlink(r, a[0], cwd, a[1]);
	case __NR_symlinkat:
		return do_symlink(r, a[0], a[1], a[2]);
	case __NR_link:
		return do_link(r, cwd, a[0], cwd, a[1], 0);
	case __NR_linkat:
		return do_link(r, a[0], a[1], a[2], a[3], (uint32_t)a[4]);
	case __NR_rename:
		return do_rename(r, cwd, a[0], cwd, a[1], 0);
	case __NR_renameat:
		return do_rename(r, a[0], a[1], a[2], a[3], 0);
	case __NR_renameat2:
		return do_rename(r, a[0], a[1], a[2], a[3], (uint32_t)a[4]);
	case __NR_bind:
		return do_bind(r, a[0], a[1], a[2]);
	case __NR_open:
		return do_open(r, cwd, a[0], (int)a[1], (mode_t)a[2]);
	case __NR_openat:
		return do_open(r, a[0], a[1], (int)a[2], (mode_t)a[3]);
	case __NR_creat:
		return do_open(r, cwd, a[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a[1]);
	default:
		return -ENOSYS;
	}
}
