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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* Bind a UNIX socket at path (inside the sandbox): "bound" or why not, exit 0 either way. */
static int helper_bind(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		printf("bind %s: %s\n", path, strerror(errno));
	else
		printf("bound %s\n", path);
	return 0;
}

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

/* What git runs from the workspace, named by the repository's own configuration: a husky
 * hooks directory that does not exist yet, an included config file, a program in
 * core.fsmonitor. None may be planted or changed. */
static void body_git_config_paths(struct ru_who *w)
{
	ru_mkdir(w, ru_path(0, w->ws, ".git"));
	ru_put(w, ru_path(0, w->ws, ".git/config"),
	       "[core]\n\thooksPath = .husky\n\tfsmonitor = tools/fsmon.sh\n"
	       "[include]\n\tpath = ../team.gitconfig\n");
	ru_put(w, ru_path(0, w->ws, "team.gitconfig"), "[user]\n\tname = x\n");
	ru_mkdir(w, ru_path(0, w->ws, "tools"));
	ru_put(w, ru_path(0, w->ws, "tools/fsmon.sh"), "#!/bin/sh\n");
	const char *script =
	        "mkdir -p .husky 2>/dev/null && echo x > .husky/pre-commit 2>/dev/null && "
	        "echo 'hook planted';"
	        "echo '[core] fsmonitor = ./evil' >> team.gitconfig 2>/dev/null && "
	        "echo 'include written';"
	        "echo 'touch /pwned' > tools/fsmon.sh 2>/dev/null && echo 'fsmonitor written';"
	        "mv tools tools2 2>/dev/null && echo 'tools renamed';"
	        "echo ok > tools/other.sh; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_int_equal(access(ru_path(0, w->ws, ".husky"), F_OK), -1);
	assert_file_is(ru_path(0, w->ws, "team.gitconfig"), "[user]\n\tname = x\n");
	assert_file_is(ru_path(0, w->ws, "tools/fsmon.sh"), "#!/bin/sh\n");
	assert_file_is(ru_path(0, w->ws, "tools/other.sh"), "ok\n"); /* the rest stays writable */
	tu_result_free(&r);
}

static void test_run_fs_git_config_paths_protected(void **state)
{
	(void)state;
	ru_both(body_git_config_paths);
}

/* A nested repository (src/.git) and a submodule's gitfile: neither its config nor where the
 * gitfile points may change. */
static void body_nested_repo(struct ru_who *w)
{
	ru_mkdir(w, ru_path(0, w->ws, "src"));
	ru_mkdir(w, ru_path(0, w->ws, "src/.git"));
	ru_put(w, ru_path(0, w->ws, "src/.git/config"), "[core]\n\tbare = false\n");
	ru_mkdir(w, ru_path(0, w->ws, "lib"));
	ru_mkdir(w, ru_path(0, w->ws, "lib.git"));
	ru_put(w, ru_path(0, w->ws, "lib.git/config"), "[core]\n");
	ru_put(w, ru_path(0, w->ws, "lib/.git"), "gitdir: ../lib.git\n");
	const char *script =
	        "echo '[core] fsmonitor = ./evil' >> src/.git/config 2>/dev/null && "
	        "echo 'nested config written';"
	        "echo 'gitdir: ../evil' > lib/.git 2>/dev/null && echo 'gitfile repointed';"
	        "echo '[core] fsmonitor = ./evil' >> lib.git/config 2>/dev/null && "
	        "echo 'submodule config written';"
	        "mv src src2 2>/dev/null && echo 'nested repo moved'; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(ru_path(0, w->ws, "src/.git/config"), "[core]\n\tbare = false\n");
	assert_file_is(ru_path(0, w->ws, "lib/.git"), "gitdir: ../lib.git\n");
	assert_file_is(ru_path(0, w->ws, "lib.git/config"), "[core]\n");
	tu_result_free(&r);
}

