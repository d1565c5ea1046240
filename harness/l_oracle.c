/* oracle: witnesses of side effects, held by the harness outside any sandbox. Listeners
 * count every connection or datagram that reached them; a pty shows what was injected into
 * its input queue; tcp_connect checks that a port is (not) reachable from outside. */
#define _GNU_SOURCE
#include "harness.h"
#include "hbind.h"
#include "hutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#define LISTENER_MT "cordon.listener"
#define PTY_MT "cordon.pty"

enum listener_kind { L_TCP, L_UDP, L_UNIX, L_UNIX_DGRAM, L_ABSTRACT };

/* Datagram listeners count what they receive; the others count what they accept. */
static bool listener_is_dgram(enum listener_kind kind)
{
	return kind == L_UDP || kind == L_UNIX_DGRAM;
}

struct listener {
	int fd;
	enum listener_kind kind;
	int port;
	long contacts;
	char address[128]; /* printable: 127.0.0.1:PORT, [::1]:PORT, a path, @name */
	char path[sizeof(
	        ((struct sockaddr_un *)0)->sun_path)]; /* pathname sockets: unlinked at close */
};

struct pty {
	int master;
	int slave; /* held open so the terminal and its input queue outlive the child */
	char slave_path[64];
};

/* ---- listeners -------------------------------------------------------------------------- */

static struct listener *listener_new(lua_State *L, enum listener_kind kind)
{
	struct listener *l = lua_newuserdatauv(L, sizeof(*l), 0);

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->kind = kind;
	luaL_setmetatable(L, LISTENER_MT);
	return l;
}

/* Parse an IPv4 or IPv6 literal; false when it is neither. */
static bool oracle_inet_addr(const char *addr, int port, struct sockaddr_storage *ss,
                             socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return true;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return true;
	}
	return false;
}

/* oracle.tcp_listen([addr]) / oracle.udp_listen([addr]) -> listener | nil,msg,errno */
static int oracle_inet_listen(lua_State *L, enum listener_kind kind)
{
	const char *addr = luaL_optstring(L, 1, "127.0.0.1");
	struct sockaddr_storage ss;
	socklen_t len;
	struct listener *l;
	int type = kind == L_TCP ? SOCK_STREAM : SOCK_DGRAM;

	if (!oracle_inet_addr(addr, 0, &ss, &len))
		return luaL_argerror(L, 1, "not an IPv4 or IPv6 address");
	l = listener_new(L, kind);
	l->fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return hu_fail(L, errno, "socket");
	if (bind(l->fd, (struct sockaddr *)&ss, len) < 0)
		return hu_failf(L, errno, "bind %s: %s", addr, strerror(errno));
	if (kind == L_TCP && listen(l->fd, SOMAXCONN) < 0)
		return hu_fail(L, errno, "listen");
	len = sizeof(ss);
	getsockname(l->fd, (struct sockaddr *)&ss, &len);
	l->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
	snprintf(l->address, sizeof(l->address), ss.ss_family == AF_INET ? "%s:%d" : "[%s]:%d",
	         addr, l->port);
	return 1;
}

static int l_oracle_tcp_listen(lua_State *L)
{
	return oracle_inet_listen(L, L_TCP);
}

static int l_oracle_udp_listen(lua_State *L)
{
	return oracle_inet_listen(L, L_UDP);
}

/* oracle.unix_listen(path) / oracle.unix_dgram_listen(path) / oracle.abstract_listen(name)
 * -> listener | nil,msg,errno */
static int oracle_unix_listen(lua_State *L, enum listener_kind kind)
{
	size_t n;
	const char *name = luaL_checklstring(L, 1, &n);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t off = kind == L_ABSTRACT ? 1 : 0; /* abstract names start with a NUL byte */
	struct listener *l;

	if (n == 0 || n + off >= sizeof(sun.sun_path))
		return luaL_argerror(L, 1, "socket name empty or too long");
	memcpy(sun.sun_path + off, name, n);
	l = listener_new(L, kind);
	int type = listener_is_dgram(kind) ? SOCK_DGRAM : SOCK_STREAM;
	l->fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return hu_fail(L, errno, "socket");
	if (bind(l->fd, (struct sockaddr *)&sun,
	         (socklen_t)(offsetof(struct sockaddr_un, sun_path) + off + n)) < 0)
		return hu_failf(L, errno, "bind %s%s: %s", off ? "@" : "", name, strerror(errno));
	if (!off)
		memcpy(l->path, name, n + 1);
	if (type == SOCK_STREAM && listen(l->fd, SOMAXCONN) < 0)
		return hu_fail(L, errno, "listen");
	snprintf(l->address, sizeof(l->address), "%s%s", off ? "@" : "", name);
	return 1;
}

static int l_oracle_unix_listen(lua_State *L)
{
	return oracle_unix_listen(L, L_UNIX);
}

