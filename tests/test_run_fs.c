/* Integration: the file-system view of `cordon run`, as the unprivileged test user and as root.
 * Every check looks at the host afterwards (canaries, contents), not at cordon's word. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "run_util.h"

/* ---- the nested user namespace + O_PATH + pivot_root attack (run inside the sandbox) ------ */

static void attack_map(const char *path, const char *map)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		printf("%s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Hold the directory, enter a new user+mount namespace, pivot away and detach the old root so
 * that the protected file is no longer a mount point here, then replace it through the held
 * descriptor. Prints each step; exits 0 when the file was replaced. */
static int attack_pivot(const char *dir, const char *name)
{
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 2;
	uid_t uid = getuid();
	gid_t gid = getgid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		printf("unshare: %s\n", strerror(errno));
		goto replace;
	}
	attack_map("/proc/self/setgroups", "deny");
	char map[64];
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	attack_map("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	attack_map("/proc/self/gid_map", map);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		printf("make-private: %s\n", strerror(errno));
	else if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) < 0 || mkdir("/tmp/new", 0755) < 0 ||
	         mount("tmpfs", "/tmp/new", "tmpfs", 0, NULL) < 0 ||
	         mkdir("/tmp/new/old", 0755) < 0)
		printf("new root: %s\n", strerror(errno));
	else if (syscall(SYS_pivot_root, "/tmp/new", "/tmp/new/old") < 0 || chdir("/") < 0)
		printf("pivot_root: %s\n", strerror(errno));
	else if (umount2("/old", MNT_DETACH) < 0)
		printf("umount old root: %s\n", strerror(errno));
	else
		printf("old root detached\n");
replace:;
	char aside[512];
	snprintf(aside, sizeof(aside), "%s.aside", name);
	if (renameat(dfd, name, dfd, aside) < 0)
		printf("rename aside: %s\n", strerror(errno));
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		printf("replace: %s\n", strerror(errno));
		return 1;
	}
	ssize_t n = write(fd, "pwned\n", 6);
	close(fd);
	printf("replace: %s\n", n == 6 ? "written" : strerror(errno));
	return n == 6 ? 0 : 1;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static void assert_file_is(const char *path, const char *want)
{
	char *got = tu_read_file(path);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void body_workspace_write(struct ru_who *w)
{
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, "echo landed > out.txt && mkdir d && echo x > d/y", &r),
	                 0);
	assert_int_equal(r.status, 0);
	assert_file_is(ru_path(0, w->ws, "out.txt"), "landed\n");
	assert_file_is(ru_path(0, w->ws, "d/y"), "x\n");
	/* The file belongs to the caller on the host: the uid mapping is the identity. */
	struct stat st;
	assert_int_equal(stat(ru_path(0, w->ws, "out.txt"), &st), 0);
	assert_int_equal(st.st_uid, w->uid);
	tu_result_free(&r);
}

static void test_run_fs_workspace_write_lands(void **state)
{
	(void)state;
	ru_both(body_workspace_write);
}

static void body_outside_write(struct ru_who *w)
{
	char *out = ru_outside_dir(w->uid, w->gid);
	assert_non_null(out);
	const char *canary = ru_path(1, out, "canary");
	ru_put(w, canary, "original\n");
	char script[8192];
	snprintf(script, sizeof(script),
	         "echo pwned > %s/canary; echo new > %s/new; rm -f %s/canary; "
	         "echo pwned > /etc/cordon-test-canary; exit 0",
	         out, out, out);
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_file_is(canary, "original\n");
	assert_int_equal(access(ru_path(2, out, "new"), F_OK), -1);
	assert_int_equal(access("/etc/cordon-test-canary", F_OK), -1);
	assert_non_null(strstr(r.err, "Read-only file system"));
	tu_result_free(&r);
	ru_rm_outside(out);
}

static void test_run_fs_outside_write_refused(void **state)
{
	(void)state;
	ru_both(body_outside_write);
}

