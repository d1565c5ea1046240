/* What git executes or reads configuration from inside the writable roots (see gitscan.h).
 *
 * Repositories: the one each root is in (found upwards, as git discovers it), and every `.git`
 * (directory, gitdir file or symlink) a bounded breadth-first walk of each root finds. For
 * each: its gitdir and common directory, `.gitmodules`, and its configuration as git reads it:
 * system and global files, `<common>/config`, `<gitdir>/config.worktree`, and every file these
 * include; then the hook scripts in its hooks directories, for the files they name. Every
 * includeIf counts as active (its condition depends on what the user runs later). Every value a
 * variable ever takes counts, not only the last. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "gitscan.h"

/* git stops at this depth of includes (MAX_INCLUDE_DEPTH); deeper files are still protected,
 * just not read. */
#define INCLUDE_DEPTH 10
#define CONFIG_MAX (4 << 20)
/* A scan that takes longer than this stops whatever its entry count (a slow network file
 * system): the plan must not hang on a workspace. */
#define SCAN_MAX_MS 250
/* Each path is a mount or a supervisor entry in every run: configuration naming thousands is
 * not a repository's, and must not make every run slow. */
#define MAX_PATHS 4096
#define STR_(x) #x
#define STR(x) STR_(x)

/* ---- classification (pure) -------------------------------------------------------------- */

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

struct key_kind {
	const char *section;
	const char *name;
	bool needs_sub; /* section.<sub>.name; else section.name */
	enum cordon_gitscan_kind kind;
};

/* Variables whose value git runs as a command or program, or reads as hooks, templates or
 * config, per git-config(1). pager.<cmd> and alias.<name> are handled below. */
static const struct key_kind keys[] = {
        {"include", "path", false, GITSCAN_INCLUDE},
        {"includeif", "path", true, GITSCAN_INCLUDE},
        {"core", "hookspath", false, GITSCAN_HOOKS},
        {"core", "fsmonitor", false, GITSCAN_COMMAND},
        {"core", "sshcommand", false, GITSCAN_COMMAND},
        {"core", "editor", false, GITSCAN_COMMAND},
        {"core", "pager", false, GITSCAN_COMMAND},
        {"core", "askpass", false, GITSCAN_COMMAND},
        {"core", "gitproxy", false, GITSCAN_COMMAND},
        {"core", "alternaterefscommand", false, GITSCAN_COMMAND},
        {"sequence", "editor", false, GITSCAN_COMMAND},
        {"credential", "helper", false, GITSCAN_COMMAND},
        {"credential", "helper", true, GITSCAN_COMMAND},
        {"filter", "clean", true, GITSCAN_COMMAND},
        {"filter", "smudge", true, GITSCAN_COMMAND},
        {"filter", "process", true, GITSCAN_COMMAND},
        {"diff", "command", true, GITSCAN_COMMAND},
        {"diff", "textconv", true, GITSCAN_COMMAND},
        {"diff", "external", false, GITSCAN_COMMAND},
        {"merge", "driver", true, GITSCAN_COMMAND},
        {"gpg", "program", false, GITSCAN_COMMAND},
        {"gpg", "program", true, GITSCAN_COMMAND},
        {"gpg", "defaultkeycommand", true, GITSCAN_COMMAND},
        {"interactive", "difffilter", false, GITSCAN_COMMAND},
        {"difftool", "cmd", true, GITSCAN_COMMAND},
        {"mergetool", "cmd", true, GITSCAN_COMMAND},
        {"difftool", "path", true, GITSCAN_PATH},
        {"mergetool", "path", true, GITSCAN_PATH},
        {"man", "cmd", true, GITSCAN_COMMAND},
        {"man", "path", true, GITSCAN_PATH},
        {"browser", "cmd", true, GITSCAN_COMMAND},
        {"browser", "path", true, GITSCAN_PATH},
        {"web", "browser", false, GITSCAN_COMMAND},
        {"guitool", "cmd", true, GITSCAN_COMMAND},
        {"trailer", "command", true, GITSCAN_COMMAND},
        {"trailer", "cmd", true, GITSCAN_COMMAND},
        {"sendemail", "smtpserver", false, GITSCAN_COMMAND},
        {"sendemail", "tocmd", false, GITSCAN_COMMAND},
        {"sendemail", "cccmd", false, GITSCAN_COMMAND},
        {"sendemail", "headercmd", false, GITSCAN_COMMAND},
        {"remote", "uploadpack", true, GITSCAN_COMMAND},
        {"remote", "receivepack", true, GITSCAN_COMMAND},
        {"uploadpack", "packobjectshook", false, GITSCAN_COMMAND},
        {"instaweb", "httpd", false, GITSCAN_COMMAND},
        {"init", "templatedir", false, GITSCAN_PATH},
};

