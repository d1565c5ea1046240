/* priv.personality: set READ_IMPLIES_EXEC (every readable mapping becomes executable), then
 * read the persona back. Only this probe is affected. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/personality.h>

#include "probe.h"

int main(void)
{
	char extra[48];
	int old = personality(0xffffffff);
	if (personality((unsigned long)(old & ~0) | READ_IMPLIES_EXEC) < 0)
		probe_finish("priv.personality", "READ_IMPLIES_EXEC", -1, "personality");
	int now = personality(0xffffffff);
	snprintf(extra, sizeof(extra), "\"persona\":\"0x%x\"", (unsigned)now);
	if (now < 0 || !(now & READ_IMPLIES_EXEC))
		probe_result("priv.personality", "READ_IMPLIES_EXEC", PROBE_REFUSED, 0, "readback",
		             extra);
	probe_result("priv.personality", "READ_IMPLIES_EXEC", PROBE_SUCCEEDED, 0, "personality",
	             extra);
}