static void body_git_protected(struct ru_who *w)
{
	ru_mkdir(w, ru_path(0, w->ws, ".git"));
	ru_put(w, ru_path(0, w->ws, ".git/config"), "[core]\n");
	ru_put(w, ru_path(0, w->ws, "loose"), "loose\n");
	/* Every line must fail; the script reports the ones that did not. */
	const char *script =
	        "echo pwned > .git/config && echo 'write went through';"
	        "echo pwned >> .git/config && echo 'append went through';"
	        "echo x > .git/hooks-new && echo 'create went through';"
	        "mv .git .git-moved 2>/dev/null && echo 'rename went through';"
	        "rm -rf .git 2>/dev/null; test -d .git || echo 'unlink went through';"
	        "mv loose .git/loose 2>/dev/null && echo 'rename-into went through';"
	        "ln -s .git/config sl && echo pwned > sl && echo 'symlink write went through';"
	        "ln .git/config hl 2>/dev/null && echo pwned > hl && echo 'hardlink write went "
	        "through';"
	        "exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(ru_path(0, w->ws, ".git/config"), "[core]\n");
	assert_int_equal(access(ru_path(0, w->ws, ".git/hooks-new"), F_OK), -1);
	assert_int_equal(access(ru_path(0, w->ws, ".git-moved"), F_OK), -1);
	assert_file_is(ru_path(0, w->ws, "loose"), "loose\n");
	tu_result_free(&r);
}

static void test_run_fs_git_dir_protected(void **state)
{
	(void)state;
	ru_both(body_git_protected);
}

static void body_gitfile_protected(struct ru_who *w)
{
	/* A worktree-style .git file naming the real git directory elsewhere in the root. */
	ru_mkdir(w, ru_path(0, w->ws, "real.git"));
	ru_put(w, ru_path(0, w->ws, "real.git/HEAD"), "ref: refs/heads/main\n");
	ru_put(w, ru_path(0, w->ws, ".git"), "gitdir: real.git\n");
	const char *script = "echo pwned > .git && echo 'gitfile write went through';"
	                     "echo pwned > real.git/HEAD && echo 'gitdir write went through';"
	                     "mv .git g2 2>/dev/null && echo 'gitfile rename went through'; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(ru_path(0, w->ws, ".git"), "gitdir: real.git\n");
	assert_file_is(ru_path(0, w->ws, "real.git/HEAD"), "ref: refs/heads/main\n");
	tu_result_free(&r);
}

static void test_run_fs_gitfile_and_target_protected(void **state)
{
	(void)state;
	ru_both(body_gitfile_protected);
}

static void body_protect_flag(struct ru_who *w)
{
	const char *keep = ru_path(3, w->ws, "important.txt");
	ru_put(w, keep, "keep me\n");
	const char *flags[] = {"--protect", keep, NULL};
	const char *script = "echo pwned > important.txt && echo 'write went through';"
	                     "rm -f important.txt 2>/dev/null; test -e important.txt || echo "
	                     "'unlink went through';"
	                     "mv important.txt other 2>/dev/null && echo 'rename went through';"
	                     "echo ok > fine.txt; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(keep, "keep me\n");
	assert_file_is(ru_path(0, w->ws, "fine.txt"), "ok\n");
	tu_result_free(&r);
}

static void test_run_fs_protect_flag_keeps_file(void **state)
{
	(void)state;
	ru_both(body_protect_flag);
}

static void body_nested_userns_attack(struct ru_who *w)
{
	const char *target = ru_path(3, w->ws, "important.txt");
	ru_put(w, target, "keep me\n");
	const char *flags[] = {"--protect", target, NULL};
	char script[9000];
	snprintf(script, sizeof(script), "'%s' --attack-pivot '%s' important.txt", ru_self_in_ws(w),
	         w->ws);
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	printf("attack said: %s", r.out);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.out, "replace:")); /* it did get as far as trying */
	assert_file_is(target, "keep me\n");
	assert_int_equal(access(ru_path(0, w->ws, "important.txt.aside"), F_OK), -1);
	tu_result_free(&r);
}

static void test_run_fs_nested_userns_pivot_attack_fails(void **state)
{
	(void)state;
	ru_both(body_nested_userns_attack);
}

