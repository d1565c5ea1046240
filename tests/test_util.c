/* Unit tests of util.c: string vectors, errors, lexical paths, number parsing. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <errno.h>

#include "testutil.h"
#include "util.h"

static void test_util_strv_push_contains_clear(void **state)
{
	(void)state;
	struct cordon_strv s = {0};
	char buf[] = "alpha";
	assert_int_equal(cordon_strv_push(&s, buf), 0);
	buf[0] = 'X'; /* the vector holds a copy */
	assert_int_equal(cordon_strv_push(&s, "beta"), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0], "alpha");
	assert_null(s.v[2]);
	assert_true(cordon_strv_contains(&s, "beta"));
	assert_false(cordon_strv_contains(&s, "Xlpha"));
	cordon_strv_clear(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
	assert_false(cordon_strv_contains(&s, "alpha"));
}

/* Repeats go, first occurrences stay in their order, and the vector stays NULL-terminated. */
static void test_util_strv_dedupe(void **state)
{
	(void)state;
	static const char *const in[] = {"/b", "/a", "/b", "/c", "/a", "/a", "/d"};
	static const char *const want[] = {"/b", "/a", "/c", "/d"};
	struct cordon_strv s = {0};
	for (size_t i = 0; i < ARRAY_SIZE(in); i++)
		assert_int_equal(cordon_strv_push(&s, in[i]), 0);
	assert_int_equal(cordon_strv_dedupe(&s), 0);
	assert_int_equal(s.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(s.v[i], want[i]);
	assert_null(s.v[s.n]);
	cordon_strv_clear(&s);
	assert_int_equal(cordon_strv_dedupe(&s), 0);
	assert_int_equal(s.n, 0);
}

/* A directory through a symlink and "..": its real name; a file: its real name, or ENOTDIR as a
 * directory; nothing: ENOENT. */
static void test_util_path_canonical_dir(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("cordon-util", (uid_t)-1, (gid_t)-1);
	assert_non_null(dir);
	char *real = realpath(dir, NULL);
	char sub[4096], link[4096], via[4096], file[4096], want[4096];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(via, sizeof(via), "%s/link/../sub/.", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(want, sizeof(want), "%s/sub", real);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(symlink(sub, link), 0);
	assert_int_equal(tu_write_file(file, "x"), 0);
	cleanup_free char *got = cordon_path_canonical_dir(link);
	assert_non_null(got);
	assert_string_equal(got, want);
	cleanup_free char *got2 = cordon_path_canonical_dir(via);
	assert_non_null(got2);
	assert_string_equal(got2, want);
	/* A file, through the symlinked directory: its real name; as a directory: ENOTDIR. */
	char file_via[4096], file_want[4096];
	snprintf(file_via, sizeof(file_via), "%s/link/../file", dir);
	snprintf(file_want, sizeof(file_want), "%s/file", real);
	cleanup_free char *got3 = cordon_path_canonical(file_via);
	assert_non_null(got3);
	assert_string_equal(got3, file_want);
	cleanup_free char *got4 = cordon_path_canonical(file_want); /* no symlink: itself */
	assert_non_null(got4);
	assert_string_equal(got4, file_want);
	errno = 0;
	assert_null(cordon_path_canonical_dir(file));
	assert_int_equal(errno, ENOTDIR);
	snprintf(file, sizeof(file), "%s/missing", dir);
	assert_null(cordon_path_canonical_dir(file));
	assert_int_equal(errno, ENOENT);
	assert_null(cordon_path_canonical(file));
	assert_int_equal(errno, ENOENT);
	tu_rm_rf(dir);
	free(dir);
	free(real);
}

/* The home of a uid in a passwd file: exact uid match, malformed and homeless lines skipped. */
static void test_util_passwd_home(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("cordon-util", (uid_t)-1, (gid_t)-1);
	assert_non_null(dir);
	char path[4096];
	snprintf(path, sizeof(path), "%s/passwd", dir);
	assert_int_equal(tu_write_file(path, "root:x:0:0:root:/root:/bin/bash\n"
	                                     "broken line\n"
	                                     "u10:x:10:10::relative:/bin/sh\n"
	                                     "u100:x:100:100:U:/home/u100:/bin/sh\n"
	                                     "u1000:x:1000:1000:U,,,:/home/u1000:/bin/bash\n"),
	                 0);
	cleanup_free char *h0 = cordon_passwd_home(path, 0);
	cleanup_free char *h1000 = cordon_passwd_home(path, 1000);
	assert_non_null(h0);
	assert_string_equal(h0, "/root");
	assert_non_null(h1000);
	assert_string_equal(h1000, "/home/u1000");
	assert_null(cordon_passwd_home(path, 10)); /* not absolute */
	assert_null(cordon_passwd_home(path, 1));
	assert_null(cordon_passwd_home("/nonexistent/passwd", 0));
	tu_rm_rf(dir);
	free(dir);
}

static void test_util_err_one_line(void **state)
{
	(void)state;
	cordon_error err = {0};
	assert_int_equal(cordon_err(&err, -EINVAL, "bad path '%s'", "a\nb"), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.msg, "bad path 'a b'");
	assert_int_equal(cordon_err(NULL, -ENOENT, "ignored"), -ENOENT);
}

static void test_util_path_join(void **state)
{
	(void)state;
	char *p = cordon_path_join("/a/", "/b");
	assert_string_equal(p, "/a/b");
	free(p);
	p = cordon_path_join("/", ".git");
	assert_string_equal(p, "/.git");
	free(p);
	p = cordon_path_join("/src/x", "y/z");
	assert_string_equal(p, "/src/x/y/z");
	free(p);
}

static void test_util_path_normalize(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	        {"/", "/"},
	        {"//a//b/", "/a/b"},
	        {"/a/./b/.", "/a/b"},
	        {"/a/b/../c", "/a/c"},
	        {"/../..", "/"},
	        {"/a/..", "/"},
	        {"/a/b/../../c/..", "/"},
	        {"/a/.../b", "/a/.../b"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *n = cordon_path_normalize(cases[i][0]);
		assert_non_null(n);
		assert_string_equal(n, cases[i][1]);
		free(n);
	}
	assert_null(cordon_path_normalize("relative/path"));
}

static void test_util_path_is_beneath(void **state)
{
	(void)state;
	assert_true(cordon_path_is_beneath("/src/x", "/src/x"));
	assert_true(cordon_path_is_beneath("/src/x/y", "/src/x"));
	assert_true(cordon_path_is_beneath("/src/x/y", "/src/x/"));
	assert_false(cordon_path_is_beneath("/src/xy", "/src/x"));
	assert_false(cordon_path_is_beneath("/src", "/src/x"));
	assert_true(cordon_path_is_beneath("/anything", "/"));
}

static void test_util_parse_size(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
	        {"0", 0},           {"512", 512},           {"64K", 65536},
	        {"64k", 65536},     {"100M", 100ull << 20}, {"2G", 2ull << 30},
	        {"1T", 1ull << 40}, {"4KiB", 4096},         {"8MB", 8ull << 20},
	};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		uint64_t v = 1;
		assert_int_equal(cordon_parse_size(ok[i].s, &v), 0);
		assert_true(v == ok[i].v);
	}
	static const char *const bad[] = {"",
	                                  "K",
	                                  "-1",
	                                  "1.5G",
	                                  "12X",
	                                  "1 G",
	                                  "10GG",
	                                  "99999999999999999999",
	                                  "20000000000G",
	                                  " 1"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v = 7;
		assert_int_equal(cordon_parse_size(bad[i], &v), -EINVAL);
		assert_true(v == 7);
	}
}

