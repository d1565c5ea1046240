/* The net_* probes run with no sandbox against loopback listeners the test makes itself; the
 * oracle is what the listener saw (accepted connections, received datagrams), or for probes
 * with no peer, what the kernel shows us directly (the interfaces in /sys/class/net). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "probecheck.h"

struct listener {
	int fd;
	char host[64];
	char port[16];
};

/* A non-blocking loopback socket of this family and type, bound to a free port (listening
 * when it is a stream). false when the family has no loopback here (no ::1). */
static bool listener_open(struct listener *l, int family, int type)
{
	struct sockaddr_storage ss = {.ss_family = (sa_family_t)family};
	socklen_t len =
	        family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	l->fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	if (bind(l->fd, (struct sockaddr *)&ss, len) < 0) {
		close(l->fd);
		return false;
	}
	if (type == SOCK_STREAM)
		assert_int_equal(listen(l->fd, 16), 0);
	assert_int_equal(getsockname(l->fd, (struct sockaddr *)&ss, &len), 0);
	in_port_t port = family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                   : ((struct sockaddr_in6 *)&ss)->sin6_port;
	snprintf(l->host, sizeof(l->host), "%s", family == AF_INET ? "127.0.0.1" : "::1");
	snprintf(l->port, sizeof(l->port), "%u", ntohs(port));
	return true;
}

/* Connections waiting in the backlog: the probe has exited, so they are all there. */
static int accepted(int fd)
{
	int n = 0, c;
	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		close(c);
		n++;
	}
	return n;
}

/* Datagrams received, each checked to be the probe's marker. */
static int datagrams(int fd, const char *marker)
{
	char buf[256];
	ssize_t n;
	int count = 0;
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		assert_string_equal(buf, marker);
		count++;
	}
	return count;
}

/* A connecting probe against a listener of this family: succeeded and exactly one accepted
 * connection; then against a bound port nobody listens on: ECONNREFUSED and none. */
static void check_connect(const char *name, const char *probe, int family)
{
	struct listener l, dead;
	struct tu_result r;
	if (!listener_open(&l, family, SOCK_STREAM))
		tu_skip("no %s loopback on this host", family == AF_INET ? "IPv4" : "IPv6");
	PC_RUN(&r, PC_ME, 0, name, l.host, l.port);
	pc_expect(&r, probe, "succeeded", NULL);
	pc_has(&r, "\"detail\":\"connect\"");
	assert_int_equal(accepted(l.fd), 1);
	tu_result_free(&r);

	assert_true(listener_open(&dead, family, SOCK_DGRAM)); /* holds a port, no TCP listener */
	PC_RUN(&r, PC_ME, 0, name, dead.host, dead.port);
	pc_expect(&r, probe, "refused", "ECONNREFUSED");
	pc_has(&r, "\"detail\":\"connect\"");
	assert_int_equal(accepted(l.fd), 0);
	tu_result_free(&r);
	close(l.fd);
	close(dead.fd);
}

static void test_probe_net_tcp_connect_v4(void **state)
{
	(void)state;
	check_connect("net_tcp_connect", "net.tcp_connect", AF_INET);
}

static void test_probe_net_tcp_connect_v6(void **state)
{
	(void)state;
	check_connect("net_tcp_connect", "net.tcp_connect", AF_INET6);
}

static void check_udp(int family)
{
	struct listener l;
	struct tu_result r;
	if (!listener_open(&l, family, SOCK_DGRAM))
		tu_skip("no %s loopback on this host", family == AF_INET ? "IPv4" : "IPv6");
	PC_RUN(&r, PC_ME, 0, "net_udp_send", l.host, l.port);
	pc_expect(&r, "net.udp_send", "succeeded", NULL);
	assert_int_equal(datagrams(l.fd, "cordon-probe net.udp_send\n"), 1);
	tu_result_free(&r);
	close(l.fd);
}

static void test_probe_net_udp_send_v4(void **state)
{
	(void)state;
	check_udp(AF_INET);
}

static void test_probe_net_udp_send_v6(void **state)
{
	(void)state;
	check_udp(AF_INET6);
}

static void test_probe_net_dns(void **state)
{
	struct tu_result r;
	(void)state;
	/* localhost comes from /etc/hosts: no query leaves the machine. */
	PC_RUN(&r, PC_ME, 0, "net_dns", "localhost");
	pc_expect(&r, "net.dns", "succeeded", NULL);
	assert_true(strstr(r.out, "\"127.0.0.1\"") || strstr(r.out, "\"::1\""));
	tu_result_free(&r);
}

