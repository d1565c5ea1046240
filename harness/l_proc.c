/* proc: spawning for scenarios (proc.run, proc.start and handles, proc.wait_any), the
 * "is anything with this marker still alive" oracle, and small process facts. The spawn
 * itself is proc_spawn.c; victims are l_victim.c. */
#define _GNU_SOURCE
#include "harness.h"
#include "hbind.h"
#include "hutil.h"
#include "proc.h"

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#define PROC_MT "cordon.proc"

struct proc_handle {
	struct hp_child c;
};

/* ---- spec parsing (everything it allocates lives on the Lua stack) --------------------- */

/* argv as a NULL-terminated array in a userdata (stack: +1). */
static char **proc_argv(lua_State *L, int spec)
{
	lua_Integer n;
	char **argv;

	if (lua_getfield(L, spec, "argv") != LUA_TTABLE)
		luaL_error(L, "proc: spec.argv must be a list of strings");
	n = (lua_Integer)lua_rawlen(L, -1);
	if (n < 1)
		luaL_error(L, "proc: spec.argv is empty");
	argv = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof(char *), 1);
	lua_insert(L, -2);
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_rawgeti(L, -1, i) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
			luaL_error(L, "proc: spec.argv[%d] must be a string", (int)i);
		argv[i - 1] = (char *)lua_tostring(L, -1); /* the argv table keeps it alive */
		lua_pop(L, 1);
	}
	argv[n] = NULL;
	lua_setiuservalue(L, -2, 1); /* the userdata keeps the argv table alive */
	return argv;
}

/* envp from spec.env (stack: +1, a userdata holding the strings in its user value), or NULL
 * when spec.env is nil (stack: +1, a nil). *path_var gets env.PATH when set. */
static char **proc_envp(lua_State *L, int spec, const char **path_var)
{
	size_t n = 0, i = 0;
	char **envp;

	*path_var = NULL;
	if (lua_getfield(L, spec, "env") == LUA_TNIL)
		return NULL;
	luaL_argexpected(L, lua_istable(L, -1), 1, "spec.env to be a table");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		n++;
	}
	envp = lua_newuserdatauv(L, (n + 1) * sizeof(char *), 1);
	lua_newtable(L); /* keeps the "K=V" strings alive */
	lua_pushnil(L);
	while (lua_next(L, -4)) {
		if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1))
			luaL_error(L, "proc: spec.env must map names to strings");
		if (strcmp(lua_tostring(L, -2), "PATH") == 0)
			*path_var = lua_tostring(L, -1);
		envp[i] = (char *)lua_pushfstring(L, "%s=%s", lua_tostring(L, -2),
		                                  lua_tostring(L, -1));
		lua_rawseti(L, -4, (lua_Integer)++i);
		lua_pop(L, 1);
	}
	envp[i] = NULL;
	lua_setiuservalue(L, -2, 1);
	lua_remove(L, -2); /* the env table: spec.env still references it, so *path_var lives */
	return envp;
}

static int proc_int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* spec.keep_fds sorted, deduplicated, only those above 2 (stack: +1, a userdata). */
static int *proc_keep_fds(lua_State *L, int spec, size_t *count)
{
	size_t n, k = 0;
	int *fds;

	*count = 0;
	if (lua_getfield(L, spec, "keep_fds") == LUA_TNIL)
		return NULL;
	luaL_argexpected(L, lua_istable(L, -1), 1, "spec.keep_fds to be a list");
	n = lua_rawlen(L, -1);
	fds = lua_newuserdatauv(L, (n ? n : 1) * sizeof(int), 0);
	for (size_t i = 1; i <= n; i++) {
		lua_Integer fd;

		lua_rawgeti(L, -2, (lua_Integer)i);
		fd = lua_tointeger(L, -1);
		if (!lua_isinteger(L, -1) || fd < 0 || fd > INT_MAX)
			luaL_error(L, "proc: spec.keep_fds[%d] is not an fd", (int)i);
		lua_pop(L, 1);
		if (fd > 2)
			fds[k++] = (int)fd;
	}
	qsort(fds, k, sizeof(int), proc_int_cmp);
	for (size_t i = 0; i < k; i++)
		if (*count == 0 || fds[*count - 1] != fds[i])
			fds[(*count)++] = fds[i];
	lua_remove(L, -2);
	return fds;
}

/* Fill s from the spec table at index 1; temporaries are pushed on the stack and must stay
 * there until the spawn is done. Returns 0, or pushes nil,msg,errno and returns 3. */
