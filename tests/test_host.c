/* Unit: host detection (src/host.c) agrees with what the kernel actually does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "host.h"
#include "landlock.h"
#include "sys.h"
#include "testutil.h"

static int read_int(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void test_host_ids(void **state)
{
	(void)state;
	struct cordon_host h;
	cordon_host_detect(&h);
	assert_int_equal(h.uid, getuid());
	assert_int_equal(h.gid, getgid());
	assert_int_equal(h.is_root, getuid() == 0);
	assert_true(h.kernel[0] != '\0');
}

/* Whether a child can really create a user namespace. */
static bool userns_really_works(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_host_userns_matches_kernel(void **state)
{
	(void)state;
	struct cordon_host h;
	cordon_host_detect(&h);
	bool works = userns_really_works();
	if (h.userns)
		assert_true(works); /* never claims what the kernel refuses */
	else
		assert_true(h.userns_why[0] != '\0'); /* and says why when it is missing */
}

static void test_host_landlock_abi_matches_kernel(void **state)
{
	(void)state;
	struct cordon_host h;
	cordon_host_detect(&h);
	int abi = (int)syscall(__NR_landlock_create_ruleset, NULL, 0,
	                       CORDON_LL_CREATE_RULESET_VERSION);
	if (abi < 0) {
		assert_int_equal(h.landlock_abi, 0);
		assert_true(h.landlock_why[0] != '\0');
		return;
	}
	assert_int_equal(h.landlock_abi, abi);
	/* The rights we would handle are all accepted by this kernel. */
	struct cordon_landlock_ruleset_attr a = {.handled_access_fs =
	                                                 cordon_landlock_fs_rights(abi)};
	int fd = cordon_sys_landlock_create_ruleset(&a, sizeof(a), 0);
	assert_true(fd >= 0);
	close(fd);
	/* and one right more than the ABI knows is refused: the downgrade table is not too generous */
	a.handled_access_fs = cordon_landlock_fs_rights(abi) << 1 | 1;
	fd = cordon_sys_landlock_create_ruleset(&a, sizeof(a), 0);
	if (abi < 5)
		assert_true(fd < 0);
	if (fd >= 0)
		close(fd);
}

static void test_host_landlock_rights_grow_with_abi(void **state)
{
	(void)state;
	assert_int_equal(cordon_landlock_fs_rights(0), 0);
	assert_int_equal(cordon_landlock_fs_rights(1), (1ULL << 13) - 1);
	assert_true(cordon_landlock_fs_rights(2) & CORDON_LL_FS_REFER);
	assert_false(cordon_landlock_fs_rights(2) & CORDON_LL_FS_TRUNCATE);
	assert_true(cordon_landlock_fs_rights(3) & CORDON_LL_FS_TRUNCATE);
	assert_false(cordon_landlock_fs_rights(4) & CORDON_LL_FS_IOCTL_DEV);
	assert_true(cordon_landlock_fs_rights(5) & CORDON_LL_FS_IOCTL_DEV);
}

static void test_host_cgroup_dirs_are_writable(void **state)
{
	(void)state;
	struct cordon_host h;
	cordon_host_detect(&h);
	switch (h.cgroup) {
	case CORDON_CGROUP_V1:
		assert_int_equal(access(h.cgroup_dir, W_OK), 0);
		assert_int_equal(access(h.cgroup_pids_dir, W_OK), 0);
		assert_non_null(strstr(h.cgroup_dir, "/sys/fs/cgroup/memory"));
		break;
	case CORDON_CGROUP_V2:
		assert_int_equal(access(h.cgroup_dir, W_OK), 0);
		break;
	case CORDON_CGROUP_NONE:
	default:
		assert_true(h.cgroup_why[0] != '\0');
		break;
	}
	/* This project's CI host is cgroup v1: root gets the v1 hierarchies. */
	if (getuid() == 0 && access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) == 0)
		assert_int_equal(h.cgroup, CORDON_CGROUP_V1);
}

static void test_host_unprivileged_gets_no_v1_cgroup(void **state)
{
	(void)state;
	uid_t uid;
	gid_t gid;
	char why[256];
	if (getuid() != 0 || !tu_test_user(&uid, &gid, why, sizeof(why)))
		tu_skip("needs root and the test user");
	if (access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) != 0)
		tu_skip("not a cgroup v1 host");
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(gid) < 0 || setuid(uid) < 0)
			_exit(2);
		struct cordon_host h;
		cordon_host_detect(&h);
		int kind = h.cgroup;
		(void)!write(p[1], &kind, sizeof(kind));
		_exit(0);
	}
	close(p[1]);
	int kind = -1;
	assert_int_equal(read(p[0], &kind, sizeof(kind)), (ssize_t)sizeof(kind));
	close(p[0]);
	waitpid(pid, NULL, 0);
	assert_int_equal(kind, CORDON_CGROUP_NONE);
}

static void test_host_sysctls_read(void **state)
{
	(void)state;
	struct cordon_host h;
	cordon_host_detect(&h);
	assert_int_equal(h.io_uring_disabled, read_int("/proc/sys/kernel/io_uring_disabled"));
	assert_int_equal(h.legacy_tiocsti, read_int("/proc/sys/dev/tty/legacy_tiocsti"));
}

static void test_host_seccomp_and_mount_api(void **state)
{
	(void)state;
	struct cordon_host h;
	cordon_host_detect(&h);
	/* The mount API answers EBADF-like errors, not ENOSYS, exactly when detected. */
	errno = 0;
	bool has = cordon_sys_mount_setattr(-1, "", 0, NULL) < 0 && errno != ENOSYS;
	assert_int_equal(h.mount_api, has);
	/* seccomp: the kernel reports our own mode; a filter kernel has SECCOMP in /proc status. */
	char *status = tu_read_file("/proc/self/status");
	assert_non_null(status);
	if (strstr(status, "Seccomp_filters:"))
		assert_true(h.seccomp_filter);
	if (h.seccomp_notify)
		assert_true(h.seccomp_filter);
	free(status);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_host_ids),
	        cmocka_unit_test(test_host_userns_matches_kernel),
	        cmocka_unit_test(test_host_landlock_abi_matches_kernel),
	        cmocka_unit_test(test_host_landlock_rights_grow_with_abi),
	        cmocka_unit_test(test_host_cgroup_dirs_are_writable),
	        cmocka_unit_test(test_host_unprivileged_gets_no_v1_cgroup),
	        cmocka_unit_test(test_host_sysctls_read),
	        cmocka_unit_test(test_host_seccomp_and_mount_api),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
