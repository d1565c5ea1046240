/* The conformance battery end to end: cordon-harness check against cordon must hold every
 * expectation (exit 0, no "fail", no not-live without a reason); against `none` it must fail
 * (exit 1: a harness that passes an unconfined run is broken). Also the harness's own command
 * line (bad flag: exit 2) and the Lua policy model, evaluated in the harness's Lua state.
 *
 * Run as root (ctest in CI), the harness drops to the unprivileged test user by itself; the
 * output folder's parent is given to that user so it can be reached. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <lua.h>

#include "harness.h"
#include "testutil.h"

/* A battery run can take minutes on a loaded 2-core machine. */
#define BATTERY_TIMEOUT 1200.0

static bool battery_can_run(bool need_cordon)
{
	if (access(tu_harness(), X_OK) != 0) {
		tu_skip("cordon-harness is not built (%s)", tu_harness());
		return false;
	}
	if (need_cordon && access(tu_cordon(), X_OK) != 0) {
		tu_skip("cordon is not built (%s)", tu_cordon());
		return false;
	}
	uid_t uid;
	gid_t gid;
	char why[256];
	if (!tu_test_user(&uid, &gid, why, sizeof(why))) {
		tu_skip("%s", why);
		return false;
	}
	return true;
}

/* A temporary folder the test user may enter; the harness creates out/ inside it. */
static char *battery_tmpdir(void)
{
	uid_t uid;
	gid_t gid;
	char why[256];
	assert_true(tu_test_user(&uid, &gid, why, sizeof(why)));
	char *dir = tu_tmpdir("cordon-battery", geteuid() == 0 ? uid : (uid_t)-1, gid);
	assert_non_null(dir);
	return dir;
}

static void battery_run(const char *adapter, const char *out, struct tu_result *r)
{
	char *const argv[] = {(char *)tu_harness(),
	                      "check",
	                      "--adapter",
	                      (char *)adapter,
	                      "--out",
	                      (char *)out,
	                      "--as-user",
	                      (char *)tu_test_user_name(),
	                      NULL};
	struct tu_spawn s = {.argv = argv, .uid = (uid_t)-1, .timeout = BATTERY_TIMEOUT};
	assert_int_equal(tu_run(&s, r), 0);
	assert_false(r->timed_out);
}

static char *battery_lua(const char *chunk)
{
	return tu_lua(chunk, "=battery");
}

/* Summarize a results.json: "total=N fail=N error=N unexplained=N" (the path comes from
 * mkdtemp: it holds no quote). */
static char *battery_summary(const char *results)
{
	char *chunk = NULL;
	assert_true(asprintf(&chunk,
	                     "local run = assert(json.decode(assert(fs.read('%s'))))\n"
	                     "local n = { total = 0, fail = 0, error = 0, unexplained = 0 }\n"
	                     "for _, r in ipairs(run.results) do\n"
	                     "  n.total = n.total + 1\n"
	                     "  if r.status == 'fail' then n.fail = n.fail + 1 end\n"
	                     "  if r.status == 'error' then n.error = n.error + 1 end\n"
	                     "  if r.status == 'not-live' and (type(r.reason) ~= 'string' or "
	                     "r.reason == '') then\n"
	                     "    n.unexplained = n.unexplained + 1 end\n"
	                     "end\n"
	                     "return ('total=%%d fail=%%d error=%%d "
	                     "unexplained=%%d'):format(n.total, n.fail,"
	                     " n.error, n.unexplained)\n",
	                     results) > 0);
	char *s = battery_lua(chunk);
	free(chunk);
	return s;
}

/* Print the failing TAP points (not ok without a directive) with their reason, at most 60, and
 * the end of stderr (where a harness error would be). */
static void battery_show_failures(char *out, const char *err)
{
	int shown = 0;
	bool in_failure = false;
	for (char *line = strtok(out, "\n"); line && shown < 60; line = strtok(NULL, "\n")) {
		if (strncmp(line, "not ok", 6) == 0 || strncmp(line, "ok", 2) == 0) {
			in_failure = strncmp(line, "not ok", 6) == 0 && !strstr(line, "# TODO");
			if (in_failure) {
				printf("%s\n", line);
				shown++;
			}
		} else if (in_failure && strncmp(line, "  reason:", 9) == 0) {
			printf("%s\n", line);
		}
	}
	size_t n = strlen(err);
	printf("stderr (end): %s\n", n > 600 ? err + n - 600 : err);
}

