/* Private to seccomp.c and notify*.c: libseccomp's header, raw syscall wrappers and the
 * constants the notification supervisor shares with the filter. */
#ifndef CORDON_SECCOMP_INT_H
#define CORDON_SECCOMP_INT_H

#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h> /* libseccomp (cordon's own header is cordon_seccomp.h, so no clash) */

#include "cordon_seccomp.h"
#include "sys.h"

/* Largest datagram the supervisor copies out of a target to send it on its behalf. */
#define CORDON_NOTIFY_MAX_SEND (256u * 1024u)

static inline int cordon_sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode,
                                     uint64_t resolve)
{
	struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

#endif
