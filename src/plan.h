/* The plan: a policy turned into typed operations (bubblewrap's SetupOp list), validated
 * before anything runs, applied in the child, printed by `cordon explain`, and checked by unit
 * tests without privileges. Built by plan.c; applied by mount.c, landlock.c, limits.c and
 * seccomp.c. */
#ifndef CORDON_PLAN_H
#define CORDON_PLAN_H

#include "host.h"
#include "policy.h"

enum cordon_op_kind {
	CORDON_OP_READONLY_ROOT,  /* everything starts read-only (recursive mount_setattr on /) */
	CORDON_OP_BIND_RW,        /* path: a writable root, bound read-write onto itself */
	CORDON_OP_PROTECT,        /* path exists: bound read-only over itself (file, dir, link) */
	CORDON_OP_PROTECT_ABSENT, /* path does not exist: its creation is refused (parent+name) */
	CORDON_OP_HIDE, /* path: a dir gets an empty read-only tmpfs, a file an empty file */
	CORDON_OP_TMP,  /* /tmp: a private tmpfs, or source (the session's directory) */
	CORDON_OP_SHM,  /* /dev/shm: likewise */
	CORDON_OP_DEV,  /* a minimal /dev: null zero full random urandom tty ptmx pts */
	CORDON_OP_PROC, /* a fresh /proc for the new PID namespace */
};

struct cordon_op {
	enum cordon_op_kind kind;
	char *path;      /* absolute, in the sandbox's view */
	char *source;    /* BIND sources, session directories; else NULL */
	char *gitdir_of; /* PROTECT of a `gitdir:` target: the .git file that named it */
	char *why;       /* PROTECT from gitscan.c: why git needs it */
	bool is_dir;     /* PROTECT / HIDE: the path is a directory */
	bool is_link;    /* PROTECT: a symlink on the way to a protected path, bound over itself */
};

/* How a rule is enforced on this host, for explain and for the refuse-or-degrade decision. */
enum cordon_enforcement {
	CORDON_ENFORCED,     /* the kernel enforces it */
	CORDON_DEGRADED,     /* enforced, but by a weaker mechanism (e.g. rlimit for memory) */
	CORDON_NOT_ENFORCED, /* not enforced here; why says why and how to fix it */
};

struct cordon_rule {
	char *rule;      /* "writes only beneath /src/x and /tmp" */
	char *mechanism; /* "mount namespace: / read-only; Landlock ABI 7: write rights ..." */
	enum cordon_enforcement state;
	char *why;        /* when not fully enforced */
	bool required;    /* missing => refuse unless best-effort */
	const char *name; /* short, static: "files", "network", "memory", ... */
};

struct cordon_plan {
	const struct cordon_policy *policy;
	const struct cordon_host *host;
	struct cordon_op *ops;
	size_t n_ops;
	struct cordon_rule *rules;
	size_t n_rules;
	char *home;        /* $HOME of the caller, for explain */
	char *session_dir; /* NULL without --session: the host directory holding tmp/ shm/ */
	char *git_note;    /* what the scan for repositories read, or where it stopped */
	char *runtime_dir; /* cordon's own tree (sessions, servers), hidden from the sandbox;
	                    * the backend makes it first. NULL when /tmp's privacy hides it */

	/* What the child will do, decided once here. */
	bool use_userns, use_netns, use_landlock, use_seccomp;
	/* --network on through a private namespace that pasta connects (netns.c); false when on
	 * falls back to the host's namespace (no pasta, --best-effort) and when off. */
	bool net_helper;
	unsigned clone_flags; /* CLONE_NEW* */
};

/* Build the plan. Fails (-ENOTSUP, one line: cause and fix) when a required rule is not
 * enforceable and the policy is not best-effort. */
CORDON_HIDDEN int cordon_plan_build(const struct cordon_policy *p, const struct cordon_host *h,
                                    struct cordon_plan **out, cordon_error *err);
CORDON_HIDDEN void cordon_plan_free(struct cordon_plan *plan);
/* The human-readable plan, as `cordon explain` prints it. */
CORDON_HIDDEN int cordon_plan_print(const struct cordon_plan *plan, FILE *out);

/* Everything that decides what a sandbox built from this plan is, as bytes (malloc'd, *len
 * long): the policy, the host's answers, the operations, and the file each path names now
 * (device and inode, or absent), the cordon binary and the mount namespace. Two plans with
 * equal fingerprints build the same sandbox; a prepared sandbox (warm.c) serves a run only
 * when they are equal. 0 or -ENOMEM. */
CORDON_HIDDEN int cordon_plan_fingerprint(const struct cordon_plan *plan, char **out, size_t *len);

/* Added by the policy work; used inside plan.c / plan_rules.c. */
/* Append the rules (one per policy rule) with their enforcement on plan->host. */
CORDON_HIDDEN int cordon_plan_rules(struct cordon_plan *plan, cordon_error *err);
/* -ENOTSUP naming cause and fix when a required rule is not fully enforced and the policy is
 * not best-effort; else 0. */
CORDON_HIDDEN int cordon_plan_refuse(const struct cordon_plan *plan, cordon_error *err);
/* Every required rule not enforced here, "name: why" joined by "; " into buf (truncated to
 * len); how many there are. */
CORDON_HIDDEN int cordon_plan_refusal(const struct cordon_plan *plan, char *buf, size_t len);
/* `cordon explain`: build the plan for host h and print it whole even when run would refuse
 * (then the refusal follows the rules). 0 when run would run, -ENOTSUP when it would refuse
 * (err says why), other negative errors when no plan could be built. */
CORDON_HIDDEN int cordon_plan_explain(const struct cordon_policy *p, const struct cordon_host *h,
                                      FILE *out, cordon_error *err);
/* Remove every op (when no mount namespace can be made, none can be applied). */
CORDON_HIDDEN void cordon_plan_drop_ops(struct cordon_plan *plan);
/* How many ops of a kind the plan holds. */
CORDON_HIDDEN size_t cordon_plan_count(const struct cordon_plan *plan, enum cordon_op_kind kind);

#endif
