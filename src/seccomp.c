/* The seccomp filter every process of the sandbox inherits (see cordon_seccomp.h).
 *
 * The filter is built with libseccomp in the parent, exported to classic BPF there, and the
 * child only hands that program to seccomp(2): no libseccomp work (nor its allocations) in the
 * child. Decisions, each with its reason:
 *  - Default ALLOW with a deny list: the sandbox's walls are namespaces, mounts and Landlock;
 *    this filter removes kernel surface that could undo them or reach the host.
 *  - Refusals are errno (EPERM), never kill, so programs degrade gracefully.
 *  - Only the native x86_64 ABI is allowed. Any other audit arch (i386 through `int 0x80`) kills
 *    the process: returning ENOSYS to a 32-bit program would leave even its exit_group failing,
 *    and a 64-bit program using `int 0x80` is trying to go around the filter. libseccomp's
 *    x86_64 filter also sends x32 numbers (bit 0x40000000) to the bad-arch action.
 *  - Arguments that are `int` in the kernel (ioctl request, socket domain, personality) are
 *    compared so that high bits cannot smuggle a value past: masked to 32 bits where we refuse a
 *    value, and compared on all 64 bits where we allow one (high bits set => refused).
 *  - seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER) is refused: between two USER_NOTIF filters the
 *    kernel asks the newest, so a nested filter with its own listener could CONTINUE a connect
 *    our supervisor never saw. Nested filters without a listener only restrict further.
 *  - prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) is allowed: it can only restrict the caller.
 *  - ptrace is allowed: the PID namespace hides everything outside, and debuggers must work. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "seccomp_int.h"

struct cordon_seccomp {
	const struct sock_filter *prog; /* the build-time program (seccomp_gen.c), or owned */
	struct sock_filter *owned;      /* what libseccomp built here, or NULL */
	unsigned short len;
	bool notify; /* the filter has USER_NOTIF rules: load it with a listener */
};

/* Kernel surface the sandbox has no business with. */
static const char *const refused_eperm[] = {
        /* The user keyring is shared with the host session. */
        "keyctl",
        "add_key",
        "request_key",
        /* Kernel attack surface, nothing a build needs. */
        "bpf",
        "perf_event_open",
        "userfaultfd",
        "lookup_dcookie",
        "uselib",
        "init_module",
        "finit_module",
        "delete_module",
        "kexec_load",
        "kexec_file_load",
        /* Opens any inode by handle, bypassing the mount view. */
        "open_by_handle_at",
        /* io_uring performs syscalls' work without passing through this filter. */
        "io_uring_setup",
        "io_uring_enter",
        "io_uring_register",
        /* Joining other namespaces, and the mount API (caps are dropped and Landlock refuses
	 * mounts too: this is depth). */
        "setns",
        "mount",
        "umount2",
        "pivot_root",
        "move_mount",
        "open_tree",
        "fsopen",
        "fsconfig",
        "fsmount",
        "fspick",
        "open_tree_attr",
        "mount_setattr",
        /* Host administration. */
        "acct",
        "swapon",
        "swapoff",
        "reboot",
        "syslog",
        "quotactl",
        "quotactl_fd",
        "vhangup",
        "iopl",
        "ioperm",
};

/* Syscalls notified when the plan has a writable root or protects a name that does not exist
 * yet: every way to give a directory entry a name (a protected name is refused at any depth of
 * a writable root: notify_fs.c). open/openat are added with an O_CREAT condition; bind makes a
 * pathname UNIX socket's inode. */
static const char *const creating[] = {
        "mkdir",     "mkdirat", "mknod",    "mknodat",   "link",  "linkat", "symlink",
        "symlinkat", "rename",  "renameat", "renameat2", "creat", "bind",
};

/* Syscalls newer than the libseccomp this may be built with, by their x86_64 number. */
static const struct {
	const char *name;
	int nr;
} newer_syscalls[] = {
        {"open_tree_attr", 467}, /* Linux 6.15: open_tree with mount attributes */
};

/* Add one rule; a syscall this libseccomp does not know is skipped (an old libseccomp on a
 * new kernel), anything else is an error. */
