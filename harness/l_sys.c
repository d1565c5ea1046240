/* sys: the runner's own controls. budget() is how every scenario runs (pcall + traceback +
 * instruction budget); become_user() drops root for good before a battery runs, because
 * root hides failures; paths() says where probes, Lua code and the cordon binary are. */
#define _GNU_SOURCE
#include "harness.h"
#include "hutil.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* Hook granularity: the budget is checked every this many VM instructions (or n if less). */
#define BUDGET_STEP 1000

/* Registry: a weak-keyed table thread -> the budget that thread runs under, and the budget
 * most recently started, charged by coroutines made inside a budgeted call (they inherit
 * the count hook but are threads of their own). */
static char budget_threads_key;
static char budget_last_key;

struct budget {
	lua_Integer left;
};

/* Push the budget of L's thread, or the most recent one, or nil. Stack: +1. */
static void budget_push_current(lua_State *L)
{
	lua_rawgetp(L, LUA_REGISTRYINDEX, &budget_threads_key);
	lua_pushthread(L);
	if (lua_rawget(L, -2) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_rawgetp(L, LUA_REGISTRYINDEX, &budget_last_key);
	}
	lua_remove(L, -2);
}

/* Count hook: charge one step; raise once the budget is spent (and again at every later
 * step, so a scenario cannot swallow the error with its own pcall and carry on). */
static void budget_hook(lua_State *L, lua_Debug *ar)
{
	struct budget *b;

	if (ar->event != LUA_HOOKCOUNT)
		return;
	budget_push_current(L);
	b = lua_touserdata(L, -1);
	lua_pop(L, 1); /* the registry keeps it alive */
	if (!b)
		return;
	b->left -= lua_gethookcount(L);
	if (b->left <= 0)
		luaL_error(L, "instruction budget exceeded");
}

/* Stack slots of a sys.budget frame while fn runs. */
enum { BUDGET_HANDLER = 1, BUDGET_PREV, BUDGET_MINE, BUDGET_MASK, BUDGET_COUNT, BUDGET_FN };

/* Set thread -> budget (value at idx, may be nil). Stack: 0. */
static void budget_bind(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &budget_threads_key);
	lua_pushthread(L);
	lua_pushvalue(L, idx);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

/* After fn returned or raised (status): restore what the frame saved and return
 * true, results... or false, message. */
static int budget_finish(lua_State *L, int status)
{
	int mask = (int)lua_tointeger(L, BUDGET_MASK);

	budget_bind(L, BUDGET_PREV);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &budget_last_key);
	if (lua_rawequal(L, -1, BUDGET_MINE)) {
		lua_pushvalue(L, BUDGET_PREV);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &budget_last_key);
	}
	lua_pop(L, 1);
	if (mask)
		lua_sethook(L, budget_hook, mask, (int)lua_tointeger(L, BUDGET_COUNT));
	else
		lua_sethook(L, NULL, 0, 0);
	lua_pushboolean(L, status == LUA_OK || status == LUA_YIELD);
	lua_replace(L, BUDGET_COUNT);
	lua_rotate(L, 1, -(BUDGET_COUNT - 1));
	lua_pop(L, BUDGET_COUNT - 1);
	return lua_gettop(L);
}

/* Continuation after fn yielded (the scheduler runs scenarios as coroutines). */
static int budget_continue(lua_State *L, int status, lua_KContext ctx)
{
	return budget_finish(L, status);
}

/* sys.budget(n, fn, ...) -> true, ... | false, message (with traceback). fn may yield. */
static int l_sys_budget(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	int nargs = lua_gettop(L) - 2;
	struct budget *b;

	luaL_argcheck(L, n > 0, 1, "budget must be positive");
	luaL_checktype(L, 2, LUA_TFUNCTION);
	luaL_checkstack(L, 8, "sys.budget");
	/* Build the frame below fn and its arguments. */
	lua_pushcfunction(L, hu_traceback);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &budget_threads_key);
	lua_pushthread(L);
	lua_rawget(L, -2);
	lua_remove(L, -2); /* PREV: this thread's own budget (nil when none) */
	b = lua_newuserdatauv(L, sizeof(*b), 0);
	b->left = n;
	lua_pushinteger(L, lua_gethookmask(L));
	lua_pushinteger(L, lua_gethookcount(L));
	lua_rotate(L, 2, 5); /* n, HANDLER..COUNT, fn, args... */
	lua_remove(L, 1);    /* HANDLER..COUNT, fn, args... */
	budget_bind(L, BUDGET_MINE);
	lua_pushvalue(L, BUDGET_MINE);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &budget_last_key);
	lua_sethook(L, budget_hook, LUA_MASKCOUNT, n < BUDGET_STEP ? (int)n : BUDGET_STEP);
	return budget_finish(L,
	                     lua_pcallk(L, nargs, LUA_MULTRET, BUDGET_HANDLER, 0, budget_continue));
}

