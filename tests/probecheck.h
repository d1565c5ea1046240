/* Helpers for the probe tests (test_probe_fs.c, test_probe_net.c): run one probe, optionally
 * as the unprivileged test user, and check its result line the way the harness reads it. */
#ifndef CORDON_TESTS_PROBECHECK_H
#define CORDON_TESTS_PROBECHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#define PC_ME ((uid_t)-1)

/* Run probe NAME (an executable in the probe directory) with the NULL-terminated args, as
 * uid:gid (PC_ME: as ourselves). */
static inline void pc_run_argv(struct tu_result *r, uid_t uid, gid_t gid, const char *name,
                               const char *const *args)
{
	char path[4096];
	const char *argv[16];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s", tu_probe(name));
	argv[n++] = path;
	while (args && *args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	struct tu_spawn s = {.argv = (char *const *)argv, .uid = uid, .gid = gid, .timeout = 30};
	assert_int_equal(tu_run(&s, r), 0);
}

#define PC_RUN(r, uid, gid, name, ...) \
	pc_run_argv((r), (uid), (gid), (name), (const char *const[]){__VA_ARGS__, NULL})

/* The line is one JSON object naming the probe, with this outcome and errno (NULL: null),
 * and the exit status mirrors the outcome. */
static inline void pc_expect(const struct tu_result *r, const char *probe, const char *outcome,
                             const char *err)
{
	char want_probe[128], want_outcome[64], want_errno[64];
	snprintf(want_probe, sizeof(want_probe), "{\"probe\":\"%s\",", probe);
	snprintf(want_outcome, sizeof(want_outcome), "\"outcome\":\"%s\"", outcome);
	if (err)
		snprintf(want_errno, sizeof(want_errno), "\"errno\":\"%s\"", err);
	else
		snprintf(want_errno, sizeof(want_errno), "\"errno\":null");
	int status = strcmp(outcome, "succeeded") == 0 ? 0
	             : strcmp(outcome, "refused") == 0 ? 1
	                                               : 2;
	const char *nl = strchr(r->out, '\n');
	bool ok = r->status == status && strncmp(r->out, want_probe, strlen(want_probe)) == 0 &&
	          strstr(r->out, want_outcome) && strstr(r->out, want_errno) && nl && nl[1] == '\0';
	if (!ok)
		printf("expected %s %s %s (exit %d); got exit %d: %s stderr: %s\n", probe, outcome,
		       err ? err : "null", status, r->status, r->out, r->err);
	assert_true(ok);
}

/* A member of the line, e.g. pc_member(r, "\"detail\":\"connect\"") */
static inline void pc_has(const struct tu_result *r, const char *fragment)
{
	if (!strstr(r->out, fragment))
		printf("expected %s in: %s\n", fragment, r->out);
	assert_non_null(strstr(r->out, fragment));
}

/* The integer value of "key": in the line; asserts it is there. */
static inline long pc_number(const struct tu_result *r, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(r->out, pat);
	if (!p)
		printf("no %s in: %s\n", pat, r->out);
	assert_non_null(p);
	return strtol(p + strlen(pat), NULL, 10);
}

/* The unprivileged test user, or skip the test saying why. When we are not root we are
 * that user already: uid becomes PC_ME (tu_run could not switch anyway). */
#define PC_TEST_USER(uid, gid)                                         \
	do {                                                           \
		char why_[256];                                        \
		if (!tu_test_user(&(uid), &(gid), why_, sizeof(why_))) \
			tu_skip("%s", why_);                           \
		if (geteuid() != 0)                                    \
			(uid) = PC_ME;                                 \
	} while (0)

#define PC_NEED_ROOT(what)                               \
	do {                                             \
		if (geteuid() != 0)                      \
			tu_skip("needs root: %s", what); \
	} while (0)

#endif
