/* fs.list: list DIR; reports "count" (entries other than . and ..) and the first names
 * ("entries"), so the harness can check that a hidden directory shows nothing of its own. */
#define _GNU_SOURCE
#include <dirent.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.list"
#define MAX_NAMES 64

int main(int argc, char **argv)
{
	char extra[6144];
	size_t len = 0;
	long count = 0;
	struct dirent *de;

	probe_need_args(PROBE, argc, 2, "usage: fs_list DIR");
	DIR *d = opendir(argv[1]);
	if (!d)
		probe_finish(PROBE, argv[1], -1, "opendir");
	len += (size_t)snprintf(extra, sizeof(extra), "\"entries\":[");
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (count < MAX_NAMES && len + 300 < sizeof(extra)) {
			if (count)
				extra[len++] = ',';
			probe_json_str(extra, sizeof(extra), &len, de->d_name);
		}
		count++;
	}
	if (errno)
		probe_finish(PROBE, argv[1], -1, "readdir");
	snprintf(extra + len, sizeof(extra) - len, "],\"count\":%ld", count);
	probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, "readdir", extra);
}