static int rule_add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
                    const struct scmp_arg_cmp *cmp, cordon_error *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	for (size_t i = 0; nr == __NR_SCMP_ERROR && i < ARRAY_SIZE(newer_syscalls); i++)
		if (!strcmp(name, newer_syscalls[i].name))
			nr = newer_syscalls[i].nr;
	if (nr == __NR_SCMP_ERROR)
		return 0;
	int r = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (r < 0)
		return cordon_err(err, r, "seccomp: cannot add the rule for %s: %s", name,
		                  strerror(-r));
	return 0;
}

static int add_list(scmp_filter_ctx ctx, uint32_t action, const char *const *names, size_t n,
                    cordon_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int r = rule_add(ctx, action, names[i], 0, NULL, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Nested user namespaces could rebuild a mount view without our read-only binds. clone's
 * flags are read as their low 32 bits by the kernel; CLONE_NEWUSER lives there, and a masked
 * test of that one bit is immune to whatever the high bits hold. clone3 keeps its flags in
 * memory seccomp cannot read: ENOSYS makes libc fall back to clone. */
static int add_namespace_rules(scmp_filter_ctx ctx, cordon_error *err)
{
	struct scmp_arg_cmp newuser = SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
	int r = rule_add(ctx, SCMP_ACT_ERRNO(EPERM), "unshare", 1, &newuser, err);
	if (r == 0)
		r = rule_add(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &newuser, err);
	if (r == 0)
		r = rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err);
	return r;
}

/* personality(2) takes an unsigned int. Allowed: PER_LINUX (0) and the 0xffffffff query.
 * Refused: READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE and every other persona or flag, and any value
 * with high bits set. libseccomp takes one comparison per argument in a rule, so "neither 0 nor
 * all ones" is written as: some bit i is set while bit i+1 (cyclically) is clear -- true of
 * every 32-bit value except those two. */
static int add_personality_rule(scmp_filter_ctx ctx, cordon_error *err)
{
	struct scmp_arg_cmp high = SCMP_A0_64(SCMP_CMP_GT, 0xffffffffu, 0);
	int r = rule_add(ctx, SCMP_ACT_ERRNO(EPERM), "personality", 1, &high, err);
	for (unsigned i = 0; r == 0 && i < 32; i++) {
		uint64_t bit = 1ull << i, next = 1ull << ((i + 1) % 32);
		struct scmp_arg_cmp mixed = SCMP_A0_64(SCMP_CMP_MASKED_EQ, bit | next, bit);
		r = rule_add(ctx, SCMP_ACT_ERRNO(EPERM), "personality", 1, &mixed, err);
	}
	return r;
}

/* TIOCSTI pushes input into a terminal; TIOCLINUX can too (selection paste). The request is an
 * unsigned int in the kernel: compare only its low 32 bits. */
static int add_ioctl_rules(scmp_filter_ctx ctx, cordon_error *err)
{
	static const unsigned long requests[] = {TIOCSTI, TIOCLINUX};
	for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
		struct scmp_arg_cmp cmp = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, requests[i]);
		int r = rule_add(ctx, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &cmp, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_seccomp_rule(scmp_filter_ctx ctx, cordon_error *err)
{
	struct scmp_arg_cmp cmp = SCMP_A1_64(SCMP_CMP_MASKED_EQ, SECCOMP_FILTER_FLAG_NEW_LISTENER,
	                                     SECCOMP_FILTER_FLAG_NEW_LISTENER);
	return rule_add(ctx, SCMP_ACT_ERRNO(EPERM), "seccomp", 1, &cmp, err);
}

/* Network off: only AF_UNIX sockets may be created (no inet, raw, packet, vsock, netlink).
 * The domain is an int: compared on 64 bits, high bits set means refused. */
static int add_network_off_rules(scmp_filter_ctx ctx, cordon_error *err)
{
	struct scmp_arg_cmp cmp = SCMP_A0_64(SCMP_CMP_NE, AF_UNIX, 0);
	int r = rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), "socket", 1, &cmp, err);
	if (r == 0)
		r = rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), "socketpair", 1, &cmp, err);
	return r;
}

/* connect(), sendto() with an address, and every sendmsg()/sendmmsg() go to the supervisor:
 * a pathname UNIX socket outside the writable roots must stay unreachable, which no other
 * kernel mechanism on this host can say. sendto without an address (a NULL register) never
 * reaches it; sendmsg's address is in memory the filter cannot read, so all of them do. */
