/* The verdict for "dangerous call with harmless arguments" probes (priv.*): a refusal is
 * EPERM, EACCES or ENOSYS (what capability checks, LSMs and seccomp filters return); any
 * other errno means the kernel got as far as examining the deliberately invalid arguments,
 * so the call was not refused ("succeeded", "reached":true, errno reported). */
#ifndef CORDON_PRIV_REACH_H
#define CORDON_PRIV_REACH_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "probe.h"

static inline bool pr_is_refusal(int err)
{
	return err == EPERM || err == EACCES || err == ENOSYS;
}

/* "ret" is the call's return value when it succeeded (e.g. a key serial the harness can
 * compare with its own). */
static inline _Noreturn void pr_finish(const char *probe, const char *target, long rc, int err,
                                       const char *detail)
{
	char extra[64];
	snprintf(extra, sizeof(extra), "\"reached\":true,\"ret\":%ld", rc);
	if (rc >= 0)
		probe_result(probe, target, PROBE_SUCCEEDED, 0, detail, extra);
	if (pr_is_refusal(err))
		probe_result(probe, target, PROBE_REFUSED, err, detail, "\"reached\":false");
	probe_result(probe, target, PROBE_SUCCEEDED, err, detail, "\"reached\":true");
}

#endif
