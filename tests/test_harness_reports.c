/* The harness's report writers (lua/harness/report/, lua/harness/stats.lua), driven through
 * the harness's own Lua state with a fixed synthetic run (tests/fixtures/run.lua): the files
 * are written to <build>/reports/<run-id>/ and checked with outside tools — xmllint against
 * reports/schema/junit.xsd, python3-jsonschema against reports/schema/results.schema.json,
 * and headless Chromium, whose screenshot is kept next to the report (report.png). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "harness.h"
#include "testutil.h"

#define REPORTS_DIR CORDON_BINARY_DIR "/reports"
#define RUN_ID "20261122T101500Z-ab12"
#define RUN_DIR REPORTS_DIR "/" RUN_ID
#define PLOTS_DIR REPORTS_DIR "/plots"

/* The driver's functions are called as D.<name>(...) in this state. */
struct reports_fixture {
	lua_State *L;
};

/* Evaluate a Lua expression; its value as a malloc'd string, or NULL with the error message
 * (traceback included) in *err (malloc'd). */
static char *reports_eval(lua_State *L, const char *expr, char **err)
{
	char *chunk = NULL;
	char *value = NULL;

	*err = NULL;
	if (asprintf(&chunk, "return tostring(%s)", expr) < 0)
		return NULL;
	if (harness_eval(L, chunk, "=reports-test", 1) != LUA_OK)
		*err = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "(no message)");
	else
		value = strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	free(chunk);
	return value;
}

/* Evaluate and fail the test with Lua's message if it raised. */
static char *reports_must(lua_State *L, const char *expr)
{
	char *err = NULL;
	char *value = reports_eval(L, expr, &err);

	if (!value) {
		print_error("%s raised: %s\n", expr, err ? err : "?");
		free(err);
		fail();
	}
	return value;
}