enum cordon_gitscan_kind cordon_gitscan_classify(const char *section, const char *subsection,
                                                 const char *name, const char *value)
{
	if (!value || !value[0])
		return GITSCAN_NONE;
	/* pager.<cmd> = <pager>; alias.<name> = !<shell>; submodule.<n>.update = !<shell> */
	if (!subsection && strcmp(section, "pager") == 0)
		return GITSCAN_COMMAND;
	if (value[0] == '!' &&
	    ((!subsection && strcmp(section, "alias") == 0) ||
	     (subsection && strcmp(section, "submodule") == 0 && strcmp(name, "update") == 0)))
		return GITSCAN_COMMAND;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if ((subsection != NULL) == keys[i].needs_sub &&
		    strcmp(section, keys[i].section) == 0 && strcmp(name, keys[i].name) == 0)
			return keys[i].kind;
	return GITSCAN_NONE;
}

/* ---- command words (pure) --------------------------------------------------------------- */

/* The next shell word of *p, unquoted ('...', "...", backslash), into word (size bytes).
 * false at the end. Over-long words are cut: they are not paths anyway. */
static bool next_word(const char **p, char *word, size_t size)
{
	const char *s = *p + strspn(*p, " \t\n");
	if (!*s)
		return false;
	size_t n = 0;
	char quote = 0;
	for (; *s && (quote || !strchr(" \t\n;&|", *s)); s++) {
		char c = *s;
		if (quote && c == quote) {
			quote = 0;
			continue;
		}
		if (!quote && (c == '\'' || c == '"')) {
			quote = c;
			continue;
		}
		if (c == '\\' && quote != '\'' && s[1])
			c = *++s;
		if (n + 1 < size)
			word[n++] = c;
	}
	if (!quote && *s && strchr(";&|", *s) && s == *p + strspn(*p, " \t\n"))
		s++; /* an operator on its own: skip it */
	word[n] = '\0';
	*p = s;
	return true;
}

static bool is_assignment(const char *w)
{
	size_t n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	return n > 0 && w[n] == '=' && !(w[0] >= '0' && w[0] <= '9');
}

static bool names_file(const char *w, bool first)
{
	if (!w[0] || w[0] == '-' || strstr(w, "://") || strchr(w, '$') || strchr(w, '%'))
		return false;
	return strchr(w, '/') || (first && w[0] == '~');
}

int cordon_gitscan_command_paths(const char *command, int (*fn)(const char *word, void *ctx),
                                 void *ctx)
{
	cleanup_free char *word = malloc(PATH_MAX);
	if (!word)
		return -ENOMEM;
	const char *p = command + strspn(command, " \t");
	if (*p == '!')
		p++;
	bool first = true;
	while (next_word(&p, word, PATH_MAX)) {
		if (first && is_assignment(word))
			continue;
		if (names_file(word, first)) {
			int r = fn(word, ctx);
			if (r < 0)
				return r;
		}
		first = false;
	}
	return 0;
}

/* ---- the list of paths ------------------------------------------------------------------ */

struct scan {
	const struct cordon_gitscan_opts *o;
	struct cordon_gitscan *out;
	const char *const *globals;
	struct cordon_strv visited; /* config files read for the current repository */
	struct cordon_strv above;   /* directories above the roots looked at already */
	size_t budget;
	struct timespec start;
	bool links_known, links; /* keeps_dir_links's answer for links_dev */
	dev_t links_dev;
};

static bool beneath_strict(const char *path, const char *dir)
{
	return strcmp(path, dir) != 0 && cordon_path_is_beneath(path, dir);
}

/* Inside a writable root, and neither a root nor above one: a read-only bind there would
 * take a writable root away. */
