/* re bindings of cordon-harness (PCRE2): match, find, gmatch, replace, flags, errors. */
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

static int re_setup(void **state)
{
	*state = harness_new_state();
	return *state ? 0 : -1;
}

static int re_teardown(void **state)
{
	lua_close(*state);
	return 0;
}

/* Run a chunk whose Lua assert()s are the checks; a raised error fails the test. */
static void re_must(lua_State *L, const char *chunk)
{
	if (harness_eval(L, chunk, "=test", 0) != LUA_OK) {
		print_error("%s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		fail();
	}
}

static void test_re_match_returns_captures(void **state)
{
	re_must(*state, "local rx = assert(re.compile('(\\\\w+)@(\\\\w+)(!)?'))\n"
	                "local whole, user, host, bang = rx:match('mail Bob@example now')\n"
	                "assert(whole == 'Bob@example' and user == 'Bob' and host == 'example')\n"
	                "assert(bang == nil, 'an unset group is nil')\n"
	                "assert(rx:match('nothing here') == nil)\n"
	                "assert(rx:match('a@b c@d', 4) == 'c@d', 'init is 1-based')\n");
}

static void test_re_find_positions(void **state)
{
	re_must(*state, "local rx = re.compile('b+')\n"
	                "local s, e = rx:find('aabbbc')\n"
	                "assert(s == 3 and e == 5, s..','..e)\n"
	                "assert(rx:find('aaa') == nil)\n"
	                "s, e = rx:find('bab', -1)\n"
	                "assert(s == 3 and e == 3)\n");
}

static void test_re_gmatch_whole_and_captures(void **state)
{
	re_must(*state,
	        "local got = {}\n"
	        "for n in re.compile('\\\\d+'):gmatch('a1 b22 c333') do got[#got+1] = n end\n"
	        "assert(table.concat(got, ',') == '1,22,333')\n"
	        "got = {}\n"
	        "for k, v in re.compile('(\\\\w)=(\\\\w)'):gmatch('a=1,b=2') do got[#got+1] = k..v "
	        "end\n"
	        "assert(table.concat(got, ',') == 'a1,b2')\n"
	        "got = {}\n"
	        "for m in re.compile('x*'):gmatch('axxb') do got[#got+1] = '<'..m..'>' end\n"
	        "assert(table.concat(got) == '<><xx><><>', table.concat(got))\n");
}

static void test_re_replace_references(void **state)
{
	re_must(*state, "local out, n = re.compile('(o)'):replace('foo boo', '[$1]')\n"
	                "assert(out == 'f[o][o] b[o][o]' and n == 4, out)\n"
	                "out, n = re.compile('o'):replace('foo', '0', false)\n"
	                "assert(out == 'f0o' and n == 1)\n"
	                "out, n = re.compile('a'):replace(string.rep('a', 5000), 'bbb')\n"
	                "assert(#out == 15000 and n == 5000, 'the output buffer must grow')\n"
	                "out, n = re.compile('z'):replace('abc', 'y')\n"
	                "assert(out == 'abc' and n == 0)\n");
}

static void test_re_flags(void **state)
{
	re_must(*state, "assert(re.compile('abc', 'i'):match('xABCx') == 'ABC')\n"
	                "assert(re.compile('^b', 'm'):match('a\\nb') == 'b')\n"
	                "assert(re.compile('^b'):match('a\\nb') == nil)\n"
	                "assert(re.compile('a.b', 's'):match('a\\nb') == 'a\\nb')\n"
	                "assert(re.compile('a b # comment', 'x'):match('ab') == 'ab')\n"
	                "assert(not pcall(re.compile, 'a', 'q'), 'unknown flag is misuse')\n");
}

static void test_re_bad_pattern_reports_offset(void **state)
{
	re_must(*state,
	        "local rx, msg, off = re.compile('ab(cd')\n"
	        "assert(rx == nil and off == 5, tostring(off))\n"
	        "assert(msg:find('offset 5'), msg)\n"
	        "rx, msg, off = re.compile('a[')\n"
	        "assert(rx == nil and off == 2 and msg:find('missing terminating'), msg)\n");
}

static void test_re_compiled_once(void **state)
{
	re_must(*state,
	        "local a = re.compile('x+y', 'i')\n"
	        "assert(re.compile('x+y', 'i') == a, 'same pattern and flags: same object')\n"
	        "assert(re.compile('x+y') ~= a, 'flags are part of the key')\n"
	        "do local c <close> = re.compile('q+') end\n"
	        "assert(re.compile('q+'):match('qq') == 'qq', 'a closed pattern is compiled "
	        "again')\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, re_setup, re_teardown)
	        T(test_re_match_returns_captures),
	        T(test_re_find_positions),
	        T(test_re_gmatch_whole_and_captures),
	        T(test_re_replace_references),
	        T(test_re_flags),
	        T(test_re_bad_pattern_reports_offset),
	        T(test_re_compiled_once),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
