/* The seccomp filter, built from a hand-made plan and loaded in a forked child that then tries
 * the syscalls. Each child runs a table of attempts and reports every mismatch on stderr; the
 * parent asserts the child's exit status (or the signal that killed it). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "plan.h"
#include "cordon_seccomp.h"
#include "seccomp_int.h"
#include "testutil.h"

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif
#define NEW_LISTENER (1UL << 3)
#define HIGH_BITS (1UL << 32)

struct fixture {
	struct cordon_policy policy;
	struct cordon_host host;
	struct cordon_plan plan;
};

static void fixture_init(struct fixture *f, enum cordon_network net)
{
	memset(f, 0, sizeof(*f));
	f->policy.network = net;
	f->host.seccomp_filter = true;
	/* No supervisor in these tests: a notified syscall would wait for ever. */
	f->host.seccomp_notify = false;
	f->plan.policy = &f->policy;
	f->plan.host = &f->host;
}

/* One attempt: a raw syscall and what must come of it (0: success, else the errno). */
struct attempt {
	const char *what;
	long nr;
	unsigned long a[6];
	int expect;
};

static int run_attempts(const struct attempt *t, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		errno = 0;
		long r = syscall(t[i].nr, t[i].a[0], t[i].a[1], t[i].a[2], t[i].a[3], t[i].a[4],
		                 t[i].a[5]);
		int got = r < 0 ? errno : 0;
		if (got != t[i].expect) {
			fprintf(stderr, "%s: expected %s, got %s\n", t[i].what,
			        t[i].expect ? strerror(t[i].expect) : "success",
			        got ? strerror(got) : "success");
			bad = 1;
		}
		if (r > 2 && t[i].expect == 0 && t[i].nr != SYS_getpid)
			close((int)r); /* a descriptor made by a successful attempt */
	}
	return bad;
}

typedef int (*child_fn)(void *);

/* Build in the parent, load in a forked child, run fn there; the child's wait status. */
static int run_filtered(const struct cordon_plan *plan, child_fn fn, void *arg)
{
	struct cordon_seccomp *sc = NULL;
	cordon_error err = {0};
	int r = cordon_seccomp_build(plan, &sc, &err);
	if (r < 0)
		fail_msg("build: %s", err.msg);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int listener = -2;
		if (cordon_seccomp_load(sc, &listener, &err) < 0) {
			fprintf(stderr, "load: %s\n", err.msg);
			_exit(100);
		}
		if (listener != -1) {
			fprintf(stderr, "a listener without notify rules\n");
			_exit(101);
		}
		_exit(fn(arg));
	}
	cordon_seccomp_free(sc);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void assert_exit_zero(int status)
{
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int child_kernel_surface(void *arg)
{
	(void)arg;
	const struct attempt t[] = {
	        {"keyctl", SYS_keyctl, {0 /* KEYCTL_GET_KEYRING_ID */, (unsigned long)-3}, EPERM},
	        {"add_key", SYS_add_key, {0}, EPERM},
	        {"request_key", SYS_request_key, {0}, EPERM},
	        {"bpf", SYS_bpf, {0}, EPERM},
	        {"perf_event_open", SYS_perf_event_open, {0}, EPERM},
	        {"userfaultfd", SYS_userfaultfd, {0}, EPERM},
	        {"io_uring_setup", SYS_io_uring_setup, {8, 0}, EPERM},
	        {"io_uring_enter", SYS_io_uring_enter, {0}, EPERM},
	        {"open_by_handle_at", SYS_open_by_handle_at, {0}, EPERM},
	        {"setns", SYS_setns, {0}, EPERM},
	        {"mount", SYS_mount, {0}, EPERM},
	        {"umount2", SYS_umount2, {0}, EPERM},
	        {"pivot_root", SYS_pivot_root, {0}, EPERM},
	        {"open_tree", SYS_open_tree, {0}, EPERM},
	        {"fsopen", SYS_fsopen, {0}, EPERM},
	        {"move_mount", SYS_move_mount, {0}, EPERM},
	        {"mount_setattr", SYS_mount_setattr, {0}, EPERM},
	        {"open_tree_attr", 467, {0}, EPERM},
	        {"init_module", SYS_init_module, {0}, EPERM},
	        {"kexec_load", SYS_kexec_load, {0}, EPERM},
	        {"acct", SYS_acct, {0}, EPERM},
	        {"syslog", SYS_syslog, {3, 0, 0}, EPERM},
	        {"reboot", SYS_reboot, {0}, EPERM},
	        {"seccomp new listener",
	         SYS_seccomp,
	         {SECCOMP_SET_MODE_FILTER, NEW_LISTENER, 0},
	         EPERM},
	};
	return run_attempts(t, ARRAY_SIZE(t));
}

static void test_seccomp_refuses_kernel_surface(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, CORDON_NETWORK_OFF);
	assert_exit_zero(run_filtered(&f.plan, child_kernel_surface, NULL));
}

