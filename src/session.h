/* Sessions that outlive a run: runs of one --session share SysV IPC and POSIX message queues,
 * which live in an IPC namespace, and an IPC namespace lives only as long as something holds
 * it. A small keeper process per session holds a user namespace and an IPC namespace owned by
 * it, and hands both to each run over a UNIX socket in the session's private directory. It
 * also holds the session's offline network namespace (only lo, up): runs with the network off
 * join it instead of paying for a new one each (issue 5: the dearest namespace to create), so
 * runs of one session share a loopback as they share /tmp.
 *
 * The keeper is not part of any sandbox's tree: it lives in the host's PID namespace, where no
 * sandbox can see or signal it, never runs sandboxed code, and exits by itself once no run of
 * its session has been connected for CORDON_SESSION_IDLE_SECONDS. */
#ifndef CORDON_SESSION_H
#define CORDON_SESSION_H

#include "util.h"

#define CORDON_SESSION_IDLE_SECONDS 600

struct cordon_session_ns {
	int userns; /* /proc/<keeper>/ns/user */
	int ipcns;  /* /proc/<keeper>/ns/ipc */
	int netns;  /* /proc/<keeper>/ns/net: the session's offline network, or -1 */
	int hold;   /* the connection to the keeper: open for as long as the run lasts */
};

/* Connect to the keeper of the session whose private directory is dir (0700, ours), starting
 * it first when there is none. On success every fd in *ns is open and close-on-exec. */
CORDON_HIDDEN int cordon_session_join(const char *dir, struct cordon_session_ns *ns,
                                      cordon_error *err);
CORDON_HIDDEN void cordon_session_ns_close(struct cordon_session_ns *ns);

/* Enter the session's user and IPC namespaces and, when join_net (the network is off and the
 * keeper has one), its network namespace; the caller must be single-threaded. After this,
 * clone the sandbox without CLONE_NEWUSER, CLONE_NEWIPC, and CLONE_NEWNET when join_net. */
CORDON_HIDDEN int cordon_session_enter(const struct cordon_session_ns *ns, bool join_net,
                                       cordon_error *err);

#endif
