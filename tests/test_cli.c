/* Unit tests of the command line: both option forms, run/explain/help/version, and every
 * kind of bad input giving -EINVAL with one line naming the flag or value. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "cli.h"
#include "testutil.h"

#define ARGC(a) ((int)ARRAY_SIZE(a) - 1)

static void test_cli_run_both_option_forms(void **state)
{
	(void)state;
	char *argv[] = {"cordon",
	                "run",
	                "--workspace",
	                "/w",
	                "--writable=/a",
	                "--writable",
	                "/b",
	                "--profile=read-only",
	                "--network",
	                "on",
	                "--session=s",
	                "--timeout",
	                "0.5",
	                "--memory=64M",
	                "--pids",
	                "10",
	                "--cpu=2",
	                "--file-size",
	                "1K",
	                "--open-files=50",
	                "--env-keep",
	                "K",
	                "--keep-fd=4",
	                "--protect",
	                "/p",
	                "--deny-read=/d",
	                "--best-effort",
	                "--policy",
	                "x.conf",
	                "--",
	                "make",
	                "--jobs",
	                "-k",
	                NULL};
	struct cordon_cli cli;
	cordon_error err = {0};
	assert_int_equal(cordon_cli_parse(ARGC(argv), argv, &cli, &err), 0);
	assert_int_equal(cli.command, CORDON_CLI_RUN);
	const struct cordon_policy *p = cli.policy;
	assert_string_equal(p->workspace, "/w");
	assert_int_equal(p->writable.n, 2);
	assert_int_equal(p->profile, CORDON_PROFILE_READ_ONLY);
	assert_int_equal(p->network, CORDON_NETWORK_ON);
	assert_string_equal(p->session, "s");
	assert_true(p->limits.timeout_ms == 500 && p->limits.memory == 64ull << 20);
	assert_true(p->limits.pids == 10 && p->limits.cpu == 2 && p->limits.file_size == 1024);
	assert_true(p->limits.open_files == 50);
	assert_true(cordon_strv_contains(&p->env_keep, "K"));
	assert_int_equal(p->keep_fds[0], 4);
	assert_string_equal(p->protect.v[0], "/p");
	assert_string_equal(p->deny_read.v[0], "/d");
	assert_true(p->best_effort);
	assert_true(p->explicit_bits & CORDON_SET_BEST_EFFORT);
	assert_string_equal(cli.policy_file, "x.conf");
	assert_null(p->source_file); /* recorded, not loaded */
	assert_int_equal(cli.argc, 3);
	assert_string_equal(cli.argv[0], "make");
	assert_string_equal(cli.argv[1], "--jobs"); /* after --, options belong to the command */
	assert_null(cli.argv[3]);
	cordon_cli_free(&cli);
}

static void test_cli_explain_help_version(void **state)
{
	(void)state;
	struct cordon_cli cli;
	char *explain[] = {"cordon", "explain", "--network=on", NULL};
	assert_int_equal(cordon_cli_parse(ARGC(explain), explain, &cli, NULL), 0);
	assert_int_equal(cli.command, CORDON_CLI_EXPLAIN);
	assert_int_equal(cli.policy->network, CORDON_NETWORK_ON);
	assert_null(cli.argv);
	cordon_cli_free(&cli);

	char *help[] = {"cordon", "--help", NULL};
	assert_int_equal(cordon_cli_parse(ARGC(help), help, &cli, NULL), 0);
	assert_int_equal(cli.command, CORDON_CLI_HELP);
	assert_null(cli.policy);
	cordon_cli_free(&cli);

	char *run_help[] = {"cordon", "run", "--pids", "3", "--help", NULL};
	assert_int_equal(cordon_cli_parse(ARGC(run_help), run_help, &cli, NULL), 0);
	assert_int_equal(cli.command, CORDON_CLI_HELP);
	cordon_cli_free(&cli);

	char *version[] = {"cordon", "--version", NULL};
	assert_int_equal(cordon_cli_parse(ARGC(version), version, &cli, NULL), 0);
	assert_int_equal(cli.command, CORDON_CLI_VERSION);
	cordon_cli_free(&cli);
}