static int reports_group_setup(void **state)
{
	static struct reports_fixture fx;
	char *v, *err = NULL;

	fx.L = harness_new_state();
	if (!fx.L)
		return -1;
	if (mkdir(REPORTS_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	if (mkdir(PLOTS_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	v = reports_eval(fx.L,
	                 "(function() D = dofile([==[" CORDON_SOURCE_DIR
	                 "/tests/fixtures/reports_driver.lua]==]).setup([==[" CORDON_SOURCE_DIR
	                 "]==]); return D.write([==[" REPORTS_DIR "]==]) end)()",
	                 &err);
	if (!v || strcmp(v, RUN_ID) != 0) {
		fprintf(stderr, "writing the fixture's report: %s\n", err ? err : v);
		free(err);
		free(v);
		return -1;
	}
	free(v);
	*state = &fx;
	return 0;
}

static int reports_group_teardown(void **state)
{
	struct reports_fixture *fx = *state;

	if (fx && fx->L)
		lua_close(fx->L);
	return 0;
}

static lua_State *reports_L(void **state)
{
	return ((struct reports_fixture *)*state)->L;
}

/* Full path of a program found in PATH (static buffer), or NULL. */
static const char *reports_which(const char *name)
{
	static char buf[4096];
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	const char *found = NULL;

	copy = strdup(path && *path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", dir, name);
		if (access(buf, X_OK) == 0)
			found = buf;
	}
	free(copy);
	return found;
}

/* Run argv (argv[0] a path) and return its exit status; output in *r (caller frees). */
static int reports_run(char *const argv[], struct tu_result *r, double timeout)
{
	struct tu_spawn s = {.argv = argv, .uid = (uid_t)-1, .gid = (gid_t)-1, .timeout = timeout};

	assert_int_equal(tu_run(&s, r), 0);
	assert_false(r->timed_out);
	return r->status;
}

static void reports_expect_ok(lua_State *L, const char *expr)
{
	char *v = reports_must(L, expr);

	assert_string_equal(v, "ok");
	free(v);
}

static void test_harness_reports_stats(void **state)
{
	reports_expect_ok(reports_L(state), "D.stats()");
}

static void test_harness_reports_escape(void **state)
{
	reports_expect_ok(reports_L(state), "D.escape()");
}

static void test_harness_reports_results_json_counts(void **state)
{
	reports_expect_ok(reports_L(state), "D.counts([==[" RUN_DIR "/results.json]==])");
}

static void test_harness_reports_markdown(void **state)
{
	reports_expect_ok(reports_L(state), "D.markdown([==[" RUN_DIR "/report.md]==])");
}

static void test_harness_reports_html_escaped(void **state)
{
	reports_expect_ok(reports_L(state), "D.html([==[" RUN_DIR "/report.html]==])");
}

static void test_harness_reports_minimal_run(void **state)
{
	reports_expect_ok(reports_L(state), "D.minimal()");
}

static void test_harness_reports_merge(void **state)
{
	reports_expect_ok(reports_L(state), "D.merge([==[" REPORTS_DIR "]==])");
}

/* results.json (plain, with perf, merged) against the JSON Schema, and a broken copy must be
 * rejected so that the schema is known to check something. */
static const char VALIDATE_PY[] =
        "import json, sys, copy\n"
        "import jsonschema\n"
        "schema = json.load(open(sys.argv[1]))\n"
        "jsonschema.Draft202012Validator.check_schema(schema)\n"
        "v = jsonschema.Draft202012Validator(schema)\n"
        "for path in sys.argv[2:]:\n"
        "    doc = json.load(open(path))\n"
        "    errs = [e.message for e in v.iter_errors(doc)]\n"
        "    if errs: sys.exit(path + ': ' + '; '.join(errs[:5]))\n"
        "    bad = copy.deepcopy(doc); bad['results'][0]['status'] = 'passed-ish'\n"
        "    if v.is_valid(bad): sys.exit(path + ': a bogus status was accepted')\n"
        "    bad = copy.deepcopy(doc); del bad['host']\n"
        "    if v.is_valid(bad): sys.exit(path + ': a run without host was accepted')\n"
        "print('ok')\n";

static void test_harness_reports_results_json_schema(void **state)
{
	/* Debian's interpreter first: python3-jsonschema installs there, while a python3 earlier
	 * in PATH (pyenv, a venv) may not have it. */
	const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3"
	                                                       : reports_which("python3");
	struct tu_result r = {0};

	if (!py) {
		tu_skip("python3 is not installed (needed for python3-jsonschema)");
		return;
	}
	char *probe_argv[] = {(char *)py, "-c", "import jsonschema", NULL};
	if (reports_run(probe_argv, &r, 60) != 0) {
		tu_result_free(&r);
		tu_skip("python3 jsonschema is not installed (apt-get install python3-jsonschema)");
		return;
	}
	tu_result_free(&r);
	char *argv[] = {(char *)py,
	                "-c",
	                (char *)VALIDATE_PY,
	                CORDON_SOURCE_DIR "/reports/schema/results.schema.json",
	                RUN_DIR "/results.json",
	                RUN_DIR "-perf/results.json",
	                REPORTS_DIR "/merged/results.json",
	                NULL};
	int status = reports_run(argv, &r, 60);
	if (status != 0)
		print_error("schema validation: %s%s\n", r.out, r.err);
	assert_int_equal(status, 0);
	assert_non_null(strstr(r.out, "ok"));
	tu_result_free(&r);
}

static void test_harness_reports_junit_validates(void **state)
{
	const char *xmllint = reports_which("xmllint");
	struct tu_result r = {0};
	char *bad_dir;
	char bad[4096];

	(void)state;
	if (!xmllint) {
		tu_skip("xmllint is not installed (apt-get install libxml2-utils)");
		return;
	}
	char *argv[] = {(char *)xmllint,
	                "--noout",
	                "--schema",
	                CORDON_SOURCE_DIR "/reports/schema/junit.xsd",
	                RUN_DIR "/junit.xml",
	                REPORTS_DIR "/merged/junit.xml",
	                NULL};
	int status = reports_run(argv, &r, 60);
	if (status != 0)
		print_error("xmllint: %s\n", r.err);
	assert_int_equal(status, 0);
	tu_result_free(&r);

	/* The schema must reject a test case without a name. */
	bad_dir = tu_tmpdir("hrep-junit", (uid_t)-1, (gid_t)-1);
	assert_non_null(bad_dir);
	snprintf(bad, sizeof(bad), "%s/bad.xml", bad_dir);
	assert_int_equal(tu_write_file(bad,
	                               "<testsuites><testsuite name=\"a\" tests=\"1\">"
	                               "<testcase classname=\"a\"/></testsuite></testsuites>\n"),
	                 0);
	argv[4] = bad;
	argv[5] = NULL;
	status = reports_run(argv, &r, 60);
	assert_int_not_equal(status, 0);
	tu_result_free(&r);
	tu_rm_rf(bad_dir);
	free(bad_dir);
}

static void test_harness_reports_svg_well_formed(void **state)
{
	const char *xmllint = reports_which("xmllint");
	struct tu_result r = {0};
	char *n = reports_must(reports_L(state), "D.svg([==[" PLOTS_DIR "]==])");

	assert_string_equal(n, "4");
	free(n);
	if (!xmllint) {
		tu_skip("xmllint is not installed (apt-get install libxml2-utils)");
		return;
	}
	char *argv[] = {(char *)xmllint,
	                "--noout",
	                PLOTS_DIR "/plot1.svg",
	                PLOTS_DIR "/plot2.svg",
	                PLOTS_DIR "/plot3.svg",
	                PLOTS_DIR "/plot4.svg",
	                NULL};
	int status = reports_run(argv, &r, 60);
	if (status != 0)
		print_error("xmllint: %s\n", r.err);
	assert_int_equal(status, 0);
	tu_result_free(&r);
}

/* Headless Chromium on file://<page>: --dump-dom into r, or --screenshot=png of a window
 * height pixels tall. (A #fragment that scrolls the page makes headless screenshots come out
 * blank at the top, hence the tall window rather than #perf.) */
static int reports_chromium(const char *chromium, const char *page, const char *png, int height,
                            struct tu_result *r)
{
	char *profile = tu_tmpdir("hrep-chromium", (uid_t)-1, (gid_t)-1);
	char *udd = NULL, *url = NULL, *shot = NULL, *size = NULL;
	int status;

	assert_non_null(profile);
	assert_true(asprintf(&udd, "--user-data-dir=%s", profile) > 0);
	assert_true(asprintf(&url, "file://%s", page) > 0);
	if (png)
		assert_true(asprintf(&shot, "--screenshot=%s", png) > 0);
	assert_true(asprintf(&size, "--window-size=1280,%d", height) > 0);
	char *argv[] = {(char *)chromium,
	                "--headless",
	                "--no-sandbox",
	                "--disable-gpu",
	                "--disable-quic",
	                "--no-first-run",
	                "--disable-background-networking",
	                "--disable-component-update",
	                "--disable-sync",
	                udd,
	                png ? shot : "--dump-dom",
	                size,
	                url,
	                NULL};
	status = reports_run(argv, r, 120);
	tu_rm_rf(profile);
	free(profile);
	free(udd);
	free(url);
	free(shot);
	free(size);
	return status;
}

static size_t reports_count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void reports_expect_png(const char *path)
{
	char *data = tu_read_file(path);

	assert_non_null(data);
	assert_memory_equal(data, "\x89PNG", 4);
	free(data);
}

static void test_harness_reports_html_renders_in_chromium(void **state)
{
	const char *chromium = reports_which("chromium");
	struct tu_result r = {0};

	(void)state;
	if (!chromium)
		chromium = reports_which("chromium-browser");
	if (!chromium) {
		tu_skip("chromium is not installed (apt-get install chromium)");
		return;
	}
	assert_int_equal(reports_chromium(chromium, RUN_DIR "/report.html", NULL, 2000, &r), 0);
	/* The DOM as the browser built it: the matrix, every cell, the failing one, and the
	 * hostile probe line as text (serialised escaped), never as an element. */
	assert_non_null(strstr(r.out, "<table class=\"matrix\">"));
	assert_int_equal(reports_count(r.out, "<td class=\"cell s-"), 22);
	assert_int_equal(reports_count(r.out, "data-status=\"fail\""), 2);
	assert_non_null(strstr(r.out, "&lt;script&gt;alert('pwned')&lt;/script&gt;"));
	assert_null(strstr(r.out, "<script>alert"));
	assert_null(strstr(r.out, "<b>x</b>"));
	assert_non_null(strstr(r.out, "all expectations hold"));
	assert_non_null(strstr(r.out, "3 expectations not met"));
	tu_result_free(&r);

	assert_int_equal(
	        reports_chromium(chromium, RUN_DIR "/report.html", RUN_DIR "/report.png", 2000, &r),
	        0);
	tu_result_free(&r);
	reports_expect_png(RUN_DIR "/report.png");
	/* A failing cell (fs.git.protected under bwrap) opened from the URL, and the page with a
	 * performance section. */
	assert_int_equal(reports_chromium(chromium, RUN_DIR "/report.html#open=c3-2",
	                                  RUN_DIR "/report-cell.png", 1000, &r),
	                 0);
	tu_result_free(&r);
	reports_expect_png(RUN_DIR "/report-cell.png");
	assert_int_equal(reports_chromium(chromium, RUN_DIR "-perf/report.html",
	                                  RUN_DIR "-perf/report.png", 4400, &r),
	                 0);
	tu_result_free(&r);
	reports_expect_png(RUN_DIR "-perf/report.png");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_harness_reports_stats),
	        cmocka_unit_test(test_harness_reports_escape),
	        cmocka_unit_test(test_harness_reports_results_json_counts),
	        cmocka_unit_test(test_harness_reports_minimal_run),
	        cmocka_unit_test(test_harness_reports_merge),
	        cmocka_unit_test(test_harness_reports_results_json_schema),
	        cmocka_unit_test(test_harness_reports_junit_validates),
	        cmocka_unit_test(test_harness_reports_markdown),
	        cmocka_unit_test(test_harness_reports_html_escaped),
	        cmocka_unit_test(test_harness_reports_svg_well_formed),
	        cmocka_unit_test(test_harness_reports_html_renders_in_chromium),
	};

	return cmocka_run_group_tests(tests, reports_group_setup, reports_group_teardown);
}
