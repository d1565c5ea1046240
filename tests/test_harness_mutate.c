/* Mutation testing (lua/harness/mutate.lua): mutant files parse and apply exactly (a line that
 * moved or repeats is an error, never a silent no-op), and `cordon-harness mutate` end to end:
 * a mutant that removes the network namespace is killed by the battery, one that changes
 * nothing survives and fails the run, unless it is marked equivalent. */
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

static char *mutate_lua(const char *chunk)
{
	return tu_lua(chunk, "=mutate");
}

static void test_harness_mutate_parse_and_apply(void **state)
{
	(void)state;
	char *s = mutate_lua(
	        "local mu = require('harness.mutate')\n"
	        "local m = assert(mu.parse('# c\\nwhy: w\\nfile: src/x.c\\nfind: \\tb();\\n"
	        "replace: \\t/* gone */\\nci: yes\\n', 'x'))\n"
	        "local out = {}\n"
	        "out[#out + 1] = assert(mu.apply(m, 'a();\\n\\tb();\\nc();\\n'))\n"
	        "out[#out + 1] = select(2, mu.apply(m, 'a();\\n')) and 'moved' or 'applied'\n"
	        "out[#out + 1] = select(2, mu.apply(m, '\\tb();\\n\\tb();\\n')) and 'twice' or "
	        "'once'\n"
	        "out[#out + 1] = select(2, mu.parse('why: w\\nfile: f\\n', 'y')) or 'parsed'\n"
	        "out[#out + 1] = select(2, mu.select({ m }, { 'nosuch' })) or 'selected'\n"
	        "out[#out + 1] = tostring(m.ci) .. ' ' .. table.concat(m.adapters, ',')\n"
	        "return table.concat(out, '|')\n");
	assert_string_equal(s,
	                    "a();\n\t/* gone */\nc();\n|moved|twice|y: missing 'find:'|--only: no "
	                    "mutant 'nosuch'|true cordon");
	free(s);
}

static void mutate_write(const char *dir, const char *name, const char *text)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s.mutant", dir, name) > 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0644);
	free(path);
}

static int mutate_run(const char *mutants, const char *out, struct tu_result *r)
{
	char *const argv[] = {(char *)tu_harness(),
	                      "mutate",
	                      "--mutants",
	                      (char *)mutants,
	                      "--scenario",
	                      "^net\\.unix_abstract\\.host$",
	                      "--out",
	                      (char *)out,
	                      "--as-user",
	                      (char *)tu_test_user_name(),
	                      NULL};
	struct tu_spawn s = {.argv = argv, .uid = (uid_t)-1, .timeout = 1200};
	assert_int_equal(tu_run(&s, r), 0);
	return r->status;
}

static const char no_netns[] = "why: no network namespace\n"
                               "file: src/plan.c\n"
                               "find: \t\tpl->clone_flags |= CLONE_NEWNET;\n"
                               "replace: \t\tpl->clone_flags |= 0;\n";

static void test_harness_mutate_kills_and_survives(void **state)
{
	(void)state;
	if (access(tu_harness(), X_OK) != 0 || access(tu_cordon(), X_OK) != 0) {
		tu_skip("cordon-harness or cordon is not built");
		return;
	}
	uid_t uid;
	gid_t gid;
	char why[256];
	if (!tu_test_user(&uid, &gid, why, sizeof(why))) {
		tu_skip("%s", why);
		return;
	}
	char *dir = tu_tmpdir("cordon-mutate", geteuid() == 0 ? uid : (uid_t)-1, gid);
	assert_non_null(dir);
	char *mutants = NULL, *out1 = NULL, *out2 = NULL, *md = NULL;
	assert_true(asprintf(&mutants, "%s/mutants", dir) > 0);
	assert_true(asprintf(&out1, "%s/out1", dir) > 0);
	assert_true(asprintf(&out2, "%s/out2", dir) > 0);
	assert_int_equal(mkdir(mutants, 0755), 0);
	mutate_write(mutants, "no-netns", no_netns);
	mutate_write(mutants, "same",
	             "why: nothing observable\nfile: src/plan.c\n"
	             "find: \t\tpl->clone_flags |= CLONE_NEWNET;\n"
	             "replace: \t\tpl->clone_flags |= CLONE_NEWNET; /* same */\n");
	struct tu_result r = {0};
	assert_int_equal(mutate_run(mutants, out1, &r), 1);
	assert_non_null(strstr(r.out, "1 killed, 1 survived"));
	tu_result_free(&r);
	assert_true(asprintf(&md, "%s/mutation.md", out1) > 0);
	char *text = tu_read_file(md);
	assert_non_null(text);
	assert_non_null(strstr(text, "| `no-netns` | no network namespace | killed | cordon "
	                             "net.unix_abstract.host"));
	free(text);
	/* Marked equivalent, the same survivor no longer fails the run. */
	mutate_write(mutants, "same",
	             "why: nothing observable\nfile: src/plan.c\n"
	             "find: \t\tpl->clone_flags |= CLONE_NEWNET;\n"
	             "replace: \t\tpl->clone_flags |= CLONE_NEWNET; /* same */\n"
	             "equivalent: only a comment differs\n");
	assert_int_equal(mutate_run(mutants, out2, &r), 0);
	assert_non_null(strstr(r.out, "1 killed, 0 survived, 1 equivalent"));
	tu_result_free(&r);
	free(md);
	free(mutants);
	free(out1);
	free(out2);
	tu_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_harness_mutate_parse_and_apply),
	        cmocka_unit_test(test_harness_mutate_kills_and_survives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