static int add_connect_notify(scmp_filter_ctx ctx, cordon_error *err)
{
	static const char *const always[] = {"connect", "sendmsg", "sendmmsg"};
	struct scmp_arg_cmp has_addr = SCMP_A4_64(SCMP_CMP_NE, 0, 0);
	int r = add_list(ctx, SCMP_ACT_NOTIFY, always, ARRAY_SIZE(always), err);
	if (r == 0)
		r = rule_add(ctx, SCMP_ACT_NOTIFY, "sendto", 1, &has_addr, err);
	return r;
}

/* Creation and renaming of names, for the plan's writable roots (no protected name at any
 * depth) and its PROTECT_ABSENT, PROTECT and HIDE ops (no directory on the way renamed away).
 * O_CREAT is tested with a mask so opens without it never reach the supervisor; openat2 keeps
 * its flags in memory: ENOSYS, and libc falls back to openat. */
static int add_create_notify(scmp_filter_ctx ctx, cordon_error *err)
{
	struct scmp_arg_cmp open_creat = SCMP_A1_64(SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT);
	struct scmp_arg_cmp openat_creat = SCMP_A2_64(SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT);
	int r = add_list(ctx, SCMP_ACT_NOTIFY, creating, ARRAY_SIZE(creating), err);
	if (r == 0)
		r = rule_add(ctx, SCMP_ACT_NOTIFY, "open", 1, &open_creat, err);
	if (r == 0)
		r = rule_add(ctx, SCMP_ACT_NOTIFY, "openat", 1, &openat_creat, err);
	if (r == 0)
		r = rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2", 0, NULL, err);
	return r;
}

static bool plan_has_op(const struct cordon_plan *plan, enum cordon_op_kind kind)
{
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].kind == kind)
			return true;
	return false;
}

static int add_rules(scmp_filter_ctx ctx, const struct cordon_seccomp_variant *v, cordon_error *err)
{
	int r = add_list(ctx, SCMP_ACT_ERRNO(EPERM), refused_eperm, ARRAY_SIZE(refused_eperm), err);
	if (r == 0)
		r = add_namespace_rules(ctx, err);
	if (r == 0)
		r = add_personality_rule(ctx, err);
	if (r == 0)
		r = add_ioctl_rules(ctx, err);
	if (r == 0)
		r = add_seccomp_rule(ctx, err);
	if (r == 0 && v->network_off)
		r = add_network_off_rules(ctx, err);
	if (r == 0 && v->notify)
		r = add_connect_notify(ctx, err);
	if (r == 0 && v->notify && v->create_notify)
		r = add_create_notify(ctx, err);
	return r;
}