static void body_deny_read(struct ru_who *w)
{
	/* A default credential store under $HOME, and a --deny-read directory in the workspace. */
	ru_mkdir(w, ru_path(0, w->home, ".ssh"));
	ru_put(w, ru_path(0, w->home, ".ssh/id_ed25519"), "PRIVATE KEY\n");
	ru_mkdir(w, ru_path(0, w->ws, "secrets"));
	ru_put(w, ru_path(0, w->ws, "secrets/token"), "s3cr3t\n");
	ru_put(w, ru_path(0, w->home, ".netrc"), "machine x password y\n");
	const char *flags[] = {"--deny-read", ru_path(1, w->ws, "secrets"), NULL};
	const char *script =
	        "cat \"$HOME/.ssh/id_ed25519\" secrets/token \"$HOME/.netrc\" 2>/dev/null;"
	        "echo listing:; ls -A \"$HOME/.ssh\" secrets; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "PRIVATE KEY"));
	assert_null(strstr(r.out, "s3cr3t"));
	assert_null(strstr(r.out, "password"));
	assert_null(strstr(r.out, "id_ed25519"));
	assert_non_null(strstr(r.out, "listing:"));
	tu_result_free(&r);
}

static void test_run_fs_deny_read_hides(void **state)
{
	(void)state;
	ru_both(body_deny_read);
}

static void body_tmp_private(struct ru_who *w)
{
	char *host_tmp = tu_tmpdir("cordon-hostmark", (uid_t)-1, (gid_t)-1);
	assert_non_null(host_tmp);
	char script[8192];
	snprintf(script, sizeof(script),
	         "test -e '%s' && echo 'host tmp visible'; echo mine > /tmp/inside-%d && "
	         "cat /tmp/inside-%d; echo shm > /dev/shm/x && cat /dev/shm/x",
	         host_tmp, (int)getpid(), (int)getpid());
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "mine\nshm\n");
	char inside[64];
	snprintf(inside, sizeof(inside), "/tmp/inside-%d", (int)getpid());
	assert_int_equal(access(inside, F_OK), -1); /* it went to the private /tmp */
	tu_result_free(&r);
	tu_rm_rf(host_tmp);
	free(host_tmp);
}

static void test_run_fs_tmp_is_private(void **state)
{
	(void)state;
	ru_both(body_tmp_private);
}

static void body_session(struct ru_who *w)
{
	char s1[64], s2[64];
	snprintf(s1, sizeof(s1), "t%d-a", (int)getpid());
	snprintf(s2, sizeof(s2), "t%d-b", (int)getpid());
	const char *f1[] = {"--session", s1, NULL};
	const char *f2[] = {"--session", s2, NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, f1, "echo shared > /tmp/sess && echo shm > /dev/shm/sess", &r),
	                 0);
	assert_int_equal(r.status, 0);
	tu_result_free(&r);
	assert_int_equal(ru_run(w, f1, "cat /tmp/sess /dev/shm/sess", &r), 0);
	assert_string_equal(r.out, "shared\nshm\n");
	tu_result_free(&r);
	assert_int_equal(ru_run(w, f2, "cat /tmp/sess /dev/shm/sess 2>/dev/null; exit 0", &r), 0);
	assert_string_equal(r.out, "");
	tu_result_free(&r);
	assert_int_equal(ru_run(w, NULL, "cat /tmp/sess 2>/dev/null; exit 0", &r), 0);
	assert_string_equal(r.out, "");
	tu_result_free(&r);
	char dir[256];
	for (int i = 0; i < 2; i++) {
		snprintf(dir, sizeof(dir), "/tmp/cordon-%u/sessions/%s", (unsigned)w->uid,
		         i ? s2 : s1);
		tu_rm_rf(dir);
	}
}

static void test_run_fs_session_shares_tmp(void **state)
{
	(void)state;
	ru_both(body_session);
}

