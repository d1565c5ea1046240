/* clock: monotonic time for measurements, wall time for reports. */
#define _GNU_SOURCE
#include "harness.h"
#include "hutil.h"

#include <time.h>

/* clock.now() -> seconds (CLOCK_MONOTONIC). Stack: +1. */
static int l_clock_now(lua_State *L)
{
	lua_pushnumber(L, hu_now());
	return 1;
}

/* clock.sleep(seconds). Stack: 0. */
static int l_clock_sleep(lua_State *L)
{
	hu_sleep(luaL_checknumber(L, 1));
	return 0;
}

/* clock.wall() -> epoch seconds as a float. Stack: +1. */
static int l_clock_wall(lua_State *L)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	return 1;
}

/* clock.iso8601([epoch]) -> "2026-11-22T10:00:00Z" (UTC, whole seconds). Stack: +1. */
static int l_clock_iso8601(lua_State *L)
{
	time_t t = luaL_opt(L, (time_t)luaL_checkinteger, 1, time(NULL));
	struct tm tm;
	char buf[32];

	if (!gmtime_r(&t, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return luaL_error(L, "time out of range");
	lua_pushstring(L, buf);
	return 1;
}

int luaopen_clock(lua_State *L)
{
	static const luaL_Reg fns[] = {
	        {"now", l_clock_now},   {"sleep", l_clock_sleep},
	        {"wall", l_clock_wall}, {"iso8601", l_clock_iso8601},
	        {NULL, NULL},
	};

	luaL_newlib(L, fns);
	return 1;
}
