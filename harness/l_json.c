/* json: a small encoder/decoder of our own for reports and probe lines.
 *
 * Encoding: tables whose keys are exactly 1..n are arrays, as are tables passed through
 * json.array(); other tables are objects with their keys sorted bytewise so output is stable.
 * Integers encode as integers; floats as the shortest of %.15g/%.16g/%.17g that reads back
 * exactly, with ".0" added when that looks like an integer (so the type survives a round trip);
 * NaN and infinities, which JSON cannot express, encode as null. Strings are escaped; bytes that
 * are not valid UTF-8 encode as \u00XX (read as Latin-1) so the output is always valid JSON.
 * Decoding: null becomes json.null, integers that fit stay integers, depth is limited. */
#define _GNU_SOURCE
#include "harness.h"
#include "hutil.h"

#include <stdio.h>

#define JSON_MAX_DEPTH 200

/* Registry keys (addresses are unique): the null sentinel and the weak set of arrays. */
static char json_null_key;
static char json_arrays_key;

/* ---- encoder ---------------------------------------------------------------------------- */

struct json_enc {
	lua_State *L;
	struct hu_buf *b;
	bool pretty;
};

static void json_put(struct json_enc *e, const char *s, size_t n)
{
	hu_buf_addl(e->L, e->b, s, n);
}

static void json_newline(struct json_enc *e, int depth)
{
	if (!e->pretty)
		return;
	json_put(e, "\n", 1);
	for (int i = 0; i < depth; i++)
		json_put(e, "  ", 2);
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 when invalid. */
static size_t json_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void json_put_string(struct json_enc *e, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];

	json_put(e, "\"", 1);
	for (size_t i = 0; i < n;) {
		size_t len = json_utf8_len(p + i, n - i);
		const char *short_esc = NULL;

		switch (p[i]) {
		case '"':
			short_esc = "\\\"";
			break;
		case '\\':
			short_esc = "\\\\";
			break;
		case '\n':
			short_esc = "\\n";
			break;
		case '\r':
			short_esc = "\\r";
			break;
		case '\t':
			short_esc = "\\t";
			break;
		case '\b':
			short_esc = "\\b";
			break;
		case '\f':
			short_esc = "\\f";
			break;
		default:
			break;
		}
		if (short_esc) {
			json_put(e, short_esc, 2);
			i++;
		} else if (len == 0 || p[i] < 0x20 || p[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
			json_put(e, esc, 6);
			i++;
		} else {
			json_put(e, s + i, len);
			i += len;
		}
	}
	json_put(e, "\"", 1);
}

static void json_put_number(struct json_enc *e, int idx)
{
	char buf[64];
	double d;
	int n = 0;

	if (lua_isinteger(e->L, idx)) {
		n = snprintf(buf, sizeof(buf), LUA_INTEGER_FMT,
		             (LUAI_UACINT)lua_tointeger(e->L, idx));
		json_put(e, buf, (size_t)n);
		return;
	}
	d = lua_tonumber(e->L, idx);
	if (d != d || d - d != 0) {
		json_put(e, "null", 4);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (!strpbrk(buf, ".eE"))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ".0");
	json_put(e, buf, (size_t)n);
}

static void json_encode_value(struct json_enc *e, int idx, int depth);

/* True (and *n set) when the table at idx is an array: forced by json.array(), or keys
 * exactly 1..n with n > 0. */
static bool json_is_array(lua_State *L, int idx, lua_Integer *n)
{
	lua_Integer count = 0, max = 0;
	bool forced;

	lua_rawgetp(L, LUA_REGISTRYINDEX, &json_arrays_key);
	lua_pushvalue(L, idx);
	forced = lua_rawget(L, -2) != LUA_TNIL;
	lua_pop(L, 2);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
			lua_pop(L, 1);
			*n = 0;
			return false;
		}
		count++;
		if (lua_tointeger(L, -1) > max)
			max = lua_tointeger(L, -1);
	}
	*n = max;
	return (count > 0 && count == max) || (forced && count == max);
}

