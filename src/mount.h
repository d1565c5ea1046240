/* The file-system view: apply a plan's mount operations inside the new mount namespace.
 * Runs in the sandbox's init (pid 1 of the new namespaces), before privileges are dropped. */
#ifndef CORDON_MOUNT_H
#define CORDON_MOUNT_H

#include "plan.h"

/* Apply every mount op of plan, in the order the kernel needs (clone writable trees, make the
 * root read-only, build /proc /dev /tmp, reattach the writable trees, then protect and hide).
 * 0 or a negative errno with a message naming the path. */
CORDON_HIDDEN int cordon_mount_apply(const struct cordon_plan *plan, cordon_error *err);

#endif