static int proc_parse_spec(lua_State *L, struct hp_spec *s)
{
	const char *path_var = NULL;
	char *resolved = NULL;
	size_t len = 0;

	luaL_checktype(L, 1, LUA_TTABLE);
	memset(s, 0, sizeof(*s));
	s->argv = proc_argv(L, 1);
	s->envp = proc_envp(L, 1, &path_var);
	s->keep_fds = proc_keep_fds(L, 1, &s->n_keep);
	s->cwd = hu_opt_string_field(L, 1, "cwd", NULL);
	s->timeout = hu_opt_number_field(L, 1, "timeout", 0);
	s->new_session = hu_opt_bool_field(L, 1, "new_session", true);
	s->pty_fd = -1;
	if (lua_getfield(L, 1, "stdin") != LUA_TNIL)
		s->stdin_data = luaL_checklstring(L, -1, &len);
	s->stdin_len = len;
	if (lua_getfield(L, 1, "pty") != LUA_TNIL)
		s->pty_fd = oracle_pty_fd(L, lua_gettop(L));
	errno = 0;
	/* Like execve after chdir: a relative path with a slash is relative to cwd. */
	if (s->cwd && s->argv[0][0] != '/' && strchr(s->argv[0], '/'))
		resolved = hu_search_path(lua_pushfstring(L, "%s/%s", s->cwd, s->argv[0]), NULL);
	else
		resolved = hu_search_path(s->argv[0], path_var);
	if (!resolved) {
		int err = errno ? errno : ENOENT;

		return hu_failf(L, err, "%s: %s", s->argv[0],
		                err == ENOENT ? "command not found" : strerror(err));
	}
	s->path = lua_pushstring(L, resolved);
	free(resolved);
	return 0;
}

/* ---- results and handles ---------------------------------------------------------------- */

static double proc_tv(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* The result table of a finished child. Stack: +1. */
static void proc_push_result(lua_State *L, const struct hp_child *c)
{
	lua_createtable(L, 0, 11);
	if (WIFEXITED(c->wstatus)) {
		lua_pushinteger(L, WEXITSTATUS(c->wstatus));
		lua_setfield(L, -2, "status");
	} else if (WIFSIGNALED(c->wstatus)) {
		lua_pushinteger(L, WTERMSIG(c->wstatus));
		lua_setfield(L, -2, "signal");
	}
	lua_pushboolean(L, c->timed_out);
	lua_setfield(L, -2, "timed_out");
	lua_pushlstring(L, c->out.p ? c->out.p : "", c->out.len);
	lua_setfield(L, -2, "stdout");
	lua_pushlstring(L, c->err.p ? c->err.p : "", c->err.len);
	lua_setfield(L, -2, "stderr");
	lua_pushnumber(L, c->end - c->start);
	lua_setfield(L, -2, "wall");
	lua_pushnumber(L, proc_tv(&c->ru.ru_utime));
	lua_setfield(L, -2, "utime");
	lua_pushnumber(L, proc_tv(&c->ru.ru_stime));
	lua_setfield(L, -2, "stime");
	lua_pushinteger(L, c->ru.ru_maxrss);
	lua_setfield(L, -2, "maxrss_kb");
	lua_pushinteger(L, c->pid);
	lua_setfield(L, -2, "pid");
}

static struct proc_handle *proc_check(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, PROC_MT);
}

/* __gc and __close: kill the group if still running, reap, free. Stack: 0. */
static int l_proc_gc(lua_State *L)
{
	hp_destroy(&proc_check(L, 1)->c);
	return 0;
}

/* Spawn from the spec at index 1 and push the handle (stack: +1), or push nil,msg,errno. */
static int proc_spawn(lua_State *L)
{
	struct hp_spec spec;
	struct proc_handle *h;
	char why[512];
	int rc, fail;

	fail = proc_parse_spec(L, &spec);
	if (fail)
		return fail;
	h = lua_newuserdatauv(L, sizeof(*h), 0);
	hp_init(&h->c);
	luaL_setmetatable(L, PROC_MT);
	rc = hp_spawn(&spec, &h->c, why, sizeof(why));
	if (rc < 0)
		return hu_failf(L, -rc, "%s", why);
	return 1;
}

/* proc.start(spec) -> handle | nil,msg,errno. */
static int l_proc_start(lua_State *L)
{
	return proc_spawn(L);
}

/* proc.run(spec) -> result | nil,msg,errno. The handle is closed before returning. */
static int l_proc_run(lua_State *L)
{
	struct proc_handle *h;
	struct hp_child *c;
	int n = proc_spawn(L);

	if (n != 1)
		return n;
	h = proc_check(L, -1);
	c = &h->c;
	hp_pump(&c, 1, false, -1);
	proc_push_result(L, c);
	hp_destroy(c);
	return 1;
}

/* handle:pid() -> int */
static int l_proc_pid(lua_State *L)
{
	lua_pushinteger(L, proc_check(L, 1)->c.pid);
	return 1;
}

