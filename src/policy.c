/* The policy value: defaults, one validator for every setting (flags and policy files both go
 * through cordon_policy_set), and finalize, which resolves paths and refuses what cannot be a
 * sane sandbox before anything is started. The policy file reader is in policyfile.c. */
#define _GNU_SOURCE
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "policy.h"

const char *const cordon_protected_names[] = {".git", ".cordon", ".codex", ".agents", NULL};

const char *const cordon_default_deny_read[] = {
        ".ssh",
        ".gnupg",
        ".aws",
        ".config/gh",
        ".netrc",
        ".git-credentials",
        ".docker/config.json",
        ".kube",
        NULL,
};

struct setting;
typedef int (*setting_fn)(struct cordon_policy *p, const struct setting *s, const char *value,
                          cordon_error *err);

struct setting {
	const char *key;
	unsigned bit; /* CORDON_SET_*; 0 for repeatable settings, whose lists merge */
	bool is_path; /* a relative value in a policy file is relative to the file */
	setting_fn apply;
	size_t off; /* the field the generic setters write (strv or uint64_t) */
};

#define FIELD(type, p, off) ((type *)((char *)(p) + (off)))

/* ---- value setters ------------------------------------------------------------------------ */

/* "~" and "~/x" name the caller's home; everything else is kept as given. */
static char *expand_home(const char *value)
{
	if (value[0] != '~' || (value[1] != '\0' && value[1] != '/'))
		return strdup(value);
	const char *home = getenv("HOME");
	if (!home || !*home)
		return strdup(value);
	return value[1] ? cordon_path_join(home, value + 2) : strdup(home);
}

static int set_workspace(struct cordon_policy *p, const struct setting *s, const char *value,
                         cordon_error *err)
{
	if (!*value)
		return cordon_err(err, -EINVAL, "%s: empty path", s->key);
	char *path = expand_home(value);
	if (!path)
		return cordon_err(err, -ENOMEM, "out of memory");
	free(p->workspace);
	p->workspace = path;
	return 0;
}

static int set_path_list(struct cordon_policy *p, const struct setting *s, const char *value,
                         cordon_error *err)
{
	struct cordon_strv *list = FIELD(struct cordon_strv, p, s->off);
	if (!*value)
		return cordon_err(err, -EINVAL, "%s: empty path", s->key);
	/* Repeats are dropped once the list is resolved (cordon_policy_finalize). */
	cleanup_free char *path = expand_home(value);
	if (!path || cordon_strv_push(list, path) < 0)
		return cordon_err(err, -ENOMEM, "out of memory");
	return 0;
}

static int set_profile(struct cordon_policy *p, const struct setting *s, const char *value,
                       cordon_error *err)
{
	if (strcmp(value, "read-only") == 0)
		p->profile = CORDON_PROFILE_READ_ONLY;
	else if (strcmp(value, "workspace-write") == 0)
		p->profile = CORDON_PROFILE_WORKSPACE_WRITE;
	else if (strcmp(value, "full-access") == 0)
		p->profile = CORDON_PROFILE_FULL_ACCESS;
	else
		return cordon_err(
		        err, -EINVAL,
		        "%s: unknown profile '%s' (read-only, workspace-write or full-access)",
		        s->key, value);
	return 0;
}

static int set_network(struct cordon_policy *p, const struct setting *s, const char *value,
                       cordon_error *err)
{
	if (strcmp(value, "off") == 0)
		p->network = CORDON_NETWORK_OFF;
	else if (strcmp(value, "on") == 0)
		p->network = CORDON_NETWORK_ON;
	else
		return cordon_err(err, -EINVAL, "%s: '%s' is not off or on", s->key, value);
	return 0;
}

