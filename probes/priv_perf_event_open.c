/* priv.perf_event_open: a user-space-only software clock on this process, the least a
 * perf_event_paranoid of 2 allows. A sandbox should refuse the syscall outright: perf has
 * been a rich source of kernel bugs. */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <errno.h>
#include <unistd.h>

#include "probe.h"

int main(void)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	probe_finish("priv.perf_event_open", "self",
	             syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC),
	             "perf_event_open");
}
