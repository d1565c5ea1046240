/* What a descriptor handed to the command is: see keepfd.h. Everything here asks the kernel
 * about the caller's own descriptors (fstat, fstatfs, getsockname): nothing is opened. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>

#include "keepfd.h"

/* Not in every <linux/magic.h>. */
#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef ANON_INODE_FS_MAGIC
#define ANON_INODE_FS_MAGIC 0x09041934
#endif
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static int kind_set(struct cordon_fd_kind *k, bool ok, const char *what, const char *allows)
{
	k->ok = ok;
	snprintf(k->what, sizeof(k->what), "%s", what);
	snprintf(k->allows, sizeof(k->allows), "%s", allows);
	return 0;
}

/* The file systems whose descriptors are handles on kernel objects, not files: a pidfd
 * (pidfs, or an anonymous inode before it), a namespace (setns), epoll, io_uring, bpf,
 * signalfd, eventfd, timerfd, inotify, userfaultfd, perf. */
static const char *kind_special_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return NULL;
	switch ((unsigned long)sf.f_type) {
	case PID_FS_MAGIC:
		return "a pidfd";
	case NSFS_MAGIC:
		return "a namespace descriptor";
	case ANON_INODE_FS_MAGIC:
		return NULL; /* named below from /proc/self/fd */
	case BPF_FS_MAGIC:
		return "a bpf object";
	default:
		return NULL;
	}
}

/* Files of the host's kernel views: /proc/PID/mem or environ of a host process, a cgroup's
 * control files. As stdin (`< /proc/cpuinfo`) they are the caller's redirection. */
static const char *kind_kernel_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return NULL;
	switch ((unsigned long)sf.f_type) {
	case PROC_SUPER_MAGIC:
		return "a /proc entry";
	case SYSFS_MAGIC:
		return "a /sys entry";
	case CGROUP2_SUPER_MAGIC:
	case CGROUP_SUPER_MAGIC:
		return "a cgroup file";
	default:
		return NULL;
	}
}

/* "anon_inode:[eventfd]" and the like: an inode with no file type. */
static bool kind_anon(int fd, char *name, size_t len)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, name, len - 1);
	if (n < 0)
		n = 0;
	name[n] = '\0';
	return strncmp(name, "anon_inode:", 11) == 0;
}

/* Would the plan let the command write path anyway: beneath a writable root (anywhere with
 * full-access), and neither protected nor hidden? */
static bool kind_plan_writable(const struct cordon_plan *plan, const char *path)
{
	bool in_root = plan->policy && plan->policy->profile == CORDON_PROFILE_FULL_ACCESS;
	for (size_t i = 0; i < plan->n_ops; i++) {
		const struct cordon_op *op = &plan->ops[i];
		bool beneath = cordon_path_is_beneath(path, op->path);
		if (beneath && (op->kind == CORDON_OP_PROTECT || op->kind == CORDON_OP_HIDE ||
		                op->kind == CORDON_OP_PROTECT_ABSENT))
			return false;
		in_root = in_root || (beneath && op->kind == CORDON_OP_BIND_RW);
	}
	return in_root;
}

/* A file opened for writing: a write no rule of the policy saw, unless the plan allows it
 * there anyway. Its path is the kernel's (/proc/self/fd), in the caller's mounts; a deleted
 * or unreachable one is refused. */
static int kind_file_written(struct cordon_fd_kind *k, int fd, const struct cordon_plan *plan)
{
	char link[64], path[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	if (plan && n > 0 && path[0] == '/' && kind_plan_writable(plan, path)) {
		snprintf(k->what, sizeof(k->what), "%.100s opened for writing", path);
		k->ok = true;
		snprintf(k->allows, sizeof(k->allows), "%s", "write it (a writable root's file)");
		return 0;
	}
	snprintf(k->what, sizeof(k->what), "%.100s opened for writing", n > 0 ? path : "a file");
	k->ok = false;
	snprintf(k->allows, sizeof(k->allows), "%s",
	         "a write outside the writable roots or to a protected path; pass a pipe instead");
	return 0;
}

static int kind_file(struct cordon_fd_kind *k, int fd, int flags, bool stdio,
                     const struct cordon_plan *plan)
{
	if ((flags & O_ACCMODE) == O_RDONLY)
		return kind_set(k, true, "a regular file opened read-only", "read that file");
	if (stdio)
		return kind_set(k, true, "a regular file opened for writing",
		                "write that file (the caller's redirection)");
	return kind_file_written(k, fd, plan);
}

static int kind_char(struct cordon_fd_kind *k, int fd, dev_t rdev)
{
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0)
		return kind_set(k, true, "the user's terminal",
		                "a pty of cordon's own, relayed to it (size, mode and process "
		                "groups stay on that pty)");
	/* /dev/null, zero, full, random, urandom: the memory devices, major 1. */
	unsigned mi = minor(rdev);
	if (major(rdev) == 1 && (mi == 3 || mi == 5 || mi == 7 || mi == 8 || mi == 9))
		return kind_set(k, true, "a /dev/null-like device", "read or write it");
	return kind_set(k, false, "a character device", "a host device");
}

/* Printable name of a UNIX socket address; "" when unnamed. */
static void kind_sun(const struct sockaddr_un *a, socklen_t len, char *out, size_t n)
{
	size_t plen = len > offsetof(struct sockaddr_un, sun_path)
	                      ? len - offsetof(struct sockaddr_un, sun_path)
	                      : 0;
	if (plen == 0)
		snprintf(out, n, "%s", "");
	else if (a->sun_path[0] == '\0')
		snprintf(out, n, "@%.*s", (int)(plen - 1), a->sun_path + 1);
	else
		snprintf(out, n, "%.*s", (int)strnlen(a->sun_path, plen), a->sun_path);
}