static void test_run_fs_nested_repo_protected(void **state)
{
	(void)state;
	ru_both(body_nested_repo);
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

/* Issue 11 class 1: the supervisor opens what `cmd > path` names (O_CREAT) for the command.
 * A FIFO or a device outside the writable roots must stay as closed to it as to the command
 * itself (Landlock), while a FIFO in the workspace and /dev/null work. The host holds each
 * FIFO's reading end, so a write that got through would be there. */
static void body_special_files(struct ru_who *w)
{
	char *out = ru_outside_dir(w->uid, w->gid);
	assert_non_null(out);
	char ofifo[4200], wfifo[4200];
	snprintf(ofifo, sizeof(ofifo), "%s/fifo", out);
	snprintf(wfifo, sizeof(wfifo), "%s/fifo", w->ws);
	assert_int_equal(mkfifo(ofifo, 0666), 0);
	assert_int_equal(mkfifo(wfifo, 0666), 0);
	assert_int_equal(chown(ofifo, w->uid, w->gid), 0);
	assert_int_equal(chown(wfifo, w->uid, w->gid), 0);
	int ro = open(ofifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int rw = open(wfifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(ro >= 0 && rw >= 0);
	char script[9000];
	snprintf(script, sizeof(script),
	         "echo pwned > '%s' 2>/dev/null || echo outside-refused;"
	         "echo pwned >> '%s' 2>/dev/null || echo append-refused;"
	         "echo inside > fifo && echo inside-ok;"
	         "echo x > /dev/null && echo null-ok;"
	         "echo x > /dev/urandom 2>/dev/null || echo urandom-refused; exit 0",
	         ofifo, ofifo);
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	char got[64] = {0}, in[64] = {0};
	ssize_t n = read(ro, got, sizeof(got) - 1);
	ssize_t m = read(rw, in, sizeof(in) - 1);
	close(ro);
	close(rw);
	unlink(wfifo);
	ru_rm_outside(out);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "outside-refused\nappend-refused\ninside-ok\nnull-ok\n"
	                           "urandom-refused\n");
	assert_true(n <= 0);
	assert_true(m > 0);
	assert_string_equal(in, "inside\n");
	tu_result_free(&r);
}

static void test_run_fs_special_files_as_landlock_says(void **state)
{
	(void)state;
	ru_both(body_special_files);
}

/* Issue 18 class 1 and issue 11 class 5: no protected name (.git above all) is made at any
 * depth of a writable root, by any syscall that names an entry (bind included); ordinary names
 * next to it still are. */
static void body_nested_git(struct ru_who *w)
{
	ru_mkdir(w, ru_path(0, w->ws, "src"));
	const char *helper = ru_self_in_ws(w);
	char script[9000];
	snprintf(script, sizeof(script),
	         "mkdir src/.git 2>/dev/null || echo mkdir;"
	         "echo gitdir: /tmp > src/.git 2>/dev/null || echo file;"
	         "ln -s /tmp src/.git 2>/dev/null || echo symlink;"
	         "mkfifo src/.git 2>/dev/null || echo fifo;"
	         "touch src/a && { ln src/a src/.git 2>/dev/null || echo link; };"
	         "mv src/a src/.git 2>/dev/null || echo rename;"
	         "mkdir -p src/b/c && { mkdir src/b/c/.cordon 2>/dev/null || echo cordon; };"
	         "'%s' --bind src/.git; '%s' --bind src/sock;"
	         "mkdir src/git && echo plain-mkdir; exit 0",
	         helper, helper);
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "mkdir\nfile\nsymlink\nfifo\nlink\nrename\ncordon\n"
	                           "bind src/.git: Permission denied\nbound src/sock\n"
	                           "plain-mkdir\n");
	struct stat st;
	assert_int_equal(lstat(ru_path(0, w->ws, "src/.git"), &st), -1);
	assert_int_equal(lstat(ru_path(0, w->ws, "src/b/c/.cordon"), &st), -1);
	tu_result_free(&r);
}

/* With every protected name present at the top no creation rule is needed there, but the rule
 * at any depth still holds (the filter notifies creations whenever there is a writable root). */
static void body_nested_git_all_present(struct ru_who *w)
{
	ru_mkdir(w, ru_path(0, w->ws, ".git"));
	ru_mkdir(w, ru_path(0, w->ws, ".codex"));
	ru_mkdir(w, ru_path(0, w->ws, ".agents"));
	ru_put(w, ru_path(0, w->ws, ".cordon"), "");
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL,
	                        "mkdir -p src && { mkdir src/.git 2>/dev/null || echo refused; }",
	                        &r),
	                 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "refused\n");
	struct stat st;
	assert_int_equal(lstat(ru_path(0, w->ws, "src/.git"), &st), -1);
	tu_result_free(&r);
}

