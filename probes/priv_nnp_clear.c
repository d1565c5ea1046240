/* priv.nnp_clear: try to clear no_new_privs. The kernel only accepts 1 (the bit is sticky),
 * so this is refused with EINVAL everywhere; "before" and "after" show the bit, and a
 * succeeded line would mean a kernel that lets a sandboxed process regain setuid. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "probe.h"

int main(void)
{
	char extra[48];
	int before = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	int rc = prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0);
	int err = errno;
	int after = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	snprintf(extra, sizeof(extra), "\"before\":%d,\"after\":%d", before, after);
	if (rc == 0 && !(before == 1 && after == 1))
		probe_result("priv.nnp_clear", "no_new_privs", PROBE_SUCCEEDED, 0, "prctl", extra);
	probe_result("priv.nnp_clear", "no_new_privs", PROBE_REFUSED, rc ? err : 0, "prctl", extra);
}