/* handle:wait([timeout]) -> result | nil,"timeout" */
static int l_proc_wait(lua_State *L)
{
	struct hp_child *c = &proc_check(L, 1)->c;
	double t = luaL_optnumber(L, 2, -1);

	hp_pump(&c, 1, false, t >= 0 ? hu_now() + t : -1);
	if (!c->done) {
		lua_pushnil(L);
		lua_pushliteral(L, "timeout");
		return 2;
	}
	proc_push_result(L, c);
	return 1;
}

/* handle:kill([sig=9]) -> true: to the child's process group. */
static int l_proc_kill(lua_State *L)
{
	struct hp_child *c = &proc_check(L, 1)->c;

	hp_kill(c, (int)luaL_optinteger(L, 2, SIGKILL));
	lua_pushboolean(L, 1);
	return 1;
}

/* handle:done() -> bool, servicing pipes without blocking. */
static int l_proc_done(lua_State *L)
{
	struct hp_child *c = &proc_check(L, 1)->c;

	hp_pump(&c, 1, false, 0);
	lua_pushboolean(L, c->done);
	return 1;
}

/* proc.wait_any(handles, timeout) -> index, result | nil,"timeout". A handle already done
 * is returned at once, so callers remove what they got. */
static int l_proc_wait_any(lua_State *L)
{
	size_t n;
	struct hp_child **cs;
	double t = luaL_optnumber(L, 2, -1);

	luaL_checktype(L, 1, LUA_TTABLE);
	n = lua_rawlen(L, 1);
	if (n == 0)
		return luaL_argerror(L, 1, "empty list of handles");
	cs = lua_newuserdatauv(L, n * sizeof(*cs), 0);
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, 1, (lua_Integer)i + 1);
		cs[i] = &proc_check(L, -1)->c;
		lua_pop(L, 1);
	}
	hp_pump(cs, n, true, t >= 0 ? hu_now() + t : -1);
	for (size_t i = 0; i < n; i++) {
		if (cs[i]->done) {
			lua_pushinteger(L, (lua_Integer)i + 1);
			proc_push_result(L, cs[i]);
			return 2;
		}
	}
	lua_pushnil(L);
	lua_pushliteral(L, "timeout");
	return 2;
}

/* ---- markers ---------------------------------------------------------------------------- */

static bool proc_file_has(const char *pid, const char *file, const char *marker, size_t mlen)
{
	char path[300]; /* "/proc/" + a d_name (up to 255) + "/" + file */
	hu_cleanup_free char *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	data = hu_read_file(path, 1 << 20, &len);
	return data && memmem(data, len, marker, mlen) != NULL;
}

/* proc.alive_with_marker(marker) -> bool, {pids}: any process (but the harness itself)
 * whose environ or cmdline contains marker. Unreadable entries are skipped. */
static int l_proc_alive_with_marker(lua_State *L)
{
	size_t mlen;
	const char *marker = luaL_checklstring(L, 1, &mlen);
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid();
	lua_Integer n = 0;

	if (mlen == 0)
		return luaL_argerror(L, 1, "empty marker");
	if (!d)
		return hu_fail(L, errno, "/proc");
	lua_pushboolean(L, 0);
	lua_newtable(L);
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == self)
			continue;
		if (proc_file_has(e->d_name, "cmdline", marker, mlen) ||
		    proc_file_has(e->d_name, "environ", marker, mlen)) {
			lua_pushinteger(L, atoi(e->d_name));
			lua_rawseti(L, -2, ++n);
		}
	}
	closedir(d);
	lua_pushboolean(L, n > 0);
	lua_replace(L, -3);
	return 2;
}

/* proc.self_exe() -> path of the running harness. */
static int l_proc_self_exe(lua_State *L)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n < 0)
		return hu_fail(L, errno, "/proc/self/exe");
	lua_pushlstring(L, buf, (size_t)n);
	return 1;
}

/* proc.getpid() -> int */
static int l_proc_getpid(lua_State *L)
{
	lua_pushinteger(L, getpid());
	return 1;
}

int luaopen_proc(lua_State *L)
{
	static const luaL_Reg methods[] = {
	        {"pid", l_proc_pid},   {"wait", l_proc_wait}, {"kill", l_proc_kill},
	        {"done", l_proc_done}, {NULL, NULL},
	};
	static const luaL_Reg fns[] = {
	        {"run", l_proc_run},
	        {"start", l_proc_start},
	        {"wait_any", l_proc_wait_any},
	        {"alive_with_marker", l_proc_alive_with_marker},
	        {"self_exe", l_proc_self_exe},
	        {"getpid", l_proc_getpid},
	        {NULL, NULL},
	};

	hu_new_class(L, PROC_MT, methods, l_proc_gc);
	luaL_newlib(L, fns);
	proc_open_victim(L);
	return 1;
}