static void test_run_fs_nested_protected_names_refused(void **state)
{
	(void)state;
	ru_both(body_nested_git);
	ru_both(body_nested_git_all_present);
}

/* ---- issue 11: protected names that are symlinks, renamed ancestors, names that appear
 * mid-run, roots reached through symlinks ---------------------------------------------------- */

static void ru_symlink(const struct ru_who *w, const char *target, const char *path)
{
	assert_int_equal(symlink(target, path), 0);
	if (lchown(path, w->uid, w->gid) < 0)
		perror("lchown");
}

/* .git -> a directory in the workspace, .codex -> a file in it: the links can be neither
 * removed nor replaced, and what they name cannot be written. Unfixed, cordon exits 125. */
static void body_protected_symlinks(struct ru_who *w)
{
	ru_mkdir(w, ru_path(0, w->ws, "repo.git"));
	ru_put(w, ru_path(0, w->ws, "repo.git/config"), "[core]\n");
	ru_symlink(w, "repo.git", ru_path(0, w->ws, ".git"));
	ru_put(w, ru_path(0, w->ws, "notes.txt"), "notes\n");
	ru_symlink(w, "notes.txt", ru_path(0, w->ws, ".codex"));
	ru_mkdir(w, ru_path(0, w->ws, "evil"));
	const char *script =
	        "echo pwned > .git/config && echo 'write through the link went through';"
	        "echo pwned > repo.git/config && echo 'write to the target went through';"
	        "echo pwned > .codex && echo 'file link write went through';"
	        "rm -f .git 2>/dev/null; test -L .git || echo 'unlink went through';"
	        "ln -sfn evil .git 2>/dev/null; test \"$(readlink .git)\" = repo.git || "
	        "echo 'replace went through';"
	        "mv .git g 2>/dev/null && echo 'rename went through';"
	        "mv repo.git r2 2>/dev/null && echo 'target rename went through';"
	        "exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(ru_path(0, w->ws, "repo.git/config"), "[core]\n");
	assert_file_is(ru_path(0, w->ws, "notes.txt"), "notes\n");
	char buf[64] = {0};
	assert_int_equal(readlink(ru_path(0, w->ws, ".git"), buf, sizeof(buf) - 1), 8);
	assert_string_equal(buf, "repo.git");
	tu_result_free(&r);
}

static void test_run_fs_protected_symlinks(void **state)
{
	(void)state;
	ru_both(body_protected_symlinks);
}

/* A gitdir path through a symlink in the workspace (gitdir: lnk/wt): the link cannot be
 * pointed elsewhere, and every protected name exists (so no creation rule would be loaded on
 * the unfixed build). */
static void body_gitdir_through_link(struct ru_who *w)
{
	static const char *const names[] = {".cordon", ".codex", ".agents"};
	for (size_t i = 0; i < 3; i++)
		ru_mkdir(w, ru_path(0, w->ws, names[i]));
	ru_mkdir(w, ru_path(0, w->ws, "real"));
	ru_mkdir(w, ru_path(0, w->ws, "real/wt"));
	ru_put(w, ru_path(0, w->ws, "real/wt/HEAD"), "ref: refs/heads/main\n");
	ru_symlink(w, "real", ru_path(0, w->ws, "lnk"));
	ru_put(w, ru_path(0, w->ws, ".git"), "gitdir: lnk/wt\n");
	const char *script = "mkdir -p evil/wt && echo pwned > evil/wt/HEAD;"
	                     "ln -sfn evil lnk 2>/dev/null;"
	                     "test \"$(readlink lnk)\" = real || echo 'link replaced';"
	                     "mv real r2 2>/dev/null && echo 'gitdir parent renamed';"
	                     "echo pwned > lnk/wt/HEAD && echo 'gitdir written'; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(ru_path(0, w->ws, "real/wt/HEAD"), "ref: refs/heads/main\n");
	tu_result_free(&r);
}

static void test_run_fs_gitdir_through_symlink(void **state)
{
	(void)state;
	ru_both(body_gitdir_through_link);
}

/* Renaming a directory on the way to a nested --protect or --deny-read path, with every
 * protected name present: refused (unfixed: the rename and a new a/b/file went through). */
