/* Landlock rules for the sandbox, downgraded per ABI the way the kernel's sample sandboxer
 * does: handle every right this kernel knows, grant back what the policy allows. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "landlock.h"
#include "sys.h"

#define LL_READ (CORDON_LL_FS_EXECUTE | CORDON_LL_FS_READ_FILE | CORDON_LL_FS_READ_DIR)
/* Rights that make sense on a file (a rule on a file may carry no directory right). */
#define LL_FILE                                                                    \
	(CORDON_LL_FS_EXECUTE | CORDON_LL_FS_WRITE_FILE | CORDON_LL_FS_READ_FILE | \
	 CORDON_LL_FS_TRUNCATE | CORDON_LL_FS_IOCTL_DEV)

/* Device nodes a command may open for writing, and where its ptys live. */
static const char *const landlock_dev_paths[] = {
        "/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/pts",
};

uint64_t cordon_landlock_fs_rights(int abi)
{
	if (abi <= 0)
		return 0;
	uint64_t r = (CORDON_LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0..12 */
	if (abi >= 2)
		r |= CORDON_LL_FS_REFER;
	if (abi >= 3)
		r |= CORDON_LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= CORDON_LL_FS_IOCTL_DEV;
	return r;
}

/* Grant rights beneath path. A path that does not exist in the sandbox is skipped. */
static int landlock_allow(int ruleset, const char *path, uint64_t rights, cordon_error *err)
{
	/* Nearly every path is a directory: asking for one saves a stat per rule. */
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOTDIR) {
		fd = open(path, O_PATH | O_CLOEXEC);
		rights &= LL_FILE;
	}
	if (fd < 0)
		return errno == ENOENT ? 0
		                       : cordon_err(err, -errno, "landlock: cannot open %s: %s",
		                                    path, strerror(errno));
	struct cordon_landlock_path_beneath_attr pb = {.allowed_access = rights, .parent_fd = fd};
	int r = cordon_sys_landlock_add_rule(ruleset, CORDON_LL_RULE_PATH_BENEATH, &pb);
	int e = errno;
	close(fd);
	if (r < 0)
		return cordon_err(err, -e, "landlock: cannot add a rule for %s: %s", path,
		                  strerror(e));
	return 0;
}

/* The caller's stdin/stdout/stderr may be files or terminals outside every writable root;
 * the command may already use them through its descriptors, so reopening them (`> /dev/stderr`,
 * /proc/self/fd/1) gets the same access and no more: rights follow each descriptor's mode.
 * Pipes and sockets have no path and need no rule (the kernel says EBADFD). */
static int landlock_allow_stdio(int ruleset, uint64_t fs)
{
	for (int fd = 0; fd <= 2; fd++) {
		int fl = fcntl(fd, F_GETFL);
		struct stat st;
		if (fl < 0 || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode))
			continue;
		uint64_t rights = 0;
		if ((fl & O_ACCMODE) != O_WRONLY)
			rights |= CORDON_LL_FS_READ_FILE;
		if ((fl & O_ACCMODE) != O_RDONLY)
			rights |= CORDON_LL_FS_WRITE_FILE | CORDON_LL_FS_TRUNCATE;
		if (S_ISCHR(st.st_mode))
			rights |= CORDON_LL_FS_IOCTL_DEV;
		struct cordon_landlock_path_beneath_attr pb = {.allowed_access = rights & fs,
		                                               .parent_fd = fd};
		if (cordon_sys_landlock_add_rule(ruleset, CORDON_LL_RULE_PATH_BENEATH, &pb) < 0 &&
		    errno != EBADFD)
			return -errno;
	}
	return 0;
}

static bool landlock_is_writable_op(const struct cordon_op *op)
{
	return op->kind == CORDON_OP_BIND_RW || op->kind == CORDON_OP_TMP ||
	       op->kind == CORDON_OP_SHM;
}

/* Without a mount namespace (--best-effort on a host without user namespaces) the plan has no
 * mount ops, and Landlock is the only fence left: take the writable roots from the policy, plus
 * the host's /tmp and /dev/shm, which the command then shares with the host. */
static int landlock_allow_policy_roots(const struct cordon_plan *plan, int ruleset, uint64_t fs,
                                       cordon_error *err)
{
	static const char *const shared[] = {"/tmp", "/dev/shm"};
	const char *root;
	int r = 0;
	for (size_t i = 0; r == 0 && (root = cordon_policy_root(plan->policy, i)); i++)
		r = landlock_allow(ruleset, root, fs, err);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(shared); i++)
		r = landlock_allow(ruleset, shared[i], fs, err);
	return r;
}

static int landlock_rules(const struct cordon_plan *plan, int ruleset, uint64_t fs,
                          cordon_error *err)
{
	/* The profile decides, not the ops: a degraded plan has no ops but still fences writes.
	 * Full access: Landlock only scopes, it does not fence writes. */
	bool fence = !plan->policy || plan->policy->profile != CORDON_PROFILE_FULL_ACCESS;
	bool has_ops = false;
	int r = landlock_allow(ruleset, "/", fence ? fs & LL_READ : fs, err);
	for (size_t i = 0; r == 0 && i < plan->n_ops; i++) {
		has_ops |= plan->ops[i].kind == CORDON_OP_READONLY_ROOT;
		if (landlock_is_writable_op(&plan->ops[i]))
			r = landlock_allow(ruleset, plan->ops[i].path, fs, err);
	}
	if (r == 0 && fence && !has_ops && plan->policy)
		r = landlock_allow_policy_roots(plan, ruleset, fs, err);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(landlock_dev_paths); i++)
		r = landlock_allow(ruleset, landlock_dev_paths[i], fs, err);
	if (r == 0 && (r = landlock_allow_stdio(ruleset, fs)) < 0)
		r = cordon_err(err, r, "landlock: cannot add a rule for stdio: %s", strerror(-r));
	return r;
}

int cordon_landlock_ruleset(const struct cordon_plan *plan, int abi, cordon_error *err)
{
	struct cordon_landlock_ruleset_attr attr = {.handled_access_fs =
	                                                    cordon_landlock_fs_rights(abi)};
	if (abi >= 4 && plan->policy && plan->policy->network == CORDON_NETWORK_OFF)
		attr.handled_access_net = CORDON_LL_NET_BIND_TCP | CORDON_LL_NET_CONNECT_TCP;
	if (abi >= 6)
		attr.scoped = CORDON_LL_SCOPE_ABSTRACT_UNIX_SOCKET | CORDON_LL_SCOPE_SIGNAL;
	int ruleset = cordon_sys_landlock_create_ruleset(&attr, sizeof(attr), 0);
	if (ruleset < 0)
		return cordon_err(err, -errno, "landlock: cannot create a ruleset (ABI %d): %s",
		                  abi, strerror(errno));
	int r = landlock_rules(plan, ruleset, attr.handled_access_fs, err);
	if (r < 0) {
		close(ruleset);
		return r;
	}
	return ruleset;
}

int cordon_landlock_apply(const struct cordon_plan *plan, int abi, int *ruleset_out,
                          cordon_error *err)
{
	*ruleset_out = -1;
	int ruleset = cordon_landlock_ruleset(plan, abi, err);
	if (ruleset < 0)
		return ruleset;
	if (cordon_sys_landlock_restrict_self(ruleset) < 0) {
		int e = errno;
		close(ruleset);
		return cordon_err(err, -e, "landlock: cannot restrict the sandbox: %s",
		                  strerror(e));
	}
	*ruleset_out = ruleset;
	return 0;
}