static void expect_bad(char **argv, int argc, const char *expect)
{
	struct cordon_cli cli;
	cordon_error err = {0};
	assert_int_equal(cordon_cli_parse(argc, argv, &cli, &err), -EINVAL);
	if (!strstr(err.msg, expect))
		fail_msg("got '%s', want '%s' in it", err.msg, expect);
	assert_null(strchr(err.msg, '\n'));
	assert_null(cli.policy); /* nothing to free on error */
}

#define BAD(expect, ...)                                       \
	do {                                                   \
		char *argv_[] = {"cordon", __VA_ARGS__, NULL}; \
		expect_bad(argv_, ARGC(argv_), expect);        \
	} while (0)

static void test_cli_bad_input(void **state)
{
	(void)state;
	char *none[] = {"cordon", NULL};
	expect_bad(none, 1, "missing command");
	BAD("unknown command 'runn'", "runn", "--", "true");
	BAD("unknown option '--netwrk'", "run", "--netwrk", "off", "--", "true");
	BAD("unknown option '--netwrk'", "run", "--netwrk=off", "--", "true");
	BAD("unknown option '-n'", "run", "-n", "--", "true");
	BAD("--memory: missing value", "run", "--memory");
	BAD("--memory: missing value", "run", "--memory", "--", "true");
	BAD("--memory: invalid size 'lots'", "run", "--memory", "lots", "--", "true");
	BAD("--pids: invalid number '1e3'", "run", "--pids=1e3", "--", "true");
	BAD("--timeout: invalid duration", "run", "--timeout", "forever", "--", "true");
	BAD("--keep-fd:", "run", "--keep-fd", "1", "--", "true");
	BAD("--profile: unknown profile 'admin'", "explain", "--profile", "admin");
	BAD("--network:", "run", "--network", "proxy", "--", "true");
	BAD("--session: invalid name", "run", "--session", "../../etc", "--", "true");
	BAD("--best-effort:", "run", "--best-effort=perhaps", "--", "true");
	BAD("missing '-- COMMAND'", "run");
	BAD("missing '-- COMMAND'", "run", "--network", "on");
	BAD("missing command after --", "run", "--");
	BAD("unexpected argument 'make'", "run", "make");
	BAD("explain: unexpected argument", "explain", "--", "make");
	BAD("missing command", "--network", "on");
	BAD("--help takes no value", "--help=1");
	BAD("--policy: missing value", "run", "--policy", "--", "x");
	BAD("--warm: only for run", "serve", "--warm");
	BAD("--warm: only for run", "explain", "--warm");
	BAD("--warm takes no value", "run", "--warm=yes", "--", "x");
	BAD("--warm-only: only for run", "serve", "--warm-only");
	BAD("--warm-only takes no value", "run", "--warm-only=1", "--", "x");
	BAD("--pool: only for serve", "run", "--pool", "2", "--", "x");
	BAD("--pool: '0' is not a number from 1 to 16", "serve", "--pool", "0");
	BAD("--pool: '17' is not a number from 1 to 16", "serve", "--pool=17");
	BAD("--pool: missing value", "serve", "--pool");
	BAD("--ready-fd: only for serve", "run", "--ready-fd", "3", "--", "x");
	BAD("--ready-fd: '1' is not a descriptor above 2", "serve", "--ready-fd", "1");
	BAD("serve: unexpected argument 'make'", "serve", "make");
	/* issue 11 */
	BAD("--memory: '1M' is below the minimum of 16M", "run", "--memory", "1M", "--", "x");
	BAD("--memory: '512' is below the minimum", "run", "--memory=512", "--", "x");
	BAD("--tmp-size: '0' is below the minimum of 1M", "run", "--tmp-size", "0", "--", "x");
	BAD("--tmp-inodes: invalid number", "run", "--tmp-inodes", "1", "--", "x");
	BAD("--inotify: invalid number 'many'", "run", "--inotify", "many", "--", "x");
	BAD("--policy: given twice ('a.conf' and 'b.conf')", "run", "--policy", "a.conf",
	    "--policy=b.conf", "--", "x");
}

