/* oracle bindings of cordon-harness: listeners count contacts made from C, a pty's input
 * queue shows a TIOCSTI byte injected from C, tcp_connect reports refusals. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "harness.h"
#include "testutil.h"

static int oracle_setup(void **state)
{
	*state = harness_new_state();
	return *state ? 0 : -1;
}

static int oracle_teardown(void **state)
{
	lua_close(*state);
	return 0;
}

/* Run a chunk whose Lua assert()s are the checks; a raised error fails the test. */
static void oracle_must(lua_State *L, const char *chunk)
{
	if (harness_eval(L, chunk, "=test", 0) != LUA_OK) {
		print_error("%s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		fail();
	}
}

/* Evaluate an expression returning an integer. */
static long oracle_int(lua_State *L, const char *expr)
{
	char chunk[256];
	long v;

	snprintf(chunk, sizeof(chunk), "return %s", expr);
	if (harness_eval(L, chunk, "=test", 1) != LUA_OK) {
		print_error("%s\n", lua_tostring(L, -1));
		fail();
	}
	v = (long)lua_tointeger(L, -1);
	lua_pop(L, 1);
	return v;
}

static int oracle_connect(int family, int type, const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(family, type, 0);
	int rc;

	assert_true(fd >= 0);
	rc = type == SOCK_DGRAM ? (int)sendto(fd, "x", 1, 0, sa, len) : connect(fd, sa, len);
	close(fd);
	return rc;
}

static void test_oracle_tcp_listener_counts_connections(void **state)
{
	lua_State *L = *state;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	long port;

	oracle_must(L, "L = assert(oracle.tcp_listen())\n"
	               "assert(L:contacts() == 0 and L:address() == '127.0.0.1:'..L:port())\n");
	port = oracle_int(L, "L:port()");
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(oracle_connect(AF_INET, SOCK_STREAM, (struct sockaddr *)&sin, sizeof(sin)),
	                 0);
	assert_int_equal(oracle_connect(AF_INET, SOCK_STREAM, (struct sockaddr *)&sin, sizeof(sin)),
	                 0);
	assert_int_equal(oracle_int(L, "L:contacts()"), 2);
	assert_int_equal(oracle_int(L, "L:contacts()"), 2);
	/* A contact arriving while poll() waits wakes it. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(50000);
		_exit(oracle_connect(AF_INET, SOCK_STREAM, (struct sockaddr *)&sin, sizeof(sin)) ==
		                      0
		              ? 0
		              : 1);
	}
	oracle_must(L, "local got, n = L:poll(30)\nassert(got == true and n == 3, tostring(n))\n");
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	oracle_must(L, "assert(oracle.tcp_connect('127.0.0.1', L:port()))\n"
	               "assert(L:contacts() == 4)\n"
	               "local got = L:poll(0.01)\n"
	               "assert(got == false, 'nothing new arrived')\n"
	               "L:close()\n"
	               "local ok, msg, e = oracle.tcp_connect('127.0.0.1', 1)\n"
	               "assert(ok == nil and e == 'ECONNREFUSED', msg)\n");
}

static void test_oracle_udp_listener_counts_datagrams(void **state)
{
	lua_State *L = *state;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	long port;

	if (harness_eval(L, "U = oracle.udp_listen('::1') assert(U, 'no IPv6 loopback')", NULL,
	                 0)) {
		lua_pop(L, 1);
		tu_skip("no IPv6 loopback on this host");
	}
	port = oracle_int(L, "U:port()");
	sin6.sin6_port = htons((uint16_t)port);
	for (int i = 0; i < 3; i++)
		assert_int_equal(oracle_connect(AF_INET6, SOCK_DGRAM, (struct sockaddr *)&sin6,
		                                sizeof(sin6)),
		                 1);
	oracle_must(L, "assert(U:contacts() == 3, U:contacts())\n"
	               "assert(U:address() == '[::1]:'..U:port())\n");
}

static void test_oracle_unix_listeners(void **state)
{
	lua_State *L = *state;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char name[64];
	socklen_t len;

	snprintf(name, sizeof(name), "cordon-oracle-test-%d", (int)getpid());
	lua_pushstring(L, name);
	lua_setglobal(L, "NAME");
	oracle_must(L, "A = assert(oracle.abstract_listen(NAME))\n"
	               "assert(A:address() == '@'..NAME and A:port() == nil)\n"
	               "D = fs.tmpdir()\n"
	               "P = assert(oracle.unix_listen(D..'/sock'))\n"
	               "assert(fs.stat(D..'/sock').type == 'socket')\n");
	memcpy(sun.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	assert_int_equal(oracle_connect(AF_UNIX, SOCK_STREAM, (struct sockaddr *)&sun, len), 0);
	assert_int_equal(oracle_int(L, "A:contacts()"), 1);
	oracle_must(L, "local got, n = A:poll(0.01)\nassert(got == false and n == 1)\n");
	assert_int_equal(harness_eval(L, "return P:address()", NULL, 1), LUA_OK);
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	assert_int_equal(oracle_connect(AF_UNIX, SOCK_STREAM, (struct sockaddr *)&sun, sizeof(sun)),
	                 0);
	oracle_must(L, "assert(P:contacts() == 1)\n"
	               "P:close()\n"
	               "assert(not fs.exists(D..'/sock'), 'the socket file is removed at close')\n"
	               "G = assert(oracle.unix_dgram_listen(D..'/dgram'))\n");
	/* A datagram listener counts datagrams, and a stream connect cannot reach it. */
	assert_int_equal(harness_eval(L, "return G:address()", NULL, 1), LUA_OK);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
		        oracle_connect(AF_UNIX, SOCK_DGRAM, (struct sockaddr *)&sun, sizeof(sun)),
		        1);
	assert_int_not_equal(
	        oracle_connect(AF_UNIX, SOCK_STREAM, (struct sockaddr *)&sun, sizeof(sun)), 0);
	oracle_must(L, "assert(G:contacts() == 2, G:contacts())\n"
	               "G:close()\n"
	               "assert(not fs.exists(D..'/dgram'))\n"
	               "fs.rm_rf(D)\n");
	/* A host client of an abstract name: it reaches a holder, and is refused where none is. */
	oracle_must(L, "assert(oracle.abstract_connect(NAME) == true)\n"
	               "assert(A:contacts() == 2, A:contacts())\n"
	               "local ok, msg = oracle.abstract_connect(NAME..'-nobody')\n"
	               "assert(ok == nil and msg:find('refused'), msg)\n");
}

