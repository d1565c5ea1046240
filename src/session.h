/* Sessions that outlive a run: runs of one --session share SysV IPC and POSIX message queues,
 * which live in an IPC namespace, and an IPC namespace lives only as long as something holds
 * it. A small keeper process per session holds a user namespace and an IPC namespace owned by
 * it, and hands both to each run over a UNIX socket in the session's private directory.
 *
 * Each run still gets a network namespace of its own (with the network off): the abstract
 * UNIX names in it are the run's alone, so the supervisor, which performs connect() and
 * sendmsg() on the command's behalf outside its Landlock domain, can only reach the run's own
 * (issue 11; a shared one let concurrent runs of a session reach each other, and does on
 * kernels whose Landlock does not scope abstract sockets).
 *
 * The keeper is not part of any sandbox's tree: it lives in the host's PID namespace, where no
 * sandbox can see or signal it, never runs sandboxed code, and once no run of its session has
 * been connected for CORDON_SESSION_IDLE_SECONDS it ends the session: it removes the session's
 * directory (its /tmp and /dev/shm), unless `cordon session keep` marked it, and exits. */
#ifndef CORDON_SESSION_H
#define CORDON_SESSION_H

#include "util.h"

#define CORDON_SESSION_IDLE_SECONDS 600

struct cordon_session_ns {
	int userns; /* /proc/<keeper>/ns/user */
	int ipcns;  /* /proc/<keeper>/ns/ipc */
	int hold;   /* the connection to the keeper: open for as long as the run lasts */
};

/* $XDG_RUNTIME_DIR/cordon/sessions/NAME, else /tmp/cordon-UID/sessions/NAME; malloc'd, or
 * NULL when out of memory. Only the path. */
CORDON_HIDDEN char *cordon_session_path(const char *name, uid_t uid);

/* Connect to the keeper of the session whose private directory is dir (made 0700 when it is
 * missing), starting one when there is none, or when the one there does not answer (it died,
 * or was stopped: a new one, with a fresh IPC namespace, takes over the session). On success
 * every fd in *ns is open and close-on-exec, and the keeper will not end the session while
 * ns->hold is open. */
CORDON_HIDDEN int cordon_session_join(const char *dir, struct cordon_session_ns *ns,
                                      cordon_error *err);
CORDON_HIDDEN void cordon_session_ns_close(struct cordon_session_ns *ns);

/* Enter the session's user and IPC namespaces; the caller must be single-threaded. After
 * this, clone the sandbox without CLONE_NEWUSER and CLONE_NEWIPC. */
CORDON_HIDDEN int cordon_session_enter(const struct cordon_session_ns *ns, cordon_error *err);

/* `cordon session rm NAME`: end the session now: its directory is removed (its keeper leaves
 * once it sees that). `cordon session keep NAME`: its keeper's idle end leaves the directory
 * in place. 0, or -errno with err filled (-ENOENT: no such session). */
CORDON_HIDDEN int cordon_session_remove(const char *name, cordon_error *err);
CORDON_HIDDEN int cordon_session_keep(const char *name, cordon_error *err);

#endif