static void body_dev_and_proc(struct ru_who *w)
{
	/* A minimal /dev whose nodes work, nothing else of the host's devices, a read-only /dev
	 * and /proc. Every line prints only when the check holds. */
	const char *script =
	        "echo x > /dev/null && echo null-writable;"
	        "test \"$(head -c 3 /dev/zero | wc -c)\" = 3 && echo zero-readable;"
	        "ls /dev | tr '\\n' ' ' | grep -Eq 'sd|vd|nvme|mem|kmsg' || echo no-host-devices;"
	        "touch /dev/new 2>/dev/null || echo dev-readonly;"
	        "echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null || echo proc-readonly;"
	        "exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "null-writable\nzero-readable\nno-host-devices\ndev-readonly\n"
	                           "proc-readonly\n");
	tu_result_free(&r);
}

static void test_run_fs_minimal_dev_and_readonly_proc(void **state)
{
	(void)state;
	ru_both(body_dev_and_proc);
}

/* `cmd > /dev/stdout` reopens the caller's stdout; when that is a file outside every writable
 * root (cordon's output redirected to a log) it must still work, in the mode stdout grants,
 * and no more: stdin (read-only) must not become writable that way. */
static void reopen_stdio(struct ru_who *w, const char *extra, char **log, char **in, char **err)
{
	char *out = ru_outside_dir(w->uid, w->gid);
	assert_non_null(out);
	char script[12000];
	snprintf(script, sizeof(script),
	         "'%s' run %s --workspace '%s' -- /bin/sh -c "
	         "'echo via-stdout > /dev/stdout; echo nope > /dev/stdin' "
	         "> '%s/log' 2> '%s/err' < '%s/in'",
	         tu_cordon(), extra, w->ws, out, out, out);
	ru_put(w, ru_path(0, out, "in"), "input\n");
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	struct tu_spawn s = {.argv = (char *const *)argv,
	                     .cwd = w->ws,
	                     .uid = w->root ? (uid_t)-1 : w->uid,
	                     .gid = w->gid};
	struct tu_result r;
	assert_int_equal(tu_run(&s, &r), 0);
	*log = tu_read_file(ru_path(1, out, "log"));
	*in = tu_read_file(ru_path(2, out, "in"));
	*err = tu_read_file(ru_path(1, out, "err"));
	tu_result_free(&r);
	ru_rm_outside(out);
}

static void body_reopen_stdio(struct ru_who *w)
{
	char *log, *in, *err;
	const char *extra = "";
	if (tu_landlock_abi() < 3) {
		/* stdin is a read-only file outside: without Landlock's truncate right (ABI 3) a
		 * truncate("/dev/stdin") would empty it, so cordon refuses; --best-effort runs. */
		reopen_stdio(w, "", &log, &in, &err);
		assert_non_null(err);
		printf("%s", err);
		assert_non_null(strstr(err, "truncate"));
		assert_string_equal(log ? log : "", "");
		assert_string_equal(in, "input\n");
		free(log);
		free(in);
		free(err);
		extra = "--best-effort";
	}
	reopen_stdio(w, extra, &log, &in, &err);
	assert_non_null(log);
	assert_string_equal(log, "via-stdout\n");
	assert_non_null(in);
	assert_string_equal(in, "input\n");
	free(log);
	free(in);
	free(err);
}

static void test_run_fs_reopen_own_stdio(void **state)
{
	(void)state;
	ru_both(body_reopen_stdio);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--attack-pivot") == 0)
		return attack_pivot(argv[2], argv[3]);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_fs_workspace_write_lands),
	        cmocka_unit_test(test_run_fs_outside_write_refused),
	        cmocka_unit_test(test_run_fs_git_dir_protected),
	        cmocka_unit_test(test_run_fs_gitfile_and_target_protected),
	        cmocka_unit_test(test_run_fs_protect_flag_keeps_file),
	        cmocka_unit_test(test_run_fs_nested_userns_pivot_attack_fails),
	        cmocka_unit_test(test_run_fs_deny_read_hides),
	        cmocka_unit_test(test_run_fs_tmp_is_private),
	        cmocka_unit_test(test_run_fs_session_shares_tmp),
	        cmocka_unit_test(test_run_fs_reopen_own_stdio),
	        cmocka_unit_test(test_run_fs_minimal_dev_and_readonly_proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
