/* env.hostname: report the host name this process sees; the harness compares it with the
 * host's (a private UTS namespace can show another). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/utsname.h>

#include "probe.h"

int main(void)
{
	struct utsname u;
	char extra[160];
	size_t len = 0;

	if (uname(&u) < 0)
		probe_finish("env.hostname", "uts", -1, "uname");
	len += (size_t)snprintf(extra, sizeof(extra), "\"hostname\":");
	probe_json_str(extra, sizeof(extra), &len, u.nodename);
	probe_result("env.hostname", "uts", PROBE_SUCCEEDED, 0, "uname", extra);
}