static void test_harness_battery_cordon_holds(void **state)
{
	(void)state;
	if (!battery_can_run(true))
		return;
	char *dir = battery_tmpdir();
	char *out = NULL, *results = NULL;
	assert_true(asprintf(&out, "%s/out", dir) > 0);
	assert_true(asprintf(&results, "%s/results.json", out) > 0);
	struct tu_result r = {0};
	battery_run("cordon", out, &r);
	char *summary =
	        access(results, R_OK) == 0 ? battery_summary(results) : strdup("no results.json");
	printf("cordon battery: exit %d, %s\n", r.status, summary);
	int status = r.status;
	bool have_results = access(results, R_OK) == 0;
	if (status != 0)
		battery_show_failures(r.out, r.err);
	/* Clean up before asserting: a failed assertion does not return. */
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(out);
	free(results);
	free(dir);
	bool holds = strstr(summary, " fail=0 ") && strstr(summary, " error=0 ") &&
	             strstr(summary, " unexplained=0") && !strstr(summary, "total=0 ");
	free(summary);
	assert_int_equal(status, 0);
	assert_true(have_results);
	assert_true(holds);
}

static void test_harness_battery_none_fails(void **state)
{
	(void)state;
	if (!battery_can_run(false))
		return;
	char *dir = battery_tmpdir();
	char *out = NULL, *results = NULL;
	assert_true(asprintf(&out, "%s/out", dir) > 0);
	assert_true(asprintf(&results, "%s/results.json", out) > 0);
	struct tu_result r = {0};
	battery_run("none", out, &r);
	char *summary =
	        access(results, R_OK) == 0 ? battery_summary(results) : strdup("no results.json");
	printf("none battery: exit %d, %s\n", r.status, summary);
	int status = r.status;
	bool tap = strstr(r.out, "TAP version 14") != NULL;
	bool failed = strstr(summary, "total=") && !strstr(summary, " fail=0 ");
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(out);
	free(results);
	free(dir);
	free(summary);
	assert_int_equal(status, 1);
	assert_true(tap);
	assert_true(failed);
}

static void test_harness_battery_bad_flag_exits_2(void **state)
{
	(void)state;
	if (access(tu_harness(), X_OK) != 0) {
		tu_skip("cordon-harness is not built (%s)", tu_harness());
		return;
	}
	char *const argv[] = {(char *)tu_harness(), "check", "--no-such-flag", NULL};
	struct tu_spawn s = {.argv = argv, .uid = (uid_t)-1, .timeout = 60};
	struct tu_result r = {0};
	assert_int_equal(tu_run(&s, &r), 0);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--no-such-flag"));
	/* One line: the message, nothing more. */
	char *nl = strchr(r.err, '\n');
	assert_true(nl == NULL || nl[1] == '\0');
	assert_string_equal(r.out, "");
	tu_result_free(&r);
}

/* The policy model answers from the settings, and a policy file keeps everything but its
 * roots, which become the canary tree's. */
static void test_harness_battery_policy_questions(void **state)
{
	(void)state;
	char *s = battery_lua(
	        "local policy = require('harness.policy')\n"
	        "local tree = { workspace = '/c/ws', extra = '/c/extra', secret = '/c/secret', "
	        "home = '/h' }\n"
	        "local p = policy.bind(policy.default_settings(), tree)\n"
	        "local r = {}\n"
	        "r[#r+1] = tostring(p:writable('/c/ws/a'))\n"
	        "r[#r+1] = tostring(p:writable('/c/ws/.git/config'))\n"
	        "r[#r+1] = tostring(p:writable('/c/extra/a'))\n"
	        "r[#r+1] = tostring(p:readable('/h/.ssh/id_rsa'))\n"
	        "r[#r+1] = tostring(p:network())\n"
	        "local ro = policy.bind(policy.apply_variant(policy.default_settings(), "
	        "'read-only'), tree)\n"
	        "r[#r+1] = tostring(ro:writable('/c/ws/a'))\n"
	        "local f = assert(policy.from_file_text('workspace = /src/app\\nwritable = "
	        "/cache\\n"
	        "protect = /src/app/Makefile\\nnetwork = on # comment\\ntimeout = 30\\n'))\n"
	        "local b = policy.bind(f, tree)\n"
	        "r[#r+1] = tostring(b:writable('/c/extra/x'))\n"
	        "r[#r+1] = tostring(b:writable('/c/ws/Makefile'))\n"
	        "r[#r+1] = tostring(b:network())\n"
	        "r[#r+1] = tostring(b:limit('timeout'))\n"
	        "r[#r+1] = tostring(policy.parse('bogus = 1') == nil)\n"
	        "return table.concat(r, ' ')\n");
	assert_string_equal(s, "true false false false false false true false true 30 true");
	free(s);
}

