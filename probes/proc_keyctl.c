/* proc.keyctl: describe and read the user keyring. Kernel keyrings are not namespaced, so a
 * sandbox that allows keyctl shares the host user's keys (Docker refuses keyctl for this). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>

#include "probe.h"
#include "proc_util.h"

#define PK_KEYCTL_DESCRIBE 6
#define PK_KEYCTL_READ 11
#define PK_KEY_SPEC_USER_KEYRING (-4)

int main(void)
{
	char desc[256], payload[4096], extra[512];
	size_t len = 0;

	long n = syscall(SYS_keyctl, PK_KEYCTL_DESCRIBE, PK_KEY_SPEC_USER_KEYRING, desc,
	                 sizeof(desc) - 1, 0);
	if (n < 0)
		probe_finish("proc.keyctl", "@u", -1, "describe");
	desc[n < (long)sizeof(desc) ? n : (long)sizeof(desc) - 1] = '\0';
	long r = syscall(SYS_keyctl, PK_KEYCTL_READ, PK_KEY_SPEC_USER_KEYRING, payload,
	                 sizeof(payload), 0);
	len += (size_t)snprintf(extra, sizeof(extra), "\"description\":");
	probe_json_str(extra, sizeof(extra), &len, desc);
	snprintf(extra + len, sizeof(extra) - len, ",\"bytes\":%ld", r);
	probe_result("proc.keyctl", "@u", PROBE_SUCCEEDED, r < 0 ? errno : 0,
	             r < 0 ? "describe" : "read", extra);
}
