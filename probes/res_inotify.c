/* res.inotify MAX: create inotify instances until refused or MAX. The limit is per user and
 * shared with the host's processes of that user (file watchers, editors). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/inotify.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	long max, count = 0;
	char extra[48];

	probe_need_args("res.inotify", argc, 2, "usage: res_inotify MAX");
	if (!pu_parse_long(argv[1], &max) || max < 1)
		probe_inconclusive("res.inotify", argv[1], "bad MAX");
	for (; count < max; count++) {
		if (inotify_init1(IN_CLOEXEC) < 0) {
			int err = errno;
			snprintf(extra, sizeof(extra), "\"count\":%ld", count);
			probe_result("res.inotify", argv[1], PROBE_REFUSED, err, "inotify_init1",
			             extra);
		}
	}
	snprintf(extra, sizeof(extra), "\"count\":%ld", count);
	probe_result("res.inotify", argv[1], PROBE_SUCCEEDED, 0, "inotify_init1", extra);
}
