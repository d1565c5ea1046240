/* The seccomp side of the sandbox: the filter every process in the tree inherits, and the
 * supervisor that answers its user notifications (pathname UNIX connects, creation of
 * protected names). libseccomp builds the filter; no hand-written BPF.
 *
 * Lifecycle (driven by sandbox.c):
 *   parent, before clone:  cordon_seccomp_new(&sc)                 -- a shared mapping
 *   parent, after clone:   cordon_seccomp_fill(plan, sc), then tells the child (FILTER)
 *                           -- built while the child sets its namespaces up
 *   child, last step:      cordon_seccomp_load(sc, &listener)      -- after no_new_privs+Landlock;
 *                           the listener's number goes to the supervisor, which takes it
 *                           with pidfd_getfd (a sendmsg would wait on its own filter)
 *   supervisor:            cordon_notify_new(plan, init_pid, listener, &n) once the child's
 *                           mounts are in place; cordon_notify_handle(n) whenever the listener
 *                           is readable; cordon_notify_free(n) after the tree is gone. */
#ifndef CORDON_CORDON_SECCOMP_H
#define CORDON_CORDON_SECCOMP_H

#include <sys/types.h>

#include "plan.h"

struct cordon_seccomp;
struct cordon_notify;

/* An empty filter in memory shared with the processes cloned afterwards; cleanup with free. */
CORDON_HIDDEN int cordon_seccomp_new(struct cordon_seccomp **out, cordon_error *err);
/* Build the plan's filter into sc (libseccomp, then exported to classic BPF). */
CORDON_HIDDEN int cordon_seccomp_fill(const struct cordon_plan *plan, struct cordon_seccomp *sc,
                                      cordon_error *err);
/* new + fill. */
CORDON_HIDDEN int cordon_seccomp_build(const struct cordon_plan *plan, struct cordon_seccomp **out,
                                       cordon_error *err);
/* Load the filter in the calling process. *listener is -1 when the plan needs no supervisor. */
CORDON_HIDDEN int cordon_seccomp_load(struct cordon_seccomp *sc, int *listener, cordon_error *err);
CORDON_HIDDEN void cordon_seccomp_free(struct cordon_seccomp *sc);

CORDON_HIDDEN int cordon_notify_new(const struct cordon_plan *plan, pid_t init_pid, int listener,
                                    struct cordon_notify **out, cordon_error *err);
/* Answer one pending notification. 0, or a negative errno when the listener is gone. */
CORDON_HIDDEN int cordon_notify_handle(struct cordon_notify *n);
CORDON_HIDDEN int cordon_notify_fd(const struct cordon_notify *n);
CORDON_HIDDEN void cordon_notify_free(struct cordon_notify *n);

#endif
