/* env.kallsyms: are kernel symbol addresses visible? Reads /proc/kallsyms and counts
 * non-zero addresses ("nonzero" of "lines"). Zeros everywhere (kptr_restrict, no CAP_SYSLOG)
 * is refused with detail "zeroed"; real addresses defeat KASLR. */
#define _GNU_SOURCE
#include <stdio.h>

#include "probe.h"

int main(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], extra[64];
	long lines = 0, nonzero = 0;

	if (!f)
		probe_finish("env.kallsyms", "/proc/kallsyms", -1, "open");
	/* A sample is enough: the kernel zeroes all addresses or none for one reader. */
	while (lines < 1000 && fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		if (sscanf(line, "%llx", &addr) != 1)
			continue;
		lines++;
		nonzero += addr != 0;
	}
	fclose(f);
	snprintf(extra, sizeof(extra), "\"lines\":%ld,\"nonzero\":%ld", lines, nonzero);
	if (lines == 0)
		probe_result("env.kallsyms", "/proc/kallsyms", PROBE_INCONCLUSIVE, 0, "empty",
		             extra);
	probe_result("env.kallsyms", "/proc/kallsyms", nonzero ? PROBE_SUCCEEDED : PROBE_REFUSED, 0,
	             nonzero ? "addresses" : "zeroed", extra);
}
