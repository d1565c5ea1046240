/* json binding of cordon-harness: round trips, escapes, stable key order, numbers, null,
 * arrays, and decoding errors. */
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

static int json_setup(void **state)
{
	*state = harness_new_state();
	return *state ? 0 : -1;
}

static int json_teardown(void **state)
{
	lua_close(*state);
	return 0;
}

/* Run a chunk whose Lua assert()s are the checks; a raised error fails the test. */
static void json_must(lua_State *L, const char *chunk)
{
	if (harness_eval(L, chunk, "=test", 0) != LUA_OK) {
		print_error("%s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		fail();
	}
}

static void test_json_round_trip_nested(void **state)
{
	json_must(*state, "local v = {name='x', list={1, 2, {deep={true, false}}}, n=-7, f=0.5, "
	                  "empty=json.array()}\n"
	                  "local s = json.encode(v)\n"
	                  "assert(s == "
	                  "'{\"empty\":[],\"f\":0.5,\"list\":[1,2,{\"deep\":[true,false]}],\"n\":-"
	                  "7,\"name\":\"x\"}', s)\n"
	                  "local back = assert(json.decode(s))\n"
	                  "assert(back.list[3].deep[1] == true and back.list[3].deep[2] == false)\n"
	                  "assert(math.type(back.n) == 'integer' and back.f == 0.5)\n"
	                  "assert(json.encode(back) == s, 'encode(decode(s)) == s')\n"
	                  "assert(json.encode(v, true):find('\\n  \"f\": 0.5,'), 'pretty output is "
	                  "indented')\n");
}

static void test_json_escapes(void **state)
{
	json_must(*state,
	          "local s = json.encode('q\"b\\\\n\\n\\t\\1\\127é')\n"
	          "assert(s == '\"q\\\\\"b\\\\\\\\n\\\\n\\\\t\\\\u0001\\\\u007fé\"', s)\n"
	          "assert(json.decode(s) == 'q\"b\\\\n\\n\\t\\1\\127é')\n"
	          "assert(json.encode('\\xff') == '\"\\\\u00ff\"', 'invalid UTF-8 is escaped')\n"
	          "assert(json.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\\\\/\"') == 'é😀/')\n");
}

static void test_json_numbers(void **state)
{
	json_must(*state,
	          "assert(json.encode(3) == '3' and json.encode(-0) == '0')\n"
	          "assert(json.encode(2.0) == '2.0', 'floats stay floats')\n"
	          "assert(json.encode(0.1) == '0.1' and json.encode(1/3) == '0.3333333333333333')\n"
	          "assert(json.encode(0/0) == 'null' and json.encode(math.huge) == 'null')\n"
	          "assert(math.type(json.decode('2.0')) == 'float' and math.type(json.decode('2')) "
	          "== 'integer')\n"
	          "assert(json.decode('1e3') == 1000.0 and json.decode('-12') == -12)\n"
	          "assert(json.decode(json.encode(math.maxinteger)) == math.maxinteger)\n");
}

static void test_json_null_and_arrays(void **state)
{
	json_must(*state,
	          "assert(json.encode({1, json.null, 3}) == '[1,null,3]')\n"
	          "local t = json.decode('[1,null,3]')\n"
	          "assert(t[2] == json.null and #t == 3)\n"
	          "assert(json.encode({}) == '{}' and json.encode(json.array({})) == '[]')\n"
	          "assert(json.encode(json.decode('[]')) == '[]', 'a decoded empty array stays an "
	          "array')\n"
	          "assert(json.encode({[1]='a', [3]='c'}) == '{\"1\":\"a\",\"3\":\"c\"}', 'holes "
	          "make an object')\n"
	          "assert(json.encode({b=1, a=2, c={z=1, y=2}}) == "
	          "'{\"a\":2,\"b\":1,\"c\":{\"y\":2,\"z\":1}}')\n");
}

static void test_json_errors(void **state)
{
	json_must(*state,
	          "local v, msg = json.decode('[1, 2')\n"
	          "assert(v == nil and msg:find('offset'), msg)\n"
	          "v, msg = json.decode('{\"a\" 1}')\n"
	          "assert(v == nil and msg:find(\"expected ':'\"), msg)\n"
	          "assert(json.decode('[1] x') == nil, 'trailing text')\n"
	          "assert(json.decode('\"\\\\ud800\"') == nil, 'lone surrogate')\n"
	          "assert(json.decode(string.rep('[', 1000)) == nil, 'depth is limited')\n"
	          "assert(not pcall(json.encode, {f=print}), 'functions cannot be encoded')\n"
	          "local c = {}; c.self = c\n"
	          "assert(not pcall(json.encode, c), 'cycles are detected')\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, json_setup, json_teardown)
	        T(test_json_round_trip_nested), T(test_json_escapes), T(test_json_numbers),
	        T(test_json_null_and_arrays),   T(test_json_errors),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
