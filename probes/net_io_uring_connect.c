/* net.io_uring_connect: socket + connect to HOST PORT submitted through io_uring
 * (IORING_OP_SOCKET, IORING_OP_CONNECT). A seccomp filter that refuses socket(AF_INET) never
 * sees these: a sound sandbox refuses io_uring itself. detail says which step said no:
 * "io_uring_setup"/"io_uring_enter" (io_uring refused), "socket" or "connect" (the
 * operation refused inside the ring). */
#define _GNU_SOURCE
#include <linux/time_types.h>

#include "fsnet.h"
#include "fsnet_uring.h"
#include "probe.h"

#define PROBE "net.io_uring_connect"
#define CONNECT_SECONDS 5

static const char *g_target = "";

/* Run a batch; a refused io_uring_enter ends the probe. */
static void run(struct fsnet_ring *r, const struct io_uring_sqe *sqe, unsigned n)
{
	if (fsnet_ring_run(r, sqe, n) < 0)
		probe_finish(PROBE, g_target, -1, "io_uring_enter");
}

static int uring_socket(struct fsnet_ring *r, int family)
{
	struct io_uring_sqe sqe = {.opcode = IORING_OP_SOCKET,
	                           .fd = family,
	                           .off = SOCK_STREAM | SOCK_CLOEXEC,
	                           .len = 0,
	                           .user_data = 1};
	run(r, &sqe, 1);
	return fsnet_ring_result(r, 1);
}

/* The connect is linked to a timeout, so an unanswered SYN ends as -ECANCELED. */
static int uring_connect(struct fsnet_ring *r, int fd, const struct sockaddr_storage *ss,
                         socklen_t len)
{
	static struct __kernel_timespec ts = {.tv_sec = CONNECT_SECONDS};
	struct io_uring_sqe sqe[2] = {
	        {.opcode = IORING_OP_CONNECT,
	         .flags = IOSQE_IO_LINK,
	         .fd = fd,
	         .addr = (uint64_t)(uintptr_t)ss,
	         .off = len,
	         .user_data = 2},
	        {.opcode = IORING_OP_LINK_TIMEOUT,
	         .fd = -1,
	         .addr = (uint64_t)(uintptr_t)&ts,
	         .len = 1,
	         .user_data = 3},
	};
	run(r, sqe, 2);
	return fsnet_ring_result(r, 2);
}

static _Noreturn void finish_res(const char *target, int res, const char *step)
{
	if (res >= 0)
		probe_finish(PROBE, target, 0, step);
	errno = -res;
	probe_finish(PROBE, target, -1, step);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct fsnet_ring r;
	const char *step = NULL;

	probe_need_args(PROBE, argc, 3, "usage: net_io_uring_connect HOST PORT");
	if (!fsnet_sockaddr(argv[1], argv[2], &ss, &len))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL,
		             "usage: numeric HOST, PORT", NULL);
	g_target = argv[1];
	if (fsnet_ring_setup(&r, &step) < 0)
		probe_finish(PROBE, argv[1], -1, step);
	int fd = uring_socket(&r, ss.ss_family);
	if (fd < 0)
		finish_res(argv[1], fd, "socket");
	finish_res(argv[1], uring_connect(&r, fd, &ss, len), "connect");
}