static bool protectable(const struct scan *s, const char *path)
{
	bool inside = false;
	for (size_t i = 0; i < s->o->n_roots; i++) {
		if (cordon_path_is_beneath(s->o->roots[i], path))
			return false;
		inside = inside || beneath_strict(path, s->o->roots[i]);
	}
	return inside;
}

static int push(struct scan *s, const char *path, const char *why)
{
	for (size_t i = 0; i < s->out->n; i++)
		if (strcmp(s->out->v[i].path, path) == 0)
			return 0;
	if (s->out->n >= MAX_PATHS) {
		if (!s->out->stopped && asprintf(&s->out->stopped,
		                                 "more than %d paths named by git's configuration: "
		                                 "%s and later ones are "
		                                 "not protected",
		                                 MAX_PATHS, path) < 0)
			s->out->stopped = NULL;
		return 0;
	}
	struct cordon_gitscan_path *v = realloc(s->out->v, (s->out->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->out->v = v;
	v[s->out->n] = (struct cordon_gitscan_path){.path = strdup(path), .why = strdup(why)};
	s->out->n++;
	return v[s->out->n - 1].path && v[s->out->n - 1].why ? 0 : -ENOMEM;
}

/* path with every symlink resolved, also where its end does not exist yet (the deepest
 * existing ancestor resolved, the rest appended) or is a dangling symlink (its target, which
 * the command could otherwise create). malloc'd, NULL without memory. */
static char *resolve_links_at(const char *path, int hops)
{
	char *real = realpath(path, NULL);
	if (real)
		return real;
	cleanup_free char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash || slash == dir)
		return dir ? strdup(path) : NULL;
	*slash = '\0';
	cleanup_free char *parent = resolve_links_at(dir, hops);
	if (!parent)
		return NULL;
	char target[PATH_MAX];
	cleanup_free char *joined = cordon_path_join(parent, slash + 1);
	ssize_t n = joined && hops > 0 ? readlink(joined, target, sizeof(target) - 1) : -1;
	if (n <= 0)
		return steal_ptr(&joined);
	target[n] = '\0';
	cleanup_free char *next =
	        target[0] == '/' ? strdup(target) : cordon_path_join(parent, target);
	cleanup_free char *norm = next ? cordon_path_normalize(next) : NULL;
	return norm ? resolve_links_at(norm, hops - 1) : NULL;
}

static char *resolve_links(const char *path)
{
	return resolve_links_at(path, 8);
}

/* Whether a symlink lies on path below the root it is in (one lstat a component there; the
 * roots themselves are canonical), or, for a path outside the roots, at its end. */
static bool has_link(const struct scan *s, const char *path)
{
	size_t start = 0;
	for (size_t i = 0; i < s->o->n_roots; i++)
		if (beneath_strict(path, s->o->roots[i]))
			start = strlen(s->o->roots[i]);
	struct stat st;
	if (!start)
		return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + start + 1;; p++) {
		p = strchr(p, '/');
		if (p)
			*p = '\0';
		if (lstat(buf, &st) < 0)
			return false; /* what does not exist is no link */
		if (S_ISLNK(st.st_mode))
			return true;
		if (!p)
			return false;
		*p = '/';
	}
}

/* Protect path (normalized, absolute) when it lies inside a root, and also where it leads
 * through symlinks: the command must change neither the name nor what it names. A symlink
 * outside the roots is followed only where it is the last component (the user's own
 * directories leading into a root are left out: looking at every component of every path
 * would cost each run a readlink per component). */
static int add(struct scan *s, const char *path, const char *why)
{
	int r = protectable(s, path) ? push(s, path, why) : 0;
	if (r < 0 || !has_link(s, path))
		return r;
	cleanup_free char *real = resolve_links(path);
	if (!real)
		return -ENOMEM;
	if (strcmp(real, path) != 0 && protectable(s, real))
		r = push(s, real, why);
	return r;
}

