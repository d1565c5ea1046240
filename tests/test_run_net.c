/* Integration: the network under `cordon run`. A loopback listener opened by the test on the
 * host is the oracle: it must see nothing, with the network off and with it on (then the
 * sandbox has a namespace of its own that pasta connects: the host's loopback is not its). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <pthread.h>
#include <cmocka.h>

#include "run_util.h"

/* Inside the sandbox: try TCP to 127.0.0.1:port and a UDP datagram to it. 0 when TCP got
 * through. */
static int helper_connect(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		printf("tcp socket: %s\n", strerror(errno));
		return 1;
	}
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	printf("tcp connect: %s\n", r == 0 ? "connected" : strerror(errno));
	close(fd);
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u >= 0) {
		ssize_t n = sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
		printf("udp send: %s\n", n == 1 ? "sent" : strerror(errno));
		close(u);
	}
	return r == 0 ? 0 : 1;
}

/* Inside the sandbox: is the (private) loopback up? Asked through an AF_UNIX socket, which
 * the seccomp filter allows whatever the network setting; the answer is the socket's own
 * network namespace, the sandbox's. */
static int helper_lo_up(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		printf("lo: %s\n", strerror(errno));
		return 2;
	}
	printf("lo: %s\n", (ifr.ifr_flags & IFF_UP) ? "up" : "down");
	return (ifr.ifr_flags & IFF_UP) ? 0 : 1;
}

/* An abstract UNIX socket address "\0name". */
static socklen_t abstract_addr(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	size_t n = strlen(name);
	memcpy(sa->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* Inside the sandbox: connect to the host's abstract socket name. 0 when it got through. */
static int helper_abstract(const char *name)
{
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(&sa, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, len);
	printf("abstract connect: %s\n", r == 0 ? "connected" : strerror(errno));
	return r == 0 ? 0 : 1;
}

struct listener {
	int tcp, udp, port;
};

/* A TCP listener and a UDP socket on the same loopback port. */
static void listener_open(struct listener *l)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	l->tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(l->tcp >= 0);
	assert_int_equal(bind(l->tcp, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l->tcp, 8), 0);
	assert_int_equal(getsockname(l->tcp, (struct sockaddr *)&a, &len), 0);
	l->port = ntohs(a.sin_port);
	l->udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(l->udp >= 0);
	assert_int_equal(bind(l->udp, (struct sockaddr *)&a, sizeof(a)), 0);
}

/* How many connections and datagrams arrived. */
static int listener_seen(struct listener *l)
{
	int seen = 0, c;
	char buf[16];
	while ((c = accept(l->tcp, NULL, NULL)) >= 0) {
		close(c);
		seen++;
	}
	while (recv(l->udp, buf, sizeof(buf), 0) >= 0)
		seen++;
	return seen;
}

static void listener_close(struct listener *l)
{
	close(l->tcp);
	close(l->udp);
}

/* cordon refused --network on because pasta cannot run for this user here (not installed, or
 * /dev/net/tun closed to it): the one line says so, and nothing else can be checked. */
static bool net_on_unavailable(const struct tu_result *r)
{
	if (r->status != 125 || (!strstr(r->err, "passt") && !strstr(r->err, "/dev/net/tun")))
		return false;
	printf("SKIP this user: --network on is refused here: %s", r->err);
	return true;
}

/* network "on": also print the default route inside (a non-lo interface pasta configured). */
static int run_connect(bool root, const char *network, bool want_through)
{
	struct ru_who w;
	if (!ru_who_init(&w, root))
		return 0;
	printf("-- as %s, network %s\n", root ? "root" : "the test user", network);
	struct listener l;
	listener_open(&l);
	char script[8300];
	snprintf(script, sizeof(script),
	         "'%s' --connect %d; r=$?; awk '$2 == \"00000000\" { print \"default route: \" $1 "
	         "}' /proc/net/route; exit $r",
	         ru_self_in_ws(&w), l.port);
	const char *flags[] = {"--network", network, NULL};
	struct tu_result r;
	assert_int_equal(ru_run(&w, flags, script, &r), 0);
	printf("%s", r.out);
	if (strcmp(network, "on") == 0 && net_on_unavailable(&r)) {
		listener_close(&l);
		tu_result_free(&r);
		ru_who_free(&w);
		return 0;
	}
	assert_non_null(strstr(r.out, "tcp "));
	if (strcmp(network, "on") == 0) {
		assert_non_null(strstr(r.out, "default route: "));
		assert_null(strstr(r.out, "default route: lo"));
	}
	if (want_through) {
		assert_int_equal(r.status, 0);
		assert_true(listener_seen(&l) >= 1);
	} else {
		assert_int_not_equal(r.status, 0);
		assert_int_equal(listener_seen(&l), 0);
	}
	listener_close(&l);
	tu_result_free(&r);
	ru_who_free(&w);
	return 1;
}

static void test_run_net_off_reaches_nothing(void **state)
{
	(void)state;
	run_connect(false, "off", false);
	run_connect(true, "off", false);
}

/* Issue 18: with the network on the sandbox has a network namespace of its own, with a
 * route out (pasta's interface), and the host's loopback services are not in it. */
static void test_run_net_on_private_namespace(void **state)
{
	(void)state;
	if (run_connect(false, "on", false) + run_connect(true, "on", false) == 0)
		tu_skip("--network on cannot run here (pasta)");
}

static void body_loopback_inside(bool root)
{
	struct ru_who w;
	if (!ru_who_init(&w, root))
		return;
	char script[4300]; /* the helper path (up to 4200) and the flag */
	snprintf(script, sizeof(script), "'%s' --lo-up", ru_self_in_ws(&w));
	struct tu_result r;
	assert_int_equal(ru_run(&w, NULL, script, &r), 0);
	printf("%s", r.out);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "lo: up"));
	tu_result_free(&r);
	ru_who_free(&w);
}

