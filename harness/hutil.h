/* Helpers shared by the harness bindings: cleanup attributes, errno names, the
 * "nil, message, errno_name" convention, clocks, table-field readers, SHA-256 and a
 * growable byte buffer. No policy here, nothing Lua-module specific. */
#ifndef CORDON_HUTIL_H
#define CORDON_HUTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

/* ---- cleanup ---------------------------------------------------------------------------- */

static inline void hu_freep(void *p)
{
	free(*(void **)p);
}
static inline void hu_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define hu_cleanup_free __attribute__((cleanup(hu_freep)))
#define hu_cleanup_close __attribute__((cleanup(hu_closep)))

static inline int hu_steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* ---- errors ----------------------------------------------------------------------------- */

/* "ENOENT" etc.; "E<number>" in a static buffer for unknown values. */
const char *hu_errno_name(int err);

/* Push nil, "<what>: <strerror>", errno_name (stack: +3) and return 3: the expected-failure
 * convention of every binding. */
int hu_fail(lua_State *L, int err, const char *what);
/* Same with a message of our own. */
int hu_failf(lua_State *L, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- time ------------------------------------------------------------------------------- */

double hu_now(void);           /* CLOCK_MONOTONIC seconds */
void hu_sleep(double seconds); /* restarts after signals */
/* Milliseconds from now until deadline (monotonic seconds), clamped to [0, INT_MAX]; -1 when
 * deadline < 0 (no deadline). Rounded up so poll() never returns just before it. */
int hu_ms_until(double deadline);

/* ---- table fields (argument misuse raises, absence returns the default) ------------------ */

const char *hu_opt_string_field(lua_State *L, int t, const char *key, const char *def);
double hu_opt_number_field(lua_State *L, int t, const char *key, double def);
bool hu_opt_bool_field(lua_State *L, int t, const char *key, bool def);

/* ---- fds -------------------------------------------------------------------------------- */

int hu_set_nonblock(int fd);
/* close_range(from, ~0) when the kernel has it, else a loop up to the fd limit. */
void hu_close_from(int from);

/* ---- files and paths -------------------------------------------------------------------- */

/* Search PATH (NULL: $PATH, empty: the default) for an executable regular file. malloc'd. */
char *hu_search_path(const char *name, const char *path);
/* Read a whole small file (e.g. under /proc); malloc'd and NUL-terminated, *len without it.
 * NULL with errno set. At most max bytes are read. */
char *hu_read_file(const char *path, size_t max, size_t *len);
/* Read an integer from a one-line file such as /proc/sys/kernel/yama/ptrace_scope. */
bool hu_read_int_file(const char *path, long *out);

/* ---- SHA-256 ---------------------------------------------------------------------------- */

struct hu_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t fill;
};
void hu_sha256_init(struct hu_sha256 *s);
void hu_sha256_update(struct hu_sha256 *s, const void *data, size_t n);
void hu_sha256_hex(struct hu_sha256 *s, char out[65]); /* finishes the hash */

/* ---- growable buffer kept in a userdata so a Lua error cannot leak it ------------------- */

struct hu_buf {
	char *p;
	size_t len;
	size_t cap;
};
/* Push a new empty buffer userdata (stack: +1). Its __gc/__close free the memory. */
struct hu_buf *hu_buf_push(lua_State *L);
/* Plain C buffer operations; false when out of memory. */
bool hu_buf_add(struct hu_buf *b, const void *data, size_t n);
void hu_buf_reset(struct hu_buf *b); /* frees */
/* Append or raise a Lua "out of memory" error. */
void hu_buf_addl(lua_State *L, struct hu_buf *b, const void *data, size_t n);
#define hu_buf_adds(L, b, s) hu_buf_addl((L), (b), (s), strlen(s))

/* ---- Lua ------------------------------------------------------------------------------ */

/* Message handler for lua_pcall: the error (stringified) plus a traceback. Stack: +1. */
int hu_traceback(lua_State *L);

/* ---- userdata helpers ------------------------------------------------------------------- */

/* Create metatable tname with __index = itself and the given methods; if gc is not NULL it
 * becomes both __gc and __close (STYLE.md 10). Leaves the metatable popped (stack: 0). */
void hu_new_class(lua_State *L, const char *tname, const luaL_Reg *methods, lua_CFunction gc);

#endif