static int l_oracle_unix_dgram_listen(lua_State *L)
{
	return oracle_unix_listen(L, L_UNIX_DGRAM);
}

static int l_oracle_abstract_listen(lua_State *L)
{
	return oracle_unix_listen(L, L_ABSTRACT);
}

static struct listener *listener_check(lua_State *L)
{
	struct listener *l = luaL_checkudata(L, 1, LISTENER_MT);

	if (l->fd < 0)
		luaL_error(L, "listener is closed");
	return l;
}

/* Accept (and close) or receive everything pending without blocking. */
static void listener_service(struct listener *l)
{
	char buf[2048];

	for (;;) {
		if (listener_is_dgram(l->kind)) {
			if (recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno != EINTR)
				return;
		} else {
			int c = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);

			if (c < 0 && errno == EINTR)
				continue;
			if (c < 0)
				return;
			close(c);
		}
		l->contacts++;
	}
}

/* l:contacts() -> int: every contact seen so far. */
static int l_listener_contacts(lua_State *L)
{
	struct listener *l = listener_check(L);

	listener_service(l);
	lua_pushinteger(L, l->contacts);
	return 1;
}

/* l:poll(seconds) -> bool (one more contact arrived), contacts */
static int l_listener_poll(lua_State *L)
{
	struct listener *l = listener_check(L);
	double deadline = hu_now() + luaL_checknumber(L, 2);
	long before;
	struct pollfd p = {.fd = l->fd, .events = POLLIN};

	listener_service(l);
	before = l->contacts;
	while (l->contacts == before) {
		int ms = hu_ms_until(deadline);

		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			break;
		listener_service(l);
		if (ms == 0)
			break;
	}
	lua_pushboolean(L, l->contacts > before);
	lua_pushinteger(L, l->contacts);
	return 2;
}

static int l_listener_port(lua_State *L)
{
	struct listener *l = luaL_checkudata(L, 1, LISTENER_MT);

	if (l->kind == L_TCP || l->kind == L_UDP)
		lua_pushinteger(L, l->port);
	else
		lua_pushnil(L);
	return 1;
}

static int l_listener_address(lua_State *L)
{
	lua_pushstring(L, ((struct listener *)luaL_checkudata(L, 1, LISTENER_MT))->address);
	return 1;
}

/* l:close(), __gc and __close: close and unlink a pathname socket we bound. Stack: 0. */
static int l_listener_close(lua_State *L)
{
	struct listener *l = luaL_checkudata(L, 1, LISTENER_MT);

	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	if (l->path[0])
		unlink(l->path);
	l->path[0] = '\0';
	return 0;
}

/* ---- pty -------------------------------------------------------------------------------- */

static void pty_close(struct pty *t)
{
	if (t->master >= 0)
		close(t->master);
	if (t->slave >= 0)
		close(t->slave);
	t->master = t->slave = -1;
}

/* oracle.pty() -> pty | nil,msg,errno. The terminal is put in raw mode: in canonical mode an
 * injected byte without a newline would never become readable, so nothing would show. */