static void test_run_net_off_has_private_loopback(void **state)
{
	(void)state;
	body_loopback_inside(false);
	body_loopback_inside(true);
}

/* A host service's abstract socket stays out of reach with the network on: the sandbox's own
 * network namespace (where abstract names live) when pasta runs, Landlock's scope (ABI >= 6)
 * when --best-effort falls back to the host's namespace. */
static void run_abstract(bool root)
{
	struct ru_who w;
	if (!ru_who_init(&w, root))
		return;
	char name[64];
	snprintf(name, sizeof(name), "cordon-test-abstract-%d", (int)getpid());
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(&sa, name);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, len), 0);
	assert_int_equal(listen(l, 4), 0);
	char script[8300];
	snprintf(script, sizeof(script), "'%s' --abstract %s", ru_self_in_ws(&w), name);
	/* --best-effort: where pasta cannot run, the host's namespace and Landlock's scope. */
	const char *flags[] = {"--network", "on", "--best-effort", NULL};
	struct tu_result r;
	assert_int_equal(ru_run(&w, flags, script, &r), 0);
	printf("%s", r.out);
	int c = accept(l, NULL, NULL);
	if (c >= 0)
		close(c);
	close(l);
	assert_non_null(strstr(r.out, "abstract connect:"));
	assert_int_not_equal(r.status, 0);
	assert_true(c < 0); /* the listener saw nothing */
	tu_result_free(&r);
	ru_who_free(&w);
}

/* Inside: bind and listen on @name, say so with the file dir/bound, wait (up to 20 s) for
 * dir/done, then print how many connections came. */
static int helper_abstract_bind(const char *name, const char *dir)
{
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(&sa, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 4) < 0) {
		printf("abstract bind: %s\n", strerror(errno));
		return 2;
	}
	char path[4200];
	snprintf(path, sizeof(path), "%s/bound", dir);
	tu_write_file(path, "1");
	snprintf(path, sizeof(path), "%s/done", dir);
	for (int i = 0; i < 2000 && access(path, F_OK) < 0; i++)
		usleep(10000);
	int n = 0, c;
	while ((c = accept(fd, NULL, NULL)) >= 0) {
		close(c);
		n++;
	}
	printf("abstract bind: accepted %d\n", n);
	return n == 0 ? 0 : 1;
}

struct host_client {
	const char *name, *dir;
	int err; /* the host's connect: 0 connected, else its errno; -1 never tried */
};

