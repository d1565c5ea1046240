/* Landlock: the second, independent wall around writes (it also covers descriptors opened
 * before the sandbox and stops mount/pivot_root in nested namespaces). */
#ifndef CORDON_LANDLOCK_H
#define CORDON_LANDLOCK_H

#include "plan.h"

/* The file-system rights this ABI knows (the kernel refuses unknown bits). */
CORDON_HIDDEN uint64_t cordon_landlock_fs_rights(int abi);

/* Restrict the calling process (no_new_privs must already be set): read and execute
 * everywhere, write only beneath the plan's writable roots, /tmp, /dev/shm and the writable
 * device nodes; TCP refused when the network is off (ABI >= 4); abstract UNIX sockets and
 * signals scoped to the sandbox (ABI >= 6). Call after the mounts: paths are resolved in the
 * sandbox's view. 0 or a negative errno with a message. */
CORDON_HIDDEN int cordon_landlock_apply(const struct cordon_plan *plan, int abi, int *ruleset_out,
                                        cordon_error *err);
/* The ruleset cordon_landlock_apply restricts with, as a descriptor (O_CLOEXEC), or a negative
 * errno with a message. *ruleset_out of cordon_landlock_apply is that descriptor, left open:
 * the supervisor confines the threads that open or create on the sandbox's behalf with it,
 * so they get exactly the sandbox's rights (rules are on inodes: the same in any view). */
CORDON_HIDDEN int cordon_landlock_ruleset(const struct cordon_plan *plan, int abi,
                                          cordon_error *err);

#endif