static int l_oracle_pty(lua_State *L)
{
	struct pty *t = lua_newuserdatauv(L, sizeof(*t), 0);
	struct termios tio;

	t->master = t->slave = -1;
	luaL_setmetatable(L, PTY_MT);
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0)
		return hu_fail(L, errno, "posix_openpt");
	if (grantpt(t->master) < 0 || unlockpt(t->master) < 0 ||
	    ptsname_r(t->master, t->slave_path, sizeof(t->slave_path)) != 0)
		return hu_fail(L, errno, "pty setup");
	t->slave = open(t->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (t->slave < 0)
		return hu_failf(L, errno, "open %s: %s", t->slave_path, strerror(errno));
	if (tcgetattr(t->slave, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(t->slave, TCSANOW, &tio);
	}
	return 1;
}

static struct pty *pty_check(lua_State *L, int idx)
{
	struct pty *t = luaL_checkudata(L, idx, PTY_MT);

	if (t->slave < 0)
		luaL_error(L, "pty is closed");
	return t;
}

int oracle_pty_fd(lua_State *L, int idx)
{
	return pty_check(L, idx)->slave;
}

static int l_pty_slave_path(lua_State *L)
{
	lua_pushstring(L, pty_check(L, 1)->slave_path);
	return 1;
}

/* t:input_pending() -> string: everything queued as input, read from the slave side. */
static int l_pty_input_pending(lua_State *L)
{
	struct pty *t = pty_check(L, 1);
	struct hu_buf *b = hu_buf_push(L);
	char chunk[4096];
	ssize_t n;

	while ((n = read(t->slave, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			hu_buf_addl(L, b, chunk, (size_t)n);
	lua_pushlstring(L, b->p ? b->p : "", b->len);
	return 1;
}

/* t:state() -> {rows, cols, iflag, oflag, lflag, cflag}: the terminal's size and mode now,
 * to compare before and after a run (a sandboxed command must not change them). Stack: +1. */
static int l_pty_state(lua_State *L)
{
	struct pty *t = pty_check(L, 1);
	struct winsize ws = {0};
	struct termios tio;

	if (ioctl(t->slave, TIOCGWINSZ, &ws) < 0 || tcgetattr(t->slave, &tio) < 0)
		return hu_fail(L, errno, "pty state");
	lua_createtable(L, 0, 6);
	lua_pushinteger(L, ws.ws_row);
	lua_setfield(L, -2, "rows");
	lua_pushinteger(L, ws.ws_col);
	lua_setfield(L, -2, "cols");
	lua_pushinteger(L, (lua_Integer)tio.c_iflag);
	lua_setfield(L, -2, "iflag");
	lua_pushinteger(L, (lua_Integer)tio.c_oflag);
	lua_setfield(L, -2, "oflag");
	lua_pushinteger(L, (lua_Integer)tio.c_lflag);
	lua_setfield(L, -2, "lflag");
	lua_pushinteger(L, (lua_Integer)tio.c_cflag);
	lua_setfield(L, -2, "cflag");
	return 1;
}

/* t:close(), __gc, __close. Stack: 0. */
static int l_pty_close(lua_State *L)
{
	pty_close(luaL_checkudata(L, 1, PTY_MT));
	return 0;
}

/* ---- tcp_connect ------------------------------------------------------------------------ */

/* oracle.tcp_connect(addr, port [, timeout=2]) -> true | nil,msg,errno */
static int l_oracle_tcp_connect(lua_State *L)
{
	const char *addr = luaL_checkstring(L, 1);
	lua_Integer port = luaL_checkinteger(L, 2);
	double timeout = luaL_optnumber(L, 3, 2.0);
	struct sockaddr_storage ss;
	socklen_t len, elen = sizeof(int);
	hu_cleanup_close int fd = -1;
	struct pollfd p;
	int err = 0;

	luaL_argcheck(L, port > 0 && port < 65536, 2, "not a port");
	if (!oracle_inet_addr(addr, (int)port, &ss, &len))
		return luaL_argerror(L, 1, "not an IPv4 or IPv6 address");
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hu_fail(L, errno, "socket");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		if (errno != EINPROGRESS)
			return hu_failf(L, errno, "connect %s:%d: %s", addr, (int)port,
			                strerror(errno));
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, hu_ms_until(hu_now() + timeout)) <= 0)
			return hu_failf(L, ETIMEDOUT, "connect %s:%d: timed out", addr, (int)port);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err)
			return hu_failf(L, err, "connect %s:%d: %s", addr, (int)port,
			                strerror(err));
	}
	lua_pushboolean(L, 1);
	return 1;
}

/* oracle.abstract_connect(name) -> true | nil,msg,errno: a host client of the abstract UNIX
 * socket @name (the one a command squatting that name would answer): connect, then close. */
static int l_oracle_abstract_connect(lua_State *L)
{
	size_t n;
	const char *name = luaL_checklstring(L, 1, &n);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	hu_cleanup_close int fd = -1;

	if (n == 0 || n + 1 >= sizeof(sun.sun_path))
		return luaL_argerror(L, 1, "socket name empty or too long");
	memcpy(sun.sun_path + 1, name, n);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hu_fail(L, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sun,
	            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0)
		return hu_failf(L, errno, "connect @%s: %s", name, strerror(errno));
	lua_pushboolean(L, 1);
	return 1;
}

int luaopen_oracle(lua_State *L)
{
	static const luaL_Reg listener_methods[] = {
	        {"port", l_listener_port},         {"address", l_listener_address},
	        {"contacts", l_listener_contacts}, {"poll", l_listener_poll},
	        {"close", l_listener_close},       {NULL, NULL},
	};
	static const luaL_Reg pty_methods[] = {
	        {"slave_path", l_pty_slave_path},
	        {"input_pending", l_pty_input_pending},
	        {"state", l_pty_state},
	        {"close", l_pty_close},
	        {NULL, NULL},
	};
	static const luaL_Reg fns[] = {
	        {"tcp_listen", l_oracle_tcp_listen},
	        {"udp_listen", l_oracle_udp_listen},
	        {"unix_listen", l_oracle_unix_listen},
	        {"unix_dgram_listen", l_oracle_unix_dgram_listen},
	        {"abstract_listen", l_oracle_abstract_listen},
	        {"pty", l_oracle_pty},
	        {"tcp_connect", l_oracle_tcp_connect},
	        {"abstract_connect", l_oracle_abstract_connect},
	        {NULL, NULL},
	};

	hu_new_class(L, LISTENER_MT, listener_methods, l_listener_close);
	hu_new_class(L, PTY_MT, pty_methods, l_pty_close);
	luaL_newlib(L, fns);
	return 1;
}
