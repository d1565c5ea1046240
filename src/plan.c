/* The plan: the finalized policy turned into typed mount operations in application order, plus
 * the rules with their enforcement on this host (plan_rules.c). No scans of the workspace:
 * a fixed number of stat() calls per writable root and per listed path, and one lstat() per
 * component of a protected path that goes through a symlink. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gitscan.h"
#include "plan.h"
#include "session.h"

/* ---- building blocks ---------------------------------------------------------------------- */

static int op_add(struct cordon_plan *pl, enum cordon_op_kind kind, const char *path,
                  const char *source, const char *gitdir_of, bool is_dir)
{
	struct cordon_op *ops = realloc(pl->ops, (pl->n_ops + 1) * sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	pl->ops = ops;
	struct cordon_op *op = &ops[pl->n_ops];
	*op = (struct cordon_op){.kind = kind, .is_dir = is_dir};
	op->path = strdup(path);
	op->source = source ? strdup(source) : NULL;
	op->gitdir_of = gitdir_of ? strdup(gitdir_of) : NULL;
	pl->n_ops++; /* counted first so plan_free releases a partial op */
	if (!op->path || (source && !op->source) || (gitdir_of && !op->gitdir_of))
		return -ENOMEM;
	return 0;
}

/* PROTECT an existing path (file or directory), PROTECT_ABSENT a missing one. */
static int protect_path(struct cordon_plan *pl, const char *path, const char *gitdir_of)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return op_add(pl, CORDON_OP_PROTECT, path, NULL, gitdir_of, S_ISDIR(st.st_mode));
	return op_add(pl, CORDON_OP_PROTECT_ABSENT, path, NULL, gitdir_of, false);
}

/* The first line of a small file, without its newline; NULL when unreadable or empty. */
static char *read_first_line(const char *path)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf[0] ? strdup(buf) : NULL;
}

/* Whether path lies in one of the policy's writable roots (where the sandbox could change it). */
static bool in_writable_root(const struct cordon_policy *p, const char *path)
{
	const char *root;
	for (size_t i = 0; (root = cordon_policy_root(p, i)); i++)
		if (cordon_path_is_beneath(path, root))
			return true;
	return false;
}

static bool has_op(const struct cordon_plan *pl, enum cordon_op_kind kind, const char *path)
{
	for (size_t i = 0; i < pl->n_ops; i++)
		if (pl->ops[i].kind == kind && !strcmp(pl->ops[i].path, path))
			return true;
	return false;
}

struct follow_ctx {
	struct cordon_plan *pl;
	const char *gitdir_of;
};

/* A symlink on the way to a protected path, inside a writable root: were it replaced, the
 * path (and git, following it) would lead elsewhere. The link itself is bound read-only over
 * itself (mount.c), so it can be neither removed, replaced nor renamed. */
static int protect_link(void *ctx, const char *link)
{
	struct follow_ctx *c = ctx;
	if (!in_writable_root(c->pl->policy, link) || has_op(c->pl, CORDON_OP_PROTECT, link))
		return 0;
	int r = op_add(c->pl, CORDON_OP_PROTECT, link, NULL, c->gitdir_of, false);
	if (r == 0)
		c->pl->ops[c->pl->n_ops - 1].is_link = true;
	return r;
}

/* Protect path as git would reach it: every symlink on the way (protect_link), then what it
 * resolves to. *real (malloc'd, may be NULL): that resolved path. */
static int protect_followed(struct cordon_plan *pl, const char *path, const char *gitdir_of,
                            char **real)
{
	struct follow_ctx ctx = {.pl = pl, .gitdir_of = gitdir_of};
	cleanup_free char *resolved = NULL;
	int r = cordon_path_follow(path, protect_link, &ctx, &resolved);
	if (r == -ELOOP || r == -ENAMETOOLONG || r == -EINVAL)
		return 0; /* git cannot follow it either */
	if (r == 0 && !has_op(pl, CORDON_OP_PROTECT, resolved))
		r = protect_path(pl, resolved, gitdir_of);
	if (r == 0 && real)
		*real = steal_ptr(&resolved);
	return r;
}

/* target, relative to dir when not absolute, as written (symlinks are followed by
 * protect_followed, which must see them). malloc'd. */
static char *join_against(const char *dir, const char *target)
{
	return target[0] == '/' ? strdup(target) : cordon_path_join(dir, target);
}

