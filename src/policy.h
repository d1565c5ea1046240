/* The policy value (internal view). Built by policy.c from flags and files, read by plan.c.
 * Pure data: nothing here touches the system except cordon_policy_finalize's path checks. */
#ifndef CORDON_POLICY_H
#define CORDON_POLICY_H

#include "cordon.h"
#include "util.h"

enum cordon_profile {
	CORDON_PROFILE_READ_ONLY,
	CORDON_PROFILE_WORKSPACE_WRITE,
	CORDON_PROFILE_FULL_ACCESS,
};

enum cordon_network {
	CORDON_NETWORK_OFF,
	CORDON_NETWORK_ON,
};

/* Limits; 0 means unset. Sizes in bytes, times in seconds. */
struct cordon_limits {
	uint64_t timeout_ms;
	uint64_t memory;
	uint64_t pids;
	uint64_t cpu;
	uint64_t file_size;
	uint64_t open_files;
	/* Always set (defaults in cordon_policy_new): the private /tmp and /dev/shm, each, and
	 * the per-user kernel objects of the sandbox's user namespace. */
	uint64_t tmp_size; /* without --tmp-size: at most --memory (finalize) */
	uint64_t tmp_inodes;
	uint64_t inotify;         /* inotify instances */
	uint64_t inotify_watches; /* inotify watches */
};

/* The defaults of the always-set limits (docs/cli.md lists them). */
#define CORDON_DEFAULT_TMP_SIZE (512ull << 20)
#define CORDON_DEFAULT_TMP_INODES 65536ull
#define CORDON_DEFAULT_INOTIFY 32ull
#define CORDON_DEFAULT_INOTIFY_WATCHES 16384ull

/* Which settings were given explicitly (flags), so a policy file does not override them. */
enum cordon_setting_bit {
	CORDON_SET_PROFILE = 1u << 0,
	CORDON_SET_WORKSPACE = 1u << 1,
	CORDON_SET_NETWORK = 1u << 2,
	CORDON_SET_SESSION = 1u << 3,
	CORDON_SET_TIMEOUT = 1u << 4,
	CORDON_SET_MEMORY = 1u << 5,
	CORDON_SET_PIDS = 1u << 6,
	CORDON_SET_CPU = 1u << 7,
	CORDON_SET_FILE_SIZE = 1u << 8,
	CORDON_SET_OPEN_FILES = 1u << 9,
	CORDON_SET_BEST_EFFORT = 1u << 10,
	CORDON_SET_TMP_SIZE = 1u << 11,
	CORDON_SET_TMP_INODES = 1u << 12,
	CORDON_SET_INOTIFY = 1u << 13,
	CORDON_SET_INOTIFY_WATCHES = 1u << 14,
	CORDON_SET_FOLLOW_ROOT_LINKS = 1u << 20, /* high: other settings take the next bits */
};

struct cordon_policy {
	enum cordon_profile profile;
	char *workspace;              /* absolute, canonical after finalize */
	struct cordon_strv writable;  /* extra writable roots, canonical after finalize */
	struct cordon_strv protect;   /* user --protect paths (absolute after finalize) */
	struct cordon_strv deny_read; /* user --deny-read paths, plus the defaults */
	enum cordon_network network;
	char *session; /* NULL: a fresh private /tmp per run */
	struct cordon_limits limits;
	struct cordon_strv env_keep;
	int *keep_fds;
	size_t n_keep_fds;
	bool best_effort;
	bool follow_root_links; /* --follow-root-symlinks: a root may be reached through any link */
	char *root_link;        /* finalize: a symlink a root was reached through, in a directory
	                         * the caller can write (followed: --follow-root-symlinks) */
	bool finalized;
	unsigned explicit_bits; /* enum cordon_setting_bit */
	bool loading_file;      /* set while a policy file is read */
	unsigned file_bits;     /* single-value settings the file being read has set */
	bool tmp_size_given;    /* tmp-size came from a flag or the file, not the default */
	char *source_file;      /* the policy file read, if any */
};

/* Names kept read-only inside every writable root (ARCHITECTURE.md). NULL-terminated. */
extern const char *const cordon_protected_names[];
/* Credential stores hidden by default, relative to $HOME. NULL-terminated. */
extern const char *const cordon_default_deny_read[];

/* Added by the policy work (helpers shared by policy.c, policyfile.c, cli.c and plan.c). */

/* The i-th writable root (0: the workspace, then --writable ones); NULL past the end, and
 * always NULL unless the profile is workspace-write. Canonical once finalized. */
CORDON_HIDDEN const char *cordon_policy_root(const struct cordon_policy *p, size_t i);
/* [A-Za-z0-9._-]{1,64}, and not "." or "..". */
CORDON_HIDDEN bool cordon_session_name_valid(const char *name);
/* true/yes/on/1 and false/no/off/0. -EINVAL otherwise. */
CORDON_HIDDEN int cordon_parse_bool(const char *s, bool *out);
/* Whether key is a setting, and whether its value is a path. */
CORDON_HIDDEN bool cordon_policy_key_exists(const char *key);
CORDON_HIDDEN bool cordon_policy_key_is_path(const char *key);

#endif