bool cordon_session_name_valid(const char *name)
{
	size_t n = strlen(name);
	/* "." and ".." would name the sessions directory or its parent. */
	if (n < 1 || n > 64 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       n;
}

static int set_session(struct cordon_policy *p, const struct setting *s, const char *value,
                       cordon_error *err)
{
	if (!cordon_session_name_valid(value))
		return cordon_err(
		        err, -EINVAL,
		        "%s: invalid name '%s' (1 to 64 of A-Z a-z 0-9 . _ -, not . or ..)", s->key,
		        value);
	char *copy = strdup(value);
	if (!copy)
		return cordon_err(err, -ENOMEM, "out of memory");
	free(p->session);
	p->session = copy;
	return 0;
}

static int set_duration(struct cordon_policy *p, const struct setting *s, const char *value,
                        cordon_error *err)
{
	if (cordon_parse_duration_ms(value, FIELD(uint64_t, p, s->off)) < 0)
		return cordon_err(err, -EINVAL,
		                  "%s: invalid duration '%s' (seconds, e.g. 30 or 1.5)", s->key,
		                  value);
	return 0;
}

static int set_size(struct cordon_policy *p, const struct setting *s, const char *value,
                    cordon_error *err)
{
	if (cordon_parse_size(value, FIELD(uint64_t, p, s->off)) < 0)
		return cordon_err(
		        err, -EINVAL,
		        "%s: invalid size '%s' (bytes, or with K, M, G: 512, 64K, 100M, 2G)",
		        s->key, value);
	return 0;
}

/* Below this no dynamically linked program gets past its loader (it dies as 127 or 139, which
 * looks like the command's own failure): refused rather than run. */
#define CORDON_MEMORY_MIN (16ull << 20)

static int set_memory(struct cordon_policy *p, const struct setting *s, const char *value,
                      cordon_error *err)
{
	int r = set_size(p, s, value, err);
	if (r == 0 && p->limits.memory && p->limits.memory < CORDON_MEMORY_MIN)
		return cordon_err(err, -EINVAL,
		                  "%s: '%s' is below the minimum of 16M a process needs to start",
		                  s->key, value);
	return r;
}

/* A size a tmpfs takes as its bound: size=0 would mean no bound at all. */
static int set_tmp_size(struct cordon_policy *p, const struct setting *s, const char *value,
                        cordon_error *err)
{
	int r = set_size(p, s, value, err);
	if (r == 0 && p->limits.tmp_size < (1ull << 20))
		return cordon_err(err, -EINVAL,
		                  "%s: '%s' is below the minimum of 1M (0 would mean no bound)",
		                  s->key, value);
	p->tmp_size_given = true;
	return r;
}

static int set_tmp_inodes(struct cordon_policy *p, const struct setting *s, const char *value,
                          cordon_error *err)
{
	if (cordon_parse_u64(value, &p->limits.tmp_inodes) < 0 || p->limits.tmp_inodes < 64 ||
	    p->limits.tmp_inodes > UINT32_MAX)
		return cordon_err(
		        err, -EINVAL,
		        "%s: invalid number '%s' (64 to 4294967295; 0 would mean no bound)", s->key,
		        value);
	return 0;
}

/* A /proc/sys/user maximum: an int in the kernel. */
static int set_ucount(struct cordon_policy *p, const struct setting *s, const char *value,
                      cordon_error *err)
{
	uint64_t *v = FIELD(uint64_t, p, s->off);
	if (cordon_parse_u64(value, v) < 0 || *v > INT_MAX)
		return cordon_err(err, -EINVAL, "%s: invalid number '%s' (0 to %d)", s->key, value,
		                  INT_MAX);
	return 0;
}

static int set_count(struct cordon_policy *p, const struct setting *s, const char *value,
                     cordon_error *err)
{
	if (cordon_parse_u64(value, FIELD(uint64_t, p, s->off)) < 0)
		return cordon_err(err, -EINVAL, "%s: invalid number '%s' (a non-negative integer)",
		                  s->key, value);
	return 0;
}

static int set_env_keep(struct cordon_policy *p, const struct setting *s, const char *value,
                        cordon_error *err)
{
	if (!*value || strchr(value, '='))
		return cordon_err(err, -EINVAL, "%s: invalid variable name '%s'", s->key, value);
	if (!cordon_strv_contains(&p->env_keep, value) && cordon_strv_push(&p->env_keep, value) < 0)
		return cordon_err(err, -ENOMEM, "out of memory");
	return 0;
}

static int set_keep_fd(struct cordon_policy *p, const struct setting *s, const char *value,
                       cordon_error *err)
{
	uint64_t fd;
	if (cordon_parse_u64(value, &fd) < 0 || fd > INT_MAX)
		return cordon_err(err, -EINVAL, "%s: invalid descriptor '%s'", s->key, value);
	if (fd <= 2)
		return cordon_err(
		        err, -EINVAL,
		        "%s: %s is stdin, stdout or stderr; they are always kept (use N > 2)",
		        s->key, value);
	for (size_t i = 0; i < p->n_keep_fds; i++)
		if (p->keep_fds[i] == (int)fd)
			return 0;
	int *nv = realloc(p->keep_fds, (p->n_keep_fds + 1) * sizeof(*nv));
	if (!nv)
		return cordon_err(err, -ENOMEM, "out of memory");
	nv[p->n_keep_fds++] = (int)fd;
	p->keep_fds = nv;
	return 0;
}

int cordon_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -EINVAL;
}