/* In a child whose controlling terminal the pty becomes (as a sandboxed probe's would),
 * inject "Z\n" with TIOCSTI. 0, or the errno that refused it. */
static int oracle_inject(const char *path)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		char c[2] = {'Z', '\n'};
		int fd;

		if (setsid() < 0 || (fd = open(path, O_RDWR)) < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
			_exit(errno & 0xff);
		for (int i = 0; i < 2; i++)
			if (ioctl(fd, TIOCSTI, &c[i]) < 0)
				_exit(errno & 0xff);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_oracle_pty_shows_injected_input(void **state)
{
	lua_State *L = *state;
	int err;

	oracle_must(L, "T = assert(oracle.pty())\nassert(T:input_pending() == '')\n");
	assert_int_equal(harness_eval(L, "return T:slave_path()", NULL, 1), LUA_OK);
	err = oracle_inject(lua_tostring(L, -1));
	lua_pop(L, 1);
	/* Since Linux 6.2, dev.tty.legacy_tiocsti=0 refuses TIOCSTI without CAP_SYS_ADMIN. */
	if (err)
		tu_skip("TIOCSTI refused on this host (%s): nothing to inject", strerror(err));
	oracle_must(L, "local got = T:input_pending()\n"
	               "assert(got == 'Z\\n', string.format('%q', got))\n"
	               "assert(T:input_pending() == '', 'reading drains the queue')\n"
	               "T:close()\n"
	               "assert(not pcall(T.slave_path, T), 'closed')\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, oracle_setup, oracle_teardown)
	        T(test_oracle_tcp_listener_counts_connections),
	        T(test_oracle_udp_listener_counts_datagrams),
	        T(test_oracle_unix_listeners),
	        T(test_oracle_pty_shows_injected_input),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
