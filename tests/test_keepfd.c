/* Unit tests of what --keep-fd passes (keepfd.c): each kind of descriptor the caller may hold,
 * described and passed or refused as keepfd.h says; descriptors 0-2 under the weaker rule. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "keepfd.h"
#include "testutil.h"

/* Describe fd as a kept descriptor (not stdio), close it, and return whether it passes. */
static bool kept_ok(int fd, const char *what_has)
{
	assert_true(fd >= 0);
	struct cordon_fd_kind k;
	assert_int_equal(cordon_fd_describe(fd, false, NULL, &k), 0);
	printf("fd %d: %s: %s (%s)\n", fd, k.what, k.allows, k.ok ? "passed" : "refused");
	assert_non_null(strstr(k.what, what_has));
	close(fd);
	return k.ok;
}

static void test_keepfd_refuses_host_views(void **state)
{
	(void)state;
	assert_false(kept_ok(open("/", O_RDONLY | O_DIRECTORY), "directory"));
	assert_false(kept_ok(open("/etc/hostname", O_PATH), "O_PATH"));
	assert_false(kept_ok(open("/proc/self/ns/net", O_RDONLY), "namespace"));
	assert_false(kept_ok(open("/proc/self/status", O_RDONLY), "/proc"));
	assert_false(kept_ok(eventfd(0, 0), "eventfd"));
	assert_false(kept_ok(epoll_create1(0), "eventpoll"));
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd >= 0)
		assert_false(kept_ok(pidfd, "pid"));
	else
		printf("pidfd_open: %s: not tried\n", strerror(errno));
}

static void test_keepfd_files(void **state)
{
	(void)state;
	char path[] = "/tmp/cordon-keepfd.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_true(kept_ok(open(path, O_RDONLY), "read-only"));
	assert_false(kept_ok(open(path, O_WRONLY), "for writing"));
	assert_false(kept_ok(open(path, O_RDWR | O_APPEND), "for writing"));
	/* As stdout, a file opened for writing is the caller's redirection. */
	struct cordon_fd_kind k;
	fd = open(path, O_WRONLY);
	assert_int_equal(cordon_fd_describe(fd, true, NULL, &k), 0);
	assert_true(k.ok);
	close(fd);
	unlink(path);
	assert_true(kept_ok(open("/dev/null", O_RDWR), "/dev/null"));
}

/* A file opened for writing passes only where the plan lets the command write anyway:
 * beneath a writable root, not at a protected path. */
static void test_keepfd_written_file_needs_a_root(void **state)
{
	(void)state;
	char *root = tu_tmpdir("cordon-keepfd", (uid_t)-1, (gid_t)-1);
	assert_non_null(root);
	char *real = realpath(root, NULL);
	char inside[4200], git[4200], outside[] = "/tmp/cordon-keepfd-out.XXXXXX";
	snprintf(inside, sizeof(inside), "%s/file", real);
	snprintf(git, sizeof(git), "%s/.git", real);
	assert_int_equal(tu_write_file(inside, "x"), 0);
	assert_int_equal(tu_write_file(git, "gitdir: x"), 0);
	int o = mkstemp(outside);
	assert_true(o >= 0);
	close(o);
	struct cordon_op ops[] = {{.kind = CORDON_OP_BIND_RW, .path = real},
	                          {.kind = CORDON_OP_PROTECT, .path = git}};
	struct cordon_plan plan = {.ops = ops, .n_ops = 2};
	struct cordon_fd_kind k;
	int fd = open(inside, O_WRONLY);
	assert_int_equal(cordon_fd_describe(fd, false, &plan, &k), 0);
	printf("%s: %s\n", k.what, k.allows);
	assert_true(k.ok);
	close(fd);
	fd = open(git, O_WRONLY | O_APPEND);
	assert_int_equal(cordon_fd_describe(fd, false, &plan, &k), 0);
	printf("%s: %s\n", k.what, k.allows);
	assert_false(k.ok);
	close(fd);
	fd = open(outside, O_RDWR);
	assert_int_equal(cordon_fd_describe(fd, false, &plan, &k), 0);
	printf("%s: %s\n", k.what, k.allows);
	assert_false(k.ok);
	close(fd);
	unlink(outside);
	tu_rm_rf(root);
	free(root);
	free(real);
}

static void test_keepfd_pipes_and_sockets(void **state)
{
	(void)state;
	int p[2], sp[2];
	assert_int_equal(pipe(p), 0);
	assert_true(kept_ok(p[0], "pipe"));
	assert_true(kept_ok(p[1], "pipe"));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_true(kept_ok(sp[0], "socketpair"));
	close(sp[1]);
	/* A service: listening, and a connection to it (abstract name, made here). */
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "cordon-keepfd-%d", (int)getpid());
	socklen_t len =
	        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1));
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, len), 0);
	assert_int_equal(listen(l, 1), 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, len), 0);
	assert_false(kept_ok(c, "connected to @cordon-keepfd-"));
	assert_false(kept_ok(l, "listening at @cordon-keepfd-"));
	assert_false(kept_ok(socket(AF_INET, SOCK_STREAM, 0), "IPv4"));
	assert_false(kept_ok(socket(AF_UNIX, SOCK_STREAM, 0), "unconnected"));
}

/* The check names the first refused descriptor and its kind, in one line. */
static void test_keepfd_check_message(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	int d = open("/", O_RDONLY | O_DIRECTORY);
	int keep[] = {p[0], d};
	cordon_error err = {0};
	assert_int_equal(cordon_keep_fds_check(NULL, keep, 1, &err), 0);
	assert_int_equal(cordon_keep_fds_check(NULL, keep, 2, &err), -EPERM);
	char want[64];
	snprintf(want, sizeof(want), "--keep-fd %d: a directory", d);
	printf("%s\n", err.msg);
	assert_non_null(strstr(err.msg, want));
	assert_null(strchr(err.msg, '\n'));
	close(d);
	int closed[] = {d};
	assert_int_equal(cordon_keep_fds_check(NULL, closed, 1, &err), -EBADF);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_keepfd_refuses_host_views),
	        cmocka_unit_test(test_keepfd_files),
	        cmocka_unit_test(test_keepfd_written_file_needs_a_root),
	        cmocka_unit_test(test_keepfd_pipes_and_sockets),
	        cmocka_unit_test(test_keepfd_check_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
