/* cordon-harness: the C runner that embeds Lua 5.4 (contract: harness/API.md).
 *
 * Lifecycle: harness_new_state() -> harness_eval()/harness_run_main() -> lua_close().
 * Everything a scenario may touch is registered by harness_new_state(); closing the state
 * runs every userdata's __gc, which kills and reaps whatever the scenario left running. */
#ifndef CORDON_HARNESS_H
#define CORDON_HARNESS_H

#include <lua.h>

/* A fresh state with only base, package (no C loaders), coroutine, table, string, math, utf8,
 * a reduced os (time, date, clock, getenv) and the harness modules as globals. package.path
 * points at the Lua dir. Also ignores SIGPIPE for the whole process (writes to a dead child's
 * stdin must fail with EPIPE, not kill the harness). NULL when out of memory. */
lua_State *harness_new_state(void);

/* Run a chunk under lua_pcall with a traceback handler. Returns LUA_OK and leaves nresults
 * values (LUA_MULTRET: all) on the stack, or an error code and leaves one message string. */
int harness_eval(lua_State *L, const char *chunk, const char *name, int nresults);

/* Load <lua dir>/harness/main.lua, call its main(args) with argv[1..argc-1]; return its
 * integer exit status. A Lua error prints one message (with traceback) on stderr: 2. */
int harness_run_main(lua_State *L, int argc, char **argv);

/* Compiled-in locations, overridable by CORDON_PROBE_DIR, CORDON_LUA_DIR, CORDON_BIN. */
struct harness_paths {
	const char *probes;
	const char *lua;
	const char *source;
	const char *binary;
	const char *cordon;
};
void harness_get_paths(struct harness_paths *p);

/* The modules; each pushes its table (stack: +1). */
int luaopen_proc(lua_State *L);
int luaopen_re(lua_State *L);
int luaopen_fs(lua_State *L);
int luaopen_oracle(lua_State *L);
int luaopen_clock(lua_State *L);
int luaopen_json(lua_State *L);
int luaopen_host(lua_State *L);
int luaopen_sys(lua_State *L);

#endif
