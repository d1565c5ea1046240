/* env.mounts: count the mounts this process sees (/proc/self/mountinfo lines). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "probe.h"

int main(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], extra[48];
	long count = 0;

	if (!f)
		probe_finish("env.mounts", "/proc/self/mountinfo", -1, "open");
	while (fgets(line, sizeof(line), f))
		if (strchr(line, '\n'))
			count++;
	fclose(f);
	snprintf(extra, sizeof(extra), "\"count\":%ld", count);
	probe_result("env.mounts", "/proc/self/mountinfo", PROBE_SUCCEEDED, 0, "read", extra);
}
