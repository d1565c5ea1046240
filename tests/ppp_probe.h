/* Helpers for the proc/priv/res/env probe tests (test_probe_{proc,priv,res,env}.c): run a
 * built probe as a given user and check its one JSON line. Header-only: each test file is
 * its own executable. */
#ifndef CORDON_PPP_PROBE_H
#define CORDON_PPP_PROBE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define PPP_ROOT ((uid_t)-1)

/* Run probe NAME with up to 8 arguments (NULL-terminated) as uid (PPP_ROOT: ourselves). */
static inline struct tu_result ppp_run_as(uid_t uid, gid_t gid, const char *name, ...)
{
	char *argv[10] = {0};
	char path[4096];
	va_list ap;
	struct tu_result r;

	snprintf(path, sizeof(path), "%s", tu_probe(name));
	argv[0] = path;
	va_start(ap, name);
	for (int i = 1; i < 9; i++) {
		argv[i] = va_arg(ap, char *);
		if (!argv[i])
			break;
	}
	va_end(ap);
	struct tu_spawn s = {.argv = argv, .uid = uid, .gid = gid, .timeout = 60};
	assert_int_equal(tu_run(&s, &r), 0);
	assert_false(r.timed_out);
	return r;
}
#define ppp_run(...) ppp_run_as(PPP_ROOT, (gid_t)-1, __VA_ARGS__, (char *)NULL)
#define ppp_run_user(uid, gid, ...) ppp_run_as(uid, gid, __VA_ARGS__, (char *)NULL)

/* The line names the probe, the outcome (exit status agrees) and the errno (NULL: null). */
static inline void ppp_check(const struct tu_result *r, const char *probe, const char *outcome,
                             const char *err)
{
	char want[256];
	printf("  %s", r->out);
	snprintf(want, sizeof(want), "{\"probe\":\"%s\"", probe);
	assert_non_null(strstr(r->out, want));
	snprintf(want, sizeof(want), "\"outcome\":\"%s\"", outcome);
	assert_non_null(strstr(r->out, want));
	if (err)
		snprintf(want, sizeof(want), "\"errno\":\"%s\"", err);
	else
		snprintf(want, sizeof(want), "\"errno\":null");
	assert_non_null(strstr(r->out, want));
	int status = strcmp(outcome, "succeeded") == 0 ? 0
	             : strcmp(outcome, "refused") == 0 ? 1
	                                               : 2;
	assert_int_equal(r->status, status);
	/* Exactly one line. */
	assert_non_null(strchr(r->out, '\n'));
	assert_int_equal(strchr(r->out, '\n')[1], '\0');
}

/* A numeric member of the line ("count":12), or LONG_MIN when absent. */
static inline long ppp_num(const char *out, const char *key)
{
	char want[128];
	snprintf(want, sizeof(want), "\"%s\":", key);
	const char *at = strstr(out, want);
	return at ? strtol(at + strlen(want), NULL, 10) : -999999999L;
}

/* The unprivileged user, or skip with the reason. */
#define PPP_TEST_USER(uid, gid)                                        \
	do {                                                           \
		char why_[256];                                        \
		if (!tu_test_user(&(uid), &(gid), why_, sizeof(why_))) \
			tu_skip("%s", why_);                           \
	} while (0)

#endif