/* A `.git` file (worktree, submodule) says `gitdir: <path>`; that directory, and the common
 * directory a worktree's gitdir names, hold the repository and must be protected too, with
 * every symlink git goes through to reach them. */
static int protect_gitdir(struct cordon_plan *pl, const char *root, const char *git_file,
                          const char *label)
{
	cleanup_free char *line = read_first_line(git_file);
	if (!line || strncmp(line, "gitdir:", 7) != 0)
		return 0;
	const char *target = line + 7 + strspn(line + 7, " \t");
	if (!*target)
		return 0;
	cleanup_free char *joined = join_against(root, target);
	cleanup_free char *gitdir = NULL;
	int r = joined ? protect_followed(pl, joined, label, &gitdir) : -ENOMEM;
	if (r < 0 || !gitdir)
		return r;
	cleanup_free char *commondir_file = cordon_path_join(gitdir, "commondir");
	cleanup_free char *common = commondir_file ? read_first_line(commondir_file) : NULL;
	if (!common)
		return commondir_file ? 0 : -ENOMEM;
	cleanup_free char *common_dir = join_against(gitdir, common);
	return common_dir ? protect_followed(pl, common_dir, label, NULL) : -ENOMEM;
}

/* A protected name that is a symlink (`.git` -> a directory or a gitdir file elsewhere): the
 * link, each link after it, and what they lead to. */
static int protect_name_link(struct cordon_plan *pl, const char *root, const char *name,
                             const char *path)
{
	cleanup_free char *real = NULL;
	int r = protect_followed(pl, path, NULL, &real);
	struct stat st;
	if (r == 0 && real && !strcmp(name, ".git") && stat(real, &st) == 0 && S_ISREG(st.st_mode))
		r = protect_gitdir(pl, root, real, path);
	return r;
}

/* The protected names of one writable root: one stat() each, relative to the root opened
 * once (a full path would be walked again for every name of every root), and two reads for a
 * gitdir file. */
