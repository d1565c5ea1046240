/* Unit tests of gitscan.c, without privileges: the config parser on git's syntax, which
 * variables name programs, the words of a command that name files, and the scan of a
 * temporary tree (hooksPath relative, absolute and at the root, husky's layout, includes and
 * includeIf relative to the including file, include cycles, a missing include, `~/`, nested
 * repositories and gitfiles, the bound on the scan, nothing outside the roots). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gitscan.h"
#include "testutil.h"

/* ---- the parser ------------------------------------------------------------------------- */

/* Each variable as "section|sub|name=value" (sub "-" when none, value "(bool)" when NULL),
 * one a line. */
static int collect(const char *section, const char *sub, const char *name, const char *value,
                   void *ctx)
{
	FILE *f = ctx;
	fprintf(f, "%s|%s|%s=%s\n", section, sub ? sub : "-", name, value ? value : "(bool)");
	return 0;
}

static char *parse_to_text(const char *text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(cordon_gitconfig_parse(text, strlen(text), collect, f), 0);
	fclose(f);
	return out;
}

static void test_gitscan_parse_syntax(void **state)
{
	(void)state;
	cleanup_free char *got =
	        parse_to_text("# comment\n"
	                      "; another\n"
	                      "[Core]\n"
	                      "\tHooksPath = .husky   # trailing comment\n"
	                      "\tbare\n"
	                      "[core] fsmonitor = \"tools/fs mon.sh\" ; same line as the header\n"
	                      "[includeIf \"gitdir:~/Work/\"]\n"
	                      "  path = a\\\\b \\\"q\\\"\n"
	                      "[Filter.LFS]\n"
	                      "clean = one \\\n"
	                      "  two\r\n"
	                      "[alias]\n"
	                      "  x = \"!sh  -c 'a;b'\"\n"
	                      "[broken\n"
	                      "  lost = yes\n"
	                      "[ok]\n"
	                      "  open = \"never closed\n"
	                      "  kept = 1\n");
	assert_string_equal(got, "core|-|hookspath=.husky\n"
	                         "core|-|bare=(bool)\n"
	                         "core|-|fsmonitor=tools/fs mon.sh\n"
	                         "includeif|gitdir:~/Work/|path=a\\b \"q\"\n"
	                         "filter|lfs|clean=one   two\n"
	                         "alias|-|x=!sh  -c 'a;b'\n"
	                         "ok|-|kept=1\n");
}

static void test_gitscan_classify(void **state)
{
	(void)state;
	assert_int_equal(cordon_gitscan_classify("include", NULL, "path", "x"), GITSCAN_INCLUDE);
	assert_int_equal(cordon_gitscan_classify("includeif", "onbranch:main", "path", "x"),
	                 GITSCAN_INCLUDE);
	assert_int_equal(cordon_gitscan_classify("core", NULL, "hookspath", ".husky"),
	                 GITSCAN_HOOKS);
	assert_int_equal(cordon_gitscan_classify("core", NULL, "fsmonitor", "x"), GITSCAN_COMMAND);
	assert_int_equal(cordon_gitscan_classify("filter", "lfs", "process", "x"), GITSCAN_COMMAND);
	assert_int_equal(cordon_gitscan_classify("diff", "pdf", "textconv", "x"), GITSCAN_COMMAND);
	assert_int_equal(cordon_gitscan_classify("merge", "m", "driver", "x"), GITSCAN_COMMAND);
	assert_int_equal(cordon_gitscan_classify("credential", "https://h", "helper", "x"),
	                 GITSCAN_COMMAND);
	assert_int_equal(cordon_gitscan_classify("pager", NULL, "log", "x"), GITSCAN_COMMAND);
	assert_int_equal(cordon_gitscan_classify("alias", NULL, "t", "!./t.sh"), GITSCAN_COMMAND);
	assert_int_equal(cordon_gitscan_classify("alias", NULL, "st", "status"), GITSCAN_NONE);
	assert_int_equal(cordon_gitscan_classify("difftool", "x", "path", "x"), GITSCAN_PATH);
	/* not commands, or not in this form */
	assert_int_equal(cordon_gitscan_classify("core", NULL, "editor", NULL), GITSCAN_NONE);
	assert_int_equal(cordon_gitscan_classify("filter", NULL, "clean", "x"), GITSCAN_NONE);
	assert_int_equal(cordon_gitscan_classify("user", NULL, "name", "x"), GITSCAN_NONE);
	assert_int_equal(cordon_gitscan_classify("remote", "origin", "url", "../x"), GITSCAN_NONE);
}

