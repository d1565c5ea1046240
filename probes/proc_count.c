/* proc.count: how many processes are visible in /proc. A sandbox with its own PID namespace
 * (and its own /proc) shows only its tree. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>

#include "probe.h"

int main(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long count = 0;
	char extra[48];

	if (!d)
		probe_finish("proc.count", "/proc", -1, "opendir");
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			count++;
	closedir(d);
	snprintf(extra, sizeof(extra), "\"count\":%ld", count);
	probe_result("proc.count", "/proc", PROBE_SUCCEEDED, 0, "readdir", extra);
}