static void json_encode_array(struct json_enc *e, int idx, lua_Integer n, int depth)
{
	json_put(e, "[", 1);
	for (lua_Integer i = 1; i <= n; i++) {
		if (i > 1)
			json_put(e, ",", 1);
		json_newline(e, depth + 1);
		lua_rawgeti(e->L, idx, i);
		json_encode_value(e, lua_gettop(e->L), depth + 1);
		lua_pop(e->L, 1);
	}
	if (n > 0)
		json_newline(e, depth);
	json_put(e, "]", 1);
}

struct json_key {
	const char *s;
	size_t n;
	lua_Integer orig; /* index of the original key in the keys table */
};

static int json_key_cmp(const void *a, const void *b)
{
	const struct json_key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Collect the keys of the table at idx into a new table (stack: +1) holding, for key i,
 * its string form at 2i-1 and the original key at 2i. Returns the count. */
static size_t json_collect_keys(lua_State *L, int idx)
{
	size_t n = 0;

	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TNUMBER && lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "json: cannot encode a %s key", luaL_typename(L, -1));
		lua_pushvalue(L, -1);
		lua_tostring(L, -1); /* converts the copy, not the key lua_next needs */
		lua_rawseti(L, -3, (lua_Integer)(2 * n + 1));
		lua_pushvalue(L, -1);
		lua_rawseti(L, -3, (lua_Integer)(2 * n + 2));
		n++;
	}
	return n;
}

static void json_encode_object(struct json_enc *e, int idx, int depth)
{
	lua_State *L = e->L;
	size_t n = json_collect_keys(L, idx);
	int keys = lua_gettop(L);
	struct json_key *k = lua_newuserdatauv(L, (n ? n : 1) * sizeof(*k), 0);

	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, keys, (lua_Integer)(2 * i + 1));
		k[i].s = lua_tolstring(L, -1, &k[i].n); /* kept alive by the keys table */
		k[i].orig = (lua_Integer)(2 * i + 2);
		lua_pop(L, 1);
	}
	qsort(k, n, sizeof(*k), json_key_cmp);
	json_put(e, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			json_put(e, ",", 1);
		json_newline(e, depth + 1);
		json_put_string(e, k[i].s, k[i].n);
		json_put(e, e->pretty ? ": " : ":", e->pretty ? 2 : 1);
		lua_rawgeti(L, keys, k[i].orig);
		lua_rawget(L, idx);
		json_encode_value(e, lua_gettop(L), depth + 1);
		lua_pop(L, 1);
	}
	if (n > 0)
		json_newline(e, depth);
	json_put(e, "}", 1);
	lua_pop(L, 2);
}

static void json_encode_table(struct json_enc *e, int idx, int depth)
{
	lua_Integer n;

	if (depth >= JSON_MAX_DEPTH)
		luaL_error(e->L, "json: nesting deeper than %d (a cycle?)", JSON_MAX_DEPTH);
	luaL_checkstack(e->L, 8, "json: nesting");
	if (json_is_array(e->L, idx, &n))
		json_encode_array(e, idx, n, depth);
	else
		json_encode_object(e, idx, depth);
}

static void json_encode_value(struct json_enc *e, int idx, int depth)
{
	lua_State *L = e->L;
	size_t n;
	const char *s;

	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		json_put(e, "null", 4);
		break;
	case LUA_TBOOLEAN:
		if (lua_toboolean(L, idx))
			json_put(e, "true", 4);
		else
			json_put(e, "false", 5);
		break;
	case LUA_TNUMBER:
		json_put_number(e, idx);
		break;
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &n);
		json_put_string(e, s, n);
		break;
	case LUA_TTABLE:
		json_encode_table(e, idx, depth);
		break;
	case LUA_TLIGHTUSERDATA:
		if (lua_touserdata(L, idx) == &json_null_key) {
			json_put(e, "null", 4);
			break;
		}
		/* fall through */
	default:
		luaL_error(L, "json: cannot encode a %s value", luaL_typename(L, idx));
	}
}

/* json.encode(value [, pretty]) -> string. Stack: +1. */
static int l_json_encode(lua_State *L)
{
	struct json_enc e = {.L = L, .pretty = lua_toboolean(L, 2)};

	luaL_checkany(L, 1);
	lua_settop(L, 1);
	e.b = hu_buf_push(L);
	json_encode_value(&e, 1, 0);
	lua_pushlstring(L, e.b->p ? e.b->p : "", e.b->len);
	return 1;
}