static int set_best_effort(struct cordon_policy *p, const struct setting *s, const char *value,
                           cordon_error *err)
{
	if (cordon_parse_bool(value, &p->best_effort) < 0)
		return cordon_err(err, -EINVAL, "%s: '%s' is not true or false", s->key, value);
	return 0;
}

static int set_follow_root_links(struct cordon_policy *p, const struct setting *s,
                                 const char *value, cordon_error *err)
{
	if (cordon_parse_bool(value, &p->follow_root_links) < 0)
		return cordon_err(err, -EINVAL, "%s: '%s' is not true or false", s->key, value);
	return 0;
}

#define OFF(field) offsetof(struct cordon_policy, field)

static const struct setting settings[] = {
        {"workspace", CORDON_SET_WORKSPACE, true, set_workspace, 0},
        {"writable", 0, true, set_path_list, OFF(writable)},
        {"profile", CORDON_SET_PROFILE, false, set_profile, 0},
        {"protect", 0, true, set_path_list, OFF(protect)},
        {"deny-read", 0, true, set_path_list, OFF(deny_read)},
        {"network", CORDON_SET_NETWORK, false, set_network, 0},
        {"session", CORDON_SET_SESSION, false, set_session, 0},
        {"timeout", CORDON_SET_TIMEOUT, false, set_duration, OFF(limits.timeout_ms)},
        {"memory", CORDON_SET_MEMORY, false, set_memory, OFF(limits.memory)},
        {"pids", CORDON_SET_PIDS, false, set_count, OFF(limits.pids)},
        {"cpu", CORDON_SET_CPU, false, set_count, OFF(limits.cpu)},
        {"file-size", CORDON_SET_FILE_SIZE, false, set_size, OFF(limits.file_size)},
        {"open-files", CORDON_SET_OPEN_FILES, false, set_count, OFF(limits.open_files)},
        {"env-keep", 0, false, set_env_keep, 0},
        {"keep-fd", 0, false, set_keep_fd, 0},
        {"best-effort", CORDON_SET_BEST_EFFORT, false, set_best_effort, 0},
        {"tmp-size", CORDON_SET_TMP_SIZE, false, set_tmp_size, OFF(limits.tmp_size)},
        {"tmp-inodes", CORDON_SET_TMP_INODES, false, set_tmp_inodes, OFF(limits.tmp_inodes)},
        {"inotify", CORDON_SET_INOTIFY, false, set_ucount, OFF(limits.inotify)},
        {"inotify-watches", CORDON_SET_INOTIFY_WATCHES, false, set_ucount,
         OFF(limits.inotify_watches)},
        {"follow-root-symlinks", CORDON_SET_FOLLOW_ROOT_LINKS, false, set_follow_root_links, 0},
};

static const struct setting *setting_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++)
		if (strcmp(settings[i].key, key) == 0)
			return &settings[i];
	return NULL;
}

bool cordon_policy_key_is_path(const char *key)
{
	const struct setting *s = setting_find(key);
	return s && s->is_path;
}

bool cordon_policy_key_exists(const char *key)
{
	return setting_find(key) != NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static void policy_clear(struct cordon_policy *p)
{
	free(p->workspace);
	cordon_strv_clear(&p->writable);
	cordon_strv_clear(&p->protect);
	cordon_strv_clear(&p->deny_read);
	free(p->session);
	cordon_strv_clear(&p->env_keep);
	free(p->keep_fds);
	free(p->source_file);
	free(p->root_link);
	memset(p, 0, sizeof(*p));
}

cordon_policy *cordon_policy_new(void)
{
	struct cordon_policy *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->profile = CORDON_PROFILE_WORKSPACE_WRITE;
	p->network = CORDON_NETWORK_OFF;
	p->limits.tmp_size = CORDON_DEFAULT_TMP_SIZE;
	p->limits.tmp_inodes = CORDON_DEFAULT_TMP_INODES;
	p->limits.inotify = CORDON_DEFAULT_INOTIFY;
	p->limits.inotify_watches = CORDON_DEFAULT_INOTIFY_WATCHES;
	return p;
}

void cordon_policy_free(cordon_policy *p)
{
	if (!p)
		return;
	policy_clear(p);
	free(p);
}

int cordon_policy_set(cordon_policy *p, const char *key, const char *value, cordon_error *err)
{
	if (!p || !key || !value)
		return cordon_err(err, -EINVAL, "policy: missing setting or value");
	const struct setting *s = setting_find(key);
	if (!s)
		return cordon_err(err, -EINVAL, "unknown setting '%s'", key);
	if (p->finalized)
		return cordon_err(err, -EBUSY, "%s: the policy is already finalized", key);
	/* A single-value key given twice in one file: which one was meant is a guess. */
	if (p->loading_file && (p->file_bits & s->bit))
		return cordon_err(err, -EINVAL, "%s: set twice in the policy file", key);
	if (p->loading_file)
		p->file_bits |= s->bit;
	if (p->loading_file && (p->explicit_bits & s->bit)) {
		/* A flag already set this: it wins, but the file's value must still be valid. */
		struct cordon_policy scratch = {0};
		int r = s->apply(&scratch, s, value, err);
		policy_clear(&scratch);
		return r;
	}
	int r = s->apply(p, s, value, err);
	if (r == 0 && !p->loading_file)
		p->explicit_bits |= s->bit;
	return r;
}

/* ---- finalize ------------------------------------------------------------------------------- */

static char *caller_home(void)
{
	const char *home = getenv("HOME");
	cleanup_free char *local = NULL;
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
	}
	if (!home)
		home = local = cordon_passwd_home("/etc/passwd", getuid());
	if (!home)
		return NULL;
	char *real = realpath(home, NULL);
	return real ? real : cordon_path_normalize(home);
}