/* serve and --warm: recorded, and the options as given kept for a server to be started with
 * (without --warm or --warm-only itself). */
static void test_cli_serve_and_warm(void **state)
{
	(void)state;
	struct cordon_cli cli;
	char *serve[] = {"cordon", "serve", "--session", "s1", "--pool", "3", NULL};
	assert_int_equal(cordon_cli_parse(ARGC(serve), serve, &cli, NULL), 0);
	assert_int_equal(cli.command, CORDON_CLI_SERVE);
	assert_int_equal(cli.pool, 3);
	assert_int_equal(cli.ready_fd, -1);
	assert_false(cli.warm);
	cordon_cli_free(&cli);

	char *run[] = {"cordon", "run",  "--warm", "--network=on", "--session", "s1",
	               "--",     "true", NULL};
	assert_int_equal(cordon_cli_parse(ARGC(run), run, &cli, NULL), 0);
	assert_int_equal(cli.command, CORDON_CLI_RUN);
	assert_true(cli.warm);
	assert_false(cli.warm_only);
	assert_int_equal(cli.opt_argc, 3);
	assert_string_equal(cli.opt_argv[0], "--network=on");
	assert_string_equal(cli.opt_argv[1], "--session");
	assert_string_equal(cli.opt_argv[2], "s1");
	assert_null(cli.opt_argv[3]);
	assert_string_equal(cli.argv[0], "true");
	cordon_cli_free(&cli);

	/* --warm-only is --warm that never goes cold; a server is not given it either. */
	char *only[] = {"cordon", "run", "--warm-only", "--network=on", "--", "true", NULL};
	assert_int_equal(cordon_cli_parse(ARGC(only), only, &cli, NULL), 0);
	assert_true(cli.warm);
	assert_true(cli.warm_only);
	assert_int_equal(cli.opt_argc, 1);
	assert_string_equal(cli.opt_argv[0], "--network=on");
	assert_null(cli.opt_argv[1]);
	cordon_cli_free(&cli);
}

static void test_cli_usage_lists_every_option(void **state)
{
	(void)state;
	static const char *const options[] = {
	        "run [OPTIONS] [--warm | --warm-only] -- COMMAND",
	        "explain [OPTIONS]",
	        "serve [OPTIONS] [--pool N]",
	        "--warm",
	        "--warm-only",
	        "--pool N",
	        "--ready-fd N",
	        "--workspace DIR",
	        "--writable DIR",
	        "--profile P",
	        "--protect PATH",
	        "--deny-read PATH",
	        "--network off|on",
	        "--session NAME",
	        "--timeout SECONDS",
	        "--memory SIZE",
	        "--pids N",
	        "--cpu SECONDS",
	        "--file-size SIZE",
	        "--open-files N",
	        "--tmp-size SIZE",
	        "--tmp-inodes N",
	        "--inotify N",
	        "--inotify-watches N",
	        "--env-keep NAME",
	        "--keep-fd N",
	        "--policy FILE",
	        "--best-effort",
	        "--help",
	        "--version",
	};
	const char *usage = cordon_cli_usage();
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (!strstr(usage, options[i]))
			fail_msg("--help does not list '%s'", options[i]);
}

/* The real binary, as the unprivileged test user: bad input is one line on stderr, exit 125,
 * and the command never ran (its marker file is not there). */
