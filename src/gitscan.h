/* What git, run later on the host by the user, executes or reads configuration from inside a
 * writable root: the repository's own configuration sends it there (core.hooksPath = .husky,
 * include.path = ../team.gitconfig, core.fsmonitor = tools/watch.sh), and nested repositories
 * and submodules carry configuration of their own. plan.c turns each path found into a PROTECT
 * (or PROTECT_ABSENT) op, so the command can neither change what is there nor plant what is
 * missing.
 *
 * Two layers: cordon_gitconfig_parse and cordon_gitscan_command_paths are pure (text in,
 * callbacks out) and unit-tested without a file system; cordon_gitscan_run reads the files
 * and walks the roots (bounded, never following symlinks). */
#ifndef CORDON_GITSCAN_H
#define CORDON_GITSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* One variable of a git config file. section and name are lower-cased, subsection is as
 * written (NULL when none); value is NULL for a bare boolean (`[core] bare`). Return < 0 to
 * stop the parse with that value. */
typedef int (*cordon_gitconfig_fn)(const char *section, const char *subsection, const char *name,
                                   const char *value, void *ctx);

/* Parse text the way git does (sections, "subsections", quoting, escapes, line continuations,
 * # and ; comments). Lines git would reject are skipped, not fatal: this reader must err on
 * the side of seeing too much. 0, the callback's negative value, or -ENOMEM. */
CORDON_HIDDEN int cordon_gitconfig_parse(const char *text, size_t len, cordon_gitconfig_fn fn,
                                         void *ctx);

/* The words of a command git would hand to the shell that may name a file: the first word
 * (after any leading `!` and VAR=value assignments) when it holds a '/' or starts with '~',
 * and every later word holding a '/' that is not an option or a URL. fn gets each, unquoted.
 * 0, fn's negative value or -ENOMEM. */
CORDON_HIDDEN int cordon_gitscan_command_paths(const char *command,
                                               int (*fn)(const char *word, void *ctx), void *ctx);

/* The kind of path a variable holds, or GITSCAN_NONE. */
enum cordon_gitscan_kind {
	GITSCAN_NONE,
	GITSCAN_INCLUDE, /* include.path, includeIf.<cond>.path: a config file, relative to it */
	GITSCAN_HOOKS,   /* core.hooksPath: a directory of hooks, relative to the worktree */
	GITSCAN_PATH,    /* a program or directory named by path (difftool.<t>.path, ...) */
	GITSCAN_COMMAND, /* a shell command (core.fsmonitor, filter.<d>.clean, ...) */
};
CORDON_HIDDEN enum cordon_gitscan_kind cordon_gitscan_classify(const char *section,
                                                               const char *subsection,
                                                               const char *name, const char *value);

struct cordon_gitscan_path {
	char *path; /* absolute, normalized, inside a writable root */
	char *why;  /* "core.hooksPath in /w/.git/config" */
};

struct cordon_gitscan {
	struct cordon_gitscan_path *v;
	size_t n;
	size_t entries; /* directory entries the scan for nested repositories read */
	size_t repos;   /* repositories whose configuration was read */
	char *stopped;  /* NULL, or where the bounded scan stopped (for explain) */
};

struct cordon_gitscan_opts {
	const char *const *roots; /* the writable roots (canonical), n_roots of them */
	size_t n_roots;
	const char *home; /* the caller's $HOME, for `~/`; NULL: none */
	/* System and global config files read before each repository's own (NULL-terminated;
	 * NULL: git's defaults from the environment). */
	const char *const *global_configs;
	size_t max_entries; /* directory entries the scan may read; 0: the default */
};

#define CORDON_GITSCAN_MAX_ENTRIES 30000

/* Find every repository in (a bounded scan of) each root and above it, read its configuration
 * with its includes, and list the paths inside the roots that git executes or reads config
 * from. 0 or -ENOMEM; out is filled either way (free with cordon_gitscan_clear). */
CORDON_HIDDEN int cordon_gitscan_run(const struct cordon_gitscan_opts *o,
                                     struct cordon_gitscan *out);
CORDON_HIDDEN void cordon_gitscan_clear(struct cordon_gitscan *s);

#endif