/* The names git looks up in a hooks directory (githooks(5)). */
static const char *const hook_names[] = {"applypatch-msg",
                                         "pre-applypatch",
                                         "post-applypatch",
                                         "pre-commit",
                                         "pre-merge-commit",
                                         "prepare-commit-msg",
                                         "commit-msg",
                                         "post-commit",
                                         "pre-rebase",
                                         "post-checkout",
                                         "post-merge",
                                         "pre-push",
                                         "pre-receive",
                                         "update",
                                         "proc-receive",
                                         "post-receive",
                                         "post-update",
                                         "reference-transaction",
                                         "push-to-checkout",
                                         "pre-auto-gc",
                                         "post-rewrite",
                                         "sendemail-validate",
                                         "fsmonitor-watchman",
                                         "p4-changelist",
                                         "p4-prepare-changelist",
                                         "p4-post-changelist",
                                         "p4-pre-submit",
                                         "post-index-change",
                                         NULL};

static bool is_root_or_above(const struct scan *s, const char *path)
{
	for (size_t i = 0; i < s->o->n_roots; i++)
		if (cordon_path_is_beneath(s->o->roots[i], path))
			return true;
	return false;
}

/* A hooks directory: the whole directory, or, where it is a writable root itself (hooksPath
 * = .), each hook name in it. husky 9 points hooksPath at .husky/_, whose scripts run the
 * user's hooks in .husky: its parent too. */
static int add_hooks(struct scan *s, const char *dir, const char *why)
{
	const char *base = strrchr(dir, '/');
	if (base && strcmp(base, "/_") == 0 && base != dir) {
		cleanup_free char *parent = strndup(dir, (size_t)(base - dir));
		int r = parent ? add_hooks(s, parent, why) : -ENOMEM;
		if (r < 0)
			return r;
	}
	if (!is_root_or_above(s, dir))
		return add(s, dir, why);
	for (size_t i = 0; hook_names[i]; i++) {
		cleanup_free char *hook = cordon_path_join(dir, hook_names[i]);
		int r = hook ? add(s, hook, why) : -ENOMEM;
		if (r < 0)
			return r;
	}
	return 0;
}

/* value as git resolves a path: `~/` from home, relative from base. NULL when it names
 * nothing we can place (`~user/`, `%(prefix)/`, no home) or without memory. */
static char *resolve_value(const struct scan *s, const char *base, const char *value)
{
	cleanup_free char *joined = NULL;
	if (value[0] == '~' && (value[1] == '/' || !value[1])) {
		if (!s->o->home)
			return NULL;
		joined = cordon_path_join(s->o->home, value + 1 + (value[1] == '/'));
	} else if (value[0] == '~' || strncmp(value, "%(prefix)/", 10) == 0)
		return NULL;
	else
		joined = value[0] == '/' ? strdup(value) : cordon_path_join(base, value);
	return joined ? cordon_path_normalize(joined) : NULL;
}

/* ---- reading configuration -------------------------------------------------------------- */

struct repo {
	struct scan *s;
	const char *worktree; /* where git runs hooks and commands: relative paths start here */
	const char *file;     /* the config file being read */
	int depth;
	struct cordon_strv hook_dirs; /* every core.hooksPath seen, and <common>/hooks */
};

static int read_config(struct repo *rp, const char *path, int depth);

static char *dir_of(const char *path)
{
	char *d = strdup(path);
	char *slash = d ? strrchr(d, '/') : NULL;
	if (slash)
		*(slash == d ? slash + 1 : slash) = '\0';
	return d;
}

struct word_ctx {
	struct repo *rp;
	const char *why;
};

static int on_word(const char *word, void *ctx)
{
	struct word_ctx *w = ctx;
	cleanup_free char *p = resolve_value(w->rp->s, w->rp->worktree, word);
	return p ? add(w->rp->s, p, w->why) : 0;
}