static void body_rename_ancestor(struct ru_who *w)
{
	static const char *const names[] = {".git", ".cordon", ".codex", ".agents"};
	for (size_t i = 0; i < 4; i++)
		ru_mkdir(w, ru_path(0, w->ws, names[i]));
	ru_mkdir(w, ru_path(0, w->ws, "a"));
	ru_mkdir(w, ru_path(0, w->ws, "a/b"));
	ru_put(w, ru_path(0, w->ws, "a/b/file"), "keep\n");
	ru_mkdir(w, ru_path(0, w->ws, "c"));
	ru_put(w, ru_path(0, w->ws, "c/secret"), "secret\n");
	char protect[4200], hide[4200];
	snprintf(protect, sizeof(protect), "%s/a/b/file", w->ws);
	snprintf(hide, sizeof(hide), "%s/c/secret", w->ws);
	const char *flags[] = {"--protect", protect, "--deny-read", hide, NULL};
	const char *script = "mv a a2 2>/dev/null && echo 'protect parent renamed';"
	                     "mv a/b b2 2>/dev/null && echo 'protect dir renamed';"
	                     "mkdir -p a/b 2>/dev/null; echo pwned > a/b/file 2>/dev/null;"
	                     "mv c c2 2>/dev/null && echo 'deny-read parent renamed'; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(ru_path(0, w->ws, "a/b/file"), "keep\n");
	assert_int_equal(access(ru_path(0, w->ws, "a2"), F_OK), -1);
	assert_int_equal(access(ru_path(0, w->ws, "c2"), F_OK), -1);
	tu_result_free(&r);
}

static void test_run_fs_rename_protected_ancestor(void **state)
{
	(void)state;
	ru_both(body_rename_ancestor);
}

/* The user makes .git (from outside) while the command runs, where there was none or after
 * removing the one there was (the bind went with it): once made, it is read-only inside. The
 * command waits for the new .git/config, then gives the supervisor half a second (guard.h). */
static void git_made_outside(struct ru_who *w, bool remade)
{
	char started[4200], git[4200], config[4200], rm[4300];
	snprintf(started, sizeof(started), "%s/started", w->ws);
	snprintf(git, sizeof(git), "%s/.git", w->ws);
	snprintf(config, sizeof(config), "%s/.git/config", w->ws);
	snprintf(rm, sizeof(rm), "rm -rf '%s'", git);
	if (remade) {
		ru_mkdir(w, git);
		ru_put(w, config, "[old]\n");
	}
	pid_t maker = fork();
	assert_true(maker >= 0);
	if (maker == 0) {
		for (int i = 0; i < 2000 && access(started, F_OK) < 0; i++)
			usleep(10000);
		if (system(rm) != 0 || mkdir(git, 0755) < 0 || chown(git, w->uid, w->gid) < 0)
			_exit(1);
		ru_put(w, config, "[new]\n");
		_exit(0);
	}
	const char *script = "touch started; i=0;"
	                     "while ! grep -q new .git/config 2>/dev/null && [ $i -lt 400 ]; do "
	                     "sleep 0.05; i=$((i+1)); done; sleep 0.5;"
	                     "echo pwned > .git/config && echo 'write went through';"
	                     "mkdir .git/hooks 2>/dev/null && echo 'mkdir went through'; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	int st = 0;
	assert_int_equal(waitpid(maker, &st, 0), maker);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(config, "[new]\n");
	tu_result_free(&r);
}

static void body_git_appears(struct ru_who *w)
{
	git_made_outside(w, false);
}

static void body_git_remade(struct ru_who *w)
{
	git_made_outside(w, true);
}

/* A worktree's .git file made from outside mid-run: the directory it names is bound too. */
static void body_gitfile_appears(struct ru_who *w)
{
	char started[4200], git[4200];
	snprintf(started, sizeof(started), "%s/started", w->ws);
	snprintf(git, sizeof(git), "%s/.git", w->ws);
	ru_mkdir(w, ru_path(0, w->ws, "real"));
	ru_mkdir(w, ru_path(0, w->ws, "real/wt"));
	ru_put(w, ru_path(0, w->ws, "real/wt/HEAD"), "ref: refs/heads/main\n");
	pid_t maker = fork();
	assert_true(maker >= 0);
	if (maker == 0) {
		for (int i = 0; i < 2000 && access(started, F_OK) < 0; i++)
			usleep(10000);
		ru_put(w, git, "gitdir: real/wt\n");
		_exit(0);
	}
	const char *script =
	        "touch started; i=0;"
	        "while ! grep -q gitdir .git 2>/dev/null && [ $i -lt 400 ]; do "
	        "sleep 0.05; i=$((i+1)); done; sleep 0.5;"
	        "echo pwned > real/wt/HEAD && echo 'gitdir write went through'; exit 0";
	struct tu_result r;
	assert_int_equal(ru_run(w, NULL, script, &r), 0);
	int st = 0;
	assert_int_equal(waitpid(maker, &st, 0), maker);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_file_is(ru_path(0, w->ws, "real/wt/HEAD"), "ref: refs/heads/main\n");
	tu_result_free(&r);
}

