/* res.cpu SECONDS: spin until this process has used SECONDS of CPU time. A CPU limit shows
 * as a kill (SIGXCPU or SIGKILL, no line); a quota only makes it slower. */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

#include "probe.h"
#include "proc_util.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long seconds;
	char extra[48];
	volatile unsigned long spin = 0;

	probe_need_args("res.cpu", argc, 2, "usage: res_cpu SECONDS");
	if (!pu_parse_long(argv[1], &seconds) || seconds < 0 || seconds > 3600)
		probe_inconclusive("res.cpu", argv[1], "bad SECONDS");
	double used;
	while ((used = cpu_now()) < (double)seconds)
		for (int i = 0; i < 100000; i++)
			spin++;
	snprintf(extra, sizeof(extra), "\"cpu_seconds\":%.2f", used);
	probe_result("res.cpu", argv[1], PROBE_SUCCEEDED, 0, "spin", extra);
}
