/* Raw system call wrappers and the constants older C libraries lack: the new mount API,
 * pidfds, clone3, close_range and Landlock. The one place that knows syscall numbers.
 * Own structure names (cordon_*) so that no libc or kernel header can clash with them;
 * the layouts are the kernel ABI's. Nothing here has policy knowledge. */
#ifndef CORDON_SYS_H
#define CORDON_SYS_H

#include <fcntl.h>
#include <linux/types.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- syscall numbers (identical on every architecture since 5.x's unified table) ----- */
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

/* ---- mount API ------------------------------------------------------------------------- */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MOUNT_ATTR_NOSUID
#define MOUNT_ATTR_NOSUID 0x00000002
#endif
#ifndef MOUNT_ATTR_NODEV
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOUNT_ATTR_NOEXEC
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif

struct cordon_mount_attr {
	__u64 attr_set;
	__u64 attr_clr;
	__u64 propagation;
	__u64 userns_fd;
};

static inline int cordon_sys_open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(__NR_open_tree, dfd, path, flags);
}
static inline int cordon_sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
                                        unsigned flags)
{
	return (int)syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}
static inline int cordon_sys_mount_setattr(int dfd, const char *path, unsigned flags,
                                           struct cordon_mount_attr *attr)
{
	return (int)syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

/* ---- processes ------------------------------------------------------------------------- */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct cordon_clone_args {
	__aligned_u64 flags;
	__aligned_u64 pidfd;
	__aligned_u64 child_tid;
	__aligned_u64 parent_tid;
	__aligned_u64 exit_signal;
	__aligned_u64 stack;
	__aligned_u64 stack_size;
	__aligned_u64 tls;
};

/* fork()-like: returns 0 in the child, which runs on a copy of the parent's stack. */
static inline pid_t cordon_sys_clone3(struct cordon_clone_args *args)
{
	return (pid_t)syscall(__NR_clone3, args, sizeof(*args));
}
/* The classic clone with fork semantics (no new stack), for kernels without clone3. */
static inline pid_t cordon_sys_clone(unsigned long flags)
{
	return (pid_t)syscall(__NR_clone, flags, 0, 0, 0, 0);
}
static inline int cordon_sys_pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(__NR_pidfd_open, pid, flags);
}
/* A duplicate of descriptor fd of the process behind pidfd (needs ptrace access to it). */
static inline int cordon_sys_pidfd_getfd(int pidfd, int fd)
{
	return (int)syscall(__NR_pidfd_getfd, pidfd, fd, 0);
}
static inline int cordon_sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, NULL, 0);
}
static inline int cordon_sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	return (int)syscall(__NR_close_range, first, last, flags);
}

/* openat2 (5.6): struct open_how, and the resolve flags cordon uses. */
struct cordon_open_how {
	uint64_t flags, mode, resolve;
};
#define CORDON_RESOLVE_NO_MAGICLINKS 0x02ULL
#define CORDON_RESOLVE_NO_SYMLINKS 0x04ULL
#define CORDON_RESOLVE_IN_ROOT 0x10ULL

static inline int cordon_sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode,
                                     uint64_t resolve)
{
	struct cordon_open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
	return (int)syscall(__NR_openat2, dirfd, path, &how, sizeof(how));
}

/* ---- Landlock -------------------------------------------------------------------------- */
#define CORDON_LL_FS_EXECUTE (1ULL << 0)
#define CORDON_LL_FS_WRITE_FILE (1ULL << 1)
#define CORDON_LL_FS_READ_FILE (1ULL << 2)
#define CORDON_LL_FS_READ_DIR (1ULL << 3)
#define CORDON_LL_FS_REMOVE_DIR (1ULL << 4)
#define CORDON_LL_FS_REMOVE_FILE (1ULL << 5)
#define CORDON_LL_FS_MAKE_CHAR (1ULL << 6)
#define CORDON_LL_FS_MAKE_DIR (1ULL << 7)
#define CORDON_LL_FS_MAKE_REG (1ULL << 8)
#define CORDON_LL_FS_MAKE_SOCK (1ULL << 9)
#define CORDON_LL_FS_MAKE_FIFO (1ULL << 10)
#define CORDON_LL_FS_MAKE_BLOCK (1ULL << 11)
#define CORDON_LL_FS_MAKE_SYM (1ULL << 12)
#define CORDON_LL_FS_REFER (1ULL << 13)     /* ABI 2 */
#define CORDON_LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define CORDON_LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define CORDON_LL_NET_BIND_TCP (1ULL << 0)  /* ABI 4 */
#define CORDON_LL_NET_CONNECT_TCP (1ULL << 1)
#define CORDON_LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define CORDON_LL_SCOPE_SIGNAL (1ULL << 1)
#define CORDON_LL_CREATE_RULESET_VERSION (1U << 0)
#define CORDON_LL_RULE_PATH_BENEATH 1

struct cordon_landlock_ruleset_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net;
	__u64 scoped;
};

struct cordon_landlock_path_beneath_attr {
	__u64 allowed_access;
	__s32 parent_fd;
} __attribute__((packed));

/* attr_size lets an older kernel accept a prefix of the structure (per ABI). */
static inline int cordon_sys_landlock_create_ruleset(const struct cordon_landlock_ruleset_attr *a,
                                                     size_t size, unsigned flags)
{
	return (int)syscall(__NR_landlock_create_ruleset, a, size, flags);
}
static inline int cordon_sys_landlock_add_rule(int ruleset, int type, const void *attr)
{
	return (int)syscall(__NR_landlock_add_rule, ruleset, type, attr, 0);
}
static inline int cordon_sys_landlock_restrict_self(int ruleset)
{
	return (int)syscall(__NR_landlock_restrict_self, ruleset, 0);
}

/* ---- seccomp (detection only; seccomp.c uses libseccomp) ------------------------------- */
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif

static inline int cordon_sys_seccomp(unsigned op, unsigned flags, void *args)
{
	return (int)syscall(__NR_seccomp, op, flags, args);
}

#endif
