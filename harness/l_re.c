/* re: PCRE2 for scenarios (the only file that talks to PCRE2). A pattern is compiled once:
 * re.compile caches by flags and pattern, and each compiled pattern owns match data sized
 * from it. Offsets given to and returned from Lua are 1-based like string.find; the offset
 * of a compile error is PCRE2's own (0-based byte offset into the pattern). */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include "harness.h"
#include "hutil.h"

#include <pcre2.h>

#define RE_MT "cordon.re"

static char re_cache_key;

struct re {
	pcre2_code *code;
	pcre2_match_data *md;
	uint32_t ncap; /* capture groups, not counting the whole match */
};

static struct re *re_check(lua_State *L)
{
	struct re *rx = luaL_checkudata(L, 1, RE_MT);

	if (!rx->code)
		luaL_error(L, "re: pattern was freed");
	return rx;
}

/* __gc and __close. Stack: 0. */
static int l_re_gc(lua_State *L)
{
	struct re *rx = luaL_checkudata(L, 1, RE_MT);

	pcre2_match_data_free(rx->md);
	pcre2_code_free(rx->code);
	rx->md = NULL;
	rx->code = NULL;
	return 0;
}

static uint32_t re_flags(lua_State *L, const char *flags)
{
	uint32_t opts = 0;

	for (const char *f = flags; *f; f++) {
		switch (*f) {
		case 'i':
			opts |= PCRE2_CASELESS;
			break;
		case 'm':
			opts |= PCRE2_MULTILINE;
			break;
		case 's':
			opts |= PCRE2_DOTALL;
			break;
		case 'x':
			opts |= PCRE2_EXTENDED;
			break;
		default:
			luaL_error(L, "re: unknown flag '%c' (use i, m, s, x)", *f);
		}
	}
	return opts;
}

/* re.compile(pattern [, flags]) -> rx | nil, message, offset */
static int l_re_compile(lua_State *L)
{
	size_t plen;
	const char *pat = luaL_checklstring(L, 1, &plen);
	const char *flags = luaL_optstring(L, 2, "");
	uint32_t opts = re_flags(L, flags);
	int errcode;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];
	struct re *rx;

	lua_rawgetp(L, LUA_REGISTRYINDEX, &re_cache_key);
	lua_pushfstring(L, "%s/", flags);
	lua_pushvalue(L, 1);
	lua_concat(L, 2);
	if (lua_rawget(L, -2) != LUA_TNIL && ((struct re *)lua_touserdata(L, -1))->code)
		return 1; /* a cached rx that was not closed */
	lua_pop(L, 1);
	rx = lua_newuserdatauv(L, sizeof(*rx), 0);
	memset(rx, 0, sizeof(*rx));
	luaL_setmetatable(L, RE_MT);
	rx->code = pcre2_compile((PCRE2_SPTR)pat, plen, opts, &errcode, &erroff, NULL);
	if (!rx->code) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		lua_pushnil(L);
		lua_pushfstring(L, "re: %s at offset %d in /%s/", (char *)msg, (int)erroff, pat);
		lua_pushinteger(L, (lua_Integer)erroff);
		return 3;
	}
	pcre2_jit_compile(rx->code,
	                  PCRE2_JIT_COMPLETE); /* optional: falls back to the interpreter */
	pcre2_pattern_info(rx->code, PCRE2_INFO_CAPTURECOUNT, &rx->ncap);
	rx->md = pcre2_match_data_create_from_pattern(rx->code, NULL);
	if (!rx->md)
		return luaL_error(L, "re: out of memory");
	lua_pushfstring(L, "%s/", flags);
	lua_pushvalue(L, 1);
	lua_concat(L, 2);
	lua_pushvalue(L, -2);
	lua_rawset(L, -4);
	return 1;
}

/* Lua's init convention: 1-based, negative from the end, clamped. 0-based result. */
static size_t re_init(lua_State *L, int idx, size_t len)
{
	lua_Integer i = luaL_optinteger(L, idx, 1);

	if (i < 0)
		i = (lua_Integer)len + i + 1 < 1 ? 1 : (lua_Integer)len + i + 1;
	else if (i == 0)
		i = 1;
	return (size_t)i - 1;
}

/* One match at offset; >= 0 on a match (the ovector is in rx->md), -1 on no match; other
 * PCRE2 errors (match limits, bad UTF) raise. */
static int re_exec(lua_State *L, struct re *rx, const char *s, size_t len, size_t off,
                   uint32_t opts)
{
	int rc;

	if (off > len)
		return -1;
	rc = pcre2_match(rx->code, (PCRE2_SPTR)s, len, off, opts, rx->md, NULL);
	if (rc == PCRE2_ERROR_NOMATCH)
		return -1;
	if (rc < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		return luaL_error(L, "re: match failed: %s", (char *)msg);
	}
	return rc;
}

/* Push capture i (0 = whole match); nil when the group did not take part. Stack: +1. */
static void re_push_group(lua_State *L, struct re *rx, const char *s, uint32_t i)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);

	if (ov[2 * i] == PCRE2_UNSET)
		lua_pushnil(L);
	else
		lua_pushlstring(L, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
}