static void test_harness_battery_cli_parses(void **state)
{
	(void)state;
	char *s = battery_lua(
	        "local cli = require('harness.cli')\n"
	        "local o = assert(cli.parse({ 'check', '--adapter', 'cordon,bwrap', '--jobs=3',"
	        " '--area', 'fs' }))\n"
	        "local bad, err = cli.parse({ 'check', '--jobs', 'x' })\n"
	        "local m = assert(cli.parse({ 'report', 'merge', 'a.json', 'b.json', '--out', 'd' "
	        "}))\n"
	        "return table.concat({ o.command, o.adapter[2], tostring(o.jobs), o.area[1],"
	        " tostring(bad), m.command, m.files[2], m.out }, ' ')\n");
	assert_string_equal(s, "check bwrap 3 fs nil merge b.json d");
	free(s);
}

/* The status rules: a refusal passes only with a quiet oracle and a live control; a dead
 * control makes it not-live (with the reason), never pass; the probe's word alone never passes. */
static void test_harness_battery_judge_rules(void **state)
{
	(void)state;
	char *s = battery_lua(
	        "local runner = require('harness.runner')\n"
	        "local refused = { outcome = 'refused', errno = 'EROFS', detail = 'open' }\n"
	        "local ok = { outcome = 'succeeded' }\n"
	        "local function a(p, happened, expected)\n"
	        "  return { expected = expected or 'refused', probe = p, happened = happened, "
	        "evidence = 'e' }\n"
	        "end\n"
	        "local live = { probe = ok, happened = true, evidence = 'e' }\n"
	        "local dead = { probe = { outcome = 'refused', errno = 'EPERM' }, happened = "
	        "false, evidence = 'e' }\n"
	        "local blind = { probe = ok, happened = false, evidence = 'e' }\n"
	        "local r = {}\n"
	        "local function add(st, why) r[#r+1] = st .. (why and why ~= '' and '' or '!') "
	        "end\n"
	        "add(runner.judge(a(refused, false), live))\n"
	        "add(runner.judge(a(refused, false), dead))\n"
	        "add(runner.judge(a(refused, false), blind))\n"
	        "add(runner.judge(a(ok, true), live))\n"
	        "add(runner.judge(a(refused, true), live))\n"
	        "add(runner.judge(a(ok, false, 'succeeded')))\n"
	        "add(runner.judge(a(ok, true, 'succeeded')))\n"
	        "add(runner.judge({ not_applicable = 'x cannot express: session' }))\n"
	        "add(runner.judge({ problem = 'probe not built' }))\n"
	        "local unset = { outcome = 'inconclusive', detail = 'PATH is not setuid' }\n"
	        "add(runner.judge(a(unset, false), { probe = unset, happened = false }))\n"
	        "add(runner.judge(a(unset, false), live))\n"
	        "return table.concat(r, ' ')\n");
	/* inconclusive: not-live when it is inconclusive unconfined too, else an error. */
	assert_string_equal(
	        s,
	        "pass not-live not-live fail fail fail pass not-applicable error not-live error");
	free(s);
}

/* --gate judges only the named adapters: an unconfined `none` beside cordon fails the run
 * unless the gate names cordon alone (the README's main command relies on this). */
