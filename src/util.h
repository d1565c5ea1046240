/* Helpers with no side effects beyond memory: cleanup attributes, string vectors, errors.
 * Every pointer starts NULL, every fd starts -1, and the cleanup helpers accept both. */
#ifndef CORDON_UTIL_H
#define CORDON_UTIL_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "cordon.h"

#define CORDON_HIDDEN __attribute__((visibility("hidden")))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cleanup ---------------------------------------------------------------------------- */

static inline void cordon_freep(void *p)
{
	free(*(void **)p);
}
static inline void cordon_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define cleanup_free __attribute__((cleanup(cordon_freep)))
#define cleanup_close __attribute__((cleanup(cordon_closep)))

/* Hand ownership out of a cleanup variable. */
static inline void *cordon_steal_ptr(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
static inline int cordon_steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}
#define steal_ptr(pp) cordon_steal_ptr(pp)
#define steal_fd(fdp) cordon_steal_fd(fdp)

/* ---- string vector ---------------------------------------------------------------------- */

struct cordon_strv {
	char **v; /* NULL-terminated when n > 0 */
	size_t n;
};

CORDON_HIDDEN int cordon_strv_push(struct cordon_strv *s, const char *str); /* copies; 0/-ENOMEM */
CORDON_HIDDEN void cordon_strv_clear(struct cordon_strv *s);
CORDON_HIDDEN bool cordon_strv_contains(const struct cordon_strv *s, const char *str);
/* Drop repeated strings, keeping the first of each in order. 0 or -ENOMEM. */
CORDON_HIDDEN int cordon_strv_dedupe(struct cordon_strv *s);

/* ---- errors ----------------------------------------------------------------------------- */

/* Fill err (if not NULL) and return code (a negative errno). The message is one line. */
CORDON_HIDDEN int cordon_err(cordon_error *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* ---- paths (pure string work; nothing here touches the file system) --------------------- */

/* Join a and b with one '/'; malloc'd or NULL. */
CORDON_HIDDEN char *cordon_path_join(const char *a, const char *b);
/* Lexically normalise an absolute path: collapse //, remove . and resolve .. textually. */
CORDON_HIDDEN char *cordon_path_normalize(const char *path);
/* true when path equals dir or lies beneath it (both normalised, absolute). */
CORDON_HIDDEN bool cordon_path_is_beneath(const char *path, const char *dir);
/* The canonical path of the directory abs (absolute), symlinks resolved, malloc'd; NULL with
 * errno (ENOTDIR when it is not a directory). */
CORDON_HIDDEN char *cordon_path_canonical_dir(const char *abs);
/* The same for a path of any type (a file, a device, a directory). */
CORDON_HIDDEN char *cordon_path_canonical(const char *abs);
/* Resolve abs (absolute) one component at a time, as the kernel would, and call on_link (when
 * not NULL) with each symlink met on the way: its path, the directories before it resolved.
 * *out: the path resolved (from the first missing component on, as written, normalised).
 * Unlike realpath, it says which links the result depends on (plan.c protects them). 0, or
 * -errno (on_link's own, -ELOOP, -ENOMEM). */
CORDON_HIDDEN int cordon_path_follow(const char *abs, int (*on_link)(void *ctx, const char *link),
                                     void *ctx, char **out);

/* The home directory of uid in a passwd(5) file, malloc'd, or NULL. The fallback for a static
 * cordon, whose getpwuid needs the C library's NSS modules of the very version it was built
 * with; local accounts at least must keep their credential stores hidden. */
CORDON_HIDDEN char *cordon_passwd_home(const char *passwd, uid_t uid);

/* ---- private directories (these do touch the file system) -------------------------------- */

/* mkdir -p path with 0700; every component beneath a world-writable one must be a real
 * directory owned by uid and writable by nobody else. 0 or -errno with err filled. */
CORDON_HIDDEN int cordon_private_dir(const char *path, uid_t uid, cordon_error *err);
/* Where cordon keeps a user's sessions and servers: $XDG_RUNTIME_DIR/cordon, else
 * /tmp/cordon-UID. malloc'd, NULL when out of memory. */
CORDON_HIDDEN char *cordon_runtime_dir(uid_t uid);

/* ---- processes ------------------------------------------------------------------------ */

/* The signals a run forwards to its command: TERM, INT and HUP. */
CORDON_HIDDEN void cordon_sigset_forwarded(sigset_t *set);

/* ---- numbers ---------------------------------------------------------------------------- */

/* "512", "64K", "100M", "2G" (powers of 1024) -> bytes. -EINVAL on junk or overflow. */
CORDON_HIDDEN int cordon_parse_size(const char *s, uint64_t *out);
/* A non-negative integer, or seconds with an optional fraction ("1.5") for durations. */
CORDON_HIDDEN int cordon_parse_u64(const char *s, uint64_t *out);
CORDON_HIDDEN int cordon_parse_duration_ms(const char *s, uint64_t *out_ms);

/* ---- descriptors over a UNIX socket ------------------------------------------------------- */

/* One datagram of len bytes with n descriptors. 0 or a negative errno. */
CORDON_HIDDEN int cordon_fds_send(int sock, const void *data, size_t len, const int *fds, size_t n);
/* One datagram of exactly len bytes (else -EPROTO; -EPIPE at EOF); its descriptors (up to max,
 * close-on-exec) in fds, their count in *n. Descriptors are closed on error. */
CORDON_HIDDEN int cordon_fds_recv(int sock, void *data, size_t len, int *fds, size_t max,
                                  size_t *n);
/* Close each of fds that is open (>= 0). */
CORDON_HIDDEN void cordon_close_all(int *fds, size_t n);
/* The most descriptors one message carries (a warm run's: its memfd, stdio, --keep-fd). */
#define CORDON_FDS_MAX 66

#endif
