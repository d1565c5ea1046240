/* The fs_* probes run with no sandbox: each test checks the result line and, with its own
 * eyes, the effect on the canary (content, mode, links, mounts). Where an unprivileged user
 * must get another outcome, the probe is also run as the test user. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "probecheck.h"

struct fx {
	char *dir; /* a fresh directory, root's (mode 0755) when we are root */
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->dir = tu_tmpdir("cordon-pfs", PC_ME, 0);
	if (!f->dir)
		return -1;
	chmod(f->dir, 0755);
	*state = f;
	return 0;
}

/* Detach whatever a failed test left mounted under dir, so that it can be removed. */
static void unmount_under(const char *dir)
{
	char line[4096], mnt[4096], prefix[4096];
	snprintf(prefix, sizeof(prefix), "%s/", dir);
	for (int pass = 0; pass < 8; pass++) {
		bool any = false;
		FILE *f = fopen("/proc/self/mountinfo", "re");
		if (!f)
			return;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
			    strncmp(mnt, prefix, strlen(prefix)) == 0 &&
			    umount2(mnt, MNT_DETACH) == 0)
				any = true;
		}
		fclose(f);
		if (!any)
			return;
	}
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	if (geteuid() == 0)
		unmount_under(f->dir);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* A path under the fixture directory. Rotating static buffers: several may be live. */
static const char *at(void **state, const char *name)
{
	static char bufs[8][4096];
	static int next;
	struct fx *f = *state;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", f->dir, name);
	return b;
}

static void write_file(const char *path, const char *data)
{
	assert_int_equal(tu_write_file(path, data), 0);
}

static void assert_content(const char *path, const char *want)
{
	char *got = tu_read_file(path);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

#define MARK(p) "cordon-probe " p "\n"

/* A directory the test user owns (0700), for runs as that user. */
static char *user_dir(uid_t uid, gid_t gid)
{
	char *d = tu_tmpdir("cordon-pfs-u", uid, gid);
	assert_non_null(d);
	return d;
}

static bool is_mountpoint(const char *path, bool *ro)
{
	char line[4096], mnt[4096], opts[1024];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s %1023s", mnt, opts) == 2 &&
		    strcmp(mnt, path) == 0) {
			found = true; /* the last one is the top of the stack */
			if (ro)
				*ro = strncmp(opts, "ro", 2) == 0;
		}
	}
	fclose(f);
	return found;
}

/* Bind path onto itself read-only, as a sandbox protects a file. */
static void ro_bind(const char *path)
{
	assert_int_equal(mount(path, path, NULL, MS_BIND, NULL), 0);
	assert_int_equal(mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), 0);
}

static bool userns_available(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 ? 0 : 1);
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_probe_fs_write(void **state)
{
	struct tu_result r;
	PC_RUN(&r, PC_ME, 0, "fs_write", at(state, "w"));
	pc_expect(&r, "fs.write", "succeeded", NULL);
	pc_has(&r, "\"target\":\"/tmp/cordon-pfs");
	assert_content(at(state, "w"), MARK("fs.write"));
	tu_result_free(&r);

	/* The test user cannot write root's file: refused, and the file is untouched. */
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	write_file(at(state, "root-owned"), "orig\n");
	PC_RUN(&r, uid, gid, "fs_write", at(state, "root-owned"));
	pc_expect(&r, "fs.write", geteuid() == 0 ? "refused" : "succeeded",
	          geteuid() == 0 ? "EACCES" : NULL);
	if (geteuid() == 0)
		assert_content(at(state, "root-owned"), "orig\n");
	tu_result_free(&r);
}

static void test_probe_fs_create(void **state)
{
	struct tu_result r;
	PC_RUN(&r, PC_ME, 0, "fs_create", at(state, "new"));
	pc_expect(&r, "fs.create", "succeeded", NULL);
	assert_content(at(state, "new"), MARK("fs.create"));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_create", at(state, "new"));
	pc_expect(&r, "fs.create", "refused", "EEXIST");
	pc_has(&r, "\"detail\":\"open\"");
	tu_result_free(&r);
}

static void test_probe_fs_append(void **state)
{
	struct tu_result r;
	write_file(at(state, "f"), "orig\n");
	PC_RUN(&r, PC_ME, 0, "fs_append", at(state, "f"));
	pc_expect(&r, "fs.append", "succeeded", NULL);
	assert_content(at(state, "f"), "orig\n" MARK("fs.append"));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_append", at(state, "missing"));
	pc_expect(&r, "fs.append", "refused", "ENOENT");
	tu_result_free(&r);
}

