/* fs.io_uring_open: fs.write through io_uring: IORING_OP_OPENAT (O_WRONLY|O_CREAT|O_TRUNC)
 * and IORING_OP_WRITE of the marker. A seccomp filter on openat never sees it; a read-only
 * mount or Landlock still stops it. detail: "io_uring_setup"/"io_uring_enter" (io_uring
 * refused), "openat" or "write" (the operation refused inside the ring). */
#define _GNU_SOURCE
#include "fsnet.h"
#include "fsnet_uring.h"
#include "probe.h"

#define PROBE "fs.io_uring_open"

static int submit_one(struct fsnet_ring *r, const char *path, const struct io_uring_sqe *sqe)
{
	if (fsnet_ring_run(r, sqe, 1) < 0)
		probe_finish(PROBE, path, -1, "io_uring_enter");
	return fsnet_ring_result(r, sqe->user_data);
}

static _Noreturn void finish_res(const char *path, int res, const char *step)
{
	if (res < 0)
		errno = -res;
	probe_finish(PROBE, path, res < 0 ? -1 : 0, step);
}

int main(int argc, char **argv)
{
	struct fsnet_ring r;
	const char *step = NULL;
	char marker[128];

	probe_need_args(PROBE, argc, 2, "usage: fs_io_uring_open PATH");
	const char *path = argv[1];
	if (fsnet_ring_setup(&r, &step) < 0)
		probe_finish(PROBE, path, -1, step);
	struct io_uring_sqe open_sqe = {.opcode = IORING_OP_OPENAT,
	                                .fd = AT_FDCWD,
	                                .addr = (uint64_t)(uintptr_t)path,
	                                .len = 0644,
	                                .open_flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	                                .user_data = 1};
	int fd = submit_one(&r, path, &open_sqe);
	if (fd < 0)
		finish_res(path, fd, "openat");
	int n = snprintf(marker, sizeof(marker), "cordon-probe %s\n", PROBE);
	struct io_uring_sqe write_sqe = {.opcode = IORING_OP_WRITE,
	                                 .fd = fd,
	                                 .addr = (uint64_t)(uintptr_t)marker,
	                                 .len = (unsigned)n,
	                                 .off = 0,
	                                 .user_data = 2};
	int res = submit_one(&r, path, &write_sqe);
	if (res >= 0 && res != n)
		res = -EIO;
	finish_res(path, res, "write");
}