/* A socketpair's end (connected, both sides unnamed, not listening) leads only to whoever
 * holds the other end: the caller. A bound, listening or connected-to-a-name socket is a service
 * outside the sandbox (the network policy and the UNIX socket rules never saw it). */
static int kind_socket(struct cordon_fd_kind *k, int fd, bool stdio)
{
	int domain = -1, listening = 0;
	socklen_t ol = sizeof(domain);
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &ol);
	ol = sizeof(listening);
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ol);
	if (stdio)
		return kind_set(k, true, "a socket", "read and write it (the caller's stdio)");
	if (domain != AF_UNIX) {
		if (domain == AF_INET || domain == AF_INET6)
			snprintf(k->what, sizeof(k->what), "an %s socket",
			         domain == AF_INET ? "IPv4" : "IPv6");
		else
			snprintf(k->what, sizeof(k->what), "a socket of address family %d", domain);
		k->ok = false;
		snprintf(k->allows, sizeof(k->allows), "%s",
		         "traffic the network policy never saw; pass a pipe or a socketpair");
		return 0;
	}
	struct sockaddr_un self, peer;
	socklen_t sl = sizeof(self), pl = sizeof(peer);
	char sname[110] = "", pname[110] = "";
	memset(&self, 0, sizeof(self));
	memset(&peer, 0, sizeof(peer));
	if (getsockname(fd, (struct sockaddr *)&self, &sl) == 0)
		kind_sun(&self, sl, sname, sizeof(sname));
	bool connected = getpeername(fd, (struct sockaddr *)&peer, &pl) == 0;
	if (connected)
		kind_sun(&peer, pl, pname, sizeof(pname));
	/* Unconnected, it could still be bound and listen: the socket belongs to the host's
	 * network namespace, so a name it binds is one in the host's abstract namespace. */
	if (!connected && !listening && !sname[0])
		return kind_set(k, false, "an unconnected UNIX socket",
		                "it could be bound to a name host clients connect to; pass a "
		                "socketpair");
	if (!listening && !sname[0] && !pname[0])
		return kind_set(k, true, "an unnamed UNIX socket (a socketpair)",
		                "talk to the caller's end");
	snprintf(k->what, sizeof(k->what), "a UNIX socket %s %.100s",
	         listening  ? "listening at"
	         : pname[0] ? "connected to"
	                    : "bound to",
	         pname[0] ? pname : sname);
	k->ok = false;
	snprintf(k->allows, sizeof(k->allows), "%s",
	         "a service outside the sandbox; pass a pipe or a socketpair");
	return 0;
}

int cordon_fd_describe(int fd, bool stdio, const struct cordon_plan *plan, struct cordon_fd_kind *k)
{
	struct stat st;
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fstat(fd, &st) < 0)
		return -EBADF;
	if (flags & O_PATH)
		return kind_set(k, false, "an O_PATH descriptor",
		                "openat through it resolves in the host's mount namespace");
	if (S_ISDIR(st.st_mode))
		return kind_set(k, false, "a directory",
		                "openat through it resolves in the host's mount namespace");
	const char *special = kind_special_fs(fd);
	char anon[96], what[128];
	if (special || kind_anon(fd, anon, sizeof(anon)) || (st.st_mode & S_IFMT) == 0) {
		snprintf(what, sizeof(what), "an anonymous-inode descriptor (%s)",
		         anon[0] ? anon : "unnamed");
		return kind_set(k, false, special ? special : what,
		                "a handle on a kernel object outside the sandbox");
	}
	const char *kernel = stdio ? NULL : kind_kernel_fs(fd);
	if (kernel)
		return kind_set(k, false, kernel, "a view of host processes or the kernel");
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return kind_file(k, fd, flags, stdio, plan);
	case S_IFIFO:
		return kind_set(k, true, "a pipe or FIFO", "read or write its stream");
	case S_IFCHR:
		return stdio ? kind_set(k, true, "a character device", "the caller's stdio")
		             : kind_char(k, fd, st.st_rdev);
	case S_IFSOCK:
		return kind_socket(k, fd, stdio);
	default:
		return stdio ? kind_set(k, true, "a block device", "the caller's stdio")
		             : kind_set(k, false, "a block device", "a host device");
	}
}

static int keep_check_one(const struct cordon_plan *plan, int fd, bool stdio, cordon_error *err)
{
	struct cordon_fd_kind k;
	if (cordon_fd_describe(fd, stdio, plan, &k) < 0)
		return stdio ? 0
		             : cordon_err(err, -EBADF, "--keep-fd %d: not an open descriptor", fd);
	if (k.ok)
		return 0;
	return cordon_err(err, -EPERM, "%s %d: %s is not passed to the command (%s)",
	                  stdio ? "descriptor" : "--keep-fd", fd, k.what, k.allows);
}

int cordon_keep_fds_check(const struct cordon_plan *plan, const int *keep, size_t n,
                          cordon_error *err)
{
	int r = 0;
	for (int fd = 0; r == 0 && fd < 3; fd++)
		r = keep_check_one(plan, fd, true, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = keep_check_one(plan, keep[i], false, err);
	return r;
}