static int child_namespaces(void *arg)
{
	(void)arg;
	const struct attempt t[] = {
	        {"unshare(CLONE_NEWUSER)", SYS_unshare, {CLONE_NEWUSER}, EPERM},
	        {"unshare(CLONE_NEWUSER|high bits)",
	         SYS_unshare,
	         {CLONE_NEWUSER | HIGH_BITS},
	         EPERM},
	        {"clone(CLONE_NEWUSER)", SYS_clone, {CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0}, EPERM},
	        {"clone3", SYS_clone3, {0, 0}, ENOSYS},
	};
	int bad = run_attempts(t, ARRAY_SIZE(t));
	/* Ordinary process creation still works (glibc falls back from clone3 to clone). */
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 7) {
		fprintf(stderr, "fork under the filter failed\n");
		bad = 1;
	}
	return bad;
}

static void test_seccomp_refuses_nested_user_namespace(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, CORDON_NETWORK_ON);
	assert_exit_zero(run_filtered(&f.plan, child_namespaces, NULL));
}

static int child_network_off(void *arg)
{
	(void)arg;
	const struct attempt t[] = {
	        {"socket(AF_INET)", SYS_socket, {AF_INET, SOCK_STREAM, 0}, EAFNOSUPPORT},
	        {"socket(AF_INET6)", SYS_socket, {AF_INET6, SOCK_DGRAM, 0}, EAFNOSUPPORT},
	        {"socket(AF_PACKET)", SYS_socket, {AF_PACKET, SOCK_RAW, 0}, EAFNOSUPPORT},
	        {"socket(AF_NETLINK)", SYS_socket, {AF_NETLINK, SOCK_RAW, 0}, EAFNOSUPPORT},
	        {"socket(AF_VSOCK)", SYS_socket, {AF_VSOCK, SOCK_STREAM, 0}, EAFNOSUPPORT},
	        {"socket(AF_UNIX|high bits)",
	         SYS_socket,
	         {AF_UNIX | HIGH_BITS, SOCK_STREAM, 0},
	         EAFNOSUPPORT},
	        {"socket(AF_UNIX)", SYS_socket, {AF_UNIX, SOCK_STREAM, 0}, 0},
	};
	int bad = run_attempts(t, ARRAY_SIZE(t));
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		fprintf(stderr, "socketpair(AF_UNIX): %s\n", strerror(errno));
		bad = 1;
	}
	return bad;
}

static void test_seccomp_network_off_refuses_non_unix_sockets(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, CORDON_NETWORK_OFF);
	assert_exit_zero(run_filtered(&f.plan, child_network_off, NULL));
}

static int child_network_on(void *arg)
{
	(void)arg;
	const struct attempt t[] = {
	        {"socket(AF_INET)", SYS_socket, {AF_INET, SOCK_STREAM, 0}, 0},
	        {"socket(AF_UNIX)", SYS_socket, {AF_UNIX, SOCK_DGRAM, 0}, 0},
	};
	return run_attempts(t, ARRAY_SIZE(t));
}

static void test_seccomp_network_on_allows_inet(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, CORDON_NETWORK_ON);
	assert_exit_zero(run_filtered(&f.plan, child_network_on, NULL));
}

static int child_ioctl_personality(void *arg)
{
	(void)arg;
	char c = 'x';
	unsigned long pc = (unsigned long)&c;
	const struct attempt t[] = {
	        {"ioctl(TIOCSTI)", SYS_ioctl, {0, TIOCSTI, pc}, EPERM},
	        {"ioctl(TIOCSTI|high bits)", SYS_ioctl, {0, TIOCSTI | HIGH_BITS, pc}, EPERM},
	        {"ioctl(TIOCLINUX|high bits)", SYS_ioctl, {0, TIOCLINUX | HIGH_BITS, pc}, EPERM},
	        /* Any other request reaches the kernel: /dev/null is no terminal. */
	        {"ioctl(TIOCGWINSZ)", SYS_ioctl, {99, TIOCGWINSZ, pc}, ENOTTY},
	        {"personality(query)", SYS_personality, {0xffffffffu}, 0},
	        {"personality(PER_LINUX)", SYS_personality, {PER_LINUX}, 0},
	        {"personality(ADDR_NO_RANDOMIZE)", SYS_personality, {ADDR_NO_RANDOMIZE}, EPERM},
	        {"personality(READ_IMPLIES_EXEC)", SYS_personality, {READ_IMPLIES_EXEC}, EPERM},
	        {"personality(high bits)", SYS_personality, {HIGH_BITS}, EPERM},
	};
	int fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 99) < 0)
		return 3;
	return run_attempts(t, ARRAY_SIZE(t));
}