/* On the host: once the sandbox says it is bound, connect to the name, then say done. */
static void *host_client_run(void *arg)
{
	struct host_client *hc = arg;
	char path[4200];
	snprintf(path, sizeof(path), "%s/bound", hc->dir);
	hc->err = -1;
	for (int i = 0; i < 3000 && access(path, F_OK) < 0; i++)
		usleep(10000);
	if (access(path, F_OK) == 0) {
		struct sockaddr_un sa;
		socklen_t len = abstract_addr(&sa, hc->name);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		hc->err = connect(fd, (struct sockaddr *)&sa, len) == 0 ? 0 : errno;
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/done", hc->dir);
	tu_write_file(path, "1");
	return NULL;
}

static int run_abstract_bind(bool root)
{
	struct ru_who w;
	if (!ru_who_init(&w, root))
		return 0;
	printf("-- as %s\n", root ? "root" : "the test user");
	char name[64];
	snprintf(name, sizeof(name), "cordon-test-bound-%d-%d", (int)getpid(), (int)root);
	struct host_client hc = {.name = name, .dir = w.ws};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, host_client_run, &hc), 0);
	char script[8600];
	snprintf(script, sizeof(script), "'%s' --abstract-bind %s '%s'", ru_self_in_ws(&w), name,
	         w.ws);
	const char *flags[] = {"--network", "on", NULL};
	struct tu_result r;
	assert_int_equal(ru_run(&w, flags, script, &r), 0);
	tu_write_file(ru_path(0, w.ws, "done"), "1"); /* a refused run never said bound */
	pthread_join(t, NULL);
	printf("%s", r.out);
	int ran = !net_on_unavailable(&r);
	if (ran) {
		printf("the host's connect to @%s: %s\n", name,
		       hc.err == 0 ? "connected" : strerror(hc.err));
		assert_non_null(strstr(r.out, "abstract bind: accepted 0"));
		assert_int_equal(hc.err, ECONNREFUSED);
	}
	tu_result_free(&r);
	ru_who_free(&w);
	return ran;
}

/* Issue 18 class 4: a name the command binds is not one a host client can reach (with the
 * host's namespace shared, a client of @/tmp/.X11-unix/X7 talked to the sandbox). */
static void test_run_net_on_abstract_bind_private(void **state)
{
	(void)state;
	if (run_abstract_bind(false) + run_abstract_bind(true) == 0)
		tu_skip("--network on cannot run here (pasta)");
}

/* Inside: one UDP datagram (DNS id "qu") to addr:53; print the answer, or that none came. */
static int helper_dns_query(const char *addr)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
	inet_pton(AF_INET, addr, &a.sin_addr);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = 3};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char buf[64] = {0};
	ssize_t n = sendto(fd, "query", 5, 0, (struct sockaddr *)&a, sizeof(a)) == 5
	                    ? recv(fd, buf, sizeof(buf) - 1, 0)
	                    : -1;
	printf("dns %s: %s\n", addr, n > 0 ? buf : "no answer");
	return n > 0 ? 0 : 1;
}

/* A resolver on the host's loopback, as systemd-resolved's: answers one query with its id and
 * "-answer", within 15 s. */
struct fake_resolver {
	int fd, answered;
};