static int battery_gated(const char *gate)
{
	char *dir = battery_tmpdir();
	char *out = NULL;
	assert_true(asprintf(&out, "%s/out", dir) > 0);
	char *const argv[] = {(char *)tu_harness(),
	                      "check",
	                      "--adapter",
	                      "none,cordon",
	                      "--area",
	                      "core,env",
	                      "--gate",
	                      (char *)gate,
	                      "--out",
	                      out,
	                      "--as-user",
	                      (char *)tu_test_user_name(),
	                      NULL};
	struct tu_spawn s = {.argv = argv, .uid = (uid_t)-1, .timeout = BATTERY_TIMEOUT};
	struct tu_result r = {0};
	assert_int_equal(tu_run(&s, &r), 0);
	int status = r.status;
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(out);
	free(dir);
	return status;
}

/* Run the harness with argv (NULL-terminated after "check"); its status, and its stderr's
 * first line copied into line. */
static int battery_check_status(char *const *args, char *line, size_t size)
{
	/* As the tests' user (CI's kernel matrix names another); a case's own --as-user, given
	 * later, wins. */
	char *argv[16] = {(char *)tu_harness(), "check", "--as-user", (char *)tu_test_user_name()};
	size_t n = 4;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct tu_spawn s = {.argv = argv, .uid = (uid_t)-1, .timeout = BATTERY_TIMEOUT};
	struct tu_result r = {0};
	assert_int_equal(tu_run(&s, &r), 0);
	snprintf(line, size, "%.*s", (int)strcspn(r.err, "\n"), r.err);
	int status = r.status;
	tu_result_free(&r);
	return status;
}

/* A run that would certify nothing is an error (exit 2, one line naming why), never a green
 * `1..0`: nothing selected, a gated adapter that does not run, a policy cordon refuses, a
 * report folder that cannot be written, an account the harness must not create. */
static void test_harness_battery_nothing_certified_exits_2(void **state)
{
	(void)state;
	if (!battery_can_run(true))
		return;
	char *dir = battery_tmpdir();
	char *bad_policy = NULL, *bad_out = NULL;
	assert_true(asprintf(&bad_policy, "%s/missing-ws.policy", dir) > 0);
	assert_true(asprintf(&bad_out, "%s/out", bad_policy) > 0); /* under a file */
	FILE *f = fopen(bad_policy, "w");
	assert_non_null(f);
	fprintf(f, "workspace = %s/no-such-workspace\n", dir);
	fclose(f);
	chmod(bad_policy, 0644);
	static const char *const why[] = {"no area",       "no scenario matches",
	                                  "--gate cordon", "cordon refuses it",
	                                  "cannot create", "no such user"};
	char *const cases[][8] = {
	        {"--area", "nosuch", NULL},
	        {"--scenario", "^no-such-scenario$", NULL},
	        {"--adapter", "none", "--gate", "cordon", "--area", "core", NULL},
	        {"--policy", bad_policy, "--area", "core", NULL},
	        {"--out", bad_out, "--area", "core", NULL},
	        {"--as-user", "cordon-no-such-user", "--area", "core", NULL},
	};
	size_t n = sizeof(cases) / sizeof(cases[0]) -
	           (geteuid() == 0 ? 0 : 1); /* --as-user: root only */
	char line[512];
	for (size_t i = 0; i < n; i++) {
		int status = battery_check_status(cases[i], line, sizeof(line));
		printf("case %zu: exit %d: %s\n", i, status, line);
		assert_int_equal(status, 2);
		assert_non_null(strstr(line, why[i]));
	}
	free(bad_policy);
	free(bad_out);
	tu_rm_rf(dir);
	free(dir);
}

/* --require: a policy weaker than required fails the run (exit 1), one that meets it does not;
 * results.json records the tested binary's sha256. */
