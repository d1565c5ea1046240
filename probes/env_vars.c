/* env.vars NAME...: which of the named variables are present ("present": {NAME: bool}).
 * "succeeded" means at least one is present: the harness names secret-looking variables it
 * planted, which a sound sandbox drops. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	char extra[6144];
	size_t len = 0;
	bool any = false;

	probe_need_args("env.vars", argc, 2, "usage: env_vars NAME...");
	len += (size_t)snprintf(extra, sizeof(extra), "\"present\":{");
	for (int i = 1; i < argc && len + 64 < sizeof(extra); i++) {
		bool here = getenv(argv[i]) != NULL;
		any |= here;
		if (i > 1)
			extra[len++] = ',';
		probe_json_str(extra, sizeof(extra) - 16, &len, argv[i]);
		len += (size_t)snprintf(extra + len, sizeof(extra) - len, ":%s",
		                        here ? "true" : "false");
	}
	snprintf(extra + len, sizeof(extra) - len, "}");
	probe_result("env.vars", argv[1], any ? PROBE_SUCCEEDED : PROBE_REFUSED, 0,
	             any ? "present" : "absent", extra);
}
