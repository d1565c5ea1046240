/* The sandbox's process tree: the init (pid 1 of the new PID namespace) that confines itself,
 * forks the command and reaps orphans, and the messages it exchanges with the supervisor over
 * a SOCK_SEQPACKET socketpair (one message per datagram; a descriptor may ride along by
 * SCM_RIGHTS, but none does once the init's seccomp filter is loaded: see proc.c). */
#ifndef CORDON_PROC_H
#define CORDON_PROC_H

#include <sys/types.h>

#include "plan.h"
#include "cordon_seccomp.h"

enum cordon_msg_type {
	CORDON_MSG_GO = 1, /* S -> I: placed in the cgroup; go on */
	CORDON_MSG_READY,  /* I -> S: confined; value = the seccomp listener's number, or -1 */
	CORDON_MSG_FAIL,   /* I -> S: setup failed; value = negative errno, text = the message */
	CORDON_MSG_EXEC,   /* I -> S: the command was exec'd (value 0) or not (value = errno) */
	CORDON_MSG_EXIT,   /* I -> S: the command ended; value = its raw wait status */
	CORDON_MSG_GONE,   /* I -> S: every other process of the PID namespace is dead and reaped */
	CORDON_MSG_MOUNTED,  /* I -> S: the mount namespace's view is built (more setup follows) */
	CORDON_MSG_LANDLOCK, /* I -> S: fd = the Landlock ruleset the init restricted itself with */
};

struct cordon_msg {
	int type;
	int value;
	char text[512];
};

/* What the init needs; everything is the supervisor's memory, copied by clone. */
struct cordon_init {
	const struct cordon_plan *plan;
	unsigned clone_flags;      /* the namespaces it is in */
	bool in_userns;            /* in a user namespace of ours (new, or the session's) */
	struct cordon_seccomp *sc; /* NULL: no seccomp filter */
	int sock;                  /* the init's end of the status socket */
	int peer_sock;             /* the supervisor's end, closed first thing */
	bool wait_go;              /* wait for GO (the supervisor moves us into a cgroup) */
	bool cgroup_active;        /* --memory/--pids held by the cgroup, not rlimits */
	bool use_landlock;
	bool warm; /* prepared (warm.h): the command comes on sock, later */
	/* cordon's own pty (pty.h), or -1: the slave goes on each of pty_fds and becomes the
	 * command's controlling terminal; the init keeps the master only to ask it for the
	 * foreground process group a forwarded signal goes to. */
	int pty_slave, pty_master;
	const int *pty_fds;
	size_t n_pty_fds;
	char *const *argv;
	char *const *envp;
	const char *cwd;
};

/* Bring lo up in the caller's network namespace (a new one starts with it down). */
CORDON_HIDDEN int cordon_net_loopback_up(cordon_error *err);

/* The init's whole life; never returns. */
CORDON_HIDDEN _Noreturn void cordon_init_run(const struct cordon_init *in);

/* One message, with an optional descriptor (fd -1: none). 0 or a negative errno. */
CORDON_HIDDEN int cordon_msg_send(int sock, const struct cordon_msg *m, int fd);
/* *fd receives a passed descriptor or -1. -EPIPE when the peer is gone. */
CORDON_HIDDEN int cordon_msg_recv(int sock, struct cordon_msg *m, int *fd);

#endif
