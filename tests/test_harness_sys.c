/* sys, clock and host bindings of cordon-harness: the instruction budget, paths, clocks,
 * the host fingerprint, and the libraries a scenario is (not) given. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "harness.h"
#include "testutil.h"

static int sys_setup(void **state)
{
	*state = harness_new_state();
	return *state ? 0 : -1;
}

static int sys_teardown(void **state)
{
	lua_close(*state);
	return 0;
}

/* Run a chunk whose Lua assert()s are the checks; a raised error fails the test. */
static void sys_must(lua_State *L, const char *chunk)
{
	if (harness_eval(L, chunk, "=test", 0) != LUA_OK) {
		print_error("%s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		fail();
	}
}

static void test_sys_budget_stops_loops(void **state)
{
	sys_must(*state,
	         "local ok, a, b = sys.budget(100000, function(x, y) return x + y, 'v' end, 2, 3)\n"
	         "assert(ok == true and a == 5 and b == 'v')\n"
	         "local ok2, msg = sys.budget(100000, function() while true do end end)\n"
	         "assert(ok2 == false and msg:find('instruction budget exceeded'), msg)\n"
	         "ok2, msg = sys.budget(100000, function()\n"
	         "  pcall(function() while true do end end)\n"
	         "  while true do end\n"
	         "end)\n"
	         "assert(ok2 == false and msg:find('budget'), 'a pcall must not swallow the "
	         "budget')\n"
	         "ok2, msg = sys.budget(1000, function() error('boom') end)\n"
	         "assert(ok2 == false and msg:find('boom') and msg:find('stack traceback'), msg)\n"
	         "local n = 0\n"
	         "for i = 1, 100000 do n = n + 1 end\n"
	         "assert(n == 100000, 'no budget outside sys.budget')\n");
}

static void test_sys_budget_nested_and_coroutines(void **state)
{
	sys_must(*state,
	         "local ok, inner_ok = sys.budget(10000000, function()\n"
	         "  local r = sys.budget(1000, function() while true do end end)\n"
	         "  for i = 1, 10000 do end\n"
	         "  return r\n"
	         "end)\n"
	         "assert(ok == true and inner_ok == false, 'the outer budget is restored')\n"
	         "local ok2 = sys.budget(100000, function()\n"
	         "  coroutine.wrap(function() while true do end end)()\n"
	         "end)\n"
	         "assert(ok2 == false, 'coroutines are under the budget too')\n");
}

static void test_sys_budget_lets_fn_yield(void **state)
{
	/* The scheduler runs scenarios as coroutines that yield while waiting: a budgeted
	 * callback must be able to yield, and the budget must follow its thread only. */
	sys_must(*state,
	         "local co = coroutine.create(function()\n"
	         "  return sys.budget(1000000, function(x)\n"
	         "    local y = coroutine.yield('waiting', x)\n"
	         "    return x + y\n"
	         "  end, 40)\n"
	         "end)\n"
	         "local ok, what, x = coroutine.resume(co)\n"
	         "assert(ok and what == 'waiting' and x == 40, tostring(what))\n"
	         "for i = 1, 3000000 do end -- the main thread is not charged\n"
	         "local ok2, bok, sum = coroutine.resume(co, 2)\n"
	         "assert(ok2 and bok == true and sum == 42, tostring(sum))\n"
	         "local spin = coroutine.create(function()\n"
	         "  return sys.budget(100000, function() coroutine.yield() while true do end end)\n"
	         "end)\n"
	         "coroutine.resume(spin)\n"
	         "local _, bok2, msg = coroutine.resume(spin)\n"
	         "assert(bok2 == false and msg:find('budget'), tostring(msg))\n");
}

static void test_sys_stderr_and_users(void **state)
{
	sys_must(*state, "sys.stderr('')\n"
	                 "assert(not pcall(sys.stderr), 'a string is required')\n"
	                 "local uid, gid = sys.ensure_user('root')\n"
	                 "assert(uid == 0 and gid == 0)\n"
	                 "if host.getuid() ~= 0 then\n"
	                 "  local u, msg, e = sys.ensure_user('cordon-no-such-user-x')\n"
	                 "  assert(u == nil and e == 'EPERM', msg)\n"
	                 "end\n");
}

static void test_sys_libraries_are_restricted(void **state)
{
	sys_must(*state,
	         "assert(io == nil and debug == nil)\n"
	         "assert(os.execute == nil and os.remove == nil and os.exit == nil)\n"
	         "assert(type(os.time) == 'function' and type(os.getenv) == 'function')\n"
	         "assert(package.loadlib == nil and package.cpath == '')\n"
	         "assert(#package.searchers == 2)\n"
	         "for _, m in ipairs{'proc','re','fs','oracle','clock','json','host','sys'} do\n"
	         "  assert(type(_G[m]) == 'table' and package.loaded[m] == _G[m], m)\n"
	         "end\n"
	         "local p = sys.paths()\n"
	         "assert(package.path == p.lua..'/?.lua;'..p.lua..'/?/init.lua', package.path)\n"
	         "assert(p.probes and p.source and p.binary and p.cordon)\n");
}

static void test_sys_clock(void **state)
{
	sys_must(*state, "local a = clock.now()\n"
	                 "clock.sleep(0.01)\n"
	                 "assert(clock.now() > a, 'monotonic time advances')\n"
	                 "assert(math.abs(clock.wall() - os.time()) < 5)\n"
	                 "assert(clock.iso8601():match('^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$'))\n"
	                 "assert(clock.iso8601(0) == '1970-01-01T00:00:00Z')\n");
}

static void test_sys_host_fingerprint(void **state)
{
	sys_must(
	        *state,
	        "local f = host.fingerprint()\n"
	        "assert(type(f.kernel) == 'string' and #f.kernel > 0)\n"
	        "assert(type(f.arch) == 'string' and type(f.os) == 'string' and type(f.hostname) "
	        "== 'string')\n"
	        "assert(math.type(f.landlock_abi) == 'integer' and f.landlock_abi >= 0)\n"
	        "assert(type(f.userns) == 'boolean' and type(f.userns_why) == 'string')\n"
	        "assert(type(f.seccomp) == 'boolean' and type(f.seccomp_notify) == 'boolean')\n"
	        "assert(f.cgroup == 'v1' or f.cgroup == 'v2' or f.cgroup == 'none')\n"
	        "assert(f.uid == host.getuid() and f.nproc >= 1)\n"
	        "assert(json.decode(json.encode(f)).kernel == f.kernel)\n"
	        "assert(host.which('sh') and host.which('cordon-surely-not-installed') == nil)\n"
	        "assert(host.user('root').uid == 0 and host.user('cordon-no-such-user') == nil)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sys_setup, sys_teardown)
	        T(test_sys_budget_stops_loops),       T(test_sys_budget_nested_and_coroutines),
	        T(test_sys_budget_lets_fn_yield),     T(test_sys_stderr_and_users),
	        T(test_sys_libraries_are_restricted), T(test_sys_clock),
	        T(test_sys_host_fingerprint),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