/* Raw and packet sockets have no peer to observe: the oracle is whether we ourselves (root)
 * and the test user get the same answer from the kernel as the probe reports. */
static void check_privileged_socket(const char *name, const char *probe, int family, int type,
                                    int proto)
{
	struct tu_result r;
	uid_t uid;
	gid_t gid;
	int fd = socket(family, type | SOCK_CLOEXEC, proto);
	bool can = fd >= 0;
	int err = errno;
	if (fd >= 0)
		close(fd);
	PC_RUN(&r, PC_ME, 0, name, NULL);
	pc_expect(&r, probe, can ? "succeeded" : "refused", can ? NULL : strerrorname_np(err));
	tu_result_free(&r);
	PC_TEST_USER(uid, gid);
	PC_NEED_ROOT("the unprivileged run must differ from ours");
	PC_RUN(&r, uid, gid, name, NULL);
	pc_expect(&r, probe, "refused", "EPERM");
	tu_result_free(&r);
}

static void test_probe_net_raw_socket(void **state)
{
	(void)state;
	check_privileged_socket("net_raw_socket", "net.raw_socket", AF_INET, SOCK_RAW,
	                        IPPROTO_ICMP);
}

static void test_probe_net_packet_socket(void **state)
{
	(void)state;
	check_privileged_socket("net_packet_socket", "net.packet_socket", AF_PACKET, SOCK_RAW,
	                        htons(0x0003 /* ETH_P_ALL */));
}

/* Every interface the kernel shows us in /sys/class/net is in the probe's list. */
static void test_probe_net_netlink_route(void **state)
{
	struct tu_result r;
	struct dirent *de;
	int n = 0;
	(void)state;
	PC_RUN(&r, PC_ME, 0, "net_netlink_route", NULL);
	pc_expect(&r, "net.netlink_route", "succeeded", NULL);
	pc_has(&r, "\"lo\"");
	DIR *d = opendir("/sys/class/net");
	assert_non_null(d);
	while ((de = readdir(d))) {
		char quoted[300];
		if (de->d_name[0] == '.')
			continue;
		snprintf(quoted, sizeof(quoted), "\"%s\"", de->d_name);
		pc_has(&r, quoted);
		n++;
	}
	closedir(d);
	assert_int_equal(pc_number(&r, "count"), n);
	tu_result_free(&r);
}

static void test_probe_net_vsock(void **state)
{
	struct tu_result r;
	(void)state;
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		PC_RUN(&r, PC_ME, 0, "net_vsock", "9999", "1");
		pc_expect(&r, "net.vsock", "refused", strerrorname_np(errno));
		pc_has(&r, "\"detail\":\"socket\"");
		tu_result_free(&r);
		tu_skip("no AF_VSOCK here: only the refusal at socket could be checked");
	}
	close(fd);
	/* CID 1 is this machine: the probe gets its socket and tries to connect without leaving
	 * the machine. No vsock loopback transport here, so no connection can be shown. */
	PC_RUN(&r, PC_ME, 0, "net_vsock", "9999", "1");
	pc_has(&r, "{\"probe\":\"net.vsock\",\"target\":\"1:9999\",\"outcome\":\"refused\"");
	pc_has(&r, "\"detail\":\"connect\"");
	assert_int_equal(r.status, 1);
	tu_result_free(&r);
	tu_skip("no vsock loopback transport: the socket was made, no connection can be shown");
}

static int unix_listener(const struct sockaddr_un *sa, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (const struct sockaddr *)sa, len), 0);
	assert_int_equal(listen(fd, 8), 0);
	return fd;
}

static void test_probe_net_unix_abstract(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct tu_result r;
	char name[64];
	(void)state;
	snprintf(name, sizeof(name), "cordon-test-%d", (int)getpid());
	memcpy(sa.sun_path + 1, name, strlen(name));
	int fd = unix_listener(
	        &sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)));
	PC_RUN(&r, PC_ME, 0, "net_unix_abstract", name);
	pc_expect(&r, "net.unix_abstract", "succeeded", NULL);
	assert_int_equal(accepted(fd), 1);
	tu_result_free(&r);
	close(fd);
	PC_RUN(&r, PC_ME, 0, "net_unix_abstract", name);
	pc_expect(&r, "net.unix_abstract", "refused", "ECONNREFUSED");
	tu_result_free(&r);
}

