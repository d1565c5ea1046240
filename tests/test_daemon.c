/* Unit tests of daemon.c, the plumbing the session keeper and the warm server share: a daemon
 * started by a caller whose stdio is closed gets /dev/null and its ready pipe at the right
 * numbers; a daemon that never answers costs a bounded wait; names, ownership, removal. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "testutil.h"

static bool is_dev_null(int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat("/dev/null", &b) == 0 && S_ISCHR(a.st_mode) &&
	       a.st_rdev == b.st_rdev;
}

/* The daemon: 'k' when 0-2 are /dev/null and the pipe sits above them, else 'x'. */
static void check_child(void *arg, int ready_fd)
{
	(void)arg;
	char c = ready_fd > 2 && is_dev_null(0) && is_dev_null(1) && is_dev_null(2) ? 'k' : 'x';
	(void)!write(ready_fd, &c, 1);
	(void)!write(ready_fd, "why", 3);
	_exit(0);
}

/* Started with 0, 1 and 2 closed, as `cordon run ... 0<&- 1>&- 2>&-` is (the keeper's own
 * dup2s used to close its ready pipe, and the run exited 125). */
static void test_daemon_start_with_stdio_closed(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(0);
		close(1);
		close(2);
		char status = 0, why[16];
		int r = cordon_daemon_start(check_child, NULL, 5000, &status, why, sizeof(why));
		_exit(r == 0 && status == 'k' && strcmp(why, "why") == 0 ? 0 : 1);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void silent_child(void *arg, int ready_fd)
{
	(void)arg;
	(void)ready_fd;
	struct timespec ts = {2, 0};
	nanosleep(&ts, NULL); /* never writes; leaves by itself */
	_exit(0);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A daemon that never says it is ready (stopped, wedged) costs its starter the timeout. */
static void test_daemon_start_times_out(void **state)
{
	(void)state;
	char status = 0;
	double t0 = now_s();
	assert_int_equal(cordon_daemon_start(silent_child, NULL, 300, &status, NULL, 0),
	                 -ETIMEDOUT);
	assert_true(now_s() - t0 < 1.5);
}

/* Listening, connecting, ownership of the name, and a bounded wait for an answer. */
static void test_daemon_listen_connect_own(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("cordon-daemon", (uid_t)-1, (gid_t)-1);
	assert_non_null(dir);
	char path[4200];
	snprintf(path, sizeof(path), "%s/d.sock", dir);
	int c = -1, lfd = -1;
	assert_int_equal(cordon_daemon_connect(dir, "d.sock", SOCK_STREAM, 100, &c), -ENOENT);

	struct stat bound;
	assert_int_equal(cordon_daemon_listen(dir, "d.sock", SOCK_STREAM, 4, &lfd, &bound), 0);
	assert_true(cordon_daemon_owns(path, &bound));
	assert_int_equal(cordon_daemon_connect(dir, "d.sock", SOCK_STREAM, 100, &c), 0);
	assert_true(cordon_daemon_peer_ours(c));
	/* Never accepted, never answered: the wait ends all the same. */
	double t0 = now_s();
	assert_int_equal(cordon_daemon_wait(c, 200), -ETIMEDOUT);
	assert_true(now_s() - t0 < 1.5);
	close(c);

	/* Another daemon took the name: the first no longer owns it. */
	int lfd2 = -1;
	struct stat bound2;
	assert_int_equal(cordon_daemon_listen(dir, "d.sock", SOCK_STREAM, 4, &lfd2, &bound2), 0);
	assert_false(cordon_daemon_owns(path, &bound));
	assert_true(cordon_daemon_owns(path, &bound2));
	close(lfd);
	close(lfd2);
	/* Nobody listens behind the name any more. */
	assert_int_equal(cordon_daemon_connect(dir, "d.sock", SOCK_STREAM, 100, &c), -ECONNREFUSED);
	unlink(path);
	assert_false(cordon_daemon_owns(path, &bound2));
	tu_rm_rf(dir);
	free(dir);
}

/* A session's state goes whole, unreadable directories included, and a symlink in it is
 * removed, never followed. */
static void test_daemon_rm_tree(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("cordon-daemon", (uid_t)-1, (gid_t)-1);
	assert_non_null(dir);
	char p[4400], outside[4400];
	snprintf(outside, sizeof(outside), "%s/outside", dir);
	assert_int_equal(mkdir(outside, 0700), 0);
	snprintf(p, sizeof(p), "%s/outside/keep", dir);
	assert_int_equal(tu_write_file(p, "x"), 0);
	snprintf(p, sizeof(p), "%s/s", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/s/tmp", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	for (int i = 0; i < 50; i++) {
		snprintf(p, sizeof(p), "%s/s/tmp/f%d", dir, i);
		assert_int_equal(tu_write_file(p, "x"), 0);
	}
	snprintf(p, sizeof(p), "%s/s/tmp/ro", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/s/tmp/ro/f", dir);
	assert_int_equal(tu_write_file(p, "x"), 0);
	snprintf(p, sizeof(p), "%s/s/tmp/ro", dir);
	assert_int_equal(chmod(p, 0), 0);
	snprintf(p, sizeof(p), "%s/s/tmp/link", dir);
	assert_int_equal(symlink(outside, p), 0);

	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(cordon_daemon_rm_tree(dfd, "s"), 0);
	close(dfd);
	snprintf(p, sizeof(p), "%s/s", dir);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/outside/keep", dir);
	assert_int_equal(access(p, F_OK), 0);
	tu_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_daemon_start_with_stdio_closed),
	        cmocka_unit_test(test_daemon_start_times_out),
	        cmocka_unit_test(test_daemon_listen_connect_own),
	        cmocka_unit_test(test_daemon_rm_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
