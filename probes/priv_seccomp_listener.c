/* priv.seccomp_listener: load a seccomp filter of the probe's own with a user-notification
 * listener (libseccomp: allow everything, notify getppid) and report whether the kernel gave
 * a listener descriptor. Between two filters with listeners the kernel asks the newest, so a
 * command that holds its own listener could answer for the sandbox's supervisor (a connect
 * the supervisor would refuse, CONTINUEd by the command itself). Sound: refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <sys/prctl.h>

#include "probe.h"

#define P "priv.seccomp_listener"

int main(void)
{
	/* A filter needs no_new_privs (or CAP_SYS_ADMIN): set it, as any program may. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		probe_inconclusive(P, "listener", "no_new_privs");
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		probe_inconclusive(P, "listener", "seccomp_init");
	int r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0);
	if (r < 0)
		probe_inconclusive(P, "listener", "seccomp_rule_add");
	r = seccomp_load(ctx);
	if (r < 0) {
		errno = -r;
		probe_finish(P, "listener", -1, "seccomp_load");
	}
	int fd = seccomp_notify_fd(ctx);
	errno = fd < 0 ? -fd : 0;
	probe_finish(P, "listener", fd < 0 ? -1 : 0, "seccomp_notify_fd");
}
