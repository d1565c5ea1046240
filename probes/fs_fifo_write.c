/* fs.fifo_write: write the marker into the existing FIFO PATH the way a shell redirection does
 * (`echo x > PATH`: open O_WRONLY|O_CREAT|O_TRUNC). The probe holds the reading end itself
 * (opened first, O_NONBLOCK, which needs only read access) and reads the marker back, so the
 * open never waits and the outcome is what crossed the pipe. Outside the writable roots a FIFO
 * is a host process's input (issue 11 class 1: a supervisor that performs O_CREAT opens must
 * not open it where the sandbox itself could not). */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.fifo_write"

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_fifo_write FIFO");
	const char *path = argv[1];
	int rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (rd < 0 || fstat(rd, &st) < 0 || !S_ISFIFO(st.st_mode))
		probe_result(PROBE, path, PROBE_INCONCLUSIVE, rd < 0 ? errno : ENOTSUP,
		             "not a readable FIFO", NULL);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		probe_finish(PROBE, path, -1, "open");
	if (fsnet_write_marker(fd, PROBE) < 0)
		probe_finish(PROBE, path, -1, "write");
	char want[128], got[128] = {0};
	snprintf(want, sizeof(want), "cordon-probe %s\n", PROBE);
	ssize_t n = read(rd, got, sizeof(got) - 1);
	if (n <= 0 || strcmp(got, want) != 0)
		probe_result(PROBE, path, PROBE_INCONCLUSIVE, n < 0 ? errno : EIO,
		             "the marker did not come back", NULL);
	probe_finish(PROBE, path, 0, "write");
}
