/* The rules of a plan: one per policy rule, each with the kernel mechanism that enforces it on
 * this host (from struct cordon_host) and its state. A required rule that is not fully
 * enforced refuses the run unless the policy is best-effort: never silently weaker. */
#define _GNU_SOURCE
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envfilter.h"
#include "limit.h"
#include "keepfd.h"
#include "plan.h"

enum need {
	NEED_NS = 1u << 0,    /* user (or, as root, plain) namespaces */
	NEED_MOUNT = 1u << 1, /* a mount namespace built with the new mount API */
	NEED_SECCOMP = 1u << 2,
	NEED_NOTIFY = 1u << 3, /* seccomp user notification */
};

#define WHY_LEN 640

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, f);
	int n = vasprintf(&s, f, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static bool has_ns(const struct cordon_host *h)
{
	return h->userns || h->is_root;
}

static bool kernel_at_least(const struct cordon_host *h, unsigned major, unsigned minor)
{
	unsigned a = 0, b = 0;
	if (sscanf(h->kernel, "%u.%u", &a, &b) < 2)
		return false;
	return a > major || (a == major && b >= minor);
}

/* The first mechanism in needs this host lacks, as one line naming cause and fix. */
static bool missing(const struct cordon_host *h, unsigned needs, char *why)
{
	if ((needs & (NEED_NS | NEED_MOUNT)) && !has_ns(h)) {
		snprintf(why, WHY_LEN, "%s",
		         h->userns_why[0] ? h->userns_why
		                          : "unprivileged user namespaces are not available here: "
		                            "enable them (sysctl "
		                            "kernel.unprivileged_userns_clone=1 or "
		                            "kernel.apparmor_restrict_unprivileged_userns=0)");
		return true;
	}
	if ((needs & NEED_MOUNT) && !h->mount_api) {
		snprintf(why, WHY_LEN,
		         "the mount API (open_tree, move_mount, mount_setattr) is missing on "
		         "Linux %s: it needs Linux 5.12 or later",
		         h->kernel);
		return true;
	}
	if ((needs & NEED_SECCOMP) && !h->seccomp_filter) {
		snprintf(why, WHY_LEN,
		         "seccomp filters are not available on Linux %s: use a kernel with "
		         "CONFIG_SECCOMP_FILTER",
		         h->kernel);
		return true;
	}
	if ((needs & NEED_NOTIFY) && !h->seccomp_notify) {
		snprintf(why, WHY_LEN,
		         "seccomp user notification (ADDFD, pidfd_getfd) is missing on "
		         "Linux %s: it needs Linux 5.9 or later",
		         h->kernel);
		return true;
	}
	return false;
}

/* Append a rule. Takes ownership of text and mech (NULL means out of memory); copies why. */
static int rule_add(struct cordon_plan *pl, const char *name, bool required,
                    enum cordon_enforcement state, const char *why, char *text, char *mech)
{
	struct cordon_rule *rules = realloc(pl->rules, (pl->n_rules + 1) * sizeof(*rules));
	if (!rules) {
		free(text);
		free(mech);
		return -ENOMEM;
	}
	pl->rules = rules;
	struct cordon_rule *r = &rules[pl->n_rules++];
	*r = (struct cordon_rule){.rule = text,
	                          .mechanism = mech,
	                          .state = state,
	                          .required = required,
	                          .name = name};
	r->why = why && state != CORDON_ENFORCED ? strdup(why) : NULL;
	if (!text || !mech || (why && state != CORDON_ENFORCED && !r->why))
		return -ENOMEM;
	return 0;
}

/* A rule that needs the mechanisms in needs and nothing else. */
static int rule_needs(struct cordon_plan *pl, const char *name, unsigned needs, char *text,
                      char *mech)
{
	char why[WHY_LEN];
	bool miss = missing(pl->host, needs, why);
	return rule_add(pl, name, true, miss ? CORDON_NOT_ENFORCED : CORDON_ENFORCED,
	                miss ? why : NULL, text, mech);
}

size_t cordon_plan_count(const struct cordon_plan *plan, enum cordon_op_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < plan->n_ops; i++)
		n += plan->ops[i].kind == kind;
	return n;
}