static void test_seccomp_refuses_tiocsti_and_personality(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, CORDON_NETWORK_OFF);
	assert_exit_zero(run_filtered(&f.plan, child_ioctl_personality, NULL));
}

static int child_ordinary(void *arg)
{
	(void)arg;
	char buf[64];
	int p[2];
	if (pipe(p) < 0 || write(p[1], "ok", 2) != 2 || read(p[0], buf, sizeof(buf)) != 2)
		return 1;
	int fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
		return 2;
	if (getpid() <= 0 || personality(0xffffffff) < 0)
		return 3;
	return 0;
}

static void test_seccomp_allows_ordinary_syscalls(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, CORDON_NETWORK_OFF);
	assert_exit_zero(run_filtered(&f.plan, child_ordinary, NULL));
}

/* Through `int 0x80`: i386 socketcall(SYS_SOCKET, {AF_INET, SOCK_STREAM, 0}) when arg is
 * NULL, else i386 socket(AF_INET, SOCK_STREAM, 0) (number 359). Without the filter either
 * would make an inet socket, going around the x86_64 rules. */
static int child_int80(void *arg)
{
	static unsigned int args[3] = {AF_INET, SOCK_STREAM, 0};
	long nr = arg ? 359 : 102, a = arg ? AF_INET : 1 /* SYS_SOCKET */;
	long b = arg ? SOCK_STREAM : (long)(uintptr_t)args, r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(0L) : "memory");
	fprintf(stderr, "int 0x80 (%ld) returned %ld\n", nr, r);
	return 0;
}

/* A syscall number with the x32 bit: the kernel here has x32 off (ENOSYS), but the filter
 * must not let such numbers past its x86_64 rules in any case. */
static int child_x32(void *arg)
{
	(void)arg;
	long r = syscall(0x40000000L | SYS_getpid);
	fprintf(stderr, "x32 getpid returned %ld (%s)\n", r, strerror(errno));
	return 0;
}

static void test_seccomp_kills_other_syscall_abis(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, CORDON_NETWORK_OFF);
	/* x32 numbers reach the filter on every x86_64 kernel (it runs before the table). */
	int status = run_filtered(&f.plan, child_x32, NULL);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	char why[160];
	if (!tu_int80_available(why, sizeof(why)))
		tu_skip("%s: only the x32 entry was checked", why);
	status = run_filtered(&f.plan, child_int80, NULL);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	status = run_filtered(&f.plan, child_int80, "socket");
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* Every program generated at build time is what libseccomp builds from seccomp.c's rules now:
 * a stale or diverging table fails here. Variants without user notification are always
 * generated; those with it only where libseccomp has API level 6. */
static void test_seccomp_prebuilt_matches_libseccomp(void **state)
{
	(void)state;
	for (int bits = 0; bits < 8; bits++) {
		struct cordon_seccomp_variant v = {
		        .network_off = bits & 1, .notify = bits & 2, .create_notify = bits & 4};
		if (v.create_notify && !v.notify)
			continue;
		const struct cordon_seccomp_prebuilt *pb = cordon_seccomp_prebuilt_find(v);
		if (!pb && !v.notify)
			fail_msg("variant %d was not generated at build time", bits);
		if (!pb)
			continue;
		struct cordon_seccomp *sc = NULL;
		cordon_error err = {0};
		assert_int_equal(cordon_seccomp_generate(v, &sc, &err), 0);
		const struct sock_filter *prog = NULL;
		unsigned short len = cordon_seccomp_program(sc, &prog);
		assert_true(len > 0);
		assert_int_equal(len, pb->len);
		assert_memory_equal(prog, pb->prog, len * sizeof(*prog));
		assert_int_equal(cordon_seccomp_notifies(sc), v.notify);
		cordon_seccomp_free(sc);
	}
}

static int child_io_uring(void *arg)
{
	(void)arg;
	const struct attempt t[] = {
	        {"io_uring_setup", SYS_io_uring_setup, {8, 0}, EPERM},
	        {"io_uring_enter", SYS_io_uring_enter, {0}, EPERM},
	        {"io_uring_register", SYS_io_uring_register, {0}, EPERM},
	};
	return run_attempts(t, ARRAY_SIZE(t));
}

