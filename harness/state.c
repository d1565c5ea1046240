/* State creation: which libraries a scenario gets, where Lua code is found, and how the
 * runner's main.lua is called. */
#define _GNU_SOURCE
#include "harness.h"
#include "hutil.h"

#include <signal.h>
#include <stdio.h>

#include <lualib.h>

#ifndef CORDON_PROBE_DIR
#define CORDON_PROBE_DIR "probes"
#endif
#ifndef CORDON_LUA_DIR
#define CORDON_LUA_DIR "lua"
#endif
#ifndef CORDON_SOURCE_DIR
#define CORDON_SOURCE_DIR "."
#endif
#ifndef CORDON_BINARY_DIR
#define CORDON_BINARY_DIR "build"
#endif
#ifndef CORDON_BIN
#define CORDON_BIN "cordon"
#endif

static const char *state_env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

void harness_get_paths(struct harness_paths *p)
{
	p->probes = state_env_or("CORDON_PROBE_DIR", CORDON_PROBE_DIR);
	p->lua = state_env_or("CORDON_LUA_DIR", CORDON_LUA_DIR);
	p->source = CORDON_SOURCE_DIR;
	p->binary = CORDON_BINARY_DIR;
	p->cordon = state_env_or("CORDON_BIN", CORDON_BIN);
}

/* Replace the global os with one holding only time, date, clock and getenv: no execute,
 * remove, rename, exit, tmpname or setlocale. Stack: 0. */
static void state_reduce_os(lua_State *L)
{
	static const char *const keep[] = {"time", "date", "clock", "getenv"};

	luaL_requiref(L, "os", luaopen_os, 0);
	lua_createtable(L, 0, 4);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		lua_getfield(L, -2, keep[i]);
		lua_setfield(L, -2, keep[i]);
	}
	lua_pushvalue(L, -1);
	lua_setglobal(L, "os");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "os");
	lua_pop(L, 3);
}

/* require() of Lua files only: no loadlib, no C searchers, path = the Lua dir. Stack: 0. */
static void state_restrict_package(lua_State *L, const char *lua_dir)
{
	luaL_requiref(L, LUA_LOADLIBNAME, luaopen_package, 1);
	lua_pushnil(L);
	lua_setfield(L, -2, "loadlib");
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "cpath");
	lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", lua_dir, lua_dir);
	lua_setfield(L, -2, "path");
	/* searchers: 1 preload, 2 Lua files, 3 C libraries, 4 all-in-one C: drop 3 and 4. */
	lua_getfield(L, -1, "searchers");
	lua_pushnil(L);
	lua_rawseti(L, -2, 4);
	lua_pushnil(L);
	lua_rawseti(L, -2, 3);
	lua_pop(L, 2);
}

static void state_open_libs(lua_State *L)
{
	static const luaL_Reg libs[] = {
	        {LUA_GNAME, luaopen_base},
	        {LUA_COLIBNAME, luaopen_coroutine},
	        {LUA_TABLIBNAME, luaopen_table},
	        {LUA_STRLIBNAME, luaopen_string},
	        {LUA_MATHLIBNAME, luaopen_math},
	        {LUA_UTF8LIBNAME, luaopen_utf8},
	        {"proc", luaopen_proc},
	        {"re", luaopen_re},
	        {"fs", luaopen_fs},
	        {"oracle", luaopen_oracle},
	        {"clock", luaopen_clock},
	        {"json", luaopen_json},
	        {"host", luaopen_host},
	        {"sys", luaopen_sys},
	};
	struct harness_paths paths;

	harness_get_paths(&paths);
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
	state_restrict_package(L, paths.lua);
	state_reduce_os(L);
}

/* Runs under lua_pcall so that a memory error while opening cannot escape. */
static int state_open_protected(lua_State *L)
{
	state_open_libs(L);
	return 0;
}

lua_State *harness_new_state(void)
{
	lua_State *L = luaL_newstate();

	if (!L)
		return NULL;
	signal(SIGPIPE, SIG_IGN);
	lua_pushcfunction(L, state_open_protected);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		fprintf(stderr, "cordon-harness: %s\n", lua_tostring(L, -1));
		lua_close(L);
		return NULL;
	}
	return L;
}

int harness_eval(lua_State *L, const char *chunk, const char *name, int nresults)
{
	int base, rc;

	lua_pushcfunction(L, hu_traceback);
	base = lua_gettop(L);
	rc = luaL_loadbufferx(L, chunk, strlen(chunk), name ? name : "=eval", "t");
	if (rc == LUA_OK)
		rc = lua_pcall(L, 0, nresults, base);
	lua_remove(L, base);
	return rc;
}

/* Stack: +1, the args table of main(args). */
static void state_push_args(lua_State *L, int argc, char **argv)
{
	lua_createtable(L, argc > 1 ? argc - 1 : 0, 0);
	for (int i = 1; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i);
	}
}

static int state_report(lua_State *L, const char *what)
{
	fprintf(stderr, "cordon-harness: %s: %s\n", what, lua_tostring(L, -1));
	lua_pop(L, 1);
	return 2;
}

int harness_run_main(lua_State *L, int argc, char **argv)
{
	struct harness_paths paths;
	int base, status;
	const char *file;

	harness_get_paths(&paths);
	lua_pushcfunction(L, hu_traceback);
	base = lua_gettop(L);
	file = lua_pushfstring(L, "%s/harness/main.lua", paths.lua);
	if (luaL_loadfilex(L, file, "t") != LUA_OK || lua_pcall(L, 0, 1, base) != LUA_OK)
		return state_report(L, "loading main.lua");
	if (lua_type(L, -1) != LUA_TTABLE || lua_getfield(L, -1, "main") != LUA_TFUNCTION) {
		fprintf(stderr, "cordon-harness: %s does not return a table with main()\n", file);
		return 2;
	}
	state_push_args(L, argc, argv);
	if (lua_pcall(L, 1, 1, base) != LUA_OK)
		return state_report(L, "error");
	if (!lua_isinteger(L, -1)) {
		fprintf(stderr, "cordon-harness: main() returned %s, not an exit status\n",
		        luaL_typename(L, -1));
		return 2;
	}
	status = (int)lua_tointeger(L, -1);
	lua_settop(L, base - 1);
	return status;
}