static void test_util_parse_u64(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(cordon_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(cordon_parse_u64("18446744073709551616", &v), -EINVAL);
	assert_int_equal(cordon_parse_u64("", &v), -EINVAL);
	assert_int_equal(cordon_parse_u64("12a", &v), -EINVAL);
	assert_int_equal(cordon_parse_u64("-3", &v), -EINVAL);
	assert_int_equal(cordon_parse_u64("+3", &v), -EINVAL);
	assert_int_equal(cordon_parse_u64("42", &v), 0);
	assert_true(v == 42);
}

static void test_util_parse_duration(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t ms;
	} ok[] = {
	        {"30", 30000}, {"1.5", 1500},    {"0.25", 250}, {"0.001", 1},
	        {"0.0001", 1}, {"2.0000", 2000}, {"0", 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		uint64_t ms = 99;
		assert_int_equal(cordon_parse_duration_ms(ok[i].s, &ms), 0);
		assert_true(ms == ok[i].ms);
	}
	static const char *const bad[] = {"",   ".5",  "1.",  "1.5s",
	                                  "-1", "1e3", "abc", "99999999999999999"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t ms;
		assert_int_equal(cordon_parse_duration_ms(bad[i], &ms), -EINVAL);
	}
}

static void test_util_version(void **state)
{
	(void)state;
	assert_non_null(cordon_version());
	assert_true(strlen(cordon_version()) > 0);
}

struct links_seen {
	char list[4096];
};

static int note_link(void *ctx, const char *link)
{
	struct links_seen *s = ctx;
	strcat(s->list, link);
	strcat(s->list, ";");
	return 0;
}

/* Each symlink on the way is reported with the directories before it resolved, ".." after a
 * link is the target's parent (not a lexical step back), and a missing tail stays as written. */
static void test_util_path_follow(void **state)
{
	(void)state;
	char *tmp = tu_tmpdir("cordon-follow", (uid_t)-1, (gid_t)-1);
	assert_non_null(tmp);
	char *root = realpath(tmp, NULL);
	char path[4096], want[8192];
	snprintf(path, sizeof(path), "%s/a", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/b", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/l1", root);
	assert_int_equal(symlink("a/b", path), 0); /* l1 -> a/b */
	snprintf(path, sizeof(path), "%s/a/b/l2", root);
	assert_int_equal(symlink("..", path), 0); /* a/b/l2 -> .. (= a) */
	struct links_seen seen = {{0}};
	char *out = NULL;
	snprintf(path, sizeof(path), "%s/l1/l2/../x/y", root);
	assert_int_equal(cordon_path_follow(path, note_link, &seen, &out), 0);
	snprintf(want, sizeof(want), "%s/l1;%s/a/b/l2;", root, root);
	assert_string_equal(seen.list, want);
	snprintf(want, sizeof(want), "%s/x/y", root); /* l1/l2 is a; a/.. is root */
	assert_string_equal(out, want);
	free(out);
	snprintf(path, sizeof(path), "%s/loop", root);
	assert_int_equal(symlink("loop", path), 0);
	assert_int_equal(cordon_path_follow(path, NULL, NULL, &out), -ELOOP);
	assert_null(out);
	tu_rm_rf(tmp);
	free(tmp);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_util_strv_push_contains_clear),
	        cmocka_unit_test(test_util_strv_dedupe),
	        cmocka_unit_test(test_util_path_canonical_dir),
	        cmocka_unit_test(test_util_passwd_home),
	        cmocka_unit_test(test_util_err_one_line),
	        cmocka_unit_test(test_util_path_join),
	        cmocka_unit_test(test_util_path_normalize),
	        cmocka_unit_test(test_util_path_is_beneath),
	        cmocka_unit_test(test_util_parse_size),
	        cmocka_unit_test(test_util_parse_u64),
	        cmocka_unit_test(test_util_parse_duration),
	        cmocka_unit_test(test_util_version),
	        cmocka_unit_test(test_util_path_follow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