/* io_uring performs opens, mkdirs, renames, links and connects that neither the filter nor the
 * supervisor would see: refused by every variant of the filter (warm, session, network on or
 * off, full-access and best-effort runs all use one of these), notified ones included (their
 * listener is simply never read: io_uring must not reach it). */
static void test_seccomp_every_variant_refuses_io_uring(void **state)
{
	(void)state;
	for (int bits = 0; bits < 8; bits++) {
		struct cordon_seccomp_variant v = {
		        .network_off = bits & 1, .notify = bits & 2, .create_notify = bits & 4};
		if (v.create_notify && !v.notify)
			continue;
		struct cordon_seccomp *sc = NULL;
		cordon_error err = {0};
		assert_int_equal(cordon_seccomp_generate(v, &sc, &err), 0);
		fflush(NULL);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int listener = -1;
			if (cordon_seccomp_load(sc, &listener, &err) < 0)
				_exit(100);
			_exit(child_io_uring(NULL));
		}
		cordon_seccomp_free(sc);
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("variant %d lets io_uring through (status %d)", bits, status);
	}
}

/* A plan picks its variant from the policy and the host, and the runtime copies that one. */
static void test_seccomp_plan_selects_its_variant(void **state)
{
	(void)state;
	struct fixture f;
	struct cordon_op op = {.kind = CORDON_OP_PROTECT_ABSENT};
	fixture_init(&f, CORDON_NETWORK_OFF);
	struct cordon_seccomp_variant v = cordon_seccomp_variant_of(&f.plan);
	assert_true(v.network_off && !v.notify && !v.create_notify);
	f.host.seccomp_notify = true;
	f.plan.ops = &op;
	f.plan.n_ops = 1;
	v = cordon_seccomp_variant_of(&f.plan);
	assert_true(v.network_off && v.notify && v.create_notify);
	/* A writable root alone loads the creation rules: a protected name is refused at any
	 * depth of it (a nested .git), present or not at its top. */
	op.kind = CORDON_OP_BIND_RW;
	v = cordon_seccomp_variant_of(&f.plan);
	assert_true(v.notify && v.create_notify);
	/* A protected or hidden path too: no directory on the way to it may be renamed away. */
	op.kind = CORDON_OP_PROTECT;
	v = cordon_seccomp_variant_of(&f.plan);
	assert_true(v.notify && v.create_notify);
	op.kind = CORDON_OP_HIDE;
	v = cordon_seccomp_variant_of(&f.plan);
	assert_true(v.notify && v.create_notify);
	op.kind = CORDON_OP_DEV;
	v = cordon_seccomp_variant_of(&f.plan);
	assert_true(v.notify && !v.create_notify);
	op.kind = CORDON_OP_PROTECT_ABSENT;
	f.policy.network = CORDON_NETWORK_ON;
	f.host.seccomp_notify = false;
	v = cordon_seccomp_variant_of(&f.plan);
	assert_true(!v.network_off && !v.notify && !v.create_notify);

	struct cordon_seccomp *sc = NULL;
	cordon_error err = {0};
	assert_int_equal(cordon_seccomp_build(&f.plan, &sc, &err), 0);
	const struct cordon_seccomp_prebuilt *pb = cordon_seccomp_prebuilt_find(v);
	assert_non_null(pb);
	const struct sock_filter *prog = NULL;
	assert_int_equal(cordon_seccomp_program(sc, &prog), pb->len);
	assert_ptr_equal(prog, pb->prog); /* the build-time program itself: no libseccomp */
	cordon_seccomp_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_seccomp_refuses_kernel_surface),
	        cmocka_unit_test(test_seccomp_every_variant_refuses_io_uring),
	        cmocka_unit_test(test_seccomp_refuses_nested_user_namespace),
	        cmocka_unit_test(test_seccomp_network_off_refuses_non_unix_sockets),
	        cmocka_unit_test(test_seccomp_network_on_allows_inet),
	        cmocka_unit_test(test_seccomp_refuses_tiocsti_and_personality),
	        cmocka_unit_test(test_seccomp_allows_ordinary_syscalls),
	        cmocka_unit_test(test_seccomp_kills_other_syscall_abis),
	        cmocka_unit_test(test_seccomp_prebuilt_matches_libseccomp),
	        cmocka_unit_test(test_seccomp_plan_selects_its_variant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