static int on_variable(const char *section, const char *sub, const char *name, const char *value,
                       void *ctx)
{
	struct repo *rp = ctx;
	enum cordon_gitscan_kind kind = cordon_gitscan_classify(section, sub, name, value);
	if (kind == GITSCAN_NONE)
		return 0;
	cleanup_free char *why = NULL;
	if (asprintf(&why, "%s%s%s.%s in %s", section, sub ? "." : "", sub ? sub : "", name,
	             rp->file) < 0)
		return -ENOMEM;
	if (kind == GITSCAN_COMMAND) {
		struct word_ctx w = {rp, why};
		return cordon_gitscan_command_paths(value, on_word, &w);
	}
	cleanup_free char *base = kind == GITSCAN_INCLUDE ? dir_of(rp->file) : NULL;
	if (kind == GITSCAN_INCLUDE && !base)
		return -ENOMEM;
	cleanup_free char *p = resolve_value(rp->s, base ? base : rp->worktree, value);
	if (!p)
		return 0;
	if (kind == GITSCAN_HOOKS)
		return cordon_strv_push(&rp->hook_dirs, p) < 0 ? -ENOMEM : add_hooks(rp->s, p, why);
	int r = add(rp->s, p, why);
	if (r == 0 && kind == GITSCAN_INCLUDE) {
		const char *file = rp->file;
		r = read_config(rp, p, rp->depth + 1);
		rp->file = file;
	}
	return r;
}

/* The contents of a regular file of at most CONFIG_MAX bytes; NULL when there is none. */
static char *slurp_st(const char *path, size_t *len, struct stat *st)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_size > CONFIG_MAX)
		return NULL;
	char *buf = malloc((size_t)st->st_size + 1);
	size_t n = 0;
	while (buf && n < (size_t)st->st_size) {
		ssize_t k = read(fd, buf + n, (size_t)st->st_size - n);
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	*len = n;
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	return slurp_st(path, len, &st);
}

/* Read one config file (and what it includes) unless read already (a cycle, or a file
 * included twice: known by its identity) or too deep. */
static int read_config(struct repo *rp, const char *path, int depth)
{
	if (depth > INCLUDE_DEPTH)
		return 0;
	size_t len = 0;
	struct stat st;
	cleanup_free char *text = slurp_st(path, &len, &st);
	if (!text)
		return 0;
	char id[64];
	snprintf(id, sizeof(id), "%llx:%llx", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino);
	if (cordon_strv_contains(&rp->s->visited, id))
		return 0;
	if (cordon_strv_push(&rp->s->visited, id) < 0)
		return -ENOMEM;
	int saved = rp->depth;
	rp->file = path;
	rp->depth = depth;
	int r = cordon_gitconfig_parse(text, len, on_variable, rp);
	rp->depth = saved;
	return r;
}

/* The first line of a small file, without its newline; NULL when unreadable or empty. */
static char *first_line(const char *path)
{
	size_t len = 0;
	cleanup_free char *text = slurp(path, &len);
	if (!text || len > 4096)
		return NULL;
	text[len] = '\0';
	text[strcspn(text, "\r\n")] = '\0';
	return text[0] ? strdup(text) : NULL;
}

/* The gitdir a `.git` file names, resolved against the directory holding it; NULL if none. */
static char *gitfile_target(const struct scan *s, const char *dir, const char *git_file)
{
	cleanup_free char *line = first_line(git_file);
	if (!line || strncmp(line, "gitdir:", 7) != 0)
		return NULL;
	const char *target = line + 7 + strspn(line + 7, " \t");
	return *target ? resolve_value(s, dir, target) : NULL;
}

static char *common_dir(const struct scan *s, const char *gitdir)
{
	cleanup_free char *file = cordon_path_join(gitdir, "commondir");
	cleanup_free char *line = file ? first_line(file) : NULL;
	return line ? resolve_value(s, gitdir, line) : strdup(gitdir);
}

static int repo_configs(struct repo *rp, const char *gitdir, const char *common)
{
	struct scan *s = rp->s;
	cordon_strv_clear(&s->visited);
	int r = 0;
	for (size_t i = 0; r == 0 && s->globals[i]; i++) {
		r = add(s, s->globals[i], "git's system or global configuration");
		if (r == 0)
			r = read_config(rp, s->globals[i], 0);
	}
	cleanup_free char *local = cordon_path_join(common, "config");
	cleanup_free char *wt = cordon_path_join(gitdir, "config.worktree");
	if (!local || !wt)
		return -ENOMEM;
	if (r == 0)
		r = read_config(rp, local, 0);
	if (r == 0)
		r = read_config(rp, wt,
		                0); /* honoured with extensions.worktreeConfig: read anyway */
	return r;
}

/* ---- what the hooks name ------------------------------------------------------------------ */

