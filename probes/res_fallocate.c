/* res.fallocate PATH MIB: reserve MIB MiB for PATH (a canary) without writing. Disk quotas
 * and file-size limits must catch this as well as plain writes. The file is left for the
 * harness to measure. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	long mib;

	probe_need_args("res.fallocate", argc, 3, "usage: res_fallocate PATH MIB");
	if (!pu_parse_long(argv[2], &mib) || mib < 1 || mib > (1L << 20))
		probe_inconclusive("res.fallocate", argv[1], "bad MIB");
	signal(SIGXFSZ, SIG_IGN);
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		probe_finish("res.fallocate", argv[1], -1, "open");
	probe_finish("res.fallocate", argv[1], fallocate(fd, 0, 0, (off_t)mib << 20), "fallocate");
}