static void test_harness_battery_require_fails_weaker_policy(void **state)
{
	(void)state;
	if (!battery_can_run(true))
		return;
	char *dir = battery_tmpdir();
	char *pol = NULL, *out1 = NULL, *out2 = NULL;
	assert_true(asprintf(&pol, "%s/full-access.policy", dir) > 0);
	assert_true(asprintf(&out1, "%s/out1", dir) > 0);
	assert_true(asprintf(&out2, "%s/out2", dir) > 0);
	FILE *f = fopen(pol, "w");
	assert_non_null(f);
	fprintf(f, "workspace = %s\nprofile = full-access\n", dir);
	fclose(f);
	chmod(pol, 0644);
	char line[512];
	char *const weaker[] = {"--policy", pol,         "--area",
	                        "core",     "--require", "profile=workspace-write",
	                        "--out",    out1,        NULL};
	char *const met[] = {"--policy", pol,  "--area", "core", "--require", "profile=full-access",
	                     "--out",    out2, NULL};
	assert_int_equal(battery_check_status(weaker, line, sizeof(line)), 1);
	assert_int_equal(battery_check_status(met, line, sizeof(line)), 0);
	/* What was certified is named by its digest, not only its version string. */
	char *results = NULL;
	assert_true(asprintf(&results, "%s/results.json", out2) > 0);
	char *json = tu_read_file(results);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"sha256\": \""));
	free(json);
	free(results);
	free(pol);
	free(out1);
	free(out2);
	tu_rm_rf(dir);
	free(dir);
}

/* Attempts the host refuses to a plain user (mount, raw sockets, chroot...) are live: their
 * control holds capabilities in namespaces of the harness's own, where they succeed, so the
 * checks pass against cordon instead of certifying nothing as not-live. */
static void test_harness_battery_capable_controls_live(void **state)
{
	(void)state;
	if (!battery_can_run(true))
		return;
	char floor[4096];
	snprintf(floor, sizeof(floor), "%s/harness/cordon-floor", CORDON_BINARY_DIR);
	char *const probe[] = {floor, "--as-root", "--", "true", NULL};
	struct tu_spawn ps = {.argv = probe, .uid = (uid_t)-1, .timeout = 30};
	struct tu_result pr = {0};
	assert_int_equal(tu_run(&ps, &pr), 0);
	bool userns = pr.status == 0;
	tu_result_free(&pr);
	if (!userns) {
		tu_skip("no unprivileged user namespaces here: capable controls cannot run");
		return;
	}
	char *dir = battery_tmpdir();
	char *out = NULL, *results = NULL, *chunk = NULL;
	assert_true(asprintf(&out, "%s/out", dir) > 0);
	assert_true(asprintf(&results, "%s/results.json", out) > 0);
	char line[512];
	char *const args[] = {"--adapter",
	                      "cordon",
	                      "--scenario",
	                      "^(fs\\.mount\\.workspace|fs\\.remount\\.git|net\\.raw_socket\\.open|"
	                      "priv\\.chroot\\.root)$",
	                      "--out",
	                      out,
	                      NULL};
	assert_int_equal(battery_check_status(args, line, sizeof(line)), 0);
	assert_true(asprintf(&chunk,
	                     "local run = assert(json.decode(assert(fs.read('%s'))))\n"
	                     "local s = ''\n"
	                     "for _, r in ipairs(run.results) do s = s .. r.id .. '=' .. r.status "
	                     ".. ' ' end\n"
	                     "return s\n",
	                     results) > 0);
	char *got = battery_lua(chunk);
	printf("%s\n", got);
	assert_string_equal(got,
	                    "fs.mount.workspace=pass fs.remount.git=pass net.raw_socket.open=pass "
	                    "priv.chroot.root=pass ");
	free(got);
	free(chunk);
	free(results);
	free(out);
	tu_rm_rf(dir);
	free(dir);
}

static void test_harness_battery_gate_judges_named_adapters(void **state)
{
	(void)state;
	if (!battery_can_run(true))
		return;
	assert_int_equal(battery_gated("cordon"), 0);
	assert_int_equal(battery_gated("none"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_harness_battery_policy_questions),
	        cmocka_unit_test(test_harness_battery_cli_parses),
	        cmocka_unit_test(test_harness_battery_judge_rules),
	        cmocka_unit_test(test_harness_battery_bad_flag_exits_2),
	        cmocka_unit_test(test_harness_battery_none_fails),
	        cmocka_unit_test(test_harness_battery_gate_judges_named_adapters),
	        cmocka_unit_test(test_harness_battery_nothing_certified_exits_2),
	        cmocka_unit_test(test_harness_battery_require_fails_weaker_policy),
	        cmocka_unit_test(test_harness_battery_capable_controls_live),
	        cmocka_unit_test(test_harness_battery_cordon_holds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