static int protect_root(struct cordon_plan *pl, const char *root)
{
	cleanup_close int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; cordon_protected_names[i]; i++) {
		const char *name = cordon_protected_names[i];
		cleanup_free char *path = cordon_path_join(root, name);
		if (!path)
			return -ENOMEM;
		struct stat st;
		bool exists = dir >= 0 ? fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0
		                       : lstat(path, &st) == 0;
		if (exists && S_ISLNK(st.st_mode)) {
			int r = protect_name_link(pl, root, name, path);
			if (r < 0)
				return r;
			continue;
		}
		int r = op_add(pl, exists ? CORDON_OP_PROTECT : CORDON_OP_PROTECT_ABSENT, path,
		               NULL, NULL, exists && S_ISDIR(st.st_mode));
		if (r == 0 && exists && S_ISREG(st.st_mode) && strcmp(name, ".git") == 0)
			r = protect_gitdir(pl, root, path, path);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Already read-only: the same path, or beneath a protected directory. */
static bool covered(const struct cordon_plan *pl, const char *path)
{
	for (size_t i = 0; i < pl->n_ops; i++) {
		const struct cordon_op *op = &pl->ops[i];
		if ((op->kind == CORDON_OP_PROTECT || op->kind == CORDON_OP_PROTECT_ABSENT) &&
		    (strcmp(op->path, path) == 0 || (op->kind == CORDON_OP_PROTECT && op->is_dir &&
		                                     cordon_path_is_beneath(path, op->path))))
			return true;
	}
	return false;
}

/* What git on the host runs or reads inside the writable roots: hooks, included config,
 * programs named by config, nested repositories (gitscan.c). */
static int protect_git_paths(struct cordon_plan *pl, const struct cordon_policy *p)
{
	size_t n = 0;
	while (cordon_policy_root(p, n))
		n++;
	if (n == 0)
		return 0; /* nothing is writable */
	cleanup_free const char **roots = calloc(n + 1, sizeof(*roots));
	if (!roots)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		roots[i] = cordon_policy_root(p, i);
	struct cordon_gitscan_opts o = {.roots = roots, .n_roots = n, .home = pl->home};
	struct cordon_gitscan scan;
	int r = cordon_gitscan_run(&o, &scan);
	for (size_t i = 0; r == 0 && i < scan.n; i++) {
		if (covered(pl, scan.v[i].path))
			continue;
		r = protect_path(pl, scan.v[i].path, NULL);
		if (r == 0 && !(pl->ops[pl->n_ops - 1].why = strdup(scan.v[i].why)))
			r = -ENOMEM;
	}
	if (r == 0 && asprintf(&pl->git_note, "%zu repositories read, %zu entries scanned%s%s",
	                       scan.repos, scan.entries, scan.stopped ? "; " : "",
	                       scan.stopped ? scan.stopped : "") < 0) {
		pl->git_note = NULL;
		r = -ENOMEM;
	}
	cordon_gitscan_clear(&scan);
	return r;
}

/* ---- ops in application order --------------------------------------------------------------- */

static int ops_files(struct cordon_plan *pl, const struct cordon_policy *p)
{
	if (p->profile == CORDON_PROFILE_FULL_ACCESS)
		return 0;
	int r = op_add(pl, CORDON_OP_READONLY_ROOT, "/", NULL, NULL, true);
	const char *root;
	for (size_t i = 0; r == 0 && (root = cordon_policy_root(p, i)); i++)
		r = op_add(pl, CORDON_OP_BIND_RW, root, NULL, NULL, true);
	for (size_t i = 0; r == 0 && (root = cordon_policy_root(p, i)); i++)
		r = protect_root(pl, root);
	if (r == 0)
		r = protect_git_paths(pl, p);
	/* A --protect path outside every writable root is read-only already: kept, harmless. */
	for (size_t i = 0; r == 0 && i < p->protect.n; i++)
		r = protect_path(pl, p->protect.v[i], NULL);
	return r;
}

/* cordon's own runtime tree (every session's /tmp and /dev/shm, the keepers' and servers'
 * sockets) is no run's business: hidden from each, whatever its session (issue 11). A
 * session's own /tmp and /dev/shm are bound from it before. Under the host's /tmp (no
 * $XDG_RUNTIME_DIR) the sandbox's private /tmp hides it already. */
static int ops_hide_runtime(struct cordon_plan *pl)
{
	char *dir = cordon_runtime_dir(pl->host->uid);
	if (!dir)
		return -ENOMEM;
	/* Made beneath $XDG_RUNTIME_DIR only when that is ours: otherwise cordon keeps nothing
	 * there for this user (a session would fail to make its directory). */
	char *slash = strrchr(dir, '/');
	struct stat st;
	*slash = '\0';
	bool ours = slash != dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	            st.st_uid == pl->host->uid;
	*slash = '/';
	/* A deny-read path above it hides it already (and a mount point could not be made in
	 * what hides that). */
	bool hidden = cordon_path_is_beneath(dir, "/tmp");
	for (size_t i = 0; i < pl->policy->deny_read.n; i++)
		hidden = hidden || cordon_path_is_beneath(dir, pl->policy->deny_read.v[i]);
	if (!ours || hidden) {
		free(dir);
		return 0;
	}
	pl->runtime_dir = dir;
	return op_add(pl, CORDON_OP_HIDE, dir, NULL, NULL, true);
}

static int ops_hide(struct cordon_plan *pl, const struct cordon_policy *p)
{
	for (size_t i = 0; i < p->deny_read.n; i++) {
		struct stat st;
		if (stat(p->deny_read.v[i], &st) < 0)
			continue; /* nothing to hide */
		int r = op_add(pl, CORDON_OP_HIDE, p->deny_read.v[i], NULL, NULL,
		               S_ISDIR(st.st_mode));
		if (r < 0)
			return r;
	}
	return ops_hide_runtime(pl);
}

static int ops_system(struct cordon_plan *pl)
{
	cleanup_free char *tmp = pl->session_dir ? cordon_path_join(pl->session_dir, "tmp") : NULL;
	cleanup_free char *shm = pl->session_dir ? cordon_path_join(pl->session_dir, "shm") : NULL;
	if (pl->session_dir && (!tmp || !shm))
		return -ENOMEM;
	int r = op_add(pl, CORDON_OP_TMP, "/tmp", tmp, NULL, true);
	if (r == 0)
		r = op_add(pl, CORDON_OP_SHM, "/dev/shm", shm, NULL, true);
	if (r == 0)
		r = op_add(pl, CORDON_OP_DEV, "/dev", NULL, NULL, true);
	if (r == 0)
		r = op_add(pl, CORDON_OP_PROC, "/proc", NULL, NULL, true);
	return r;
}

/* ---- the plan --------------------------------------------------------------------------- */

/* $XDG_RUNTIME_DIR/cordon/sessions/NAME, else /tmp/cordon-UID/sessions/NAME. Only the path:
 * the backend creates it (0700, and checks the owner of what exists). */
static int session_dir(struct cordon_plan *pl, const char *name, uid_t uid)
{
	if (!name)
		return 0;
	pl->session_dir = cordon_session_path(name, uid);
	return pl->session_dir ? 0 : -ENOMEM;
}

static void plan_decide(struct cordon_plan *pl)
{
	const struct cordon_host *h = pl->host;
	bool ns = h->userns || h->is_root;
	pl->use_userns = h->userns;
	pl->net_helper = ns && pl->policy->network == CORDON_NETWORK_ON && h->net_helper;
	pl->use_netns = ns && (pl->policy->network == CORDON_NETWORK_OFF || pl->net_helper);
	pl->use_landlock = h->landlock_abi > 0;
	pl->use_seccomp = h->seccomp_filter;
	pl->clone_flags = 0;
	if (h->userns)
		pl->clone_flags |= CLONE_NEWUSER;
	if (ns)
		pl->clone_flags |= CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
	if (pl->use_netns)
		pl->clone_flags |= CLONE_NEWNET;
}

static char *caller_home(void)
{
	const char *home = getenv("HOME");
	return home && home[0] == '/' ? strdup(home) : NULL;
}

static int plan_fill(struct cordon_plan *pl, const struct cordon_policy *p, cordon_error *err)
{
	int r = session_dir(pl, p->session, pl->host->uid);
	if (r == 0)
		r = ops_files(pl, p);
	if (r == 0)
		r = ops_hide(pl, p);
	if (r == 0)
		r = ops_system(pl);
	if (r < 0)
		return cordon_err(err, r, "plan: out of memory");
	plan_decide(pl);
	r = cordon_plan_rules(pl, err);
	if (r < 0)
		return r;
	/* Without a mount namespace none of the operations can be applied: say so by having none
	 * (the rules say what that leaves unenforced). */
	if (!(pl->host->userns || pl->host->is_root) || !pl->host->mount_api)
		cordon_plan_drop_ops(pl);
	return 0;
}

/* The plan, whether or not this host can enforce it (explain prints it either way). */
static int plan_build_any(const struct cordon_policy *p, const struct cordon_host *h,
                          struct cordon_plan **out, cordon_error *err)
{
	*out = NULL;
	if (!p->finalized)
		return cordon_err(err, -EINVAL, "plan: the policy is not finalized");
	struct cordon_plan *pl = calloc(1, sizeof(*pl));
	if (!pl)
		return cordon_err(err, -ENOMEM, "plan: out of memory");
	pl->policy = p;
	pl->host = h;
	pl->home = caller_home();
	int r = plan_fill(pl, p, err);
	if (r < 0) {
		cordon_plan_free(pl);
		return r;
	}
	*out = pl;
	return 0;
}

int cordon_plan_build(const struct cordon_policy *p, const struct cordon_host *h,
                      struct cordon_plan **out, cordon_error *err)
{
	int r = plan_build_any(p, h, out, err);
	if (r == 0 && (r = cordon_plan_refuse(*out, err)) < 0) {
		cordon_plan_free(*out);
		*out = NULL;
	}
	return r;
}

int cordon_plan_explain(const struct cordon_policy *p, const struct cordon_host *h, FILE *out,
                        cordon_error *err)
{
	struct cordon_plan *pl = NULL;
	int r = plan_build_any(p, h, &pl, err);
	if (r < 0)
		return r;
	r = cordon_plan_print(pl, out);
	if (r == 0)
		r = cordon_plan_refuse(pl, err);
	if (r == -ENOTSUP)
		fprintf(out, "run: refused (%s)\n", err->msg);
	else if (r == 0)
		fprintf(out, "run: runs%s\n",
		        p->best_effort
		                ? " (best-effort: what is not [enforced] holds only as shown)"
		                : " (every rule enforced by the mechanism shown)");
	cordon_plan_free(pl);
	return r;
}

void cordon_plan_drop_ops(struct cordon_plan *pl)
{
	for (size_t i = 0; i < pl->n_ops; i++) {
		free(pl->ops[i].path);
		free(pl->ops[i].source);
		free(pl->ops[i].gitdir_of);
		free(pl->ops[i].why);
	}
	free(pl->ops);
	pl->ops = NULL;
	pl->n_ops = 0;
}

void cordon_plan_free(struct cordon_plan *plan)
{
	if (!plan)
		return;
	cordon_plan_drop_ops(plan);
	for (size_t i = 0; i < plan->n_rules; i++) {
		free(plan->rules[i].rule);
		free(plan->rules[i].mechanism);
		free(plan->rules[i].why);
	}
	free(plan->rules);
	free(plan->home);
	free(plan->session_dir);
	free(plan->git_note);
	free(plan->runtime_dir);
	free(plan);
}

/* ---- printing ------------------------------------------------------------------------------ */

static void print_op(const struct cordon_op *op, FILE *out)
{
	switch (op->kind) {
	case CORDON_OP_READONLY_ROOT:
		fprintf(out, "  %-9s %s (everything read-only)\n", "read-only", op->path);
		break;
	case CORDON_OP_BIND_RW:
		fprintf(out, "  %-9s %s\n", "bind-rw", op->path);
		break;
	case CORDON_OP_PROTECT:
		fprintf(out, "  %-9s %s (%s%s%s%s%s)\n", "protect", op->path,
		        op->is_link  ? "symlink"
		        : op->is_dir ? "dir"
		                     : "file",
		        op->gitdir_of ? ", gitdir of " : "", op->gitdir_of ? op->gitdir_of : "",
		        op->why ? ", " : "", op->why ? op->why : "");
		break;
	case CORDON_OP_PROTECT_ABSENT:
		if (op->why)
			fprintf(out, "  refuse-create %s (%s)\n", op->path, op->why);
		else if (op->gitdir_of)
			fprintf(out, "  refuse-create %s (gitdir of %s)\n", op->path,
			        op->gitdir_of);
		else
			fprintf(out, "  refuse-create %s\n", op->path);
		break;
	case CORDON_OP_HIDE:
		fprintf(out, "  %-9s %s (%s)\n", "hide", op->path, op->is_dir ? "dir" : "file");
		break;
	case CORDON_OP_TMP:
	case CORDON_OP_SHM:
		fprintf(out, "  %-9s %s (%s%s)\n", op->kind == CORDON_OP_TMP ? "tmp" : "shm",
		        op->path, op->source ? "session: " : "private tmpfs, fresh per run",
		        op->source ? op->source : "");
		break;
	case CORDON_OP_DEV:
		fprintf(out, "  %-9s %s (minimal: null zero full random urandom tty ptmx pts)\n",
		        "dev", op->path);
		break;
	case CORDON_OP_PROC:
		fprintf(out, "  %-9s %s (fresh, this PID namespace only)\n", "proc", op->path);
		break;
	default:
		fprintf(out, "  op %d %s\n", (int)op->kind, op->path);
		break;
	}
}

static const char *state_name(enum cordon_enforcement s)
{
	switch (s) {
	case CORDON_ENFORCED:
		return "enforced";
	case CORDON_DEGRADED:
		return "degraded";
	case CORDON_NOT_ENFORCED:
		return "not enforced";
	default:
		return "?";
	}
}

static void print_rule(const struct cordon_rule *r, bool best_effort, FILE *out)
{
	/* What run would refuse says so: [refused] rather than a state run never reaches. */
	bool refused = r->required && r->state != CORDON_ENFORCED && !best_effort;
	fprintf(out, "  [%s] %s — %s", refused ? "refused" : state_name(r->state), r->rule,
	        r->mechanism);
	if (r->why)
		fprintf(out, " (%s%s)", r->why,
		        refused ? "; --best-effort runs without it"
		        : r->required && r->state != CORDON_ENFORCED ? "; allowed by --best-effort"
		                                                     : "");
	fputc('\n', out);
}

static const char *profile_name(enum cordon_profile p)
{
	switch (p) {
	case CORDON_PROFILE_READ_ONLY:
		return "read-only";
	case CORDON_PROFILE_FULL_ACCESS:
		return "full-access";
	case CORDON_PROFILE_WORKSPACE_WRITE:
	default:
		return "workspace-write";
	}
}

static void print_header(const struct cordon_plan *pl, FILE *out)
{
	const struct cordon_policy *p = pl->policy;
	char ll[32] = "no Landlock";
	if (pl->host->landlock_abi > 0)
		snprintf(ll, sizeof(ll), "Landlock ABI %d", pl->host->landlock_abi);
	fprintf(out, "cordon %s on Linux %s (%s), uid %u%s\n", cordon_version(),
	        pl->host->kernel[0] ? pl->host->kernel : "(unknown)", ll, (unsigned)pl->host->uid,
	        pl->host->is_root ? " (root)" : "");
	fprintf(out, "policy: profile %s, network %s, workspace %s, session %s%s%s\n",
	        profile_name(p->profile), p->network == CORDON_NETWORK_OFF ? "off" : "on",
	        p->workspace ? p->workspace : "(none)", p->session ? p->session : "(fresh per run)",
	        p->best_effort ? ", best-effort" : "", p->source_file ? ", from file" : "");
	fprintf(out, "namespaces:%s%s%s%s%s%s%s\n", pl->clone_flags & CLONE_NEWUSER ? " user" : "",
	        pl->clone_flags & CLONE_NEWNS ? " mount" : "",
	        pl->clone_flags & CLONE_NEWPID ? " pid" : "",
	        pl->clone_flags & CLONE_NEWIPC ? " ipc" : "",
	        pl->clone_flags & CLONE_NEWUTS ? " uts" : "",
	        pl->clone_flags & CLONE_NEWNET ? " net" : "", pl->clone_flags ? "" : " none");
}

int cordon_plan_print(const struct cordon_plan *plan, FILE *out)
{
	if (!plan || !out)
		return -EINVAL;
	print_header(plan, out);
	fprintf(out, "operations:%s\n",
	        plan->n_ops ? "" : " none (no mount namespace on this host)");
	for (size_t i = 0; i < plan->n_ops; i++)
		print_op(&plan->ops[i], out);
	if (plan->git_note)
		fprintf(out, "git: %s\n", plan->git_note);
	fputs("rules:\n", out);
	for (size_t i = 0; i < plan->n_rules; i++)
		print_rule(&plan->rules[i], plan->policy->best_effort, out);
	return ferror(out) ? -EIO : 0;
}

/* ---- fingerprint ------------------------------------------------------------------------------ */

/* One field, NUL-ended: no path can smuggle a separator into another field. */
static void fp_field(FILE *f, const char *s)
{
	fputs(s ? s : "-", f);
	fputc('\0', f);
}

/* What a path is now: which file (device, inode, type), or that there is none. */
static void fp_identity(FILE *f, const char *path)
{
	struct stat st;
	char buf[96];
	if (!path || lstat(path, &st) < 0)
		snprintf(buf, sizeof(buf), "absent");
	else
		snprintf(buf, sizeof(buf), "%llx:%llx:%o", (unsigned long long)st.st_dev,
		         (unsigned long long)st.st_ino, (unsigned)(st.st_mode & S_IFMT));
	fp_field(f, buf);
}

static void fp_strv(FILE *f, const char *name, const struct cordon_strv *v)
{
	fprintf(f, "%s %zu", name, v->n);
	fputc('\0', f);
	for (size_t i = 0; i < v->n; i++)
		fp_field(f, v->v[i]);
}

/* The binary and the mount namespace this plan would be applied by and in. */
static void fp_process(FILE *f)
{
	struct stat exe, mnt;
	bool have_exe = stat("/proc/self/exe", &exe) == 0;
	bool have_mnt = stat("/proc/self/ns/mnt", &mnt) == 0;
	fprintf(f, "cordon %s exe %llx:%llx:%lld.%ld mntns %llx uid %u gid %u", cordon_version(),
	        have_exe ? (unsigned long long)exe.st_dev : 0ULL,
	        have_exe ? (unsigned long long)exe.st_ino : 0ULL,
	        have_exe ? (long long)exe.st_mtim.tv_sec : 0LL, have_exe ? exe.st_mtim.tv_nsec : 0L,
	        have_mnt ? (unsigned long long)mnt.st_ino : 0ULL, (unsigned)getuid(),
	        (unsigned)getgid());
	/* A command keeps its caller's supplementary groups, and a file's group may grant. */
	gid_t groups[256];
	int n = getgroups((int)ARRAY_SIZE(groups), groups);
	fprintf(f, " groups");
	for (int i = 0; i < n; i++)
		fprintf(f, " %u", (unsigned)groups[i]);
	fputc('\0', f);
}

static void fp_policy(FILE *f, const struct cordon_policy *p)
{
	const struct cordon_limits *l = &p->limits;
	fprintf(f, "profile %d network %d best-effort %d limits %llu %llu %llu %llu %llu %llu",
	        (int)p->profile, (int)p->network, (int)p->best_effort,
	        (unsigned long long)l->timeout_ms, (unsigned long long)l->memory,
	        (unsigned long long)l->pids, (unsigned long long)l->cpu,
	        (unsigned long long)l->file_size, (unsigned long long)l->open_files);
	fprintf(f, " tmp %llu %llu inotify %llu %llu", (unsigned long long)l->tmp_size,
	        (unsigned long long)l->tmp_inodes, (unsigned long long)l->inotify,
	        (unsigned long long)l->inotify_watches);
	fputc('\0', f);
	fp_field(f, p->workspace);
	fp_field(f, p->session);
	fp_strv(f, "writable", &p->writable);
	fp_strv(f, "protect", &p->protect);
	fp_strv(f, "deny-read", &p->deny_read);
	fp_strv(f, "env-keep", &p->env_keep);
	fprintf(f, "keep-fd %zu", p->n_keep_fds);
	for (size_t i = 0; i < p->n_keep_fds; i++)
		fprintf(f, " %d", p->keep_fds[i]);
	fputc('\0', f);
}

static void fp_decisions(FILE *f, const struct cordon_plan *pl)
{
	const struct cordon_host *h = pl->host;
	fprintf(f, "use %d%d%d%d clone %x landlock %d seccomp %d%d mount-api %d cgroup %d",
	        pl->use_userns, pl->use_netns, pl->use_landlock, pl->use_seccomp, pl->clone_flags,
	        h->landlock_abi, h->seccomp_filter, h->seccomp_notify, h->mount_api,
	        (int)h->cgroup);
	fputc('\0', f);
	fp_field(f, h->cgroup_dir);
	fp_field(f, h->cgroup_pids_dir);
	fp_field(f, pl->session_dir);
	for (size_t i = 0; i < pl->n_rules; i++) {
		fprintf(f, "rule %s %d", pl->rules[i].name ? pl->rules[i].name : "-",
		        (int)pl->rules[i].state);
		fputc('\0', f);
	}
}

static bool fp_is_rw_root(const struct cordon_plan *pl, const char *path)
{
	for (size_t i = 0; i < pl->n_ops; i++)
		if (pl->ops[i].kind == CORDON_OP_BIND_RW && strcmp(pl->ops[i].path, path) == 0)
			return true;
	return false;
}

/* The directories of a protected path up to its writable root: the supervisor knows them by
 * identity (notify.c, add_protected), so one replaced since (renamed away, made anew) must
 * change the plan, or a sandbox prepared before would let the protected name be created in
 * the new one. *last is the previous path's directory: its chain is in already. */
static void fp_protect_dirs(FILE *f, const struct cordon_plan *pl, const char *path, char **last)
{
	char *p = strdup(path);
	char *slash = p ? strrchr(p, '/') : NULL;
	if (!slash || slash == p) {
		free(p);
		return;
	}
	*slash = '\0';
	if (*last && strcmp(*last, p) == 0) {
		free(p);
		return;
	}
	free(*last);
	*last = strdup(p);
	for (;;) {
		fp_identity(f, p);
		if (fp_is_rw_root(pl, p) || !(slash = strrchr(p, '/')) || slash == p)
			break;
		*slash = '\0';
	}
	free(p);
}

int cordon_plan_fingerprint(const struct cordon_plan *pl, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	FILE *f = open_memstream(out, len);
	if (!f)
		return -ENOMEM;
	fp_process(f);
	fp_policy(f, pl->policy);
	fp_decisions(f, pl);
	char *last_dir = NULL;
	for (size_t i = 0; i < pl->n_ops; i++) {
		const struct cordon_op *op = &pl->ops[i];
		fprintf(f, "op %d %d", (int)op->kind, (int)op->is_dir);
		fputc('\0', f);
		fp_field(f, op->path);
		fp_identity(f, op->path);
		fp_field(f, op->source);
		fp_identity(f, op->source);
		fp_field(f, op->gitdir_of);
		if (op->kind == CORDON_OP_PROTECT || op->kind == CORDON_OP_PROTECT_ABSENT)
			fp_protect_dirs(f, pl, op->path, &last_dir);
	}
	free(last_dir);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}