/* sys.stderr(s): write s to the harness's stderr (scenarios get no io). Stack: 0. */
static int l_sys_stderr(lua_State *L)
{
	size_t n;
	const char *s = luaL_checklstring(L, 1, &n);

	while (n > 0) {
		ssize_t w = write(2, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* useradd --system --no-create-home: the one program the harness runs itself. */
static int sys_useradd(const char *name, char *why, size_t why_len)
{
	char *path = hu_search_path("useradd", "/usr/sbin:/sbin:/usr/bin:/bin");
	int status = 0;
	pid_t pid;

	if (!path) {
		snprintf(why, why_len, "useradd not found");
		return ENOENT;
	}
	pid = fork();
	if (pid == 0) {
		char *argv[] = {path,      "--system",          "--no-create-home",
		                "--shell", "/usr/sbin/nologin", (char *)name,
		                NULL};

		execv(path, argv);
		_exit(127);
	}
	free(path);
	if (pid < 0)
		return errno;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, why_len, "useradd %s failed (status %d)", name, WEXITSTATUS(status));
		return EIO;
	}
	return 0;
}

#define SYS_TEST_USER "cordon-test"

/* The user's passwd entry, created first when missing and create is set (root only).
 * NULL after pushing nil,msg,errno (*nret = 3). */
static struct passwd *sys_find_user(lua_State *L, const char *name, bool create, int *nret)
{
	struct passwd *pw = getpwnam(name);
	char why[256];
	int err;

	if (!pw && create) {
		/* The harness makes one account of its own and never another: --as-user with a
		 * typo must not add a user to the machine. */
		if (strcmp(name, SYS_TEST_USER) != 0) {
			*nret = hu_failf(L, ENOENT,
			                 "%s: no such user (the harness creates only %s; create %s "
			                 "yourself)",
			                 name, SYS_TEST_USER, name);
			return NULL;
		}
		if (geteuid() != 0) {
			*nret = hu_failf(L, EPERM, "cannot create user %s: not running as root",
			                 name);
			return NULL;
		}
		err = sys_useradd(name, why, sizeof(why));
		if (err) {
			*nret = hu_failf(L, err, "cannot create user %s: %s", name, why);
			return NULL;
		}
		pw = getpwnam(name);
	}
	if (!pw)
		*nret = hu_failf(L, ENOENT, "%s: no such user", name);
	return pw;
}

/* sys.ensure_user(name) -> uid, gid | nil,msg,errno: create the user if missing (root),
 * without dropping anything, so that its output folder can be chowned first. */
static int l_sys_ensure_user(lua_State *L)
{
	int nret = 0;
	struct passwd *pw = sys_find_user(L, luaL_checkstring(L, 1), true, &nret);

	if (!pw)
		return nret;
	lua_pushinteger(L, pw->pw_uid);
	lua_pushinteger(L, pw->pw_gid);
	return 2;
}

/* sys.become_user(name [, create=true]) -> uid, gid | nil,msg,errno. Root only; permanent. */
static int l_sys_become_user(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	bool create = lua_isnoneornil(L, 2) || lua_toboolean(L, 2);
	struct passwd *pw;
	uid_t uid;
	gid_t gid;
	int nret = 0;

	if (geteuid() != 0)
		return hu_failf(L, EPERM, "become_user %s: not running as root", name);
	pw = sys_find_user(L, name, create, &nret);
	if (!pw)
		return nret;
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	/* Programs run later ask $HOME and $USER: make them name who we now are. */
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return hu_fail(L, errno, "become_user: dropping privileges");
	/* Verify, including that root cannot be taken back. */
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid ||
	    (uid != 0 && setuid(0) == 0))
		return luaL_error(L, "become_user %s: privileges were not dropped", name);
	/* The kernel made us non-dumpable when the ids changed, which makes our /proc files
	 * (and those of every child we fork: victims, user-namespace checks) root's. Nothing of
	 * root's is left to guard once it is gone for good, so be an ordinary process again. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	lua_pushinteger(L, uid);
	lua_pushinteger(L, gid);
	return 2;
}

/* sys.paths() -> {probes, lua, source, binary, cordon} */
static int l_sys_paths(lua_State *L)
{
	struct harness_paths p;

	harness_get_paths(&p);
	lua_createtable(L, 0, 5);
	lua_pushstring(L, p.probes);
	lua_setfield(L, -2, "probes");
	lua_pushstring(L, p.lua);
	lua_setfield(L, -2, "lua");
	lua_pushstring(L, p.source);
	lua_setfield(L, -2, "source");
	lua_pushstring(L, p.binary);
	lua_setfield(L, -2, "binary");
	lua_pushstring(L, p.cordon);
	lua_setfield(L, -2, "cordon");
	return 1;
}

int luaopen_sys(lua_State *L)
{
	static const luaL_Reg fns[] = {
	        {"budget", l_sys_budget},
	        {"become_user", l_sys_become_user},
	        {"paths", l_sys_paths},
	        {"stderr", l_sys_stderr},
	        {"ensure_user", l_sys_ensure_user},
	        {NULL, NULL},
	};
	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &budget_threads_key);
	luaL_newlib(L, fns);
	return 1;
}