/* ", "-joined paths of the ops of one kind; malloc'd ("" when none). */
static char *join_ops(const struct cordon_plan *pl, enum cordon_op_kind kind, const char *tail)
{
	size_t len = strlen(tail) + 1;
	for (size_t i = 0; i < pl->n_ops; i++)
		if (pl->ops[i].kind == kind)
			len += strlen(pl->ops[i].path) + 2;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < pl->n_ops; i++) {
		if (pl->ops[i].kind != kind)
			continue;
		if (s[0])
			strcat(s, ", ");
		strcat(s, pl->ops[i].path);
	}
	if (s[0] && tail[0])
		strcat(s, ", ");
	strcat(s, tail);
	return s;
}

/* ---- what reaches outside the sandbox's mounts ------------------------------------------ */

/* A descriptor the command inherits from outside resolves to the caller's mounts, where the
 * read-only mount view does not apply: through it, and through /proc/self/fd/N/..., only
 * Landlock confines truncate(2) (from ABI 3). Which descriptors do that is a property of this
 * run: the kept ones, and stdin/stdout/stderr when they are directories or files opened
 * read-only (one opened for writing may be truncated anyway). Decided on the descriptors this
 * process holds: a run has them; a --warm server or explain, which has not, plans for none,
 * and every run builds its own plan (with its descriptors) before it is served. Appends " N"
 * to out for each. */
static void outside_fd(int fd, char *out, size_t len)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fstat(fd, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode) || (fl & O_PATH) ||
	    (S_ISREG(st.st_mode) && (fl & O_ACCMODE) == O_RDONLY))
		snprintf(out + strlen(out), len - strlen(out), " %d", fd);
}

static void plan_outside(const struct cordon_plan *pl, char *out, size_t len)
{
	out[0] = '\0';
	for (int fd = 0; fd <= 2; fd++)
		outside_fd(fd, out, len);
	for (size_t i = 0; i < pl->policy->n_keep_fds; i++)
		if (pl->policy->keep_fds[i] > 2)
			outside_fd(pl->policy->keep_fds[i], out, len);
}

/* ---- files ------------------------------------------------------------------------------ */

/* The mount view confines every path the command can name; Landlock adds what it cannot:
 * descriptors from outside (plan_outside). Where none is passed in, no Landlock (or an old
 * one) leaves nothing open, and the rule is enforced by the mount namespace alone. */
static enum cordon_enforcement files_landlock(const struct cordon_plan *pl, char *why)
{
	const struct cordon_host *h = pl->host;
	char trunc[128];
	plan_outside(pl, trunc, sizeof(trunc));
	if (h->landlock_abi >= 3 || !trunc[0])
		return CORDON_ENFORCED;
	if (h->landlock_abi > 0)
		snprintf(why, WHY_LEN,
		         "descriptors%s reach files outside the sandbox's mounts and Landlock "
		         "ABI %d on Linux %s cannot refuse truncate through them (needs ABI 3, "
		         "Linux 6.2); "
		         "fix: a newer kernel, or keep no directory or read-only file descriptor "
		         "(--keep-fd, stdin from a file)",
		         trunc, h->landlock_abi, h->kernel);
	else
		snprintf(
		        why, WHY_LEN,
		        "descriptors%s reach files outside the sandbox's mounts and without "
		        "Landlock (%s) nothing confines writes through them; fix: enable Landlock, "
		        "or keep no directory or read-only file descriptor",
		        trunc, h->landlock_why[0] ? h->landlock_why : "ABI 0");
	return CORDON_NOT_ENFORCED;
}

