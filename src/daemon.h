/* cordon's own daemons -- the session keeper (session.c) and the warm server (warm.c) -- and
 * the plumbing they share, written once: starting one detached with quiet stdio and a ready
 * pipe, a socket named through a descriptor on its directory, listening, connecting with a
 * bounded wait, and telling whether a daemon still owns its name.
 *
 * A daemon never blocks its clients for ever: a client waits at most a timeout for it to
 * start, to accept and to answer, and then goes on without it (a new one, or none). */
#ifndef CORDON_DAEMON_H
#define CORDON_DAEMON_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "util.h"

/* How long a client waits for a daemon to start, accept or answer before it gives up on it
 * (one that was stopped, or is wedged). The keeper answers in microseconds; a warm server
 * may first have to prepare a sandbox, which takes what a cold start takes. */
#define CORDON_DAEMON_START_MS 10000
#define CORDON_DAEMON_ANSWER_MS 5000

/* Run child(arg, ready_fd) in a detached grandchild (its own session, SIGHUP ignored, not our
 * child), with 0-2 on /dev/null (it must not hold the caller's stdout: whoever waits for its
 * EOF would wait for the daemon too) and ready_fd above them, whatever was open or closed
 * before. child writes one status byte to ready_fd, and may write why after it. Wait for them
 * (until ready_fd is closed), at most timeout_ms. 0 with *status set and why (may be NULL)
 * NUL-terminated, -ECHILD when the grandchild ended without writing, -ETIMEDOUT, or -errno. */
CORDON_HIDDEN int cordon_daemon_start(void (*child)(void *arg, int ready_fd), void *arg,
                                      int timeout_ms, char *status, char *why, size_t why_len);

/* The address "/proc/self/fd/DIRFD/NAME": a directory can be deeper than sun_path allows. */
CORDON_HIDDEN int cordon_daemon_addr(int dirfd, const char *name, struct sockaddr_un *sa,
                                     socklen_t *len);

/* Listen on dir/name (type: SOCK_STREAM or SOCK_SEQPACKET, with SOCK_* flags), replacing a
 * stale socket there. *lfd, and *bound what the name is now (for cordon_daemon_owns). */
CORDON_HIDDEN int cordon_daemon_listen(const char *dir, const char *name, int type, int backlog,
                                       int *lfd, struct stat *bound);

/* Is the socket we bound still what path names? A removed socket or directory means the
 * daemon's time is over. */
CORDON_HIDDEN bool cordon_daemon_owns(const char *path, const struct stat *bound);

/* Connect to the daemon listening on dir/name, waiting at most timeout_ms for room in its
 * backlog; the peer must be our own user. -ENOENT/-ECONNREFUSED: none listens; -ETIMEDOUT;
 * -EPERM: someone else's. The socket (blocking, close-on-exec) in *out. */
CORDON_HIDDEN int cordon_daemon_connect(const char *dir, const char *name, int type, int timeout_ms,
                                        int *out);

/* Wait until fd is readable (or hung up), at most timeout_ms. 0 or -ETIMEDOUT. */
CORDON_HIDDEN int cordon_daemon_wait(int fd, int timeout_ms);

/* Lock the directory dir itself (flock, exclusive), so that concurrent clients start one
 * daemon, and no lock file is left behind. The locked descriptor (close it to unlock), or
 * -errno. */
CORDON_HIDDEN int cordon_daemon_lock(const char *dir);

/* Is the peer of a connected UNIX socket our own user? */
CORDON_HIDDEN bool cordon_daemon_peer_ours(int sock);

/* Remove the directory name in dirfd and everything in it, never following a symlink, and
 * making directories a command left unwritable writable again first. 0 or -errno. */
CORDON_HIDDEN int cordon_daemon_rm_tree(int dirfd, const char *name);

#endif
