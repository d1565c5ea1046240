/* Helpers shared by the cmocka tests: run a program (optionally as another user) and capture
 * what it printed, find the unprivileged test user, make and remove temporary trees. */
#ifndef CORDON_TESTUTIL_H
#define CORDON_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tu_result {
	int status;     /* exit status, -1 when killed by a signal */
	int signal;     /* the signal, 0 when it exited */
	bool timed_out; /* killed by tu_run's own timeout */
	char *out;      /* stdout, NUL-terminated (never NULL after tu_run returns 0) */
	char *err;      /* stderr, likewise */
};

struct tu_spawn {
	char *const *argv; /* argv[0] is a path */
	char *const *envp; /* NULL: inherit */
	const char *cwd;   /* NULL: inherit */
	uid_t uid;         /* (uid_t)-1: stay who we are; else setgroups/setgid/setuid */
	gid_t gid;
	double timeout;         /* seconds; 0 = 60 */
	const char *stdin_data; /* NULL: /dev/null */
};

/* Run and wait. 0, or -errno when it could not be started at all. */
int tu_run(const struct tu_spawn *s, struct tu_result *r);
void tu_result_free(struct tu_result *r);

/* The unprivileged user the integration tests run as. As root: $CORDON_TEST_USER (default
 * "cordon-test"), which the test script creates; not root: ourselves. false with a reason in
 * why when root and the user does not exist. */
bool tu_test_user(uid_t *uid, gid_t *gid, char *why, size_t why_len);
/* The test user's name: $CORDON_TEST_USER, else cordon-test (what the harness must drop to). */
const char *tu_test_user_name(void);

/* mkdtemp under /tmp, then chown to uid:gid (when uid != -1). malloc'd path. */
char *tu_tmpdir(const char *prefix, uid_t uid, gid_t gid);
void tu_rm_rf(const char *path);
int tu_write_file(const char *path, const char *data);
char *tu_read_file(const char *path); /* malloc'd, NULL if unreadable */
/* Evaluate chunk, which returns one string, in a fresh harness Lua state (name: its chunk
 * name); malloc'd result. A Lua error fails the test. */
char *tu_lua(const char *chunk, const char *name);

/* Paths of built artefacts. Static buffers. */
const char *tu_probe(const char *name); /* CORDON_PROBE_DIR/name */
const char *tu_cordon(void);            /* the built cordon CLI */
const char *tu_harness(void);           /* the built cordon-harness */

/* Whether this kernel runs 32-bit system calls from 64-bit code (int 0x80): absent without
 * CONFIG_IA32_EMULATION (ENOSYS) and with ia32_emulation=0 (the instruction faults, SIGSEGV).
 * Asked in a child. Where it is missing, why says how it showed. */
bool tu_int80_available(char *why, size_t why_len);

/* The running kernel's Landlock ABI (0: none). */
int tu_landlock_abi(void);

/* Print a skip reason the way ctest output shows it, then cmocka's skip(). */
#define tu_skip(...)                          \
	do {                                  \
		printf("SKIP: " __VA_ARGS__); \
		printf("\n");                 \
		skip();                       \
	} while (0)

#endif