static int rule_files(struct cordon_plan *pl)
{
	const struct cordon_policy *p = pl->policy;
	const struct cordon_host *h = pl->host;
	if (p->profile == CORDON_PROFILE_FULL_ACCESS)
		return rule_add(pl, "files", false, CORDON_ENFORCED, NULL,
		                fmt("writes anywhere the caller may (profile full-access)"),
		                fmt("no file restriction requested"));
	cleanup_free char *roots = join_ops(pl, CORDON_OP_BIND_RW, "/tmp, /dev/shm");
	char *text = !roots ? NULL
	             : p->profile == CORDON_PROFILE_READ_ONLY
	                     ? fmt("read-only everywhere except the private /tmp and /dev/shm "
	                           "(profile read-only)")
	                     : fmt("writes only beneath %s", roots);
	char why[WHY_LEN];
	if (missing(h, NEED_NS | NEED_MOUNT, why))
		return rule_add(pl, "files", true, CORDON_NOT_ENFORCED, why, text,
		                fmt("mount namespace (/ read-only) unavailable"));
	enum cordon_enforcement st = files_landlock(pl, why);
	char *mech;
	if (h->landlock_abi >= 3)
		mech = fmt("mount namespace (/ read-only) + Landlock ABI %d", h->landlock_abi);
	else if (h->landlock_abi > 0)
		mech = fmt("mount namespace (/ read-only) + Landlock ABI %d (no truncate right: no "
		           "descriptor from outside is passed in, so the mount view covers it)",
		           h->landlock_abi);
	else
		mech = fmt(
		        "mount namespace (/ read-only; no descriptor from outside is passed in)");
	return rule_add(pl, "files", true, st, why, text, mech);
}

/* A protected or hidden path deeper than directly in a writable root: the directories on the
 * way are only kept from being renamed by the supervisor. */
static bool has_nested_path(const struct cordon_plan *pl)
{
	for (size_t i = 0; i < pl->n_ops; i++) {
		const struct cordon_op *op = &pl->ops[i];
		if (op->kind != CORDON_OP_PROTECT && op->kind != CORDON_OP_PROTECT_ABSENT &&
		    op->kind != CORDON_OP_HIDE)
			continue;
		const char *slash = strrchr(op->path, '/');
		for (size_t j = 0; slash && slash != op->path && j < pl->n_ops; j++) {
			const struct cordon_op *root = &pl->ops[j];
			size_t len = strlen(root->path);
			if (root->kind == CORDON_OP_BIND_RW &&
			    cordon_path_is_beneath(op->path, root->path) &&
			    (size_t)(slash - op->path) > len)
				return true;
		}
	}
	return false;
}

static int rule_protect(struct cordon_plan *pl)
{
	if (pl->policy->profile != CORDON_PROFILE_WORKSPACE_WRITE)
		return 0; /* nothing is writable, or nothing is restricted */
	size_t absent = cordon_plan_count(pl, CORDON_OP_PROTECT_ABSENT);
	bool nested = has_nested_path(pl);
	char *text =
	        fmt("read-only in every writable root: .git (and its gitdir), .cordon, .codex, "
	            ".agents%s, and what git runs or reads config from there (%zu existing, %zu "
	            "absent)",
	            pl->policy->protect.n ? ", each --protect path" : "",
	            cordon_plan_count(pl, CORDON_OP_PROTECT), absent);
	char *mech = fmt(
	        "read-only bind mounts, symlinks on the way bound over themselves (unlink/rename "
	        "of a mount point fails); creation of these names at any depth of a writable "
	        "root%s "
	        "refused by seccomp user notification%s%s",
	        absent ? ", and of the absent ones," : "",
	        nested ? "; renaming a directory on the way refused by the supervisor" : "",
	        absent ? "; one made from outside during the run bound read-only when the "
	                 "supervisor sees it (inotify)"
	               : "");
	return rule_needs(pl, "protected paths", NEED_MOUNT | NEED_NOTIFY, text, mech);
}

/* policy.c decided it (check_root_links); explain says which way. */
static int rule_root_links(struct cordon_plan *pl)
{
	const struct cordon_policy *p = pl->policy;
	if (p->profile != CORDON_PROFILE_WORKSPACE_WRITE)
		return 0;
	if (!p->follow_root_links || !p->root_link)
		return rule_add(pl, "root symlinks", false, CORDON_ENFORCED, NULL,
		                fmt("no writable root is reached through a symlink in a directory "
		                    "you can write (one a sandboxed command could have made)"),
		                fmt("checked before the run: each component looked up; "
		                    "--follow-root-symlinks allows them"));
	return rule_add(pl, "root symlinks", false, CORDON_NOT_ENFORCED, "--follow-root-symlinks",
	                fmt("a writable root is reached through the symlink %s, in a directory "
	                    "you can write",
	                    p->root_link),
	                fmt("followed as asked"));
}