static void test_run_fs_git_made_mid_run(void **state)
{
	(void)state;
	ru_both(body_git_appears);
	ru_both(body_git_remade);
	ru_both(body_gitfile_appears);
}

/* --workspace WS/pkg where a previous run made pkg a symlink to a directory outside: refused
 * with one line, unless --follow-root-symlinks (then the target is the root, as asked). */
static void body_symlinked_root(struct ru_who *w)
{
	char pkg[4200], config[4200];
	snprintf(pkg, sizeof(pkg), "%s/pkg", w->ws);
	snprintf(config, sizeof(config), "%s/.config", w->home);
	ru_mkdir(w, config);
	ru_symlink(w, config, pkg);
	char landed[4300];
	snprintf(landed, sizeof(landed), "%s/landed", config);
	const char *flags[] = {"--workspace", pkg, NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, "echo pwned > landed; exit 0", &r), 0);
	assert_int_equal(r.status, 125);
	assert_non_null(strstr(r.err, "--follow-root-symlinks"));
	const char *nl = strchr(r.err, '\n');
	assert_true(nl == NULL || nl[1] == '\0'); /* one line */
	assert_int_equal(access(landed, F_OK), -1);
	tu_result_free(&r);
	/* Followed as asked; from inside the new workspace, since the caller's directory must be
	 * one the sandbox shows (the old workspace is under the host's /tmp, private inside). */
	const char *follow[] = {tu_cordon(),
	                        "run",
	                        "--workspace",
	                        pkg,
	                        "--follow-root-symlinks",
	                        "--",
	                        "/bin/sh",
	                        "-c",
	                        "echo ok > landed; exit 0",
	                        NULL};
	struct tu_spawn s = {.argv = (char *const *)follow,
	                     .cwd = pkg,
	                     .uid = w->root ? (uid_t)-1 : w->uid,
	                     .gid = w->gid,
	                     .timeout = 60};
	assert_int_equal(tu_run(&s, &r), 0);
	printf("%s", r.err);
	assert_int_equal(r.status, 0);
	assert_file_is(landed, "ok\n");
	tu_result_free(&r);
}

static void test_run_fs_symlinked_root_refused(void **state)
{
	(void)state;
	ru_both(body_symlinked_root);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--attack-pivot") == 0)
		return attack_pivot(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "--bind") == 0)
		return helper_bind(argv[2]);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_fs_workspace_write_lands),
	        cmocka_unit_test(test_run_fs_outside_write_refused),
	        cmocka_unit_test(test_run_fs_git_dir_protected),
	        cmocka_unit_test(test_run_fs_gitfile_and_target_protected),
	        cmocka_unit_test(test_run_fs_git_config_paths_protected),
	        cmocka_unit_test(test_run_fs_nested_repo_protected),
	        cmocka_unit_test(test_run_fs_protect_flag_keeps_file),
	        cmocka_unit_test(test_run_fs_nested_userns_pivot_attack_fails),
	        cmocka_unit_test(test_run_fs_deny_read_hides),
	        cmocka_unit_test(test_run_fs_tmp_is_private),
	        cmocka_unit_test(test_run_fs_session_shares_tmp),
	        cmocka_unit_test(test_run_fs_reopen_own_stdio),
	        cmocka_unit_test(test_run_fs_minimal_dev_and_readonly_proc),
	        cmocka_unit_test(test_run_fs_special_files_as_landlock_says),
	        cmocka_unit_test(test_run_fs_nested_protected_names_refused),
	        cmocka_unit_test(test_run_fs_protected_symlinks),
	        cmocka_unit_test(test_run_fs_gitdir_through_symlink),
	        cmocka_unit_test(test_run_fs_rename_protected_ancestor),
	        cmocka_unit_test(test_run_fs_git_made_mid_run),
	        cmocka_unit_test(test_run_fs_symlinked_root_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
