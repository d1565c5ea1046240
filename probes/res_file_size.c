/* res.file_size PATH MIB: write MIB MiB to PATH (a canary the harness made). SIGXFSZ is
 * ignored so a file-size limit shows as EFBIG; "bytes" says how far it got. The file is left
 * for the harness to measure. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	long mib;
	long long done = 0;
	static char chunk[1 << 16];
	char extra[48];

	probe_need_args("res.file_size", argc, 3, "usage: res_file_size PATH MIB");
	if (!pu_parse_long(argv[2], &mib) || mib < 1 || mib > (1L << 20))
		probe_inconclusive("res.file_size", argv[1], "bad MIB");
	signal(SIGXFSZ, SIG_IGN);
	memset(chunk, 'c', sizeof(chunk));
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		probe_finish("res.file_size", argv[1], -1, "open");
	while (done < (long long)mib << 20) {
		ssize_t n = write(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;
			snprintf(extra, sizeof(extra), "\"bytes\":%lld", done);
			probe_result("res.file_size", argv[1], PROBE_REFUSED, err, "write", extra);
		}
		done += n;
	}
	snprintf(extra, sizeof(extra), "\"bytes\":%lld", done);
	probe_result("res.file_size", argv[1], PROBE_SUCCEEDED, 0, "write", extra);
}