static int rule_deny_read(struct cordon_plan *pl)
{
	/* cordon's own runtime tree is hidden too (plan.c), but is not one of the listed. */
	bool runtime = pl->runtime_dir != NULL;
	size_t n = cordon_plan_count(pl, CORDON_OP_HIDE) - (runtime ? 1 : 0);
	size_t listed = pl->policy->deny_read.n;
	if (n == 0 && !runtime)
		return rule_add(
		        pl, "deny-read", true, CORDON_ENFORCED, NULL,
		        fmt("nothing to hide: none of the %zu deny-read paths exists", listed),
		        fmt("none needed"));
	cleanup_free char *hidden = join_ops(pl, CORDON_OP_HIDE, "");
	char *text = hidden ? fmt("hidden: %s (%zu of %zu listed exist%s)", hidden, n, listed,
	                          runtime ? "; and cordon's own runtime tree" : "")
	                    : NULL;
	return rule_needs(pl, "deny-read", NEED_MOUNT, text,
	                  fmt("an empty read-only tmpfs or file mounted over each"));
}

/* ---- network ------------------------------------------------------------------------------ */

/* --network on: the network, but from a namespace of the sandbox's own (netns.c says why).
 * Without pasta (or without namespaces) it is refused, or with --best-effort it falls back to
 * sharing the host's namespace, and explain says what that leaves open. */
static int rule_network_on(struct cordon_plan *pl)
{
	char *text = fmt("the network is reachable from a private network namespace: its own "
	                 "loopback and abstract UNIX names; the host's loopback services and "
	                 "abstract sockets unreachable, no port forwarded in or out");
	if (pl->net_helper)
		return rule_add(pl, "network", true, CORDON_ENFORCED, NULL, text,
		                fmt("network namespace + pasta (%s) started by the supervisor: "
		                    "--config-net, no port forwarding (-t/-u/-T/-U none), "
		                    "--no-map-gw; ended with the run; a resolver on the host's "
		                    "loopback is reached through a UDP relay of the supervisor's",
		                    pl->host->net_helper));
	char why[WHY_LEN];
	if (!missing(pl->host, NEED_NS, why))
		snprintf(why, WHY_LEN,
		         "%s (without it the command shares the host's network namespace: its "
		         "loopback services, and abstract UNIX names it can bind for host clients)",
		         pl->host->net_helper_why);
	return rule_add(pl, "network", true, CORDON_NOT_ENFORCED, why, text,
	                fmt("none: the host's network namespace is shared"));
}

static int rule_network(struct cordon_plan *pl)
{
	if (pl->policy->network == CORDON_NETWORK_ON)
		return rule_network_on(pl);
	/* The run's own, with or without a session (session.h says why). */
	return rule_needs(pl, "network", NEED_NS | NEED_SECCOMP,
	                  fmt("no network: only a private loopback of this run's own; no raw, "
	                      "packet, vsock or host netlink"),
	                  fmt("network namespace + seccomp (non-UNIX socket families, "
	                      "io_uring and the 32-bit syscall entry refused; Landlock network "
	                      "rules, ABI 4, not needed)"));
}