/* path made absolute against the current directory and normalised lexically; malloc'd. */
static char *path_absolute(const char *path)
{
	if (path[0] == '/')
		return cordon_path_normalize(path);
	cleanup_free char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	cleanup_free char *joined = cordon_path_join(cwd, path);
	return joined ? cordon_path_normalize(joined) : NULL;
}

/* path made absolute against the current directory, as written: ".." after a symlink is the
 * link's target's parent, so no lexical normalising. malloc'd. */
static char *path_absolute_raw(const char *path)
{
	if (path[0] == '/')
		return strdup(path);
	cleanup_free char *cwd = getcwd(NULL, 0);
	return cwd ? cordon_path_join(cwd, path) : NULL;
}

/* cordon_path_follow's callback: the first symlink met in a directory the caller can write. */
static int note_writable_link(void *ctx, const char *link)
{
	char **found = ctx;
	cleanup_free char *dir = strdup(link);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	if (!*found && access(dir, W_OK) == 0 && !(*found = strdup(link)))
		return -ENOMEM;
	return 0;
}

/* A writable root given through a symlink that lies in a directory the caller can write: a
 * command sandboxed earlier (that directory was its writable root) could have made that link,
 * and pointed it at ~/.config; the run would then make ~/.config writable. Refused unless
 * --follow-root-symlinks says the caller means it (the link is then kept for explain). */
static int check_root_links(struct cordon_policy *p, const char *given, const char *what,
                            cordon_error *err)
{
	cleanup_free char *raw = path_absolute_raw(given);
	cleanup_free char *resolved = NULL, *link = NULL;
	int r = raw ? cordon_path_follow(raw, note_writable_link, &link, &resolved) : -ENOMEM;
	if (r == -ENOMEM)
		return cordon_err(err, r, "out of memory");
	if (!link)
		return 0; /* none, or an error the canonical lookup reports better */
	if (!p->follow_root_links)
		return cordon_err(
		        err, -EINVAL,
		        "%s '%s' goes through the symlink %s in a directory you can write "
		        "(a sandboxed command could have made it): give the real path, or "
		        "pass --follow-root-symlinks",
		        what, given, link);
	if (!p->root_link)
		p->root_link = steal_ptr(&link);
	return 0;
}

/* A writable root must exist, be a directory, and not be / or $HOME or a parent of it: a
 * "sandbox" that may write the user's dotfiles protects nothing. Replaces *path. */
static int resolve_root(struct cordon_policy *p, char **path, const char *what, const char *home,
                        bool check_home, cordon_error *err)
{
	int r = check_home ? check_root_links(p, *path, what, err) : 0;
	if (r < 0)
		return r;
	cleanup_free char *abs = path_absolute(*path);
	if (!abs)
		return cordon_err(err, -ENOMEM, "out of memory");
	char *real = cordon_path_canonical_dir(abs);
	if (!real && errno == ENOTDIR)
		return cordon_err(err, -EINVAL, "%s '%s' is not a directory", what, *path);
	if (!real)
		return cordon_err(err, -EINVAL, "%s '%s': %s", what, *path, strerror(errno));
	if (check_home && strcmp(real, "/") == 0) {
		free(real);
		return cordon_err(err, -EINVAL,
		                  "%s '%s' is the whole file system: choose a project directory",
		                  what, *path);
	}
	if (check_home && home && cordon_path_is_beneath(home, real)) {
		free(real);
		return cordon_err(
		        err, -EINVAL,
		        "%s '%s' is your home directory or contains it: choose a project directory",
		        what, *path);
	}
	free(*path);
	*path = real;
	return 0;
}