/* Hook scripts are protected, but what they read is not: pre-commit's hook runs
 * `hook-impl --config=.pre-commit-config.yaml`, which names the commands a commit runs. Each
 * word of a hook that names an existing file, from the worktree as hooks run, is protected
 * too. A hook that runs `npm test` or `make` runs what package.json or the Makefile say: that
 * is past what this can follow (README, "What you run afterwards"). */
#define HOOK_MAX (64 * 1024)
#define HOOK_WORDS 256

static bool is_path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("._/+@~-", c);
}

static int hook_word(struct repo *rp, const char *word, const char *why)
{
	struct stat st;
	cleanup_free char *p = strchr(word, '/') || word[0] == '.' || strchr(word, '.')
	                               ? resolve_value(rp->s, rp->worktree, word)
	                               : NULL;
	if (!p || stat(p, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return add(rp->s, p, why);
}

static int read_hook(struct repo *rp, const char *path)
{
	size_t len = 0;
	struct stat st;
	cleanup_free char *text = slurp_st(path, &len, &st);
	if (!text || len > HOOK_MAX)
		return 0;
	text[len] = '\0';
	cleanup_free char *why = NULL;
	if (asprintf(&why, "named by the hook %s", path) < 0)
		return -ENOMEM;
	size_t words = 0;
	for (char *p = text; *p && words < HOOK_WORDS;) {
		size_t n = 0;
		while (p[n] && is_path_char(p[n]))
			n++;
		char end = p[n];
		p[n] = '\0';
		int r = n >= 3 && p[0] != '-' ? (words++, hook_word(rp, p, why)) : 0;
		if (r < 0)
			return r;
		p += n + (end != '\0');
	}
	return 0;
}

/* The hooks in dir (its listing, not a lookup per hook name: usually only samples). */
static int read_hooks(struct repo *rp, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int r = 0;
	struct dirent *e;
	while (r == 0 && (e = readdir(d)))
		if (in_list(e->d_name, hook_names)) {
			cleanup_free char *hook = cordon_path_join(dir, e->d_name);
			r = hook ? read_hook(rp, hook) : -ENOMEM;
		}
	closedir(d);
	return r;
}

/* The repository whose `.git` entry is dir/.git. */
static int add_repo(struct scan *s, const char *dir)
{
	cleanup_free char *dotgit = cordon_path_join(dir, ".git");
	cleanup_free char *modules = cordon_path_join(dir, ".gitmodules");
	if (!dotgit || !modules)
		return -ENOMEM;
	cleanup_free char *why = NULL;
	if (asprintf(&why, "repository %s", dotgit) < 0)
		return -ENOMEM;
	int r = add(s, dotgit, why); /* a dangling symlink: its target too */
	if (r == 0)
		r = add(s, modules, why);
	struct stat st;
	if (r < 0 || stat(dotgit, &st) < 0)
		return r;
	cleanup_free char *gitdir =
	        S_ISDIR(st.st_mode) ? strdup(dotgit) : gitfile_target(s, dir, dotgit);
	if (r < 0 || !gitdir)
		return r;
	if (!S_ISDIR(st.st_mode))
		r = add(s, gitdir, why);
	cleanup_free char *common = r == 0 ? common_dir(s, gitdir) : NULL;
	if (r == 0 && !common)
		return -ENOMEM;
	if (r == 0)
		r = add(s, common, why);
	s->out->repos++;
	struct repo rp = {.s = s, .worktree = dir};
	cleanup_free char *hooks = r == 0 ? cordon_path_join(common, "hooks") : NULL;
	if (r == 0 && (!hooks || cordon_strv_push(&rp.hook_dirs, hooks) < 0))
		r = -ENOMEM;
	if (r == 0)
		r = repo_configs(&rp, gitdir, common);
	for (size_t i = 0; r == 0 && i < rp.hook_dirs.n; i++)
		r = read_hooks(&rp, rp.hook_dirs.v[i]);
	cordon_strv_clear(&rp.hook_dirs);
	return r;
}

/* ---- finding repositories ---------------------------------------------------------------- */

/* The repository root is in, as git finds it walking up (GIT_CEILING_DIRECTORIES aside). */
static int add_enclosing_repo(struct scan *s, const char *root)
{
	cleanup_free char *dir = strdup(root);
	if (!dir)
		return -ENOMEM;
	for (;;) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			return 0;
		*(slash == dir ? slash + 1 : slash) = '\0';
		if (cordon_strv_contains(&s->above, dir))
			return 0; /* another root's walk went on from here */
		cleanup_free char *dotgit = cordon_path_join(dir, ".git");
		if (!dotgit || cordon_strv_push(&s->above, dir) < 0)
			return -ENOMEM;
		struct stat st;
		if (lstat(dotgit, &st) == 0)
			return add_repo(s, dir);
		if (slash == dir)
			return 0;
	}
}

/* Directories whose size usually dwarfs the rest and that seldom hold a repository: read
 * last, so the bound is spent on the rest first. */
static const char *const heavy[] = {"node_modules", ".venv",  "venv",    "__pycache__", ".cache",
                                    ".tox",         "target", ".gradle", ".mypy_cache", NULL};

struct walk {
	struct cordon_strv dirs;  /* breadth-first queue */
	struct cordon_strv later; /* the heavy ones */
	size_t next, next_later;
	dev_t dev;
	const char *root;
	bool leaf_links; /* a directory's link count is 2 + its subdirectories */
};

static long elapsed_ms(const struct scan *s)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - s->start.tv_sec) * 1000 + (now.tv_nsec - s->start.tv_nsec) / 1000000;
}