/* rx:match(subject [, init]) -> whole, cap1, ... | nil */
static int l_re_match(lua_State *L)
{
	struct re *rx = re_check(L);
	size_t len;
	const char *s = luaL_checklstring(L, 2, &len);

	if (re_exec(L, rx, s, len, re_init(L, 3, len), 0) < 0) {
		lua_pushnil(L);
		return 1;
	}
	luaL_checkstack(L, (int)rx->ncap + 1, "re: too many captures");
	for (uint32_t i = 0; i <= rx->ncap; i++)
		re_push_group(L, rx, s, i);
	return (int)rx->ncap + 1;
}

/* rx:find(subject [, init]) -> start, end | nil (1-based, inclusive) */
static int l_re_find(lua_State *L)
{
	struct re *rx = re_check(L);
	size_t len;
	const char *s = luaL_checklstring(L, 2, &len);
	PCRE2_SIZE *ov;

	if (re_exec(L, rx, s, len, re_init(L, 3, len), 0) < 0) {
		lua_pushnil(L);
		return 1;
	}
	ov = pcre2_get_ovector_pointer(rx->md);
	lua_pushinteger(L, (lua_Integer)ov[0] + 1);
	lua_pushinteger(L, (lua_Integer)ov[1]);
	return 2;
}

/* The gmatch iterator; upvalues: rx, subject, next offset, "last match was empty". */
static int re_gmatch_next(lua_State *L)
{
	struct re *rx = luaL_checkudata(L, lua_upvalueindex(1), RE_MT);
	size_t len;
	const char *s = lua_tolstring(L, lua_upvalueindex(2), &len);
	size_t off = (size_t)lua_tointeger(L, lua_upvalueindex(3));
	bool was_empty = lua_toboolean(L, lua_upvalueindex(4));
	PCRE2_SIZE *ov;
	int rc = -1;

	if (!rx->code)
		return luaL_error(L, "re: pattern was freed");
	/* After an empty match, first try a non-empty one at the same place (pcre2demo). */
	if (was_empty)
		rc = re_exec(L, rx, s, len, off, PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED);
	if (rc < 0 && was_empty)
		off++;
	if (rc < 0)
		rc = re_exec(L, rx, s, len, off, 0);
	if (rc < 0) {
		lua_pushinteger(L, (lua_Integer)len + 1);
		lua_replace(L, lua_upvalueindex(3));
		return 0;
	}
	ov = pcre2_get_ovector_pointer(rx->md);
	lua_pushinteger(L, (lua_Integer)ov[1]);
	lua_replace(L, lua_upvalueindex(3));
	lua_pushboolean(L, ov[0] == ov[1]);
	lua_replace(L, lua_upvalueindex(4));
	if (rx->ncap == 0) {
		re_push_group(L, rx, s, 0);
		return 1;
	}
	luaL_checkstack(L, (int)rx->ncap, "re: too many captures");
	for (uint32_t i = 1; i <= rx->ncap; i++)
		re_push_group(L, rx, s, i);
	return (int)rx->ncap;
}

/* rx:gmatch(subject) -> iterator over whole matches, or the captures when there are some */
static int l_re_gmatch(lua_State *L)
{
	re_check(L);
	luaL_checkstring(L, 2);
	lua_settop(L, 2);
	lua_pushinteger(L, 0);
	lua_pushboolean(L, 0);
	lua_pushcclosure(L, re_gmatch_next, 4);
	return 1;
}

/* rx:replace(subject, replacement [, all=true]) -> string, count ($1 / ${name} references) */
static int l_re_replace(lua_State *L)
{
	struct re *rx = re_check(L);
	size_t slen, rlen;
	const char *s = luaL_checklstring(L, 2, &slen);
	const char *r = luaL_checklstring(L, 3, &rlen);
	uint32_t opts = PCRE2_SUBSTITUTE_OVERFLOW_LENGTH;
	PCRE2_SIZE outlen = slen + rlen + 64;
	struct hu_buf *b = hu_buf_push(L);
	int rc;

	if (lua_isnoneornil(L, 4) || lua_toboolean(L, 4))
		opts |= PCRE2_SUBSTITUTE_GLOBAL;
	/* With OVERFLOW_LENGTH a too-small buffer reports the size needed: retry once. */
	for (int attempt = 0; attempt < 2; attempt++) {
		char *p = realloc(b->p, outlen);

		if (!p)
			return luaL_error(L, "re: out of memory");
		b->p = p;
		b->cap = outlen;
		rc = pcre2_substitute(rx->code, (PCRE2_SPTR)s, slen, 0, opts, rx->md, NULL,
		                      (PCRE2_SPTR)r, rlen, (PCRE2_UCHAR *)b->p, &outlen);
		if (rc != PCRE2_ERROR_NOMEMORY)
			break;
	}
	if (rc < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		return luaL_error(L, "re: replace failed: %s", (char *)msg);
	}
	lua_pushlstring(L, b->p, outlen);
	lua_pushinteger(L, rc);
	return 2;
}

int luaopen_re(lua_State *L)
{
	static const luaL_Reg methods[] = {
	        {"match", l_re_match},     {"find", l_re_find}, {"gmatch", l_re_gmatch},
	        {"replace", l_re_replace}, {NULL, NULL},
	};
	static const luaL_Reg fns[] = {
	        {"compile", l_re_compile},
	        {NULL, NULL},
	};

	hu_new_class(L, RE_MT, methods, l_re_gc);
	/* Cache of compiled patterns, "<flags>/<pattern>" -> rx; weak values so that patterns
	 * nobody holds are still collected. */
	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "v");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &re_cache_key);
	luaL_newlib(L, fns);
	return 1;
}