static void expect_main_fails(const char *dir, char *const envp[], uid_t uid, gid_t gid,
                              char **args, const char *expect)
{
	char *argv[16] = {(char *)tu_cordon()};
	size_t n = 1;
	for (; args[n - 1]; n++)
		argv[n] = args[n - 1];
	argv[n++] = "--";
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = "touch marker";
	argv[n] = NULL;
	struct tu_spawn sp = {.argv = argv, .envp = envp, .cwd = dir, .uid = uid, .gid = gid};
	struct tu_result r;
	assert_int_equal(tu_run(&sp, &r), 0);
	if (r.status != CORDON_EXIT_FAILURE || strncmp(r.err, "cordon: ", 8) != 0 ||
	    !strstr(r.err, expect))
		fail_msg("status %d, stderr '%s', want 125 and '%s'", r.status, r.err, expect);
	assert_string_equal(strchr(r.err, '\n'), "\n"); /* exactly one line */
	assert_string_equal(r.out, "");
	cleanup_free char *marker = cordon_path_join(dir, "marker");
	assert_int_not_equal(access(marker, F_OK), 0);
	tu_result_free(&r);
}

static void test_cli_main_bad_input_exits_125(void **state)
{
	(void)state;
	uid_t uid;
	gid_t gid;
	char why[256];
	if (!tu_test_user(&uid, &gid, why, sizeof(why)))
		tu_skip("%s", why);
	if (access(tu_cordon(), X_OK) < 0)
		tu_skip("%s is not built", tu_cordon());
	char *dir = tu_tmpdir("cordon-cli", uid, gid);
	assert_non_null(dir);
	cleanup_free char *conf = cordon_path_join(dir, "bad.conf");
	cleanup_free char *missing = cordon_path_join(dir, "missing");
	cleanup_free char *home_env = NULL;
	assert_true(asprintf(&home_env, "HOME=%s", dir) > 0);
	assert_int_equal(tu_write_file(conf, "network = off\nnetwrk = on\n"), 0);
	char *const envp[] = {home_env, "PATH=/usr/bin:/bin", NULL};

	char *a1[] = {"run", "--netwrk", "off", NULL};
	expect_main_fails(dir, envp, uid, gid, a1, "unknown option '--netwrk'");
	char *a2[] = {"run", "--workspace", "/", NULL};
	expect_main_fails(dir, envp, uid, gid, a2, "whole file system");
	char *a3[] = {"run", NULL}; /* the workspace defaults to the cwd, which is $HOME here */
	expect_main_fails(dir, envp, uid, gid, a3, "home directory");
	char *a4[] = {"run", "--workspace", missing, NULL};
	expect_main_fails(dir, envp, uid, gid, a4, "missing");
	char *a5[] = {"run", "--policy", conf, NULL};
	expect_main_fails(dir, envp, uid, gid, a5, "bad.conf:2: unknown key 'netwrk'");
	char *a6[] = {"run", "--timeout", "soon", NULL};
	expect_main_fails(dir, envp, uid, gid, a6, "--timeout");
	tu_rm_rf(dir);
	free(dir);
}

static void test_cli_main_help_and_version(void **state)
{
	(void)state;
	if (access(tu_cordon(), X_OK) < 0)
		tu_skip("%s is not built", tu_cordon());
	char *help[] = {(char *)tu_cordon(), "--help", NULL};
	struct tu_spawn sp = {.argv = help, .uid = (uid_t)-1};
	struct tu_result r;
	assert_int_equal(tu_run(&sp, &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--workspace DIR"));
	tu_result_free(&r);
	char *version[] = {(char *)tu_cordon(), "--version", NULL};
	sp.argv = version;
	assert_int_equal(tu_run(&sp, &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, cordon_version()));
	tu_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cli_run_both_option_forms),
	        cmocka_unit_test(test_cli_explain_help_version),
	        cmocka_unit_test(test_cli_bad_input),
	        cmocka_unit_test(test_cli_serve_and_warm),
	        cmocka_unit_test(test_cli_usage_lists_every_option),
	        cmocka_unit_test(test_cli_main_bad_input_exits_125),
	        cmocka_unit_test(test_cli_main_help_and_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