static int rule_unix_sockets(struct cordon_plan *pl)
{
	const struct cordon_host *h = pl->host;
	if (pl->policy->network == CORDON_NETWORK_OFF)
		return rule_needs(
		        pl, "unix sockets", NEED_NS | NEED_SECCOMP | NEED_NOTIFY,
		        fmt("UNIX sockets outside the sandbox unreachable: pathname ones outside "
		            "the writable roots and /tmp, every abstract one"),
		        fmt("seccomp user notification on connect, sendto and sendmsg (the "
		            "supervisor resolves the path in the sandbox's root and performs the "
		            "call) + network namespace (abstract names are per network "
		            "namespace)"));
	/* The supervisor performs every notified connect/sendto/sendmsg and refuses abstract
	 * addresses when the sandbox shares the host's network namespace (notify_net.c): that
	 * holds on any kernel with user notification; Landlock's scope is depth on top. */
	char *text = fmt("abstract UNIX sockets outside the sandbox unreachable");
	if (pl->net_helper)
		return rule_add(pl, "unix sockets", true, CORDON_ENFORCED, NULL, text,
		                fmt("network namespace of its own (abstract names are per network "
		                    "namespace: the host's cannot be reached, nor one bound inside "
		                    "from the host)"));
	if (h->landlock_abi >= 6 && !h->seccomp_notify)
		return rule_add(
		        pl, "unix sockets", true, CORDON_ENFORCED, NULL, text,
		        fmt("Landlock ABI %d scope (abstract UNIX sockets)", h->landlock_abi));
	char *mech = h->landlock_abi >= 6
	                     ? fmt("seccomp user notification on connect, sendto and sendmsg "
	                           "(abstract addresses refused) + Landlock ABI %d scope",
	                           h->landlock_abi)
	                     : fmt("seccomp user notification on connect, sendto and sendmsg "
	                           "(abstract addresses refused; Landlock abstract-socket "
	                           "scoping, ABI 6, is not needed for it)");
	return rule_needs(pl, "unix sockets", NEED_SECCOMP | NEED_NOTIFY, text, mech);
}

/* ---- processes -------------------------------------------------------------------------- */

static int rule_processes(struct cordon_plan *pl)
{
	const struct cordon_host *h = pl->host;
	char *text = fmt("sees and signals only its own tree: no kill, ptrace, process_vm_readv, "
	                 "pidfd_getfd, prlimit or /proc of anything outside");
	char why[WHY_LEN];
	if (missing(h, NEED_NS | NEED_MOUNT, why))
		return rule_add(pl, "processes", true, CORDON_NOT_ENFORCED, why, text,
		                fmt("PID namespace unavailable"));
	if (h->landlock_abi >= 6)
		return rule_add(
		        pl, "processes", true, CORDON_ENFORCED, NULL, text,
		        fmt("PID namespace + fresh /proc + user namespace + Landlock ABI %d "
		            "signal scope",
		            h->landlock_abi));
	/* Outside the PID namespace nothing has a pid the command can name, and a pidfd passed
	 * in does not help: pidfd_send_signal refuses (EINVAL) a process outside the caller's PID
	 * namespace and its descendants. Landlock's signal scope (ABI 6) is depth on top. */
	return rule_add(pl, "processes", true, CORDON_ENFORCED, NULL, text,
	                fmt("PID namespace (kill and pidfd_send_signal, even through a kept pidfd, "
	                    "reach only its own tree) + fresh /proc + user namespace; Landlock "
	                    "signal scoping (ABI 6) not needed for it"));
}

static int rule_terminal(struct cordon_plan *pl)
{
	return rule_add(pl, "terminal", true, CORDON_ENFORCED, NULL,
	                fmt("the user's terminal is never the command's: when stdin, stdout or "
	                    "stderr is one, the command gets a pty of cordon's own (its size, "
	                    "mode and process groups are the pty's; the user's terminal is "
	                    "restored after the run); TIOCSTI and TIOCLINUX refused"),
	                fmt("pty opened by the supervisor and relayed + setsid before exec + "
	                    "seccomp"));
}

static int rule_ipc_uts(struct cordon_plan *pl)
{
	return rule_needs(pl, "ipc", NEED_NS,
	                  fmt("private System V IPC, POSIX message queues and hostname"),
	                  fmt("IPC and UTS namespaces"));
}

static int rule_tmp(struct cordon_plan *pl)
{
	if (pl->session_dir)
		return rule_needs(pl, "session", NEED_MOUNT,
		                  fmt("/tmp and /dev/shm shared only by runs of session %s",
		                      pl->policy->session),
		                  fmt("bind mounts of %s/tmp and %s/shm (0700)", pl->session_dir,
		                      pl->session_dir));
	return rule_needs(pl, "session", NEED_MOUNT,
	                  fmt("a private /tmp and /dev/shm, fresh for this run"),
	                  fmt("tmpfs mounts in the mount namespace"));
}

/* ---- limits ------------------------------------------------------------------------------ */

/* A limit asked for is a rule like any other: where only a weaker mechanism holds it (RLIMIT_AS
 * per process instead of a memory cgroup for the tree), the run is refused unless best-effort,
 * as a missing Landlock right is. */

