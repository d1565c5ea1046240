/* A reader of git's config syntax (git-config(1), "CONFIGURATION FILE"), pure: text in,
 * variables out. It follows git's own parser where it matters for what gets executed: a
 * section header may be followed by a variable on the same line, whitespace runs inside a
 * value are kept, quotes and backslash escapes are undone, a backslash at the end of a line
 * continues the value. Where git would reject the whole file this reader skips the line: a
 * variable seen here that git would not honour costs a protected path, one missed could cost
 * the host. */
#define _GNU_SOURCE
#include <ctype.h>
#include <string.h>

#include "gitscan.h"

#define CFG_EOF (-1)

struct buf {
	char *s;
	size_t n, cap;
};

static int buf_add(struct buf *b, char c)
{
	if (b->n + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *s = realloc(b->s, cap);
		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
	return 0;
}

static void buf_reset(struct buf *b)
{
	b->n = 0;
	if (b->s)
		b->s[0] = '\0';
}

struct reader {
	const char *p, *end;
	int last; /* the character next_char returned last */
	struct buf section, sub, name, value;
	bool in_section, has_sub;
	cordon_gitconfig_fn fn;
	void *ctx;
};

/* The next character, "\r\n" read as "\n" (as git does). */
static int next_char(struct reader *r)
{
	if (r->p >= r->end)
		return r->last = CFG_EOF;
	int c = (unsigned char)*r->p++;
	if (c == '\r' && r->p < r->end && *r->p == '\n')
		c = (unsigned char)*r->p++;
	return r->last = c;
}

static void skip_line(struct reader *r)
{
	int c;
	do
		c = next_char(r);
	while (c != '\n' && c != CFG_EOF);
}

static bool is_key_char(int c)
{
	return isalnum(c) || c == '-';
}

/* `[section "sub"]` after the blank that follows the name: the quoted subsection, as written
 * (backslash escapes any character), then ']'. */
static int read_quoted_sub(struct reader *r)
{
	int c;
	while ((c = next_char(r)) == ' ' || c == '\t')
		;
	if (c != '"')
		return -EINVAL;
	r->has_sub = true;
	for (;;) {
		c = next_char(r);
		if (c == CFG_EOF || c == '\n')
			return -EINVAL;
		if (c == '"')
			break;
		if (c == '\\' && ((c = next_char(r)) == CFG_EOF || c == '\n'))
			return -EINVAL;
		if (buf_add(&r->sub, (char)c) < 0)
			return -ENOMEM;
	}
	return next_char(r) == ']' ? 0 : -EINVAL;
}

/* After '[': the section name, lower-cased; `[a.b]` (the old form) means section a,
 * subsection b, lower-cased as git does. */
static int read_section(struct reader *r)
{
	buf_reset(&r->section);
	buf_reset(&r->sub);
	r->has_sub = false;
	r->in_section = false;
	struct buf *into = &r->section;
	for (;;) {
		int c = next_char(r);
		if (c == CFG_EOF || c == '\n')
			return -EINVAL;
		if (c == ']')
			break;
		if (c == ' ' || c == '\t') {
			int e = into == &r->section ? read_quoted_sub(r) : -EINVAL;
			if (e < 0)
				return e;
			break;
		}
		if (c == '.' && into == &r->section) {
			into = &r->sub;
			r->has_sub = true;
			continue;
		}
		if (!is_key_char(c) && c != '.')
			return -EINVAL;
		if (buf_add(into, (char)tolower(c)) < 0)
			return -ENOMEM;
	}
	if (r->section.n == 0)
		return -EINVAL;
	r->in_section = true;
	return 0;
}

static int unescape(int c)
{
	switch (c) {
	case 't':
		return '\t';
	case 'b':
		return '\b';
	case 'n':
		return '\n';
	default:
		return c; /* \\ and \" stand for themselves; git rejects others */
	}
}

/* After '=': the value up to the end of the line. -EINVAL for a quote left open. */
static int read_value(struct reader *r)
{
	buf_reset(&r->value);
	if (buf_add(&r->value, '\0') < 0)
		return -ENOMEM;
	buf_reset(&r->value);
	bool quote = false, comment = false;
	size_t spaces = 0;
	for (;;) {
		int c = next_char(r);
		if (c == CFG_EOF || c == '\n')
			return quote ? -EINVAL : 0;
		if (comment)
			continue;
		if (isspace(c) && !quote) {
			if (r->value.n)
				spaces++;
			continue;
		}
		if (!quote && (c == ';' || c == '#')) {
			comment = true;
			continue;
		}
		for (; spaces; spaces--)
			if (buf_add(&r->value, ' ') < 0)
				return -ENOMEM;
		if (c == '\\') {
			c = next_char(r);
			if (c == '\n')
				continue; /* a continued line */
			if (c == CFG_EOF)
				return 0;
			c = unescape(c);
		} else if (c == '"') {
			quote = !quote;
			continue;
		}
		if (buf_add(&r->value, (char)c) < 0)
			return -ENOMEM;
	}
}

/* A variable whose name starts with c. */
static int read_variable(struct reader *r, int c)
{
	buf_reset(&r->name);
	while (is_key_char(c)) {
		if (buf_add(&r->name, (char)tolower(c)) < 0)
			return -ENOMEM;
		c = next_char(r);
	}
	while (c == ' ' || c == '\t')
		c = next_char(r);
	const char *value = NULL;
	if (c == '=') {
		int e = read_value(r);
		if (e < 0)
			return e == -ENOMEM ? e : 0;
		value = r->value.s;
	} else if (c != '\n' && c != CFG_EOF) {
		skip_line(r);
		return 0;
	}
	if (!r->in_section)
		return 0;
	return r->fn(r->section.s, r->has_sub ? (r->sub.s ? r->sub.s : "") : NULL, r->name.s, value,
	             r->ctx);
}

static int parse(struct reader *r)
{
	for (;;) {
		int c = next_char(r);
		if (c == CFG_EOF)
			return 0;
		if (isspace(c))
			continue;
		int e = 0;
		if (c == '#' || c == ';')
			skip_line(r);
		else if (c == '[') {
			e = read_section(r);
			if (e == -EINVAL) {
				if (r->last != '\n' && r->last != CFG_EOF)
					skip_line(r);
				e = 0;
			}
		} else if (isalpha(c))
			e = read_variable(r, c);
		else
			skip_line(r);
		if (e < 0)
			return e;
	}
}

int cordon_gitconfig_parse(const char *text, size_t len, cordon_gitconfig_fn fn, void *ctx)
{
	struct reader r = {.p = text, .end = text + len, .fn = fn, .ctx = ctx};
	int e = parse(&r);
	free(r.section.s);
	free(r.sub.s);
	free(r.name.s);
	free(r.value.s);
	return e;
}