static void test_probe_fs_truncate(void **state)
{
	struct tu_result r;
	struct stat st;
	write_file(at(state, "f"), "some content\n");
	PC_RUN(&r, PC_ME, 0, "fs_truncate", at(state, "f"));
	pc_expect(&r, "fs.truncate", "succeeded", NULL);
	assert_int_equal(stat(at(state, "f"), &st), 0);
	assert_int_equal(st.st_size, 0);
	tu_result_free(&r);
}

static void test_probe_fs_mkdir_unlink(void **state)
{
	struct tu_result r;
	struct stat st;
	PC_RUN(&r, PC_ME, 0, "fs_mkdir", at(state, "d"));
	pc_expect(&r, "fs.mkdir", "succeeded", NULL);
	assert_int_equal(stat(at(state, "d"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	tu_result_free(&r);

	PC_RUN(&r, PC_ME, 0, "fs_unlink", at(state, "d"));
	pc_expect(&r, "fs.unlink", "succeeded", NULL);
	pc_has(&r, "\"detail\":\"rmdir\"");
	assert_int_equal(stat(at(state, "d"), &st), -1);
	tu_result_free(&r);

	write_file(at(state, "f"), "x");
	PC_RUN(&r, PC_ME, 0, "fs_unlink", at(state, "f"));
	pc_expect(&r, "fs.unlink", "succeeded", NULL);
	pc_has(&r, "\"detail\":\"unlink\"");
	assert_int_equal(stat(at(state, "f"), &st), -1);
	tu_result_free(&r);
}

static void test_probe_fs_rename(void **state)
{
	struct tu_result r;
	struct stat st;
	write_file(at(state, "a"), "A\n");
	PC_RUN(&r, PC_ME, 0, "fs_rename_away", at(state, "a"), at(state, "b"));
	pc_expect(&r, "fs.rename_away", "succeeded", NULL);
	assert_int_equal(stat(at(state, "a"), &st), -1);
	assert_content(at(state, "b"), "A\n");
	tu_result_free(&r);

	/* rename_into reports the path under attack (the second argument) as its target. */
	write_file(at(state, "src"), "SRC\n");
	PC_RUN(&r, PC_ME, 0, "fs_rename_into", at(state, "src"), at(state, "b"));
	pc_expect(&r, "fs.rename_into", "succeeded", NULL);
	pc_has(&r, "/b\",\"outcome\"");
	assert_content(at(state, "b"), "SRC\n");
	tu_result_free(&r);
}

static void test_probe_fs_chmod_chown_utimes(void **state)
{
	struct tu_result r;
	struct stat st;
	write_file(at(state, "f"), "x");
	chmod(at(state, "f"), 0600);
	PC_RUN(&r, PC_ME, 0, "fs_chmod", at(state, "f"));
	pc_expect(&r, "fs.chmod", "succeeded", NULL);
	assert_int_equal(stat(at(state, "f"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0666);
	tu_result_free(&r);

	struct timespec old[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};
	assert_int_equal(utimensat(AT_FDCWD, at(state, "f"), old, 0), 0);
	PC_RUN(&r, PC_ME, 0, "fs_utimes", at(state, "f"));
	pc_expect(&r, "fs.utimes", "succeeded", NULL);
	assert_int_equal(stat(at(state, "f"), &st), 0);
	assert_true(st.st_mtime > 1000);
	tu_result_free(&r);

	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("chown to another user, and a file the test user does not own");
	char u[32], g[32];
	snprintf(u, sizeof(u), "%u", (unsigned)uid);
	snprintf(g, sizeof(g), "%u", (unsigned)gid);
	PC_RUN(&r, PC_ME, 0, "fs_chown", at(state, "f"), u, g);
	pc_expect(&r, "fs.chown", "succeeded", NULL);
	assert_int_equal(stat(at(state, "f"), &st), 0);
	assert_int_equal(st.st_uid, uid);
	tu_result_free(&r);

	write_file(at(state, "rootf"), "x");
	PC_RUN(&r, uid, gid, "fs_chmod", at(state, "rootf"), "0666");
	pc_expect(&r, "fs.chmod", "refused", "EPERM");
	tu_result_free(&r);
	PC_RUN(&r, uid, gid, "fs_chown", at(state, "rootf"));
	pc_expect(&r, "fs.chown", "refused", "EPERM");
	assert_int_equal(stat(at(state, "rootf"), &st), 0);
	assert_int_equal(st.st_uid, 0);
	tu_result_free(&r);
}

static void test_probe_fs_symlink_write(void **state)
{
	struct tu_result r;
	struct stat st;
	write_file(at(state, "outside"), "orig\n");
	PC_RUN(&r, PC_ME, 0, "fs_symlink_write", at(state, "link"), at(state, "outside"));
	pc_expect(&r, "fs.symlink_write", "succeeded", NULL);
	pc_has(&r, "/outside\",\"outcome\"");
	assert_int_equal(lstat(at(state, "link"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_content(at(state, "outside"), "orig\n" MARK("fs.symlink_write"));
	tu_result_free(&r);
	/* The link exists now: the probe says so instead of writing somewhere else. */
	PC_RUN(&r, PC_ME, 0, "fs_symlink_write", at(state, "link"), at(state, "outside"));
	pc_expect(&r, "fs.symlink_write", "refused", "EEXIST");
	pc_has(&r, "\"detail\":\"symlink\"");
	tu_result_free(&r);
}

static void test_probe_fs_hardlink_write(void **state)
{
	struct tu_result r;
	struct stat st;
	write_file(at(state, "outside"), "orig\n");
	PC_RUN(&r, PC_ME, 0, "fs_hardlink_write", at(state, "outside"), at(state, "hl"));
	pc_expect(&r, "fs.hardlink_write", "succeeded", NULL);
	assert_int_equal(stat(at(state, "outside"), &st), 0);
	assert_int_equal(st.st_nlink, 2);
	assert_content(at(state, "outside"), "orig\n" MARK("fs.hardlink_write"));
	tu_result_free(&r);

	/* fs.protected_hardlinks: a user may not link a file they could not write. */
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("a file the test user does not own");
	char *prot = tu_read_file("/proc/sys/fs/protected_hardlinks");
	bool protect = prot && prot[0] == '1';
	free(prot);
	if (!protect)
		tu_skip("fs.protected_hardlinks is off on this host");
	char *ud = user_dir(uid, gid);
	char link[4096];
	snprintf(link, sizeof(link), "%s/hl", ud);
	PC_RUN(&r, uid, gid, "fs_hardlink_write", at(state, "outside"), link);
	pc_expect(&r, "fs.hardlink_write", "refused", "EPERM");
	pc_has(&r, "\"detail\":\"link\"");
	assert_content(at(state, "outside"), "orig\n" MARK("fs.hardlink_write"));
	tu_result_free(&r);
	tu_rm_rf(ud);
	free(ud);
}

static void test_probe_fs_mknod(void **state)
{
	struct tu_result r;
	struct stat st;
	PC_RUN(&r, PC_ME, 0, "fs_mknod", at(state, "fifo"));
	pc_expect(&r, "fs.mknod", "succeeded", NULL);
	assert_int_equal(lstat(at(state, "fifo"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_mknod", at(state, "fifo2"), "mkfifo");
	pc_expect(&r, "fs.mknod", "succeeded", NULL);
	pc_has(&r, "\"detail\":\"mkfifo\"");
	assert_int_equal(lstat(at(state, "fifo2"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_mknod", at(state, "x"), "bogus");
	pc_expect(&r, "fs.mknod", "inconclusive", "EINVAL");
	tu_result_free(&r);

	/* A device node needs CAP_MKNOD: root makes one, the test user is refused. */
	if (geteuid() == 0) {
		PC_RUN(&r, PC_ME, 0, "fs_mknod", at(state, "null"), "chr");
		pc_expect(&r, "fs.mknod", "succeeded", NULL);
		assert_int_equal(lstat(at(state, "null"), &st), 0);
		assert_true(S_ISCHR(st.st_mode));
		assert_int_equal(st.st_rdev, makedev(1, 3));
		tu_result_free(&r);
	}
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	char *ud = user_dir(uid, gid);
	char node[4096];
	snprintf(node, sizeof(node), "%s/null", ud);
	PC_RUN(&r, uid, gid, "fs_mknod", node, "chr");
	pc_expect(&r, "fs.mknod", "refused", "EPERM");
	assert_int_equal(lstat(node, &st), -1);
	tu_result_free(&r);
	tu_rm_rf(ud);
	free(ud);
}

static void test_probe_fs_proc_fd_reopen(void **state)
{
	struct tu_result r;
	write_file(at(state, "f"), "orig\n");
	PC_RUN(&r, PC_ME, 0, "fs_proc_fd_reopen", at(state, "f"));
	pc_expect(&r, "fs.proc_fd_reopen", "succeeded", NULL);
	assert_content(at(state, "f"), "orig\n" MARK("fs.proc_fd_reopen"));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_proc_fd_reopen", at(state, "missing"));
	pc_expect(&r, "fs.proc_fd_reopen", "inconclusive", "ENOENT");
	tu_result_free(&r);

	/* Reopening through the magic link still checks the file's permissions. */
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("a file the test user can read but not write");
	chmod(at(state, "f"), 0644);
	PC_RUN(&r, uid, gid, "fs_proc_fd_reopen", at(state, "f"));
	pc_expect(&r, "fs.proc_fd_reopen", "refused", "EACCES");
	assert_content(at(state, "f"), "orig\n" MARK("fs.proc_fd_reopen"));
	tu_result_free(&r);
}

static void test_probe_fs_openat_fd(void **state)
{
	struct tu_result r;
	char num[16];
	/* Not O_CLOEXEC: the probe inherits it, as the harness passes it. */
	int dfd = open(at(state, ""), O_RDONLY | O_DIRECTORY);
	assert_true(dfd > 2);
	snprintf(num, sizeof(num), "%d", dfd);
	PC_RUN(&r, PC_ME, 0, "fs_openat_fd", num, "viafd");
	pc_expect(&r, "fs.openat_fd", "succeeded", NULL);
	assert_content(at(state, "viafd"), MARK("fs.openat_fd"));
	tu_result_free(&r);
	close(dfd);
	/* A closed descriptor is the sound sandbox's answer: refused EBADF at fstat. */
	PC_RUN(&r, PC_ME, 0, "fs_openat_fd", num, "viafd2");
	pc_expect(&r, "fs.openat_fd", "refused", "EBADF");
	pc_has(&r, "\"detail\":\"fstat\"");
	tu_result_free(&r);
}

static void test_probe_fs_open_by_handle(void **state)
{
	struct tu_result r;
	write_file(at(state, "f"), "orig\n");
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	if (geteuid() == 0) {
		PC_RUN(&r, PC_ME, 0, "fs_open_by_handle", at(state, "f"));
		pc_expect(&r, "fs.open_by_handle", "succeeded", NULL);
		assert_content(at(state, "f"), "orig\n" MARK("fs.open_by_handle"));
		tu_result_free(&r);
	}
	/* Without CAP_DAC_READ_SEARCH even one's own file cannot be opened by handle. */
	char *ud = user_dir(uid, gid);
	char path[4096];
	snprintf(path, sizeof(path), "%s/mine", ud);
	write_file(path, "mine\n");
	if (chown(path, uid, gid) < 0 && geteuid() == 0)
		fail_msg("chown");
	PC_RUN(&r, uid, gid, "fs_open_by_handle", path);
	if (geteuid() == 0) {
		pc_expect(&r, "fs.open_by_handle", "refused", "EPERM");
		pc_has(&r, "\"detail\":\"open_by_handle_at\"");
		assert_content(path, "mine\n");
	}
	tu_result_free(&r);
	tu_rm_rf(ud);
	free(ud);
}

static void test_probe_fs_mmap_write(void **state)
{
	struct tu_result r;
	write_file(at(state, "f"), "0123456789abcdefghijklmnopqrstuvwxyz\n");
	PC_RUN(&r, PC_ME, 0, "fs_mmap_write", at(state, "f"), "ro");
	pc_expect(&r, "fs.mmap_write", "refused", "EACCES");
	pc_has(&r, "\"detail\":\"mmap\"");
	assert_content(at(state, "f"), "0123456789abcdefghijklmnopqrstuvwxyz\n");
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_mmap_write", at(state, "f"));
	pc_expect(&r, "fs.mmap_write", "succeeded", NULL);
	assert_content(at(state, "f"), MARK("fs.mmap_write") "rstuvwxyz\n");
	tu_result_free(&r);
	write_file(at(state, "empty"), "");
	PC_RUN(&r, PC_ME, 0, "fs_mmap_write", at(state, "empty"));
	pc_expect(&r, "fs.mmap_write", "inconclusive", "EINVAL");
	assert_content(at(state, "empty"), "");
	tu_result_free(&r);
}

static void test_probe_fs_read_list(void **state)
{
	struct tu_result r;
	write_file(at(state, "f"), "twelve bytes");
	mkdir(at(state, "sub"), 0755);
	PC_RUN(&r, PC_ME, 0, "fs_read", at(state, "f"));
	pc_expect(&r, "fs.read", "succeeded", NULL);
	assert_int_equal(pc_number(&r, "bytes"), 12);
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_read", at(state, "missing"));
	pc_expect(&r, "fs.read", "refused", "ENOENT");
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_list", at(state, ""));
	pc_expect(&r, "fs.list", "succeeded", NULL);
	assert_int_equal(pc_number(&r, "count"), 2);
	pc_has(&r, "\"f\"");
	pc_has(&r, "\"sub\"");
	tu_result_free(&r);

	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("a directory the test user may not read");
	chmod(at(state, "sub"), 0700);
	PC_RUN(&r, uid, gid, "fs_list", at(state, "sub"));
	pc_expect(&r, "fs.list", "refused", "EACCES");
	tu_result_free(&r);
}

static void test_probe_fs_rename_race(void **state)
{
	struct tu_result r;
	mkdir(at(state, "target"), 0755);
	PC_RUN(&r, PC_ME, 0, "fs_rename_race", at(state, "work"), at(state, "target"), "500");
	pc_expect(&r, "fs.rename_race", "succeeded", NULL);
	long landed = pc_number(&r, "landed");
	assert_true(landed > 0 && landed <= 500);
	assert_true(pc_number(&r, "attempts") <= 500);
	tu_result_free(&r);
	/* What the probe claims landed is what is there; its helpers are gone. */
	PC_RUN(&r, PC_ME, 0, "fs_list", at(state, "target"));
	assert_int_equal(pc_number(&r, "count"), landed);
	tu_result_free(&r);
	struct stat st;
	assert_int_equal(lstat(at(state, "work.lnk"), &st), -1);
	assert_int_equal(lstat(at(state, "work"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	/* The test user cannot write root's target: every write through the link is refused. */
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("a target directory the test user may not write");
	char *ud = user_dir(uid, gid);
	char work[4096];
	snprintf(work, sizeof(work), "%s/work", ud);
	PC_RUN(&r, uid, gid, "fs_rename_race", work, at(state, "target"), "300");
	pc_expect(&r, "fs.rename_race", "refused", "EACCES");
	assert_int_equal(pc_number(&r, "landed"), 0);
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_list", at(state, "target"));
	assert_int_equal(pc_number(&r, "count"), landed);
	tu_result_free(&r);
	tu_rm_rf(ud);
	free(ud);
}

static void test_probe_fs_mount_umount(void **state)
{
	struct tu_result r;
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("mounting in the host's namespace");
	const char *mnt = at(state, "mnt");
	mkdir(mnt, 0755);
	PC_RUN(&r, PC_ME, 0, "fs_mount", mnt);
	pc_expect(&r, "fs.mount", "succeeded", NULL);
	pc_has(&r, "\"kept\":false");
	assert_false(is_mountpoint(mnt, NULL));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_mount", mnt, "--keep");
	pc_expect(&r, "fs.mount", "succeeded", NULL);
	assert_true(is_mountpoint(mnt, NULL));
	tu_result_free(&r);

	PC_RUN(&r, uid, gid, "fs_umount", mnt);
	pc_expect(&r, "fs.umount", "refused", "EPERM");
	assert_true(is_mountpoint(mnt, NULL));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_umount", mnt);
	pc_expect(&r, "fs.umount", "succeeded", NULL);
	assert_false(is_mountpoint(mnt, NULL));
	tu_result_free(&r);

	PC_RUN(&r, uid, gid, "fs_mount", mnt);
	pc_expect(&r, "fs.mount", "refused", "EPERM");
	assert_false(is_mountpoint(mnt, NULL));
	tu_result_free(&r);
}

static void test_probe_fs_remount(void **state)
{
	struct tu_result r;
	bool ro = false;
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("bind mounts in the host's namespace");
	const char *f = at(state, "protected");
	write_file(f, "orig\n");
	ro_bind(f);
	PC_RUN(&r, uid, gid, "fs_remount", f);
	pc_expect(&r, "fs.remount", "refused", "EPERM");
	assert_true(is_mountpoint(f, &ro) && ro);
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_remount", f);
	pc_expect(&r, "fs.remount", "succeeded", NULL);
	pc_has(&r, "\"writable\":true");
	assert_true(is_mountpoint(f, &ro));
	assert_false(ro);
	tu_result_free(&r);
	umount2(f, MNT_DETACH);
}

static void test_probe_fs_userns_remount(void **state)
{
	struct tu_result r;
	if (!userns_available())
		tu_skip("user namespaces are not available to us on this host");
	/* Nothing protects a plain file: the write lands (no undo was needed). */
	write_file(at(state, "plain"), "orig\n");
	PC_RUN(&r, PC_ME, 0, "fs_userns_remount", at(state, "plain"));
	pc_expect(&r, "fs.userns_remount", "succeeded", NULL);
	pc_has(&r, "\"step\":\"none\"");
	assert_content(at(state, "plain"), "orig\n" MARK("fs.userns_remount"));
	tu_result_free(&r);

	/* A read-only bind copied into a user namespace is locked: the kernel itself refuses
	 * both undos, and the host file is untouched. */
	PC_NEED_ROOT("a read-only bind mount to attack");
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	const char *f = at(state, "protected");
	write_file(f, "orig\n");
	/* Writable by everyone (root in a user namespace is "other" to it): only the read-only
	 * bind stands in the way. */
	assert_int_equal(chmod(f, 0666), 0);
	ro_bind(f);
	PC_RUN(&r, PC_ME, 0, "fs_userns_remount", f);
	pc_expect(&r, "fs.userns_remount", "refused", "EROFS");
	pc_has(&r, "\"remount_errno\":\"EPERM\"");
	pc_has(&r, "\"umount_errno\":\"EINVAL\"");
	assert_content(f, "orig\n");
	tu_result_free(&r);

	/* The same for the test user. */
	PC_RUN(&r, uid, gid, "fs_userns_remount", f);
	pc_expect(&r, "fs.userns_remount", "refused", "EROFS");
	pc_has(&r, "\"step\":\"none\"");
	assert_content(f, "orig\n");
	tu_result_free(&r);
	umount2(f, MNT_DETACH);
}

static void test_probe_fs_pivot_escape(void **state)
{
	struct tu_result r;
	struct fx *fxs = *state;
	bool ro;
	if (!userns_available())
		tu_skip("user namespaces are not available to us on this host");
	PC_NEED_ROOT("a read-only bind mount over the protected file");
	const char *f = at(state, "protected");
	write_file(f, "orig\n");
	ro_bind(f);
	PC_RUN(&r, PC_ME, 0, "fs_pivot_escape", fxs->dir, "protected");
	/* Unconfined, the attack from issue 2 works: the bind over the file travels with the
	 * renamed file and a new, writable file takes its name. */
	pc_expect(&r, "fs.pivot_escape", "succeeded", NULL);
	assert_content(f, MARK("fs.pivot_escape"));
	assert_content(at(state, "protected.old"), "orig\n");
	assert_true(is_mountpoint(at(state, "protected.old"), &ro) && ro);
	assert_false(is_mountpoint(f, NULL));
	tu_result_free(&r);
	umount2(at(state, "protected.old"), MNT_DETACH);

	/* The name is taken now: renaming over nothing fails, and that is a refusal. */
	PC_RUN(&r, PC_ME, 0, "fs_pivot_escape", fxs->dir, "missing");
	pc_expect(&r, "fs.pivot_escape", "refused", "ENOENT");
	pc_has(&r, "\"detail\":\"renameat\"");
	tu_result_free(&r);

	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	char *ud = user_dir(uid, gid);
	char path[4096];
	snprintf(path, sizeof(path), "%s/mine", ud);
	write_file(path, "mine\n");
	assert_int_equal(chown(path, uid, gid), 0);
	PC_RUN(&r, uid, gid, "fs_pivot_escape", ud, "mine");
	pc_expect(&r, "fs.pivot_escape", "succeeded", NULL);
	assert_content(path, MARK("fs.pivot_escape"));
	tu_result_free(&r);
	tu_rm_rf(ud);
	free(ud);
}

static void test_probe_fs_exchange(void **state)
{
	struct tu_result r;
	write_file(at(state, "protected"), "P\n");
	write_file(at(state, "mine"), "M\n");
	PC_RUN(&r, PC_ME, 0, "fs_exchange", at(state, "protected"), at(state, "mine"));
	pc_expect(&r, "fs.exchange", "succeeded", NULL);
	assert_content(at(state, "protected"), "M\n");
	assert_content(at(state, "mine"), "P\n");
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_exchange", at(state, "protected"), at(state, "missing"));
	pc_expect(&r, "fs.exchange", "refused", "ENOENT");
	assert_content(at(state, "protected"), "M\n");
	tu_result_free(&r);
}

static void test_probe_fs_link_symlink_into(void **state)
{
	struct tu_result r;
	struct stat a, b;
	char buf[64] = "";
	write_file(at(state, "mine"), "M\n");
	PC_RUN(&r, PC_ME, 0, "fs_link_into", at(state, "mine"), at(state, "hook"));
	pc_expect(&r, "fs.link_into", "succeeded", NULL);
	pc_has(&r, "/hook\",\"outcome\"");
	assert_int_equal(stat(at(state, "mine"), &a), 0);
	assert_int_equal(stat(at(state, "hook"), &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	tu_result_free(&r);

	PC_RUN(&r, PC_ME, 0, "fs_symlink_into", at(state, "hook2"), "../x.sh");
	pc_expect(&r, "fs.symlink_into", "succeeded", NULL);
	assert_int_equal(readlink(at(state, "hook2"), buf, sizeof(buf) - 1), 7);
	assert_string_equal(buf, "../x.sh");
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_symlink_into", at(state, "hook2"));
	pc_expect(&r, "fs.symlink_into", "refused", "EEXIST");
	tu_result_free(&r);
}

static void test_probe_fs_setxattr(void **state)
{
	struct tu_result r;
	char v[8] = "";
	write_file(at(state, "f"), "x");
	PC_RUN(&r, PC_ME, 0, "fs_setxattr", at(state, "f"));
	if (strstr(r.out, "\"errno\":\"EOPNOTSUPP\""))
		tu_skip("the filesystem under /tmp has no user xattrs");
	pc_expect(&r, "fs.setxattr", "succeeded", NULL);
	assert_int_equal(getxattr(at(state, "f"), "user.cordon-probe", v, sizeof(v)), 1);
	assert_string_equal(v, "1");
	tu_result_free(&r);
}

static void test_probe_fs_tmpfile_link(void **state)
{
	struct tu_result r;
	struct fx *fxs = *state;
	PC_RUN(&r, PC_ME, 0, "fs_tmpfile_link", fxs->dir, "named");
	if (strstr(r.out, "\"errno\":\"EOPNOTSUPP\""))
		tu_skip("the filesystem under /tmp has no O_TMPFILE");
	pc_expect(&r, "fs.tmpfile_link", "succeeded", NULL);
	assert_content(at(state, "named"), MARK("fs.tmpfile_link"));
	tu_result_free(&r);
	/* The name is taken: the file was written, but it never gets a name. */
	PC_RUN(&r, PC_ME, 0, "fs_tmpfile_link", fxs->dir, "named");
	pc_expect(&r, "fs.tmpfile_link", "refused", "EEXIST");
	pc_has(&r, "\"detail\":\"linkat\"");
	tu_result_free(&r);
}

static void test_probe_fs_open_hibits(void **state)
{
	struct tu_result r;
	write_file(at(state, "f"), "orig\n");
	PC_RUN(&r, PC_ME, 0, "fs_open_hibits", at(state, "f"));
	pc_expect(&r, "fs.open_hibits", "succeeded", NULL);
	assert_content(at(state, "f"), MARK("fs.open_hibits"));
	tu_result_free(&r);
}

static void test_probe_fs_int80_open(void **state)
{
	struct tu_result r;
	char why[160];
	if (!tu_int80_available(why, sizeof(why)))
		tu_skip("%s: the check is not live here", why);
	PC_RUN(&r, PC_ME, 0, "fs_int80_open", at(state, "f"));
	pc_expect(&r, "fs.int80_open", "succeeded", NULL);
	assert_content(at(state, "f"), MARK("fs.int80_open"));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_int80_open", at(state, "no/such/dir"));
	pc_expect(&r, "fs.int80_open", "refused", "ENOENT");
	pc_has(&r, "\"detail\":\"open\"");
	tu_result_free(&r);
}

static void test_probe_fs_io_uring_open(void **state)
{
	struct tu_result r;
	char *disabled = tu_read_file("/proc/sys/kernel/io_uring_disabled");
	bool off = disabled && disabled[0] != '0';
	free(disabled);
	PC_RUN(&r, PC_ME, 0, "fs_io_uring_open", at(state, "f"));
	if (off) {
		pc_has(&r, "\"detail\":\"io_uring_setup\"");
		tu_skip("io_uring is disabled by sysctl here: only the io_uring_setup refusal was "
		        "checked");
	}
	pc_expect(&r, "fs.io_uring_open", "succeeded", NULL);
	assert_content(at(state, "f"), MARK("fs.io_uring_open"));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_io_uring_open", at(state, "no/such/dir"));
	pc_expect(&r, "fs.io_uring_open", "refused", "ENOENT");
	pc_has(&r, "\"detail\":\"openat\"");
	tu_result_free(&r);

	/* The ring opens with the caller's credentials: root's file stays root's. */
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("a file the test user may not write");
	PC_RUN(&r, uid, gid, "fs_io_uring_open", at(state, "f"));
	pc_expect(&r, "fs.io_uring_open", "refused", "EACCES");
	assert_content(at(state, "f"), MARK("fs.io_uring_open"));
	tu_result_free(&r);
}

static void test_probe_fs_fsmount(void **state)
{
	struct tu_result r;
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("mounting in the host's namespace");
	const char *mnt = at(state, "mnt");
	mkdir(mnt, 0755);
	PC_RUN(&r, uid, gid, "fs_fsmount", mnt);
	pc_expect(&r, "fs.fsmount", "refused", "EPERM");
	pc_has(&r, "\"detail\":\"fsopen\"");
	assert_false(is_mountpoint(mnt, NULL));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_fsmount", mnt);
	pc_expect(&r, "fs.fsmount", "succeeded", NULL);
	pc_has(&r, "\"kept\":false");
	assert_false(is_mountpoint(mnt, NULL));
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_fsmount", mnt, "--keep");
	pc_expect(&r, "fs.fsmount", "succeeded", NULL);
	assert_true(is_mountpoint(mnt, NULL));
	tu_result_free(&r);
	umount2(mnt, MNT_DETACH);
}

static void test_probe_fs_mount_setattr(void **state)
{
	struct tu_result r;
	bool ro = false;
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("bind mounts in the host's namespace");
	const char *f = at(state, "protected");
	write_file(f, "orig\n");
	ro_bind(f);
	PC_RUN(&r, uid, gid, "fs_mount_setattr", f);
	pc_expect(&r, "fs.mount_setattr", "refused", "EPERM");
	assert_true(is_mountpoint(f, &ro) && ro);
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "fs_mount_setattr", f);
	pc_expect(&r, "fs.mount_setattr", "succeeded", NULL);
	pc_has(&r, "\"writable\":true");
	assert_true(is_mountpoint(f, &ro));
	assert_false(ro);
	tu_result_free(&r);
	umount2(f, MNT_DETACH);
}

static void test_probe_fs_x32_open(void **state)
{
	struct tu_result r;
	struct stat st;
	PC_RUN(&r, PC_ME, 0, "fs_x32_open", at(state, "f"));
	if (strstr(r.out, "\"errno\":\"ENOSYS\"")) {
		pc_expect(&r, "fs.x32_open", "refused", "ENOSYS");
		pc_has(&r, "\"detail\":\"openat\"");
		assert_int_equal(stat(at(state, "f"), &st), -1);
		tu_result_free(&r);
		tu_skip("this kernel lacks CONFIG_X86_X32_ABI: the entry answers ENOSYS (not live "
		        "here)");
	}
	pc_expect(&r, "fs.x32_open", "succeeded", NULL);
	assert_content(at(state, "f"), MARK("fs.x32_open"));
	tu_result_free(&r);
}

/* Every fs probe answers missing arguments with an inconclusive line and exit 2. */
static void test_probe_fs_usage(void **state)
{
	static const char *const names[] = {
	        "fs_write",          "fs_create",        "fs_append",         "fs_truncate",
	        "fs_mkdir",          "fs_unlink",        "fs_rename_away",    "fs_rename_into",
	        "fs_chmod",          "fs_chown",         "fs_utimes",         "fs_symlink_write",
	        "fs_hardlink_write", "fs_mknod",         "fs_proc_fd_reopen", "fs_openat_fd",
	        "fs_open_by_handle", "fs_mmap_write",    "fs_read",           "fs_list",
	        "fs_rename_race",    "fs_mount",         "fs_remount",        "fs_umount",
	        "fs_userns_remount", "fs_pivot_escape",  "fs_exchange",       "fs_link_into",
	        "fs_symlink_into",   "fs_setxattr",      "fs_tmpfile_link",   "fs_open_hibits",
	        "fs_int80_open",     "fs_io_uring_open", "fs_fsmount",        "fs_mount_setattr",
	        "fs_x32_open",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct tu_result r;
		char probe[64];
		snprintf(probe, sizeof(probe), "fs.%s", names[i] + 3);
		pc_run_argv(&r, PC_ME, 0, names[i], NULL);
		pc_expect(&r, probe, "inconclusive", "EINVAL");
		pc_has(&r, "usage");
		tu_result_free(&r);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_probe_fs_write),
	        T(test_probe_fs_create),
	        T(test_probe_fs_append),
	        T(test_probe_fs_truncate),
	        T(test_probe_fs_mkdir_unlink),
	        T(test_probe_fs_rename),
	        T(test_probe_fs_chmod_chown_utimes),
	        T(test_probe_fs_symlink_write),
	        T(test_probe_fs_hardlink_write),
	        T(test_probe_fs_mknod),
	        T(test_probe_fs_proc_fd_reopen),
	        T(test_probe_fs_openat_fd),
	        T(test_probe_fs_open_by_handle),
	        T(test_probe_fs_mmap_write),
	        T(test_probe_fs_read_list),
	        T(test_probe_fs_rename_race),
	        T(test_probe_fs_mount_umount),
	        T(test_probe_fs_remount),
	        T(test_probe_fs_userns_remount),
	        T(test_probe_fs_pivot_escape),
	        T(test_probe_fs_exchange),
	        T(test_probe_fs_link_symlink_into),
	        T(test_probe_fs_setxattr),
	        T(test_probe_fs_tmpfile_link),
	        T(test_probe_fs_open_hibits),
	        T(test_probe_fs_int80_open),
	        T(test_probe_fs_io_uring_open),
	        T(test_probe_fs_fsmount),
	        T(test_probe_fs_mount_setattr),
	        T(test_probe_fs_x32_open),
	        T(test_probe_fs_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