static int stop(struct scan *s, const char *dir, size_t left, const char *why)
{
	if (s->out->stopped)
		return 0;
	if (asprintf(&s->out->stopped,
	             "the scan for nested repositories stopped %s, in %s, with %zu directories "
	             "left unread: a repository there is not protected",
	             why, dir, left) < 0) {
		s->out->stopped = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* A subdirectory: queued, or, when it has no subdirectories of its own, only looked at for a
 * `.git` file (a `.git` directory would be a subdirectory): two stat calls instead of
 * reading it. */
static int queue_child(struct scan *s, struct walk *w, int dfd, const struct dirent *e,
                       const char *dir)
{
	unsigned char type = e->d_type;
	struct stat st;
	if (type == DT_UNKNOWN && fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
	if (type != DT_DIR)
		return 0;
	cleanup_free char *child = cordon_path_join(dir, e->d_name);
	if (!child)
		return -ENOMEM;
	if (w->leaf_links && fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_nlink == 2) {
		char rel[NAME_MAX + 8];
		snprintf(rel, sizeof(rel), "%s/.git", e->d_name);
		if (st.st_dev != w->dev || fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		return add_repo(s, child);
	}
	return cordon_strv_push(in_list(e->d_name, heavy) ? &w->later : &w->dirs, child);
}

/* ext2/3/4, xfs and tmpfs count a directory's subdirectories in its links (btrfs and
 * overlayfs do not: their directories are read). */
static bool keeps_dir_links(struct scan *s, const char *root, dev_t dev)
{
	if (s->links_known && s->links_dev == dev)
		return s->links; /* many roots, one file system: one statfs */
	struct statfs sf;
	bool keeps = false;
	if (statfs(root, &sf) == 0)
		switch ((unsigned long)sf.f_type) {
		case 0xEF53UL:     /* EXT2/3/4_SUPER_MAGIC */
		case 0x58465342UL: /* XFS_SUPER_MAGIC */
		case 0x01021994UL: /* TMPFS_MAGIC */
			keeps = true;
			break;
		default:
			break;
		}
	s->links_known = true;
	s->links_dev = dev;
	return s->links = keeps;
}

/* One directory: count its entries against the bound, note a `.git`, queue subdirectories.
 * 1 when the bound is reached. */
static int read_dir(struct scan *s, struct walk *w, const char *dir)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != w->dev)
		return 0; /* unreadable, or another mount: not ours to walk */
	DIR *d = fdopendir(fd);
	if (!d)
		return 0;
	int dfd = steal_fd(&fd);
	struct dirent *e;
	int r = 0;
	bool repo = false;
	while (r == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (++s->out->entries > s->budget ||
		    (s->out->entries % 1024 == 0 && elapsed_ms(s) > SCAN_MAX_MS))
			r = 1;
		else if (strcmp(e->d_name, ".git") == 0)
			repo = strcmp(dir, w->root) != 0; /* read after; never descended into */
		else
			r = queue_child(s, w, dfd, e, dir);
	}
	closedir(d);
	if (r == 0 && repo)
		r = add_repo(s, dir);
	return r;
}

static int walk_root(struct scan *s, const char *root)
{
	struct stat st;
	if (stat(root, &st) < 0)
		return 0;
	struct walk w = {.dev = st.st_dev, .root = root};
	w.leaf_links = keeps_dir_links(s, root, st.st_dev);
	bool has_subdirs = !w.leaf_links || st.st_nlink != 2;
	/* The root's own repository is read whatever the bound. */
	cleanup_free char *dotgit = cordon_path_join(root, ".git");
	if (!dotgit)
		return -ENOMEM;
	int r = lstat(dotgit, &st) == 0 ? add_repo(s, root) : 0;
	if (r == 0 && has_subdirs) /* else nothing below to walk (one writable root of many) */
		r = cordon_strv_push(&w.dirs, root);
	while (r == 0) {
		const char *dir = w.next < w.dirs.n          ? w.dirs.v[w.next++]
		                  : w.next_later < w.later.n ? w.later.v[w.next_later++]
		                                             : NULL;
		if (!dir)
			break;
		r = read_dir(s, &w, dir);
		if (r == 1) {
			r = stop(s, dir, w.dirs.n - w.next + w.later.n - w.next_later,
			         s->out->entries > s->budget
			                 ? "at its bound of entries"
			                 : "at its time limit (" STR(SCAN_MAX_MS) " ms)");
			break;
		}
		if (s->out->stopped)
			break; /* another root spent the bound */
	}
	cordon_strv_clear(&w.dirs);
	cordon_strv_clear(&w.later);
	return r < 0 ? r : 0;
}

/* ---- entry point -------------------------------------------------------------------------- */

/* git's system and global files, as the caller's environment names them. */
static int default_globals(struct cordon_strv *v, const char *home)
{
	const char *sys = getenv("GIT_CONFIG_SYSTEM");
	const char *global = getenv("GIT_CONFIG_GLOBAL");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	int r = 0;
	if (!getenv("GIT_CONFIG_NOSYSTEM"))
		r = cordon_strv_push(v, sys && sys[0] ? sys : "/etc/gitconfig");
	if (r == 0 && global && global[0])
		return cordon_strv_push(v, global);
	cleanup_free char *xdg_file = xdg && xdg[0] == '/' ? cordon_path_join(xdg, "git/config")
	                              : home ? cordon_path_join(home, ".config/git/config")
	                                     : NULL;
	cleanup_free char *dot = home ? cordon_path_join(home, ".gitconfig") : NULL;
	if (r == 0 && xdg_file)
		r = cordon_strv_push(v, xdg_file);
	if (r == 0 && dot)
		r = cordon_strv_push(v, dot);
	return r;
}

int cordon_gitscan_run(const struct cordon_gitscan_opts *o, struct cordon_gitscan *out)
{
	*out = (struct cordon_gitscan){0};
	struct scan s = {.o = o, .out = out};
	s.budget = o->max_entries ? o->max_entries : CORDON_GITSCAN_MAX_ENTRIES;
	clock_gettime(CLOCK_MONOTONIC, &s.start);
	struct cordon_strv globals = {0};
	int r = o->global_configs ? 0 : default_globals(&globals, o->home);
	static const char *const none[] = {NULL};
	s.globals = o->global_configs ? o->global_configs
	            : globals.n       ? (const char *const *)globals.v
	                              : none;
	for (size_t i = 0; r == 0 && i < o->n_roots; i++)
		r = add_enclosing_repo(&s, o->roots[i]);
	for (size_t i = 0; r == 0 && i < o->n_roots; i++)
		r = walk_root(&s, o->roots[i]);
	cordon_strv_clear(&s.visited);
	cordon_strv_clear(&s.above);
	cordon_strv_clear(&globals);
	return r;
}

void cordon_gitscan_clear(struct cordon_gitscan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].why);
	}
	free(s->v);
	free(s->stopped);
	*s = (struct cordon_gitscan){0};
}