static char *size_str(uint64_t v)
{
	static const char units[] = "KMGT";
	int u = -1;
	while (u < 3 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	return u < 0 ? fmt("%llu bytes", (unsigned long long)v)
	             : fmt("%llu%c", (unsigned long long)v, units[u]);
}

static int rule_timeout(struct cordon_plan *pl)
{
	uint64_t ms = pl->policy->limits.timeout_ms;
	char *text = fmt("the whole tree ends after %.10gs (exit 124)", (double)ms / 1000.0);
	if (has_ns(pl->host))
		return rule_add(pl, "timeout", false, CORDON_ENFORCED, NULL, text,
		                fmt("supervisor timer, then SIGKILL of the PID namespace's init"));
	return rule_add(
	        pl, "timeout", true, CORDON_DEGRADED,
	        "without a PID namespace, a descendant that leaves the process group survives",
	        text, fmt("supervisor timer, then SIGKILL of the process group"));
}

static int rule_memory(struct cordon_plan *pl)
{
	const struct cordon_host *h = pl->host;
	cleanup_free char *size = size_str(pl->policy->limits.memory);
	char *text = size ? fmt("memory at most %s", size) : NULL;
	if (h->cgroup == CORDON_CGROUP_V2)
		return rule_add(
		        pl, "memory", false, CORDON_ENFORCED, NULL, text,
		        fmt("cgroup v2 memory.max for the whole tree (under %s)", h->cgroup_dir));
	if (h->cgroup == CORDON_CGROUP_V1)
		return rule_add(pl, "memory", false, CORDON_ENFORCED, NULL, text,
		                fmt("cgroup v1 memory.limit_in_bytes for the whole tree (under %s)",
		                    h->cgroup_dir));
	char why[WHY_LEN];
	snprintf(why, WHY_LEN, "RLIMIT_AS only: %s",
	         h->cgroup_why[0] ? h->cgroup_why
	                          : "no delegated cgroup v2 subtree and not root on a cgroup v1 "
	                            "host; the limit is "
	                            "per process, not for the tree");
	return rule_add(pl, "memory", true, CORDON_DEGRADED, why, text,
	                fmt("RLIMIT_AS per process"));
}

static int rule_pids(struct cordon_plan *pl)
{
	const struct cordon_host *h = pl->host;
	char *text = fmt("at most %llu processes", (unsigned long long)pl->policy->limits.pids);
	if (h->cgroup == CORDON_CGROUP_V2 ||
	    (h->cgroup == CORDON_CGROUP_V1 && h->cgroup_pids_dir[0]))
		return rule_add(
		        pl, "pids", false, CORDON_ENFORCED, NULL, text,
		        fmt("cgroup %s pids.max", h->cgroup == CORDON_CGROUP_V2 ? "v2" : "v1"));
	/* Since 5.14 RLIMIT_NPROC is counted per user namespace (ucounts): a fork bomb in the
	 * fresh namespace cannot exhaust the user's processes elsewhere. */
	if (h->userns && kernel_at_least(h, 5, 14))
		return rule_add(pl, "pids", false, CORDON_ENFORCED, NULL, text,
		                fmt("RLIMIT_NPROC in the fresh user namespace (counted per user "
		                    "namespace)"));
	return rule_add(
	        pl, "pids", true, CORDON_DEGRADED,
	        "RLIMIT_NPROC counts every process of the uid here (no cgroup, no per-namespace "
	        "count before Linux 5.14)",
	        text, fmt("RLIMIT_NPROC"));
}

static int rule_rlimit(struct cordon_plan *pl, const char *name, uint64_t v, const char *what,
                       const char *rlimit)
{
	if (!v)
		return 0;
	cleanup_free char *size = strcmp(name, "file-size") == 0 ? size_str(v) : NULL;
	char *text = size ? fmt("%s at most %s", what, size)
	                  : fmt("%s at most %llu", what, (unsigned long long)v);
	return rule_add(pl, name, false, CORDON_ENFORCED, NULL, text, fmt("%s", rlimit));
}

/* The scratch trees: a fresh tmpfs each is bounded; a session's are host directories. */
static int rule_tmp_size(struct cordon_plan *pl)
{
	const struct cordon_limits *l = &pl->policy->limits;
	cleanup_free char *size = size_str(l->tmp_size);
	char *text = size ? fmt("/tmp and /dev/shm at most %s and %llu files each", size,
	                        (unsigned long long)l->tmp_inodes)
	                  : NULL;
	if (pl->session_dir)
		return rule_add(
		        pl, "tmp-size", false, CORDON_DEGRADED,
		        "a session's /tmp and /dev/shm are directories of the host: only "
		        "the file system holding them (and --file-size per file) bounds them",
		        text, fmt("none for a session (see Known limitations)"));
	return rule_add(pl, "tmp-size", false, CORDON_ENFORCED, NULL, text,
	                fmt("tmpfs size= and nr_inodes="));
}

/* Objects the kernel counts per user: bounded in the sandbox's own user namespace. */
static int rule_kernel_objects(struct cordon_plan *pl)
{
	const struct cordon_limits *l = &pl->policy->limits;
	char *text = fmt("per-user kernel objects: at most %llu inotify instances and %llu "
	                 "watches, %llu fanotify groups, %llu pending signals, %lluK of POSIX "
	                 "message queues, %lluM of locked memory",
	                 (unsigned long long)l->inotify, (unsigned long long)l->inotify_watches,
	                 CORDON_FANOTIFY_GROUPS, CORDON_SIGPENDING_MAX, CORDON_MSGQUEUE_MAX >> 10,
	                 CORDON_MEMLOCK_MAX >> 20);
	if (pl->clone_flags & CLONE_NEWUSER)
		return rule_add(pl, "kernel-objects", false, CORDON_ENFORCED, NULL, text,
		                fmt("/proc/sys/user maxima of the sandbox's user namespace + "
		                    "RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_MEMLOCK"));
	return rule_add(pl, "kernel-objects", false, CORDON_DEGRADED,
	                "no user namespace of its own: inotify and fanotify objects count against "
	                "the host user's maxima; only the rlimits hold",
	                text, fmt("RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_MEMLOCK"));
}

static int rule_limits(struct cordon_plan *pl)
{
	const struct cordon_limits *l = &pl->policy->limits;
	int r = rule_tmp_size(pl);
	if (r == 0)
		r = rule_kernel_objects(pl);
	if (r == 0 && l->timeout_ms)
		r = rule_timeout(pl);
	if (r == 0 && l->memory)
		r = rule_memory(pl);
	if (r == 0 && l->pids)
		r = rule_pids(pl);
	if (r == 0)
		r = rule_rlimit(pl, "cpu", l->cpu, "CPU seconds", "RLIMIT_CPU");
	if (r == 0)
		r = rule_rlimit(pl, "file-size", l->file_size, "file size", "RLIMIT_FSIZE");
	if (r == 0)
		r = rule_rlimit(pl, "open-files", l->open_files, "open descriptors",
		                "RLIMIT_NOFILE");
	return r;
}

/* ---- environment, privileges, descriptors ---------------------------------------------- */

static int rule_env(struct cordon_plan *pl)
{
	const struct cordon_strv *keep = &pl->policy->env_keep;
	size_t len = 1;
	for (size_t i = 0; i < keep->n; i++)
		len += strlen(keep->v[i]) + 1;
	cleanup_free char *kept = calloc(1, len);
	if (!kept)
		return -ENOMEM;
	for (size_t i = 0; i < keep->n; i++) {
		strcat(kept, i ? " " : "");
		strcat(kept, keep->v[i]);
	}
	return rule_add(pl, "environment", false, CORDON_ENFORCED, NULL,
	                fmt("variables named like secrets (%s, any case) dropped%s%s; "
	                    "CORDON_SANDBOX=1 set",
	                    CORDON_ENV_SECRET_PATTERN, keep->n ? " except " : "", kept),
	                fmt("environment filter before exec (PCRE2)"));
}

static int rule_privileges(struct cordon_plan *pl)
{
	return rule_add(
	        pl, "privileges", true, CORDON_ENFORCED, NULL,
	        fmt("setuid and file capabilities give no privilege; no capabilities outside "
	            "its namespaces"),
	        fmt("PR_SET_NO_NEW_PRIVS%s", pl->host->userns ? " + user namespace" : ""));
}

/* What each kept descriptor is (keepfd.h), as the run will find it: this process holds them
 * now. A refused one makes `run` exit 125 before anything starts. */
static int rule_kept_fds(struct cordon_plan *pl)
{
	const struct cordon_policy *p = pl->policy;
	int r = 0;
	for (size_t i = 0; r == 0 && i < p->n_keep_fds; i++) {
		struct cordon_fd_kind k;
		int fd = p->keep_fds[i];
		if (cordon_fd_describe(fd, false, pl, &k) < 0)
			r = rule_add(pl, "descriptors", true, CORDON_ENFORCED, NULL,
			             fmt("kept descriptor %d: not open here (run: exit 125)", fd),
			             fmt("checked before the sandbox is made"));
		else
			r = rule_add(pl, "descriptors", true, CORDON_ENFORCED, NULL,
			             fmt("kept descriptor %d: %s: %s%s", fd, k.what,
			                 k.ok ? "" : "refused, run exits 125: ", k.allows),
			             fmt("checked before the sandbox is made (fstat, fstatfs, "
			                 "getsockname)"));
	}
	return r;
}

static int rule_descriptors(struct cordon_plan *pl)
{
	int kept = rule_kept_fds(pl);
	if (kept < 0)
		return kept;
	const struct cordon_policy *p = pl->policy;
	char list[256] = "";
	for (size_t i = 0, o = 0; i < p->n_keep_fds && o < sizeof(list) - 16; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%d", i ? " " : "",
		                      p->keep_fds[i]);
	char *text = fmt("descriptors above 2 closed%s%s", p->n_keep_fds ? " except " : "", list);
	bool confined = pl->host->landlock_abi > 0;
	if (!p->n_keep_fds || p->profile == CORDON_PROFILE_FULL_ACCESS || confined)
		return rule_add(
		        pl, "descriptors", true, CORDON_ENFORCED, NULL, text,
		        fmt("close_range before exec%s",
		            p->n_keep_fds && confined ? "; kept ones confined by Landlock" : ""));
	return rule_add(
	        pl, "descriptors", true, CORDON_DEGRADED,
	        "without Landlock a kept file outside the writable roots can be reopened for "
	        "writing through /proc/self/fd (kept directories are refused either way)",
	        text, fmt("close_range before exec"));
}

/* ---- all rules, and the decision ------------------------------------------------------- */

int cordon_plan_rules(struct cordon_plan *pl, cordon_error *err)
{
	static int (*const rules[])(struct cordon_plan *) = {
	        rule_files,        rule_protect,   rule_root_links, rule_deny_read,   rule_network,
	        rule_unix_sockets, rule_processes, rule_terminal,   rule_ipc_uts,     rule_tmp,
	        rule_limits,       rule_env,       rule_privileges, rule_descriptors,
	};
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		int r = rules[i](pl);
		if (r < 0)
			return cordon_err(err, r, "plan: out of memory");
	}
	return 0;
}

/* Every rule this host cannot enforce for this plan, with its fix, in one line. */
int cordon_plan_refusal(const struct cordon_plan *pl, char *buf, size_t len)
{
	size_t o = 0;
	int n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < pl->n_rules; i++) {
		const struct cordon_rule *r = &pl->rules[i];
		if (!r->required || r->state == CORDON_ENFORCED)
			continue;
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s: %s", n ? "; " : "", r->name,
			                      r->why ? r->why : "not enforceable on this host");
		n++;
	}
	return n;
}

int cordon_plan_refuse(const struct cordon_plan *pl, cordon_error *err)
{
	if (pl->policy->best_effort)
		return 0;
	/* Room for the advice at the end of the one line (cordon_error holds 512). */
	char all[440];
	if (cordon_plan_refusal(pl, all, sizeof(all)) == 0)
		return 0;
	if (strlen(all) == sizeof(all) - 1)
		memcpy(all + sizeof(all) - 4, "...", 4);
	return cordon_err(err, -ENOTSUP, "%s; or pass --best-effort to run without it", all);
}