/* Protected and hidden paths may not exist yet: canonical when they do, lexical when not. */
static int resolve_list(struct cordon_strv *list, cordon_error *err)
{
	for (size_t i = 0; i < list->n; i++) {
		char *abs = path_absolute(list->v[i]);
		if (!abs)
			return cordon_err(err, -ENOMEM, "out of memory");
		char *real = cordon_path_canonical(abs);
		if (real) {
			free(abs);
			abs = real;
		}
		free(list->v[i]);
		list->v[i] = abs;
	}
	return cordon_strv_dedupe(list) < 0 ? cordon_err(err, -ENOMEM, "out of memory") : 0;
}

static int finalize_roots(struct cordon_policy *p, const char *home, cordon_error *err)
{
	bool writes = p->profile == CORDON_PROFILE_WORKSPACE_WRITE;
	if (!p->workspace && !(p->workspace = getcwd(NULL, 0)))
		return cordon_err(err, -errno, "workspace: cannot get the current directory: %s",
		                  strerror(errno));
	int r = resolve_root(p, &p->workspace, "workspace", home, writes, err);
	if (r < 0)
		return r;
	if (!writes) {
		/* read-only: nothing is writable; full-access: writes need no roots. */
		cordon_strv_clear(&p->writable);
		return 0;
	}
	struct cordon_strv roots = {0};
	for (size_t i = 0; i < p->writable.n && r == 0; i++) {
		r = resolve_root(p, &p->writable.v[i], "writable root", home, true, err);
		if (r == 0 && strcmp(p->writable.v[i], p->workspace) != 0 &&
		    cordon_strv_push(&roots, p->writable.v[i]) < 0)
			r = cordon_err(err, -ENOMEM, "out of memory");
	}
	cordon_strv_clear(&p->writable);
	p->writable = roots;
	if (r == 0 && cordon_strv_dedupe(&p->writable) < 0)
		r = cordon_err(err, -ENOMEM, "out of memory");
	return r;
}

static int add_default_deny_read(struct cordon_policy *p, const char *home, cordon_error *err)
{
	if (!home)
		return 0;
	for (size_t i = 0; cordon_default_deny_read[i]; i++) {
		cleanup_free char *path = cordon_path_join(home, cordon_default_deny_read[i]);
		if (!path)
			return cordon_err(err, -ENOMEM, "out of memory");
		if (!cordon_strv_contains(&p->deny_read, path) &&
		    cordon_strv_push(&p->deny_read, path) < 0)
			return cordon_err(err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Hiding a directory that holds a writable root would hide the root too: refuse it. */
static int check_deny_read(const struct cordon_policy *p, cordon_error *err)
{
	const char *root;
	for (size_t i = 0; i < p->deny_read.n; i++)
		for (size_t j = 0; (root = cordon_policy_root(p, j)); j++)
			if (cordon_path_is_beneath(root, p->deny_read.v[i]))
				return cordon_err(err, -EINVAL,
				                  "deny-read '%s' contains the writable root '%s'",
				                  p->deny_read.v[i], root);
	return 0;
}

int cordon_policy_finalize(cordon_policy *p, cordon_error *err)
{
	if (p->finalized)
		return 0;
	cleanup_free char *home = caller_home();
	int r = finalize_roots(p, home, err);
	if (r == 0)
		r = resolve_list(&p->protect, err);
	if (r == 0)
		r = resolve_list(&p->deny_read, err);
	if (r == 0)
		r = add_default_deny_read(p, home, err);
	if (r == 0)
		r = check_deny_read(p, err);
	/* tmpfs pages are memory the command holds, but RLIMIT_AS does not count them: unless
	 * told otherwise, /tmp and /dev/shm are no larger than the memory limit. */
	if (r == 0 && !p->tmp_size_given && p->limits.memory &&
	    p->limits.memory < p->limits.tmp_size)
		p->limits.tmp_size = p->limits.memory;
	if (r == 0)
		p->finalized = true;
	return r;
}

const char *cordon_policy_root(const struct cordon_policy *p, size_t i)
{
	if (p->profile != CORDON_PROFILE_WORKSPACE_WRITE)
		return NULL;
	if (i == 0)
		return p->workspace;
	return i - 1 < p->writable.n ? p->writable.v[i - 1] : NULL;
}