static int word_into(const char *word, void *ctx)
{
	FILE *f = ctx;
	fprintf(f, "[%s]", word);
	return 0;
}

static char *words(const char *command)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(cordon_gitscan_command_paths(command, word_into, f), 0);
	fclose(f);
	return out;
}

static void test_gitscan_command_words(void **state)
{
	(void)state;
	const struct {
		const char *command, *want;
	} cases[] = {
	        {"tools/fsmon.sh --x", "[tools/fsmon.sh]"},
	        {"!sh scripts/a.sh -o=out/x --flag", "[scripts/a.sh]"},
	        {"FOO=1 BAR=2 ./run 'my dir/x'", "[./run][my dir/x]"},
	        {"~/bin/helper get", "[~/bin/helper]"},
	        {"git-lfs clean -- %f", ""},
	        {"store --file=~/.git-credentials", ""},
	        {"vim", ""},
	        {"curl https://example.com/x", ""},
	        {"a; b/c && ./d", "[b/c][./d]"},
	        {"sh -c \"$HOME/x\"", ""},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *got = words(cases[i].command);
		assert_non_null(got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].command, got, cases[i].want);
	}
}

/* ---- the scan ----------------------------------------------------------------------------- */

struct fixture {
	char *top;  /* the temporary directory */
	char *ws;   /* top/ws: the writable root */
	char *home; /* top/home: outside it */
	struct cordon_gitscan scan;
};

static char *sub(const char *dir, const char *name)
{
	char *p = cordon_path_join(dir, name);
	assert_non_null(p);
	return p;
}

