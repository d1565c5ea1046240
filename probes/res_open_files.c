/* res.open_files MAX: open /dev/null until refused (EMFILE/ENFILE) or MAX are open. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	long max, count = 0;
	char extra[48];

	probe_need_args("res.open_files", argc, 2, "usage: res_open_files MAX");
	if (!pu_parse_long(argv[1], &max) || max < 1)
		probe_inconclusive("res.open_files", argv[1], "bad MAX");
	for (; count < max; count++) {
		if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0) {
			int err = errno;
			snprintf(extra, sizeof(extra), "\"count\":%ld", count);
			probe_result("res.open_files", argv[1], PROBE_REFUSED, err, "open", extra);
		}
	}
	snprintf(extra, sizeof(extra), "\"count\":%ld", count);
	probe_result("res.open_files", argv[1], PROBE_SUCCEEDED, 0, "open", extra);
}
