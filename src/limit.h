/* Resource limits: rlimits in the sandbox's init, and a cgroup (v2 delegated, or v1 memory +
 * pids as root) made by the supervisor for --memory and --pids. */
#ifndef CORDON_LIMIT_H
#define CORDON_LIMIT_H

#include "plan.h"

struct cordon_cgroup {
	char mem[320];  /* V2: the one group; V1: the memory group ("" when none) */
	char pids[320]; /* V1: the pids group */
	bool active;    /* created: --memory and --pids are enforced by it */
};

/* Create the group for this sandbox when the plan has --memory or --pids and the host has a
 * writable cgroup (explain then says the group enforces them), under a name no other run has;
 * groups leaked by killed runs are removed first. An error (the run is refused) when it
 * cannot be made: never a silent fall back to rlimits. cg->active false without a cgroup. */
CORDON_HIDDEN int cordon_cgroup_create(const struct cordon_plan *plan, struct cordon_cgroup *cg,
                                       cordon_error *err);
/* Move pid (the sandbox's init, before it forks the command) into the group. */
CORDON_HIDDEN int cordon_cgroup_attach(const struct cordon_cgroup *cg, pid_t pid,
                                       cordon_error *err);
/* Remove the group once the tree is gone. */
CORDON_HIDDEN void cordon_cgroup_destroy(struct cordon_cgroup *cg);

/* The rlimits of the command: --cpu, --file-size, --open-files always; --memory (RLIMIT_AS)
 * and --pids (RLIMIT_NPROC, per user namespace since 5.14) when no cgroup holds them; and the
 * per-user objects' bounds below. */
struct cordon_rlimits {
	int n;
	int resource[8];
	uint64_t value[8];
};

/* Fixed bounds of per-user kernel objects (lowered to, never raised above, the caller's hard
 * limits): pending signals, POSIX message queue bytes, locked memory, fanotify groups. */
#define CORDON_SIGPENDING_MAX 4096ull
#define CORDON_MSGQUEUE_MAX (256ull << 10)
#define CORDON_MEMLOCK_MAX (8ull << 20)
#define CORDON_FANOTIFY_GROUPS 16ull

/* In the init, with its capabilities in the sandbox's user namespace: that namespace's
 * maximum inotify instances and watches and fanotify groups and marks (/proc/sys/user).
 * 0, or an error naming the file. */
CORDON_HIDDEN int cordon_limits_ucounts(const struct cordon_plan *plan, cordon_error *err);

/* Work out and check the rlimits (in the init, which itself stays unlimited: a small --memory
 * or --open-files must not break its own setup). 0, or -EPERM naming the limit. */
CORDON_HIDDEN int cordon_limits_prepare(const struct cordon_plan *plan, bool cgroup_active,
                                        struct cordon_rlimits *out, cordon_error *err);
/* Set them on the calling process: the command, just before execve. Only syscalls. */
CORDON_HIDDEN void cordon_limits_set(const struct cordon_rlimits *rl);

#endif