/* mkdir -p of every directory above name, then the file. */
static void put(const char *dir, const char *name, const char *text)
{
	cleanup_free char *p = sub(dir, name);
	for (char *s = strchr(p + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	assert_int_equal(tu_write_file(p, text), 0);
}

static void put_dir(const char *dir, const char *name)
{
	cleanup_free char *rel = sub(name, ".keep");
	cleanup_free char *keep = sub(dir, rel);
	put(dir, rel, "");
	assert_int_equal(unlink(keep), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *tmp = tu_tmpdir("cordon-gitscan", (uid_t)-1, (gid_t)-1);
	if (!f || !tmp)
		return -1;
	f->top = realpath(tmp, NULL);
	free(tmp);
	f->ws = sub(f->top, "ws");
	f->home = sub(f->top, "home");
	mkdir(f->ws, 0700);
	mkdir(f->home, 0700);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	cordon_gitscan_clear(&f->scan);
	tu_rm_rf(f->top);
	free(f->top);
	free(f->ws);
	free(f->home);
	free(f);
	return 0;
}

static const char *const no_globals[] = {NULL};

static void scan_with(struct fixture *f, const char *home, const char *const *globals, size_t max)
{
	const char *roots[] = {f->ws};
	struct cordon_gitscan_opts o = {.roots = roots,
	                                .n_roots = 1,
	                                .home = home,
	                                .global_configs = globals ? globals : no_globals,
	                                .max_entries = max};
	cordon_gitscan_clear(&f->scan);
	assert_int_equal(cordon_gitscan_run(&o, &f->scan), 0);
}

static void scan(struct fixture *f)
{
	scan_with(f, f->home, NULL, 0);
}

/* The why of ws/rel in the scan, or NULL. */
static const char *why_of(const struct fixture *f, const char *rel)
{
	cleanup_free char *p = sub(f->ws, rel);
	for (size_t i = 0; i < f->scan.n; i++)
		if (strcmp(f->scan.v[i].path, p) == 0)
			return f->scan.v[i].why;
	return NULL;
}

static void assert_found(const struct fixture *f, const char *rel, const char *why_part)
{
	const char *why = why_of(f, rel);
	if (!why)
		fail_msg("%s not found", rel);
	if (why_part && !strstr(why, why_part))
		fail_msg("%s: why is '%s', wanted '%s' in it", rel, why, why_part);
}

static void test_gitscan_hooks_path(void **state)
{
	struct fixture *f = *state;
	put_dir(f->ws, ".git");
	put(f->ws, ".git/config", "[core]\n\thooksPath = .husky\n");
	scan(f);
	assert_found(f, ".husky", "core.hookspath in ");
	assert_found(f, ".gitmodules", "repository");
	assert_null(why_of(f, ".husky/pre-commit")); /* the whole directory is enough */

	cleanup_free char *abs = sub(f->ws, "tools/hooks");
	cleanup_free char *cfg = NULL;
	assert_true(asprintf(&cfg, "[core]\n\thooksPath = %s\n", abs) > 0);
	put(f->ws, ".git/config", cfg);
	scan(f);
	assert_found(f, "tools/hooks", "core.hookspath");

	/* hooksPath = . cannot make the root read-only: each hook name in it instead */
	put(f->ws, ".git/config", "[core]\n\thooksPath = .\n");
	scan(f);
	assert_found(f, "pre-commit", "core.hookspath");
	assert_found(f, "post-checkout", "core.hookspath");
	assert_null(why_of(f, ""));

	/* husky 9: hooksPath = .husky/_, whose scripts run .husky/<hook> */
	put(f->ws, ".git/config", "[core]\n\thooksPath = .husky/_\n");
	scan(f);
	assert_found(f, ".husky/_", "core.hookspath");
	assert_found(f, ".husky", "core.hookspath");
}

static void test_gitscan_includes(void **state)
{
	struct fixture *f = *state;
	put_dir(f->ws, ".git");
	/* relative to the including file's directory (.git), includeIf of any kind */
	put(f->ws, ".git/config",
	    "[include]\n\tpath = ../team.gitconfig\n"
	    "[includeIf \"onbranch:main\"]\n\tpath = ../cfg/branch.inc\n"
	    "[includeIf \"hasconfig:remote.*.url:https://x/**\"]\n"
	    "\tpath = ../cfg/missing.inc\n");
	put(f->ws, "team.gitconfig", "[include]\n\tpath = cfg/nested.inc\n");
	put(f->ws, "cfg/nested.inc", "[core]\n\tfsmonitor = tools/watch.sh\n");
	put(f->ws, "cfg/branch.inc",
	    "[include]\n\tpath = ../team.gitconfig\n" /* a cycle */
	    "[core]\n\tsshCommand = ./bin/ssh -v\n");
	scan(f);
	assert_found(f, "team.gitconfig", "include.path in ");
	assert_found(f, "cfg/branch.inc", "includeif.onbranch:main.path in ");
	assert_found(f, "cfg/missing.inc", "includeif.hasconfig");
	assert_found(f, "cfg/nested.inc", "team.gitconfig");
	/* commands in included files: relative to the worktree */
	assert_found(f, "tools/watch.sh", "core.fsmonitor in ");
	assert_found(f, "bin/ssh", "core.sshcommand in ");
}

static void test_gitscan_home_and_globals(void **state)
{
	struct fixture *f = *state;
	put_dir(f->ws, ".git");
	put(f->ws, ".git/config", "[include]\n\tpath = ~/inc.cfg\n");
	/* $HOME inside the root (a workspace that is the home directory) */
	scan_with(f, f->ws, NULL, 0);
	assert_found(f, "inc.cfg", "include.path");

	/* a global file outside the roots still names paths inside them */
	cleanup_free char *global = sub(f->home, "gitconfig");
	put(f->home, "gitconfig",
	    "[core]\n\thooksPath = .githooks\n"
	    "[filter \"x\"]\n\tsmudge = scripts/smudge %f\n");
	const char *globals[] = {global, NULL};
	scan_with(f, f->home, globals, 0);
	assert_found(f, ".githooks", global);
	assert_found(f, "scripts/smudge", "filter.x.smudge");
	assert_null(why_of(f, "inc.cfg")); /* ~ is elsewhere now */
}

static void test_gitscan_commands(void **state)
{
	struct fixture *f = *state;
	put_dir(f->ws, ".git");
	put(f->ws, ".git/config",
	    "[core]\n\teditor = vim\n\tpager = less\n"
	    "[credential]\n\thelper = store\n"
	    "[credential \"https://h\"]\n\thelper = !./cred.sh get\n"
	    "[diff \"pdf\"]\n\ttextconv = sh conv/pdf2txt.sh\n"
	    "[merge \"ours\"]\n\tdriver = ./merge.sh %O %A %B\n"
	    "[gpg]\n\tprogram = /usr/bin/gpg\n"
	    "[alias]\n\tdeploy = !scripts/deploy.sh\n");
	scan(f);
	assert_found(f, "cred.sh", "credential.https://h.helper");
	assert_found(f, "conv/pdf2txt.sh", "diff.pdf.textconv");
	assert_found(f, "merge.sh", "merge.ours.driver");
	assert_found(f, "scripts/deploy.sh", "alias.deploy");
	for (size_t i = 0; i < f->scan.n; i++) /* nothing outside the root */
		assert_true(cordon_path_is_beneath(f->scan.v[i].path, f->ws));
}

static void test_gitscan_nested_repositories(void **state)
{
	struct fixture *f = *state;
	put_dir(f->ws, ".git");
	put(f->ws, "src/.git/config", "[core]\n\tfsmonitor = ./fsmon\n");
	/* a submodule's gitfile, its gitdir in the parent's .git/modules */
	put(f->ws, ".git/modules/lib/config", "[core]\n\thooksPath = hooks-here\n");
	put(f->ws, "vendor/lib/.git", "gitdir: ../../.git/modules/lib\n");
	/* a gitfile pointing at a directory of the workspace */
	put(f->ws, "gd/config", "[core]\n\tpager = ./p\n");
	put(f->ws, "deep/a/b/c/.git", "gitdir: ../../../../gd\n");
	/* a symlinked .git whose target is missing: the command must not make it */
	put_dir(f->ws, "ln");
	cleanup_free char *ln = sub(f->ws, "ln/.git");
	assert_int_equal(symlink("../planted", ln), 0);
	scan(f);
	assert_found(f, "src/.git", "repository");
	assert_found(f, "src/.gitmodules", "repository");
	assert_found(f, "src/fsmon", "core.fsmonitor in ");
	assert_found(f, "vendor/lib/.git", "repository");
	assert_found(f, "vendor/lib/hooks-here", "core.hookspath");
	assert_found(f, "deep/a/b/c/.git", "repository");
	assert_found(f, "gd", "repository");
	assert_found(f, "deep/a/b/c/p", "core.pager");
	assert_found(f, "ln/.git", "repository");
	assert_found(f, "planted", "repository");
	assert_true(f->scan.repos >= 4);
	assert_null(f->scan.stopped);
}

/* pre-commit's hook names the file that says what a commit runs; samples are not hooks */
static void test_gitscan_hook_scripts(void **state)
{
	struct fixture *f = *state;
	put(f->ws, ".git/hooks/pre-commit",
	    "#!/usr/bin/env bash\nINSTALL_PYTHON=/usr/bin/python3\n"
	    "ARGS=(hook-impl --config=.pre-commit-config.yaml --hook-type=pre-commit)\n"
	    "exec \"$INSTALL_PYTHON\" -mpre_commit \"${ARGS[@]}\" && ./scripts/check.sh\n");
	put(f->ws, ".git/hooks/pre-push.sample", "./scripts/sample.sh\n");
	put(f->ws, ".pre-commit-config.yaml", "repos: []\n");
	put(f->ws, "scripts/check.sh", "");
	put(f->ws, "scripts/sample.sh", "");
	scan(f);
	assert_found(f, ".pre-commit-config.yaml", "named by the hook ");
	assert_found(f, "scripts/check.sh", "pre-commit");
	assert_null(why_of(f, "scripts/sample.sh"));
}

static void test_gitscan_bounded(void **state)
{
	struct fixture *f = *state;
	put_dir(f->ws, ".git");
	put(f->ws, ".git/config", "[core]\n\thooksPath = .husky\n");
	for (int i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "d%02d/f", i);
		put(f->ws, name, "");
	}
	put(f->ws, "d49/x/y/.git/config", "");
	scan_with(f, f->home, NULL, 20);
	assert_non_null(f->scan.stopped);
	assert_non_null(strstr(f->scan.stopped, "bound"));
	assert_true(f->scan.entries <= 21);
	assert_found(f, ".husky", "core.hookspath"); /* the root's own repo, whatever the bound */
	assert_null(why_of(f, "d49/x/y/.git"));
	scan(f);
	assert_null(f->scan.stopped);
	assert_found(f, "d49/x/y/.git", "repository");
}

static void test_gitscan_symlinked_dirs_not_followed(void **state)
{
	struct fixture *f = *state;
	put(f->home, "elsewhere/.git/config", "[core]\n\tfsmonitor = ./x\n");
	cleanup_free char *link = sub(f->ws, "link");
	cleanup_free char *target = sub(f->home, "elsewhere");
	assert_int_equal(symlink(target, link), 0);
	scan(f);
	assert_int_equal(f->scan.repos, 0);
	assert_int_equal(f->scan.n, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_gitscan_parse_syntax),
	        cmocka_unit_test(test_gitscan_classify),
	        cmocka_unit_test(test_gitscan_command_words),
	        T(test_gitscan_hooks_path),
	        T(test_gitscan_includes),
	        T(test_gitscan_home_and_globals),
	        T(test_gitscan_commands),
	        T(test_gitscan_nested_repositories),
	        T(test_gitscan_hook_scripts),
	        T(test_gitscan_bounded),
	        T(test_gitscan_symlinked_dirs_not_followed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
