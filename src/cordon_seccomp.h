/* The seccomp side of the sandbox: the filter every process in the tree inherits, and the
 * supervisor that answers its user notifications (pathname UNIX connects, creation of
 * protected names). libseccomp builds the filter; no hand-written BPF.
 *
 * Lifecycle (driven by sandbox.c):
 *   parent, before clone:  cordon_seccomp_build(plan, &sc)         -- the build-time program
 *   child, last step:      cordon_seccomp_load(sc, &listener)      -- after no_new_privs+Landlock;
 *                           the listener's number goes to the supervisor, which takes it
 *                           with pidfd_getfd (a sendmsg would wait on its own filter)
 *   supervisor:            cordon_notify_read(plan, init_pid, &n) once the child's mounts are
 *                           in place (while the child goes on confining itself), then
 *                           cordon_notify_listen(n, listener) when it says READY (or both at
 *                           once: cordon_notify_new); cordon_notify_handle(n) whenever the
 *                           listener is readable; cordon_notify_free(n) after the tree is gone. */
#ifndef CORDON_CORDON_SECCOMP_H
#define CORDON_CORDON_SECCOMP_H

#include <sys/types.h>

#include "plan.h"

struct cordon_seccomp;
struct cordon_notify;

/* The plan's filter: generated at build time for its variant, or by libseccomp here. */
CORDON_HIDDEN int cordon_seccomp_build(const struct cordon_plan *plan, struct cordon_seccomp **out,
                                       cordon_error *err);
/* Load the filter in the calling process. *listener is -1 when the plan needs no supervisor. */
CORDON_HIDDEN int cordon_seccomp_load(struct cordon_seccomp *sc, int *listener, cordon_error *err);
CORDON_HIDDEN void cordon_seccomp_free(struct cordon_seccomp *sc);
/* Whether the loaded filter will come with a listener (a supervisor is needed). */
CORDON_HIDDEN bool cordon_seccomp_notifies(const struct cordon_seccomp *sc);

/* What the supervisor needs of the sandbox's view, read through init_pid's root: the mounts
 * must be in place and the command not started. The listener comes later, or never. */
CORDON_HIDDEN int cordon_notify_read(const struct cordon_plan *plan, pid_t init_pid,
                                     struct cordon_notify **out, cordon_error *err);
CORDON_HIDDEN int cordon_notify_listen(struct cordon_notify *n, int listener, cordon_error *err);
CORDON_HIDDEN int cordon_notify_new(const struct cordon_plan *plan, pid_t init_pid, int listener,
                                    struct cordon_notify **out, cordon_error *err);
/* Answer one pending notification. 0, or a negative errno when the listener is gone. */
/* Take ruleset (the init's Landlock ruleset, see landlock.h): from now on every object the
 * supervisor opens or creates for the sandbox is opened or created in a thread confined by it.
 * Without one (no Landlock), the mounts are the only fence, as they are for the sandbox. */
CORDON_HIDDEN void cordon_notify_confine(struct cordon_notify *n, int ruleset);
CORDON_HIDDEN int cordon_notify_handle(struct cordon_notify *n);
CORDON_HIDDEN int cordon_notify_fd(const struct cordon_notify *n);
CORDON_HIDDEN void cordon_notify_free(struct cordon_notify *n);

#endif
