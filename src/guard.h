/* The guard: protected names that appear while a sandbox runs (issue 11, class 6).
 *
 * The plan decides once, before the command starts, which protected paths exist (bound
 * read-only) and which do not (their creation from inside is refused by the supervisor). A
 * `.git` the user makes from outside while a long command runs would otherwise be an ordinary
 * writable directory inside. The guard watches the directory of every protected path (inotify,
 * in the supervisor) and, when one appears (absent at the start, or removed and made anew from
 * outside: the bind went with the old file), binds it read-only over itself inside
 * the sandbox's mount namespace, from a short-lived helper forked by the supervisor that joins
 * the sandbox's user and mount namespaces.
 *
 * What holds: from the moment the supervisor has seen the creation (a few milliseconds: one
 * poll round and one fork), the name is read-only inside, and it stays so. What does not: a
 * command that writes in that window, or opened a file beneath the new name within it, keeps
 * what it did or holds. As in the plan, a name that appears as a symlink is bound over
 * itself and what it leads to is bound too, and a `.git` file has its `gitdir:` directory (and
 * every symlink on the way) bound, once written; not a worktree's `commondir`. If a name appears and
 * cannot be bound, the run is ended. The plan must outlive the guard.
 *
 * Lifecycle: new (once the sandbox's mounts are made) -> fd in the supervisor's poll ->
 * handle on each readiness -> free. */
#ifndef CORDON_GUARD_H
#define CORDON_GUARD_H

#include "plan.h"

struct cordon_guard;

/* Watch the protected paths of plan, for the sandbox whose init is init_pid (its
 * namespaces are opened now), and bind any that exists already (created since the plan).
 * *out is NULL, and 0 returned, when the plan has nothing to watch. */
CORDON_HIDDEN int cordon_guard_new(const struct cordon_plan *plan, pid_t init_pid,
                                   struct cordon_guard **out, cordon_error *err);
/* The descriptor to poll for POLLIN, or -1. */
CORDON_HIDDEN int cordon_guard_fd(const struct cordon_guard *g);
/* Read what is pending (never blocks) and bind every watched path that appeared. 0, or a
 * negative errno with err naming the path that could not be protected. */
CORDON_HIDDEN int cordon_guard_handle(struct cordon_guard *g, cordon_error *err);
CORDON_HIDDEN void cordon_guard_free(struct cordon_guard *g);

#endif
