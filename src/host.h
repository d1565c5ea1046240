/* What this host's kernel offers, asked at run time (never #ifdef). Filled by host.c. */
#ifndef CORDON_HOST_H
#define CORDON_HOST_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

enum cordon_cgroup_kind {
	CORDON_CGROUP_NONE, /* no usable cgroup: limits fall back to rlimits */
	CORDON_CGROUP_V2,   /* a delegated (writable) cgroup v2 subtree */
	CORDON_CGROUP_V1,   /* writable v1 memory and pids hierarchies (root on v1/hybrid) */
};

struct cordon_host {
	uid_t uid, gid; /* real ids of the caller */
	bool is_root;
	char kernel[128]; /* uname release */

	bool userns;          /* an unprivileged user namespace can be created */
	char userns_why[256]; /* when not: the cause and the fix, one line */

	int landlock_abi; /* 0: Landlock not available */
	char landlock_why[256];

	bool seccomp_filter; /* SECCOMP_SET_MODE_FILTER */
	bool seccomp_notify; /* user notification with ADDFD and pidfd_getfd */
	bool mount_api;      /* open_tree, move_mount, mount_setattr */

	enum cordon_cgroup_kind cgroup;
	char cgroup_dir[256];      /* V2: a writable directory to make children in;
	                                   V1: the memory hierarchy's writable directory */
	char cgroup_pids_dir[256]; /* V1: the pids hierarchy's writable directory */
	char cgroup_why[256];

	int io_uring_disabled; /* /proc/sys/kernel/io_uring_disabled, -1 unknown */
	int legacy_tiocsti;    /* /proc/sys/dev/tty/legacy_tiocsti, -1 unknown */

	const char *net_helper;   /* pasta (netns.c), for --network on; NULL: not usable */
	char net_helper_why[256]; /* when not: the cause and the fix, one line */
};

/* Ask the kernel. Never fails: what cannot be detected is reported as missing with a reason. */
CORDON_HIDDEN void cordon_host_detect(struct cordon_host *h);

#endif