/* libseccomp writes the program to a file descriptor; read it back into memory. */
static int export_program(scmp_filter_ctx ctx, struct cordon_seccomp *sc, cordon_error *err)
{
	cleanup_close int fd = memfd_create("cordon-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return cordon_err(err, -errno, "seccomp: memfd_create: %s", strerror(errno));
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return cordon_err(err, r, "seccomp: cannot export the filter: %s", strerror(-r));
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return cordon_err(err, -EINVAL, "seccomp: exported filter has a bad size");
	sc->owned = malloc((size_t)size);
	if (!sc->owned)
		return cordon_err(err, -ENOMEM, "out of memory");
	if (pread(fd, sc->owned, (size_t)size, 0) != size)
		return cordon_err(err, -EIO, "seccomp: cannot read the exported filter back");
	sc->prog = sc->owned;
	sc->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* The kernel has user notification (host detection); without a host (unit tests), assume so. */
struct cordon_seccomp_variant cordon_seccomp_variant_of(const struct cordon_plan *plan)
{
	struct cordon_seccomp_variant v = {
	        .network_off = plan->policy && plan->policy->network == CORDON_NETWORK_OFF,
	        .notify = !plan->host || plan->host->seccomp_notify,
	};
	/* Renames too: a directory on the way to a protected or hidden path, renamed away and made
	 * anew, would take the path's name with it (notify.c, add_protected); and a protected name
	 * is refused at any depth of a writable root. */
	v.create_notify = v.notify && (plan_has_op(plan, CORDON_OP_PROTECT_ABSENT) ||
	                               plan_has_op(plan, CORDON_OP_BIND_RW) ||
	                               plan_has_op(plan, CORDON_OP_PROTECT) ||
	                               plan_has_op(plan, CORDON_OP_HIDE));
	return v;
}

static int seccomp_generate_into(struct cordon_seccomp_variant v, struct cordon_seccomp *sc,
                                 cordon_error *err)
{
	/* libseccomp shapes the program by the API level it detects on the running kernel (which
	 * actions and flags exist). cordon never lets it load anything: the program is exported,
	 * and what the kernel offers is decided by host detection. So the level is pinned, and the
	 * program is the same on the build machine (seccomp_gen.c) and on any host. Notified
	 * rules need level 6; a libseccomp that cannot pin it leaves them out (explain says). */
	if (seccomp_api_set(6) < 0) {
		(void)seccomp_api_set(3);
		v.notify = v.create_notify = false;
	}
	__attribute__((cleanup(ctx_releasep))) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return cordon_err(err, -ENOMEM, "seccomp: cannot create a filter context");
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		return cordon_err(err, r, "seccomp: cannot set the bad-arch action: %s",
		                  strerror(-r));
	/* A binary tree of syscall numbers: fewer instructions per syscall. Optional. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	sc->notify = v.notify;
	r = add_rules(ctx, &v, err);
	return r < 0 ? r : export_program(ctx, sc, err);
}

int cordon_seccomp_generate(struct cordon_seccomp_variant v, struct cordon_seccomp **out,
                            cordon_error *err)
{
	*out = NULL;
	cleanup_free struct cordon_seccomp *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return cordon_err(err, -ENOMEM, "out of memory");
	int r = seccomp_generate_into(v, sc, err);
	if (r < 0) {
		free(sc->owned);
		return r;
	}
	*out = steal_ptr(&sc);
	return 0;
}

/* The filter is a function of three facts (cordon_seccomp_variant), so every variant was
 * generated at build time with this same code and library (seccomp_gen.c) and is used as it
 * is; libseccomp, which takes most of a millisecond of CPU, builds only a variant that the
 * build could not. */
int cordon_seccomp_build(const struct cordon_plan *plan, struct cordon_seccomp **out,
                         cordon_error *err)
{
	struct cordon_seccomp_variant v = cordon_seccomp_variant_of(plan);
	const struct cordon_seccomp_prebuilt *pb = cordon_seccomp_prebuilt_find(v);
	if (!pb)
		return cordon_seccomp_generate(v, out, err);
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return cordon_err(err, -ENOMEM, "out of memory");
	**out = (struct cordon_seccomp){.prog = pb->prog, .len = pb->len, .notify = v.notify};
	return 0;
}

/* Runs in the child: only prctl and seccomp, nothing that allocates. */
int cordon_seccomp_load(struct cordon_seccomp *sc, int *listener, cordon_error *err)
{
	*listener = -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cordon_err(err, -errno, "seccomp: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	/* The kernel only reads the program (a build-time one is const). */
	struct sock_fprog prog = {.len = sc->len, .filter = (struct sock_filter *)sc->prog};
	unsigned long flags = 0;
	if (sc->notify)
		/* Once the supervisor holds a request, only a fatal signal interrupts the caller:
		 * the supervisor performs the operation itself, and a restarted syscall would do it
		 * twice. Older kernels lack the flag; retry without it. */
		flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
		flags &= ~(unsigned long)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	}
	if (r < 0)
		return cordon_err(err, -errno, "seccomp: cannot load the filter: %s",
		                  strerror(errno));
	if (sc->notify)
		*listener = (int)r;
	return 0;
}

unsigned short cordon_seccomp_program(const struct cordon_seccomp *sc,
                                      const struct sock_filter **prog)
{
	*prog = sc->prog;
	return sc->len;
}

bool cordon_seccomp_notifies(const struct cordon_seccomp *sc)
{
	return sc->notify;
}

void cordon_seccomp_free(struct cordon_seccomp *sc)
{
	if (!sc)
		return;
	free(sc->owned);
	free(sc);
}
