/* `cordon-harness bench` works end to end: a short run over none, floor (the namespaces alone),
 * cordon, cordon-warm and bwrap writes perf.json with every measured adapter's samples and summary, scaling curves for cordon,
 * and a report.html with the performance section and its plots. Nothing here asserts a time:
 * speed is what the benchmark reports, never what a test checks. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

/* Evaluate chunk (returning one string) in a harness Lua state; malloc'd result or NULL. */
static char *bench_lua(const char *chunk)
{
	lua_State *L = harness_new_state();
	assert_non_null(L);
	char *out = NULL;
	if (harness_eval(L, chunk, "bench-test", 1) == 0 && lua_isstring(L, -1))
		out = strdup(lua_tostring(L, -1));
	else
		printf("lua: %s\n", lua_tostring(L, -1));
	lua_close(L);
	return out;
}

/* dir/name holds every string of has and none of absent (both NULL-terminated). */
static void assert_report(const char *dir, const char *name, const char *const *has,
                          const char *const *absent)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *text = tu_read_file(path);
	assert_non_null(text);
	for (size_t i = 0; has[i]; i++)
		if (!strstr(text, has[i]))
			fail_msg("%s lacks '%s'", name, has[i]);
	for (size_t i = 0; absent[i]; i++)
		if (strstr(text, absent[i]))
			fail_msg("%s has '%s'", name, absent[i]);
	free(text);
}

static void test_harness_bench_writes_perf_and_report(void **state)
{
	(void)state;
	uid_t uid;
	gid_t gid;
	char why[256];
	if (access(tu_harness(), X_OK) != 0 || access(tu_cordon(), X_OK) != 0) {
		tu_skip("cordon-harness or cordon is not built");
		return;
	}
	if (!tu_test_user(&uid, &gid, why, sizeof(why))) {
		tu_skip("%s", why);
		return;
	}
	char *dir = tu_tmpdir("cordon-bench", geteuid() == 0 ? uid : (uid_t)-1, gid);
	assert_non_null(dir);
	char out[4200];
	snprintf(out, sizeof(out), "%s/out", dir);
	char *const argv[] = {(char *)tu_harness(),
	                      "bench",
	                      "--adapter",
	                      "none,floor,cordon,cordon-warm,bwrap",
	                      "--runs",
	                      "6",
	                      "--concurrency",
	                      "1,2",
	                      "--scaling",
	                      "1,10",
	                      "--out",
	                      out,
	                      "--as-user",
	                      (char *)tu_test_user_name(),
	                      NULL};
	struct tu_spawn s = {.argv = argv, .uid = (uid_t)-1, .timeout = 600};
	struct tu_result r;
	assert_int_equal(tu_run(&s, &r), 0);
	if (r.status != 0)
		printf("bench: exit %d\nstdout:\n%s\nstderr:\n%s\n", r.status, r.out, r.err);
	assert_int_equal(r.status, 0);
	tu_result_free(&r);

	/* What perf.json holds, checked through the harness's own JSON decoder. */
	char chunk[8192];
	snprintf(chunk, sizeof(chunk),
	         "local p = assert(json.decode(assert(fs.read('%s/perf.json'))))\n"
	         "local names, curves = {}, 0\n"
	         "for _, a in ipairs(p.adapters) do\n"
	         "  assert(#a.samples == 6, a.name .. ': ' .. #a.samples .. ' samples')\n"
	         "  assert(a.stats.p50 > 0 and a.stats.min <= a.stats.p50, a.name .. ': stats')\n"
	         "  assert(#a.throughput == 2, a.name .. ': throughput')\n"
	         "  assert(not a.error, a.name .. ': ' .. tostring(a.error))\n"
	         "  names[#names + 1] = a.name\n"
	         "end\n"
	         "for _, c in ipairs(p.scaling) do\n"
	         "  if c.adapter == 'cordon' then curves = curves + 1; assert(#c.points == 2) end\n"
	         "end\n"
	         "assert(curves == 3, 'cordon scaling curves: ' .. curves)\n"
	         "table.sort(names)\n"
	         "return table.concat(names, ',')\n",
	         out);
	char *names = bench_lua(chunk);
	assert_non_null(names);
	/* bubblewrap is a Debian package the setup installs; without it the run still works. */
	if (access("/usr/bin/bwrap", X_OK) == 0)
		assert_string_equal(names, "bwrap,cordon,cordon-warm,floor,none");
	else
		assert_string_equal(names, "cordon,cordon-warm,floor,none");
	free(names);

	/* No scenario ran: a performance report, which claims no conformance verdict. */
	const char *html_has[] = {"cordon-harness performance report", "Performance", "<svg", NULL};
	const char *html_not[] = {"every expectation held", "id=\"matrix\"", NULL};
	assert_report(out, "report.html", html_has, html_not);
	const char *md_has[] = {"# cordon-harness performance report", "## Performance", NULL};
	const char *md_not[] = {"every expectation held", "## Summary", NULL};
	assert_report(out, "report.md", md_has, md_not);
	tu_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_harness_bench_writes_perf_and_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
