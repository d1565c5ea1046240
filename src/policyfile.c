/* The policy file: one `key = value` per line, keys are the flag names without dashes,
 * repeatable keys repeat, `#` starts a comment (at the start of a line or after a blank),
 * blank lines are ignored. Every value goes through cordon_policy_set, the validator the flags
 * use, so a file can express nothing a flag cannot. Relative paths are relative to the file. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Cut a comment: `#` at the start or after a blank, so `a#b` stays a value. */
static void strip_comment(char *line)
{
	for (char *c = line; *c; c++) {
		if (*c == '#' && (c == line || isspace((unsigned char)c[-1]))) {
			*c = '\0';
			return;
		}
	}
}

/* Apply one key/value; a relative path is taken relative to the file's directory. */
static int apply_pair(struct cordon_policy *p, const char *key, const char *value, const char *dir,
                      cordon_error *err)
{
	if (dir && value[0] && value[0] != '/' && value[0] != '~' &&
	    cordon_policy_key_is_path(key)) {
		cleanup_free char *joined = cordon_path_join(dir, value);
		if (!joined)
			return cordon_err(err, -ENOMEM, "out of memory");
		return cordon_policy_set(p, key, joined, err);
	}
	return cordon_policy_set(p, key, value, err);
}

static int parse_line(struct cordon_policy *p, char *line, const char *dir, cordon_error *err)
{
	strip_comment(line);
	char *s = trim(line);
	if (!*s)
		return 0;
	char *eq = strchr(s, '=');
	if (!eq)
		return cordon_err(err, -EINVAL, "expected 'key = value', got '%s'", s);
	*eq = '\0';
	char *key = trim(s), *value = trim(eq + 1);
	if (!*key)
		return cordon_err(err, -EINVAL, "missing key before '='");
	if (!cordon_policy_key_exists(key))
		return cordon_err(err, -EINVAL, "unknown key '%s'", key);
	if (!*value)
		return cordon_err(err, -EINVAL, "%s: missing value", key);
	return apply_pair(p, key, value, dir, err);
}

/* The directory holding path, canonical; NULL when it cannot be resolved. */
static char *file_dir(const char *path)
{
	char *real = realpath(path, NULL);
	if (!real)
		return NULL;
	char *slash = strrchr(real, '/');
	if (slash == real)
		slash[1] = '\0';
	else
		*slash = '\0';
	return real;
}

static int read_lines(struct cordon_policy *p, FILE *f, const char *path, const char *dir,
                      cordon_error *err)
{
	cleanup_free char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t n;
	while ((errno = 0, n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		cordon_error inner = {0};
		if (strlen(line) != (size_t)n)
			return cordon_err(err, -EINVAL, "%s:%u: NUL byte in line", path, lineno);
		int r = parse_line(p, line, dir, &inner);
		if (r < 0)
			return cordon_err(err, r, "%s:%u: %s", path, lineno, inner.msg);
	}
	/* getline ends the same way at the end of the file and on a failure (ENOMEM leaves no
	 * error flag): only feof says the whole file was read. A file cut short would drop what
	 * follows, deny-read lines included, so it is an error. */
	int e = errno;
	if (ferror(f) || !feof(f))
		return cordon_err(err, e ? -e : -EIO,
		                  "policy file '%s': read failed after line %u: %s", path, lineno,
		                  strerror(e ? e : EIO));
	return 0;
}

int cordon_policy_load_file(cordon_policy *p, const char *path, cordon_error *err)
{
	__attribute__((cleanup(fclosep))) FILE *f = fopen(path, "re");
	if (!f)
		return cordon_err(err, -errno, "policy file '%s': %s", path, strerror(errno));
	cleanup_free char *dir = file_dir(path);
	p->loading_file = true;
	p->file_bits = 0;
	int r = read_lines(p, f, path, dir, err);
	p->loading_file = false;
	if (r < 0)
		return r;
	free(p->source_file);
	p->source_file = strdup(path);
	if (!p->source_file)
		return cordon_err(err, -ENOMEM, "out of memory");
	return 0;
}
