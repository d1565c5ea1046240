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

/* What the filter depends on, and all it depends on. */
struct cordon_seccomp_variant {
	bool network_off; /* only AF_UNIX sockets */
	bool notify;      /* the kernel has user notification: connect/send* go to the supervisor */
	bool create_notify; /* and creating names (and bind) does too: there is a writable root,
	                     * or a protected name that does not exist yet */
};

/* A variant's program, generated at build time (seccomp_gen.c). */
struct cordon_seccomp_prebuilt {
	struct cordon_seccomp_variant variant;
	unsigned short len;
	const struct sock_filter *prog;
};

CORDON_HIDDEN struct cordon_seccomp_variant
cordon_seccomp_variant_of(const struct cordon_plan *plan);
/* Build a variant with libseccomp, whatever was generated at build time. */
CORDON_HIDDEN int cordon_seccomp_generate(struct cordon_seccomp_variant v,
                                          struct cordon_seccomp **out, cordon_error *err);
/* The program in sc, and whether it has notified rules (load it with a listener). */
CORDON_HIDDEN unsigned short cordon_seccomp_program(const struct cordon_seccomp *sc,
                                                    const struct sock_filter **prog);
/* The build-time program of a variant, or NULL (not generated: libseccomp builds it). */
CORDON_HIDDEN const struct cordon_seccomp_prebuilt *
cordon_seccomp_prebuilt_find(struct cordon_seccomp_variant v);

/* Largest datagram the supervisor copies out of a target to send it on its behalf. */
#define CORDON_NOTIFY_MAX_SEND (256u * 1024u)

#endif