static void test_probe_net_unix_connect(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct tu_result r;
	(void)state;
	char *dir = tu_tmpdir("cordon-pnet", PC_ME, 0);
	assert_non_null(dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
	int fd = unix_listener(&sa, sizeof(sa));
	PC_RUN(&r, PC_ME, 0, "net_unix_connect", sa.sun_path);
	pc_expect(&r, "net.unix_connect", "succeeded", NULL);
	assert_int_equal(accepted(fd), 1);
	tu_result_free(&r);

	/* The test user cannot search our 0700 directory: refused, and nothing arrives. */
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	if (geteuid() == 0) {
		PC_RUN(&r, uid, gid, "net_unix_connect", sa.sun_path);
		pc_expect(&r, "net.unix_connect", "refused", "EACCES");
		assert_int_equal(accepted(fd), 0);
		tu_result_free(&r);
	}
	close(fd);
	tu_rm_rf(dir);
	free(dir);
}

/* The datagram arrives when sent unconfined, by sendmsg and by sendmmsg; the test user
 * cannot search our 0700 directory: refused, and nothing arrives. */
static void test_probe_net_unix_sendmsg(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct tu_result r;
	static const char *const how[] = {"sendmsg", "sendmmsg"};
	(void)state;
	char *dir = tu_tmpdir("cordon-pnet", PC_ME, 0);
	assert_non_null(dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dgram", dir);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	uid_t uid;
	gid_t gid;
	PC_TEST_USER(uid, gid);
	for (size_t i = 0; i < 2; i++) {
		char detail[64];
		snprintf(detail, sizeof(detail), "\"detail\":\"%s\"", how[i]);
		PC_RUN(&r, PC_ME, 0, "net_unix_sendmsg", sa.sun_path, how[i]);
		pc_expect(&r, "net.unix_sendmsg", "succeeded", NULL);
		pc_has(&r, detail);
		assert_int_equal(datagrams(fd, "cordon-probe net.unix_sendmsg\n"), 1);
		tu_result_free(&r);
		if (geteuid() == 0) {
			PC_RUN(&r, uid, gid, "net_unix_sendmsg", sa.sun_path, how[i]);
			pc_expect(&r, "net.unix_sendmsg", "refused", "EACCES");
			assert_int_equal(datagrams(fd, "cordon-probe net.unix_sendmsg\n"), 0);
			tu_result_free(&r);
		}
	}
	PC_RUN(&r, PC_ME, 0, "net_unix_sendmsg", sa.sun_path, "write");
	pc_expect(&r, "net.unix_sendmsg", "inconclusive", "EINVAL");
	tu_result_free(&r);
	close(fd);
	tu_rm_rf(dir);
	free(dir);
}

static void test_probe_net_unix_self(void **state)
{
	struct tu_result r;
	struct stat st;
	char path[4096];
	(void)state;
	char *dir = tu_tmpdir("cordon-pnet", PC_ME, 0);
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/own.sock", dir);
	PC_RUN(&r, PC_ME, 0, "net_unix_self", path);
	pc_expect(&r, "net.unix_self", "succeeded", NULL);
	pc_has(&r, "\"detail\":\"accept\"");
	assert_int_equal(lstat(path, &st), -1); /* it cleaned up after itself */
	tu_result_free(&r);
	/* A path that is taken is not the probe's to remove: refused at bind, left alone. */
	assert_int_equal(tu_write_file(path, "taken\n"), 0);
	PC_RUN(&r, PC_ME, 0, "net_unix_self", path);
	pc_expect(&r, "net.unix_self", "refused", "EADDRINUSE");
	pc_has(&r, "\"detail\":\"bind\"");
	assert_int_equal(lstat(path, &st), 0);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

static void test_probe_net_socketpair(void **state)
{
	struct tu_result r;
	(void)state;
	PC_RUN(&r, PC_ME, 0, "net_socketpair", NULL);
	pc_expect(&r, "net.socketpair", "succeeded", NULL);
	tu_result_free(&r);
}

/* Read one line from fd within seconds; false on EOF or timeout. */
static bool read_line(int fd, char *buf, size_t n, int seconds)
{
	size_t len = 0;
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	while (len + 1 < n && poll(&pf, 1, seconds * 1000) > 0) {
		ssize_t got = read(fd, buf + len, 1);
		if (got <= 0)
			break;
		if (buf[len++] == '\n') {
			buf[len] = '\0';
			return true;
		}
	}
	buf[len] = '\0';
	return false;
}

/* Start probe (argv[0] is its name) with stdout on a pipe and read its one line while it
 * keeps running (a listener): the caller reaps the returned pid. */
static pid_t start_reading_line(char *const argv[], char *line, size_t size)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		execv(tu_probe(argv[0]), argv);
		_exit(127);
	}
	close(p[1]);
	bool got = read_line(p[0], line, size, 10);
	close(p[0]);
	if (!got)
		kill(pid, SIGKILL);
	assert_true(got);
	return pid;
}

/* The probe prints its line while it still listens: we connect to the port it names before
 * it exits, then it exits 0. */
static void test_probe_net_listen(void **state)
{
	int st = 0;
	char line[512];
	(void)state;
	char *argv[] = {"net_listen", "0", "3", NULL};
	pid_t pid = start_reading_line(argv, line, sizeof(line));
	struct tu_result view = {.status = 0, .out = line, .err = (char *)""};
	pc_expect(&view, "net.listen", "succeeded", NULL);
	long port = pc_number(&view, "port");
	assert_true(port > 0 && port < 65536);
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((in_port_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(rc, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The probe prints its line while it still listens on @NAME: we connect from here before it
 * exits, and it accepts (and closes) the connection, which we see as EOF; then it exits 0.
 * A name already held is refused (EADDRINUSE) at bind. */
static void test_probe_net_unix_abstract_listen(void **state)
{
	int st = 0;
	char line[512], name[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	(void)state;
	snprintf(name, sizeof(name), "cordon-test-listen-%d", (int)getpid());
	memcpy(sa.sun_path + 1, name, strlen(name));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	char *argv[] = {"net_unix_abstract_listen", name, "2", NULL};
	pid_t pid = start_reading_line(argv, line, sizeof(line));
	struct tu_result view = {.status = 0, .out = line, .err = (char *)""};
	pc_expect(&view, "net.unix_abstract_listen", "succeeded", NULL);
	pc_has(&view, "\"detail\":\"listen\"");
	char target[128];
	snprintf(target, sizeof(target), "\"target\":\"%s\"", name);
	pc_has(&view, target);

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	int rc = connect(fd, (struct sockaddr *)&sa, len);
	/* Accepted and closed by the probe: EOF. Left in the backlog: no event, poll times out. */
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	int ready = rc == 0 ? poll(&pf, 1, 5000) : -1;
	char c;
	ssize_t eof = ready == 1 ? read(fd, &c, 1) : -1;
	close(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(rc, 0);
	assert_int_equal(ready, 1);
	assert_int_equal(eof, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	struct tu_result r;
	int held = unix_listener(&sa, len);
	PC_RUN(&r, PC_ME, 0, "net_unix_abstract_listen", name, "0");
	pc_expect(&r, "net.unix_abstract_listen", "refused", "EADDRINUSE");
	pc_has(&r, "\"detail\":\"bind\"");
	tu_result_free(&r);
	close(held);
}

/* Unconfined, the name the probe binds is the host's: a client here reaches it and reads the
 * probe's answer; its count goes to stderr. */
static void test_probe_net_unix_abstract_bind_hijack(void **state)
{
	int st = 0;
	char line[512], name[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	(void)state;
	snprintf(name, sizeof(name), "cordon-test-squat-%d", (int)getpid());
	memcpy(sa.sun_path + 1, name, strlen(name));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	char *argv[] = {"net_unix_abstract_bind_hijack", name, "5", NULL};
	pid_t pid = start_reading_line(argv, line, sizeof(line));
	struct tu_result view = {.status = 0, .out = line, .err = (char *)""};
	pc_expect(&view, "net.unix_abstract_bind_hijack", "succeeded", NULL);
	pc_has(&view, "\"detail\":\"bind\"");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	int rc = connect(fd, (struct sockaddr *)&sa, len);
	char buf[16] = {0};
	ssize_t n = rc == 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	close(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(rc, 0);
	assert_true(n > 0);
	assert_string_equal(buf, "sandbox\n");
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_probe_net_io_uring_connect(void **state)
{
	(void)state;
	struct tu_result r;
	char *disabled = tu_read_file("/proc/sys/kernel/io_uring_disabled");
	bool off = disabled && disabled[0] != '0';
	free(disabled);
	if (off) {
		PC_RUN(&r, PC_ME, 0, "net_io_uring_connect", "127.0.0.1", "1");
		pc_has(&r, "\"detail\":\"io_uring_setup\"");
		tu_result_free(&r);
		tu_skip("io_uring is disabled by sysctl here: only the io_uring_setup refusal was "
		        "checked");
	}
	check_connect("net_io_uring_connect", "net.io_uring_connect", AF_INET);
	check_connect("net_io_uring_connect", "net.io_uring_connect", AF_INET6);
}

/* The 32-bit entry and x32 may be missing from a kernel: ENOSYS at socket says so. */
static void check_alt_entry(const char *name, const char *probe, const char *config)
{
	struct tu_result r;
	char why[160];
	if (strstr(config, "IA32") && !tu_int80_available(why, sizeof(why)))
		tu_skip("%s: the check is not live here", why);
	PC_RUN(&r, PC_ME, 0, name, NULL);
	if (strstr(r.out, "\"errno\":\"ENOSYS\"")) {
		pc_has(&r, "\"detail\":\"socket\"");
		tu_result_free(&r);
		tu_skip("this kernel lacks %s: the entry answers ENOSYS (not live here)", config);
	}
	pc_expect(&r, probe, "succeeded", NULL);
	pc_has(&r, "\"detail\":\"socket\"");
	tu_result_free(&r);
	check_connect(name, probe, AF_INET);
}

static void test_probe_net_int80_socket(void **state)
{
	(void)state;
	check_alt_entry("net_int80_socket", "net.int80_socket", "CONFIG_IA32_EMULATION");
}

static void test_probe_net_int80_socketcall(void **state)
{
	(void)state;
	check_alt_entry("net_int80_socketcall", "net.int80_socketcall", "CONFIG_IA32_EMULATION");
}

static void test_probe_net_x32_socket(void **state)
{
	(void)state;
	check_alt_entry("net_x32_socket", "net.x32_socket", "CONFIG_X86_X32_ABI");
}

static void test_probe_net_socket_hibits(void **state)
{
	(void)state;
	check_connect("net_socket_hibits", "net.socket_hibits", AF_INET);
	check_connect("net_socket_hibits", "net.socket_hibits", AF_INET6);
}

/* Probes with required arguments answer their absence (or a bad address) with exit 2. */
static void test_probe_net_usage(void **state)
{
	static const char *const names[] = {
	        "net_tcp_connect",
	        "net_udp_send",
	        "net_dns",
	        "net_unix_abstract",
	        "net_unix_connect",
	        "net_io_uring_connect",
	        "net_socket_hibits",
	        "net_unix_self",
	        "net_unix_abstract_listen",
	        "net_unix_sendmsg",
	        "net_unix_abstract_bind_hijack",
	};
	struct tu_result r;
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char probe[64];
		snprintf(probe, sizeof(probe), "net.%s", names[i] + 4);
		pc_run_argv(&r, PC_ME, 0, names[i], NULL);
		pc_expect(&r, probe, "inconclusive", "EINVAL");
		tu_result_free(&r);
	}
	PC_RUN(&r, PC_ME, 0, "net_tcp_connect", "not-an-address", "80");
	pc_expect(&r, "net.tcp_connect", "inconclusive", "EINVAL");
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "net_int80_socket", "127.0.0.1");
	pc_expect(&r, "net.int80_socket", "inconclusive", "EINVAL");
	tu_result_free(&r);
	PC_RUN(&r, PC_ME, 0, "net_listen", "70000");
	pc_expect(&r, "net.listen", "inconclusive", "EINVAL");
	tu_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_probe_net_tcp_connect_v4),
	        cmocka_unit_test(test_probe_net_tcp_connect_v6),
	        cmocka_unit_test(test_probe_net_udp_send_v4),
	        cmocka_unit_test(test_probe_net_udp_send_v6),
	        cmocka_unit_test(test_probe_net_dns),
	        cmocka_unit_test(test_probe_net_raw_socket),
	        cmocka_unit_test(test_probe_net_packet_socket),
	        cmocka_unit_test(test_probe_net_netlink_route),
	        cmocka_unit_test(test_probe_net_vsock),
	        cmocka_unit_test(test_probe_net_unix_abstract),
	        cmocka_unit_test(test_probe_net_unix_connect),
	        cmocka_unit_test(test_probe_net_unix_sendmsg),
	        cmocka_unit_test(test_probe_net_unix_self),
	        cmocka_unit_test(test_probe_net_socketpair),
	        cmocka_unit_test(test_probe_net_listen),
	        cmocka_unit_test(test_probe_net_unix_abstract_listen),
	        cmocka_unit_test(test_probe_net_unix_abstract_bind_hijack),
	        cmocka_unit_test(test_probe_net_io_uring_connect),
	        cmocka_unit_test(test_probe_net_int80_socket),
	        cmocka_unit_test(test_probe_net_int80_socketcall),
	        cmocka_unit_test(test_probe_net_x32_socket),
	        cmocka_unit_test(test_probe_net_socket_hibits),
	        cmocka_unit_test(test_probe_net_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