static void *fake_resolver_run(void *arg)
{
	struct fake_resolver *fr = arg;
	char buf[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct timeval tv = {.tv_sec = 15};
	setsockopt(fr->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t n = recvfrom(fr->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n >= 2) {
		memcpy(buf + 2, "-answer", 8);
		sendto(fr->fd, buf, 9, 0, (struct sockaddr *)&from, fl);
		fr->answered++;
	}
	return NULL;
}

/* The host's /etc/resolv.conf names 127.0.0.53 (a mount namespace of the test's own binds a
 * file over it, for cordon only): the sandbox's query to it is relayed to the host's resolver,
 * and a query to another loopback address is not. */
static void body_dns_loopback(struct ru_who *w)
{
	struct fake_resolver fr = {.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
	inet_pton(AF_INET, "127.0.0.53", &a.sin_addr);
	if (fr.fd < 0 || bind(fr.fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		printf("SKIP: cannot hold 127.0.0.53:53 here: %s\n", strerror(errno));
		if (fr.fd >= 0)
			close(fr.fd);
		return;
	}
	const char *rc = ru_path(2, w->ws, "resolv.conf");
	ru_put(w, rc, "nameserver 127.0.0.53\n");
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, fake_resolver_run, &fr), 0);
	char script[30000], user[64] = "";
	if (!w->root)
		snprintf(user, sizeof(user), "setpriv --reuid=%u --regid=%u --clear-groups ",
		         (unsigned)w->uid, (unsigned)w->gid);
	snprintf(script, sizeof(script),
	         "mount --bind '%s' /etc/resolv.conf && exec %s'%s' run --network on --workspace "
	         "'%s' -- sh -c \"'%s' --dns-query 127.0.0.53; '%s' --dns-query 127.0.0.1\"",
	         rc, user, tu_cordon(), w->ws, ru_self_in_ws(w), ru_self_in_ws(w));
	const char *argv[] = {"/usr/bin/unshare", "-m", "--propagation", "private",
	                      "/bin/sh",          "-c", script,          NULL};
	struct tu_spawn sp = {
	        .argv = (char *const *)argv, .cwd = w->ws, .uid = (uid_t)-1, .timeout = 60};
	struct tu_result r;
	assert_int_equal(tu_run(&sp, &r), 0);
	pthread_join(t, NULL);
	close(fr.fd);
	printf("status %d: %s%s", r.status, r.out, r.err);
	if (!net_on_unavailable(&r)) {
		assert_non_null(strstr(r.out, "dns 127.0.0.53: qu-answer"));
		assert_non_null(strstr(r.out, "dns 127.0.0.1: no answer"));
		assert_int_equal(fr.answered, 1);
	}
	tu_result_free(&r);
}

static void test_run_net_on_dns_loopback_resolver(void **state)
{
	(void)state;
	if (geteuid() != 0)
		tu_skip("needs root: a mount namespace to put a resolv.conf naming 127.0.0.53 in");
	if (access("/usr/bin/unshare", X_OK) < 0)
		tu_skip("unshare (util-linux) is not installed");
	ru_both(body_dns_loopback);
}

static void test_run_net_on_abstract_unix_scoped(void **state)
{
	(void)state;
	if (syscall(444, NULL, 0, 1) < 6)
		tu_skip("Landlock ABI < 6: abstract UNIX sockets are not scoped on this kernel");
	run_abstract(false);
	run_abstract(true);
}

/* A pathname socket outside the roots stays unreachable even after the command rewires the
 * way to a nested writable root: the supervisor learns the writable mounts before the command
 * runs. Here the command renames the directory holding --writable ws/a/sub and puts a symlink
 * to the outside directory in its place, so that "ws/a/sub" names a directory on the read-only
 * root; a supervisor that looked the roots up afterwards would count that mount as writable. */
static void body_unix_rewired_root(struct ru_who *w)
{
	char *out = ru_outside_dir(w->uid, w->gid);
	assert_non_null(out);
	ru_mkdir(w, ru_path(0, out, "sub"));
	ru_mkdir(w, ru_path(0, w->ws, "a"));
	ru_mkdir(w, ru_path(0, w->ws, "a/sub"));
	/* Every protected name present in both roots: then no rename is a notified creation, and
	 * nothing reaches the supervisor before the connect. */
	static const char *const names[] = {".git", ".cordon", ".codex", ".agents"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p[4200];
		ru_mkdir(w, ru_path(0, w->ws, names[i]));
		snprintf(p, sizeof(p), "%s/a/sub/%s", w->ws, names[i]);
		ru_mkdir(w, p);
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/svc.sock", out);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 8), 0);
	assert_int_equal(chmod(sa.sun_path, 0777), 0);
	char script[8192];
	snprintf(script, sizeof(script),
	         "mv a a2 && ln -s '%s' a && python3 -c 'import socket,sys\n"
	         "s=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1]); "
	         "print(\"connected\")\n"
	         "except OSError as e: print(\"refused\", e.errno)' '%s'",
	         out, sa.sun_path);
	char root[4200];
	snprintf(root, sizeof(root), "%s/a/sub", w->ws);
	const char *flags[] = {"--writable", root, NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	printf("%s", r.out);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "refused"));
	tu_result_free(&r);
	int c = accept(l, NULL, NULL);
	assert_true(c < 0); /* nothing reached the listener */
	close(l);
	ru_rm_outside(out);
}

static void test_run_net_unix_rewired_root(void **state)
{
	(void)state;
	ru_both(body_unix_rewired_root);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--connect") == 0)
		return helper_connect(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "--abstract") == 0)
		return helper_abstract(argv[2]);
	if (argc == 4 && strcmp(argv[1], "--abstract-bind") == 0)
		return helper_abstract_bind(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "--dns-query") == 0)
		return helper_dns_query(argv[2]);
	if (argc == 2 && strcmp(argv[1], "--lo-up") == 0)
		return helper_lo_up();
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_net_off_reaches_nothing),
	        cmocka_unit_test(test_run_net_on_private_namespace),
	        cmocka_unit_test(test_run_net_on_abstract_bind_private),
	        cmocka_unit_test(test_run_net_on_dns_loopback_resolver),
	        cmocka_unit_test(test_run_net_off_has_private_loopback),
	        cmocka_unit_test(test_run_net_on_abstract_unix_scoped),
	        cmocka_unit_test(test_run_net_unix_rewired_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
