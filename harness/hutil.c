/* Shared helpers of the harness bindings (see hutil.h). */
#define _GNU_SOURCE
#include "hutil.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* ---- errors ----------------------------------------------------------------------------- */

const char *hu_errno_name(int err)
{
	static char unknown[24];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(unknown, sizeof(unknown), "E%d", err);
	return unknown;
}

int hu_fail(lua_State *L, int err, const char *what)
{
	lua_pushnil(L);
	lua_pushfstring(L, "%s: %s", what, strerror(err));
	lua_pushstring(L, hu_errno_name(err));
	return 3;
}

int hu_failf(lua_State *L, int err, const char *fmt, ...)
{
	va_list ap;

	lua_pushnil(L);
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	lua_pushstring(L, hu_errno_name(err));
	return 3;
}

/* ---- time ------------------------------------------------------------------------------- */

double hu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hu_sleep(double seconds)
{
	struct timespec ts;

	if (!(seconds > 0))
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int hu_ms_until(double deadline)
{
	double ms;

	if (deadline < 0)
		return -1;
	/* Round up by hand (no libm): poll() must not wake just before the deadline. */
	ms = (deadline - hu_now()) * 1000.0;
	if (ms <= 0)
		return 0;
	return ms >= INT_MAX ? INT_MAX : (int)ms + ((double)(int)ms < ms);
}

/* ---- table fields ----------------------------------------------------------------------- */

const char *hu_opt_string_field(lua_State *L, int t, const char *key, const char *def)
{
	const char *s = def;

	if (lua_getfield(L, t, key) != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "field '%s' must be a string", key);
		/* The string stays referenced by the table, so the pointer outlives the pop. */
		s = lua_tostring(L, -1);
	}
	lua_pop(L, 1);
	return s;
}

double hu_opt_number_field(lua_State *L, int t, const char *key, double def)
{
	double v = def;

	if (lua_getfield(L, t, key) != LUA_TNIL) {
		if (!lua_isnumber(L, -1))
			luaL_error(L, "field '%s' must be a number", key);
		v = lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

bool hu_opt_bool_field(lua_State *L, int t, const char *key, bool def)
{
	bool v = def;

	if (lua_getfield(L, t, key) != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TBOOLEAN)
			luaL_error(L, "field '%s' must be a boolean", key);
		v = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

/* ---- fds -------------------------------------------------------------------------------- */

int hu_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

void hu_close_from(int from)
{
	struct rlimit rl;
	long max = 65536;

	if (syscall(SYS_close_range, (unsigned)from, ~0U, 0U) == 0)
		return;
	/* Kernels before 5.9 lack close_range: close one by one up to the fd limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur < max)
		max = (long)rl.rlim_cur;
	for (long fd = from; fd < max; fd++)
		close((int)fd);
}

/* ---- files and paths -------------------------------------------------------------------- */

static bool hu_is_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return false;
	}
	return access(path, X_OK) == 0;
}

/* The child may chdir before exec: a relative result must be made absolute here. */
static char *hu_absolute(char *path)
{
	char cwd[PATH_MAX];
	char *abs = NULL;

	if (!path || path[0] == '/')
		return path;
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&abs, "%s/%s", cwd, path) < 0)
		abs = NULL;
	free(path);
	return abs;
}

char *hu_search_path(const char *name, const char *path)
{
	hu_cleanup_free char *copy = NULL;
	char *save = NULL;

	if (strchr(name, '/'))
		return hu_is_executable(name) ? hu_absolute(strdup(name)) : NULL;
	if (!path)
		path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	copy = strdup(path);
	if (!copy)
		return NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = NULL;

		if (asprintf(&full, "%s/%s", *dir ? dir : ".", name) < 0)
			return NULL;
		if (hu_is_executable(full))
			return hu_absolute(full);
		free(full);
	}
	errno = ENOENT;
	return NULL;
}

char *hu_read_file(const char *path, size_t max, size_t *len)
{
	hu_cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r;

		if (n == cap) {
			char *bigger = cap >= max ? NULL : realloc(buf, cap * 2 + 1);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		r = read(fd, buf + n, (cap < max ? cap : max) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			free(buf);
			errno = saved;
			return NULL;
		}
		if (r == 0 || n + (size_t)r >= max) {
			n += (size_t)r;
			break;
		}
		n += (size_t)r;
	}
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

bool hu_read_int_file(const char *path, long *out)
{
	hu_cleanup_free char *s = hu_read_file(path, 64, NULL);
	char *end = NULL;

	if (!s)
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s;
}

/* ---- growable buffer -------------------------------------------------------------------- */

#define HU_BUF_MT "cordon.buf"

bool hu_buf_add(struct hu_buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p = NULL;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return false;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

void hu_buf_reset(struct hu_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void hu_buf_addl(lua_State *L, struct hu_buf *b, const void *data, size_t n)
{
	if (!hu_buf_add(b, data, n))
		luaL_error(L, "out of memory");
}

/* __gc and __close of the buffer userdata. Stack: 0. */
static int hu_buf_gc(lua_State *L)
{
	hu_buf_reset(luaL_checkudata(L, 1, HU_BUF_MT));
	return 0;
}

struct hu_buf *hu_buf_push(lua_State *L)
{
	struct hu_buf *b = lua_newuserdatauv(L, sizeof(*b), 0);

	memset(b, 0, sizeof(*b));
	if (luaL_getmetatable(L, HU_BUF_MT) == LUA_TNIL) {
		lua_pop(L, 1);
		hu_new_class(L, HU_BUF_MT, NULL, hu_buf_gc);
		luaL_getmetatable(L, HU_BUF_MT);
	}
	lua_setmetatable(L, -2);
	return b;
}

/* ---- userdata classes ------------------------------------------------------------------- */

void hu_new_class(lua_State *L, const char *tname, const luaL_Reg *methods, lua_CFunction gc)
{
	if (!luaL_newmetatable(L, tname)) {
		lua_pop(L, 1);
		return;
	}
	if (methods)
		luaL_setfuncs(L, methods, 0);
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, "__index");
	if (gc) {
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__close");
	}
	lua_pop(L, 1);
}

/* ---- Lua -------------------------------------------------------------------------------- */

int hu_traceback(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)",
			                      luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}