/* json.array(t) -> t, marked so that it encodes as an array even when empty. Stack: +1. */
static int l_json_array(lua_State *L)
{
	if (lua_isnoneornil(L, 1))
		lua_newtable(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &json_arrays_key);
	lua_pushvalue(L, 1);
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	lua_pop(L, 1);
	return 1;
}

/* ---- decoder ---------------------------------------------------------------------------- */

struct json_dec {
	lua_State *L;
	const char *s;
	size_t n, i;
	const char *err;
	size_t err_at;
};

static bool json_fail(struct json_dec *d, const char *msg)
{
	if (!d->err) {
		d->err = msg;
		d->err_at = d->i;
	}
	return false;
}

static void json_skip_ws(struct json_dec *d)
{
	while (d->i < d->n && strchr(" \t\r\n", d->s[d->i]) && d->s[d->i])
		d->i++;
}

static bool json_literal(struct json_dec *d, const char *word)
{
	size_t len = strlen(word);

	if (d->n - d->i < len || memcmp(d->s + d->i, word, len) != 0)
		return json_fail(d, "invalid literal");
	d->i += len;
	return true;
}

static int json_hex4(struct json_dec *d)
{
	int v = 0;

	if (d->n - d->i < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		char c = d->s[d->i++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void json_put_utf8(struct hu_buf *b, lua_State *L, unsigned cp)
{
	char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12), out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		out[0] = (char)(0xf0 | cp >> 18), out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), out[3] = (char)(0x80 | (cp & 0x3f)),
		n = 4;
	}
	hu_buf_addl(L, b, out, n);
}

