/* Tests of the res.* probes, run with no sandbox and kept small (this machine is shared):
 * each runs once unlimited (the effect is measured: file sizes, counts, leftovers) and once
 * under an rlimit set here, where it must be refused the way a sandbox limit would. */
#define _GNU_SOURCE
#include "ppp_probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Run probe exe with args under one rlimit (both soft and hard), as uid (PPP_ROOT: us).
 * Returns the exit status or -signal; out gets stdout. */
static int run_limited(int resource, rlim_t value, uid_t uid, gid_t gid, const char *exe,
                       const char *a1, const char *a2, char *out, size_t n)
{
	char path[4096];
	int p[2];
	snprintf(path, sizeof(path), "%s", tu_probe(exe));
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = {value, value};
		dup2(p[1], 1);
		if (uid != PPP_ROOT &&
		    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(121);
		if (setrlimit(resource, &rl) < 0)
			_exit(122);
		execl(path, path, a1, a2, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t r;
	while (len + 1 < n && (r = read(p[0], out + len, n - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	printf("  %s", out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

/* How many live processes run the fork-bomb probe from our build with this exact MAX. */
static int fork_bomb_leftovers(const char *max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;
	char path[300], want[4200];
	snprintf(want, sizeof(want), "%s", tu_probe("res_fork_bomb"));
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		char *t = tu_read_file(path);
		if (t && strcmp(t, want) == 0 && strcmp(t + strlen(t) + 1, max) == 0)
			found++;
		free(t);
	}
	closedir(d);
	return found;
}

static void test_probe_res_fork_bomb_counts_and_cleans_up(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("res_fork_bomb", "47");
	ppp_check(&r, "res.fork_bomb", "succeeded", NULL);
	assert_int_equal(ppp_num(r.out, "count"), 47);
	tu_result_free(&r);
	assert_int_equal(fork_bomb_leftovers("47"), 0); /* every child was killed and reaped */
	uid_t uid;
	gid_t gid;
	char why[256], out[512];
	if (geteuid() != 0 || !tu_test_user(&uid, &gid, why, sizeof(why)))
		tu_skip("RLIMIT_NPROC does not bind root: needs root to switch to the test user");
	/* The limit counts every process of the user, so only "well below MAX" is certain. */
	assert_int_equal(run_limited(RLIMIT_NPROC, 20, uid, gid, "res_fork_bomb", "200", NULL, out,
	                             sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "\"errno\":\"EAGAIN\""));
	assert_true(ppp_num(out, "count") < 200);
	assert_int_equal(fork_bomb_leftovers("200"), 0);
}

static void test_probe_res_memory_touches_and_hits_limit(void **state)
{
	(void)state;
	char out[512];
	struct tu_result r = ppp_run("res_memory", "16");
	ppp_check(&r, "res.memory", "succeeded", NULL);
	assert_int_equal(ppp_num(r.out, "mib"), 16);
	tu_result_free(&r);
#if defined(__SANITIZE_ADDRESS__)
	tu_skip("AddressSanitizer build: ASan cannot start under RLIMIT_AS (shadow memory)");
#endif
	assert_int_equal(run_limited(RLIMIT_AS, 64UL << 20, PPP_ROOT, (gid_t)-1, "res_memory",
	                             "128", NULL, out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "\"errno\":\"ENOMEM\""));
}

static void test_probe_res_cpu_spins_and_is_killed_by_limit(void **state)
{
	(void)state;
	char out[512];
	struct tu_result r = ppp_run("res_cpu", "1");
	ppp_check(&r, "res.cpu", "succeeded", NULL);
	char *at = strstr(r.out, "\"cpu_seconds\":");
	assert_non_null(at);
	assert_true(strtod(at + 14, NULL) >= 1.0);
	tu_result_free(&r);
	/* Soft = hard = 1 s: SIGXCPU at the soft limit kills it; no line. */
	int st = run_limited(RLIMIT_CPU, 1, PPP_ROOT, (gid_t)-1, "res_cpu", "30", NULL, out,
	                     sizeof(out));
	assert_true(st == -SIGXCPU || st == -SIGKILL);
	assert_string_equal(out, "");
}

static void test_probe_res_file_size_writes_and_hits_limit(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("ppp-fsize", PPP_ROOT, (gid_t)-1);
	char path[512], out[512];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/big", dir);
	struct tu_result r = ppp_run("res_file_size", path, "2");
	ppp_check(&r, "res.file_size", "succeeded", NULL);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 2 << 20);
	tu_result_free(&r);
	assert_int_equal(run_limited(RLIMIT_FSIZE, 1 << 20, PPP_ROOT, (gid_t)-1, "res_file_size",
	                             path, "4", out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "\"errno\":\"EFBIG\""));
	assert_int_equal(ppp_num(out, "bytes"), 1 << 20);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 1 << 20);
	tu_rm_rf(dir);
	free(dir);
}

static void test_probe_res_open_files_until_emfile(void **state)
{
	(void)state;
	char out[512];
	struct tu_result r = ppp_run("res_open_files", "100");
	ppp_check(&r, "res.open_files", "succeeded", NULL);
	assert_int_equal(ppp_num(r.out, "count"), 100);
	tu_result_free(&r);
	assert_int_equal(run_limited(RLIMIT_NOFILE, 32, PPP_ROOT, (gid_t)-1, "res_open_files",
	                             "100", NULL, out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "\"errno\":\"EMFILE\""));
	long count = ppp_num(out, "count");
	assert_true(count > 0 && count < 32);
}

static void test_probe_res_inotify_instances(void **state)
{
	(void)state;
	char out[512];
	struct tu_result r = ppp_run("res_inotify", "3");
	if (strstr(r.out, "EMFILE"))
		tu_skip("this user's inotify instances are already used up by other processes");
	ppp_check(&r, "res.inotify", "succeeded", NULL);
	assert_int_equal(ppp_num(r.out, "count"), 3);
	tu_result_free(&r);
	/* max_user_instances is a global sysctl we must not lower; the fd limit stops it too. */
	assert_int_equal(run_limited(RLIMIT_NOFILE, 8, PPP_ROOT, (gid_t)-1, "res_inotify", "100",
	                             NULL, out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "\"errno\":\"EMFILE\""));
	assert_true(ppp_num(out, "count") < 8);
}

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_probe_res_dir_fill_creates_then_removes(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("ppp-fill", PPP_ROOT, (gid_t)-1);
	struct tu_result r = ppp_run("res_dir_fill", dir, "100");
	ppp_check(&r, "res.dir_fill", "succeeded", NULL);
	assert_int_equal(ppp_num(r.out, "count"), 100);
	assert_int_equal(dir_entries(dir), 0);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	char why[256];
	if (geteuid() == 0 && tu_test_user(&uid, &gid, why, sizeof(why))) {
		chmod(dir, 0755); /* readable, not writable, for the test user */
		r = ppp_run_user(uid, gid, "res_dir_fill", dir, "100");
		ppp_check(&r, "res.dir_fill", "refused", "EACCES");
		assert_int_equal(ppp_num(r.out, "count"), 0);
		tu_result_free(&r);
	}
	tu_rm_rf(dir);
	free(dir);
}

static void test_probe_res_fallocate_reserves_and_hits_limit(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("ppp-falloc", PPP_ROOT, (gid_t)-1);
	char path[512], path2[512], out[512];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/reserved", dir);
	snprintf(path2, sizeof(path2), "%s/limited", dir);
	struct tu_result r = ppp_run("res_fallocate", path, "3");
	if (strstr(r.out, "EOPNOTSUPP"))
		tu_skip("the temp file system does not support fallocate");
	ppp_check(&r, "res.fallocate", "succeeded", NULL);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 3 << 20);
	assert_true((long long)sb.st_blocks * 512 >= 3LL << 20);
	tu_result_free(&r);
	assert_int_equal(run_limited(RLIMIT_FSIZE, 1 << 20, PPP_ROOT, (gid_t)-1, "res_fallocate",
	                             path2, "3", out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "\"errno\":\"EFBIG\""));
	assert_int_equal(stat(path2, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	tu_rm_rf(dir);
	free(dir);
}

static void test_probe_res_bad_arguments_inconclusive(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("res_memory", "lots");
	ppp_check(&r, "res.memory", "inconclusive", NULL);
	tu_result_free(&r);
	r = ppp_run("res_fork_bomb");
	ppp_check(&r, "res.fork_bomb", "inconclusive", "EINVAL");
	tu_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_probe_res_fork_bomb_counts_and_cleans_up),
	        cmocka_unit_test(test_probe_res_memory_touches_and_hits_limit),
	        cmocka_unit_test(test_probe_res_cpu_spins_and_is_killed_by_limit),
	        cmocka_unit_test(test_probe_res_file_size_writes_and_hits_limit),
	        cmocka_unit_test(test_probe_res_open_files_until_emfile),
	        cmocka_unit_test(test_probe_res_inotify_instances),
	        cmocka_unit_test(test_probe_res_dir_fill_creates_then_removes),
	        cmocka_unit_test(test_probe_res_fallocate_reserves_and_hits_limit),
	        cmocka_unit_test(test_probe_res_bad_arguments_inconclusive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
