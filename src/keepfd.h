/* What a descriptor handed to the command is, and whether cordon passes it (issue 18, class
 * 3). A descriptor carries the host's view with it: a directory or an O_PATH descriptor
 * resolves openat in the host's mount namespace (through a kept $HOME, ~/.ssh/id_rsa; through
 * a kept workspace descriptor, .git/config, which is read-only only in the sandbox's mounts);
 * a pidfd, a namespace file or an epoll/io_uring/bpf/signalfd descriptor acts on host objects;
 * a socket connected to a service outside is a way out of the network policy. Passed: pipes
 * and FIFOs, regular files opened read-only, regular files opened for writing that the plan
 * lets the command write anyway (beneath a writable root, not at a protected or hidden path),
 * connected unnamed UNIX sockets (socketpair), /dev/null and its kin, and the user's terminal (relayed
 * through cordon's pty: pty.h). Refused: the rest.
 * Descriptors 0-2 are the caller's redirections: only what opens more than itself (a
 * directory, O_PATH, a namespace, pid or anonymous-inode descriptor) is refused there. */
#ifndef CORDON_KEEPFD_H
#define CORDON_KEEPFD_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "util.h"

struct cordon_fd_kind {
	bool ok;          /* passed to the command */
	char what[128];   /* "a directory", "a pipe", "a UNIX socket connected to /run/x.sock" */
	char allows[160]; /* what the command can do with it, or why it is refused */
};

/* Describe fd (stdio: one of 0-2, held to the weaker rule above) for a sandbox built from
 * plan (NULL: no file opened for writing is passed). -EBADF when it is not open. */
CORDON_HIDDEN int cordon_fd_describe(int fd, bool stdio, const struct cordon_plan *plan,
                                     struct cordon_fd_kind *k);
/* Check 0-2 (where open) and every kept descriptor: 0, or -EPERM/-EBADF with one line naming
 * the first refused descriptor and its kind. */
CORDON_HIDDEN int cordon_keep_fds_check(const struct cordon_plan *plan, const int *keep, size_t n,
                                        cordon_error *err);

#endif