/* After a backslash: append the escaped character. */
static bool json_escape(struct json_dec *d, struct hu_buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p = d->i < d->n ? strchr(from, d->s[d->i]) : NULL;
	int cp, lo;

	if (p && *p) {
		hu_buf_addl(d->L, b, &to[p - from], 1);
		d->i++;
		return true;
	}
	if (d->i >= d->n || d->s[d->i] != 'u')
		return json_fail(d, "invalid escape");
	d->i++;
	if ((cp = json_hex4(d)) < 0)
		return json_fail(d, "invalid \\u escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (d->n - d->i < 6 || d->s[d->i] != '\\' || d->s[d->i + 1] != 'u')
			return json_fail(d, "lone surrogate");
		d->i += 2;
		lo = json_hex4(d);
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(d, "invalid surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return json_fail(d, "lone surrogate");
	}
	json_put_utf8(b, d->L, (unsigned)cp);
	return true;
}

/* At the opening quote: push the string. */
static bool json_string(struct json_dec *d)
{
	struct hu_buf *b = hu_buf_push(d->L);

	d->i++;
	while (d->i < d->n && d->s[d->i] != '"') {
		unsigned char c = (unsigned char)d->s[d->i];

		if (c < 0x20)
			return json_fail(d, "control character in string");
		if (c == '\\') {
			d->i++;
			if (!json_escape(d, b))
				return false;
			continue;
		}
		hu_buf_addl(d->L, b, &d->s[d->i], 1);
		d->i++;
	}
	if (d->i >= d->n)
		return json_fail(d, "unterminated string");
	d->i++;
	lua_pushlstring(d->L, b->p ? b->p : "", b->len);
	lua_remove(d->L, -2);
	return true;
}

static bool json_number(struct json_dec *d)
{
	size_t start = d->i;
	bool is_float = false;
	char buf[64];

	if (d->s[d->i] == '-')
		d->i++;
	if (d->i >= d->n || !(d->s[d->i] >= '0' && d->s[d->i] <= '9'))
		return json_fail(d, "invalid number");
	while (d->i < d->n && strchr("0123456789+-.eE", d->s[d->i]) && d->s[d->i]) {
		if (strchr(".eE", d->s[d->i]))
			is_float = true;
		d->i++;
	}
	if (d->i - start >= sizeof(buf))
		return json_fail(d, "number too long");
	memcpy(buf, d->s + start, d->i - start);
	buf[d->i - start] = '\0';
	/* lua_stringtonumber keeps integers as integers and turns overflowing ones into floats. */
	if (lua_stringtonumber(d->L, buf) == 0)
		return json_fail(d, "invalid number");
	if (is_float && lua_isinteger(d->L, -1))
		lua_pushnumber(d->L, (lua_Number)lua_tointeger(d->L, -1)), lua_remove(d->L, -2);
	return true;
}

static bool json_value(struct json_dec *d, int depth);

static bool json_array_value(struct json_dec *d, int depth)
{
	lua_Integer n = 0;

	d->i++;
	lua_newtable(d->L);
	json_skip_ws(d);
	if (d->i < d->n && d->s[d->i] == ']') {
		d->i++;
		/* Mark empty arrays so that they encode back as []. */
		lua_rawgetp(d->L, LUA_REGISTRYINDEX, &json_arrays_key);
		lua_pushvalue(d->L, -2);
		lua_pushboolean(d->L, 1);
		lua_rawset(d->L, -3);
		lua_pop(d->L, 1);
		return true;
	}
	for (;;) {
		if (!json_value(d, depth + 1))
			return false;
		lua_rawseti(d->L, -2, ++n);
		json_skip_ws(d);
		if (d->i < d->n && d->s[d->i] == ',') {
			d->i++;
			continue;
		}
		if (d->i < d->n && d->s[d->i] == ']') {
			d->i++;
			return true;
		}
		return json_fail(d, "expected ',' or ']'");
	}
}

static bool json_object_value(struct json_dec *d, int depth)
{
	d->i++;
	lua_newtable(d->L);
	json_skip_ws(d);
	if (d->i < d->n && d->s[d->i] == '}') {
		d->i++;
		return true;
	}
	for (;;) {
		json_skip_ws(d);
		if (d->i >= d->n || d->s[d->i] != '"')
			return json_fail(d, "expected a string key");
		if (!json_string(d))
			return false;
		json_skip_ws(d);
		if (d->i >= d->n || d->s[d->i] != ':')
			return json_fail(d, "expected ':'");
		d->i++;
		if (!json_value(d, depth + 1))
			return false;
		lua_rawset(d->L, -3);
		json_skip_ws(d);
		if (d->i < d->n && d->s[d->i] == ',') {
			d->i++;
			continue;
		}
		if (d->i < d->n && d->s[d->i] == '}') {
			d->i++;
			return true;
		}
		return json_fail(d, "expected ',' or '}'");
	}
}

/* Parse one value and push it. */
static bool json_value(struct json_dec *d, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return json_fail(d, "nesting too deep");
	luaL_checkstack(d->L, 6, "json: nesting");
	json_skip_ws(d);
	if (d->i >= d->n)
		return json_fail(d, "unexpected end of input");
	switch (d->s[d->i]) {
	case '{':
		return json_object_value(d, depth);
	case '[':
		return json_array_value(d, depth);
	case '"':
		return json_string(d);
	case 't':
		lua_pushboolean(d->L, 1);
		return json_literal(d, "true");
	case 'f':
		lua_pushboolean(d->L, 0);
		return json_literal(d, "false");
	case 'n':
		lua_pushlightuserdata(d->L, &json_null_key);
		return json_literal(d, "null");
	default:
		return json_number(d);
	}
}

/* json.decode(string) -> value | nil, message. Stack: +1 or +2. */
static int l_json_decode(lua_State *L)
{
	struct json_dec d = {.L = L};

	d.s = luaL_checklstring(L, 1, &d.n);
	lua_settop(L, 1);
	if (json_value(&d, 0)) {
		json_skip_ws(&d);
		if (d.i == d.n)
			return 1;
		json_fail(&d, "trailing characters");
	}
	lua_settop(L, 1);
	lua_pushnil(L);
	lua_pushfstring(L, "json: %s at offset %d", d.err, (int)d.err_at);
	return 2;
}

int luaopen_json(lua_State *L)
{
	static const luaL_Reg fns[] = {
	        {"encode", l_json_encode},
	        {"decode", l_json_decode},
	        {"array", l_json_array},
	        {NULL, NULL},
	};

	/* Weak-keyed set of tables forced to encode as arrays. */
	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &json_arrays_key);

	luaL_newlib(L, fns);
	lua_pushlightuserdata(L, &json_null_key);
	lua_setfield(L, -2, "null");
	return 1;
}
