/* Private to notify.c, notify_fs.c and notify_net.c: the supervisor's state and the helpers
 * its handlers share. */
#ifndef CORDON_NOTIFY_INT_H
#define CORDON_NOTIFY_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "seccomp_int.h"

/* A name the sandbox may not create: (directory identity, final name). */
struct notify_protected {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct cordon_notify {
	int listener; /* our own duplicate of the listener */
	pid_t init_pid;
	bool private_netns;     /* abstract UNIX names resolve among the sandbox's own */
	bool check_mounts;      /* false when every mount is writable (full-access) */
	uint64_t *writable_mnt; /* mount ids of the writable roots, /tmp, /dev/shm */
	size_t n_writable;
	uint64_t *root_mnt; /* mount ids of the writable roots alone (no .git at any depth) */
	size_t n_root;
	int ruleset;                  /* the sandbox's Landlock ruleset, or -1 */
	struct notify_helper *helper; /* the thread confined by it (notify.c), or NULL */
	struct notify_protected *protected;
	size_t n_protected;
};

/* One request being answered. The target's pidfd is opened (and checked against the
 * notification) before any handler runs. */
struct notify_req {
	struct cordon_notify *n;
	const struct seccomp_notif *req;
	int pidfd;
	int nstgid, nspid; /* the target's ids inside the sandbox, 0 until read */
	bool as_target;    /* a root supervisor took these file-system ids for the request */
	uid_t uid;
	gid_t gid;
};

/* A handler's return: >= 0 the syscall's result, < 0 a negative errno, or this when the
 * handler (or a worker it started) answers the notification itself. */
#define NOTIFY_ANSWERED INT_MIN

/* notify.c */
int notify_valid(const struct notify_req *r);
int notify_read(const struct notify_req *r, uint64_t addr, void *buf, size_t len);
int notify_read_string(const struct notify_req *r, uint64_t addr, char *buf, size_t size);
int notify_take_fd(const struct notify_req *r, uint64_t fd_arg);
int notify_proc_status(const struct notify_req *r, const char *key, int base, long *out);
int notify_send(int listener, uint64_t id, int64_t val, int error);
bool notify_mount_writable(const struct cordon_notify *n, int fd);
int notify_mnt_id(int fd, const char *name, int flags, uint64_t *mnt);
/* Run fn(arg) in a detached thread that answers its notification itself and calls
 * notify_job_done() last. 0, -EAGAIN when too many are running, or another -errno; on
 * failure arg still belongs to the caller. */
int notify_start_job(void *(*fn)(void *), void *arg);
void notify_job_done(void);
/* Give fd to the target as a new descriptor and answer with its number, atomically.
 * NOTIFY_ANSWERED, or a negative errno when nothing was answered. */
int notify_inject_fd(int listener, uint64_t id, int fd, int flags);

/* Is the mount of fd one of the writable roots (not /tmp, /dev/shm)? */
bool notify_mount_is_root(const struct cordon_notify *n, int fd);
/* Run fn(arg) in a thread confined by the sandbox's Landlock ruleset, with the request's
 * file-system ids, and return what it returns; -errno when it cannot be confined. Without a
 * ruleset, fn(arg) right here. Every open or creation made for the sandbox goes through here,
 * so Landlock decides exactly as it would for the sandbox. The thread shares the process's
 * umask and cwd. */
int notify_confined(struct notify_req *r, int (*fn)(void *), void *arg);
/* The same, in a thread of its own that unshared its cwd, root and umask (CLONE_FS) first, so
 * fn may fchdir and umask without touching the supervisor's. */
int notify_confined_fs(struct notify_req *r, int (*fn)(void *), void *arg);
/* Confine the calling thread by ruleset (no_new_privs, then Landlock); 0 when ruleset < 0. */
int notify_confine_self(int ruleset);

/* notify_fs.c: path resolution inside the sandbox's root, and the creation handlers. */
struct notify_walk;
int notify_resolve_object(struct notify_req *r, uint64_t dirfd_arg, const char *path, bool follow);
int notify_handle_fs(struct notify_req *r);

/* notify_net.c */
int notify_handle_net(struct notify_req *r);

#endif
