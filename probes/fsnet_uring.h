/* A minimal io_uring driver for the probes that submit their action through io_uring
 * (net_io_uring_connect, fs_io_uring_open): raw system calls, no liburing, one submission
 * batch at a time. io_uring operations are not system calls, so a seccomp filter never sees
 * the socket, connect or openat they perform; only refusing io_uring itself helps. */
#ifndef CORDON_PROBES_FSNET_URING_H
#define CORDON_PROBES_FSNET_URING_H

#include <errno.h>
#include <linux/io_uring.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct fsnet_ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static inline void *fsnet_ring_map(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off);
	return p == MAP_FAILED ? NULL : p;
}

/* -1 with errno when io_uring_setup or a ring mapping fails; *step says which. */
static inline int fsnet_ring_setup(struct fsnet_ring *r, const char **step)
{
	struct io_uring_params p = {0};
	*step = "io_uring_setup";
	r->fd = (int)syscall(__NR_io_uring_setup, 8, &p);
	if (r->fd < 0)
		return -1;
	size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	bool single = p.features & IORING_FEAT_SINGLE_MMAP;
	if (single)
		sq_len = cq_len = sq_len > cq_len ? sq_len : cq_len;
	*step = "mmap ring";
	char *sq = fsnet_ring_map(r->fd, sq_len, IORING_OFF_SQ_RING);
	char *cq = single ? sq : fsnet_ring_map(r->fd, cq_len, IORING_OFF_CQ_RING);
	r->sqes =
	        fsnet_ring_map(r->fd, p.sq_entries * sizeof(struct io_uring_sqe), IORING_OFF_SQES);
	if (!sq || !cq || !r->sqes)
		return -1;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Queue n entries, submit them and wait until n completions are there. -1 with errno when
 * io_uring_enter itself is refused (io_uring said no, not the operation). */
static inline int fsnet_ring_run(struct fsnet_ring *r, const struct io_uring_sqe *sqe, unsigned n)
{
	unsigned tail = *r->sq_tail;
	for (unsigned i = 0; i < n; i++, tail++) {
		unsigned idx = tail & *r->sq_mask;
		r->sqes[idx] = sqe[i];
		r->sq_array[idx] = idx;
	}
	__atomic_store_n(r->sq_tail, tail, __ATOMIC_RELEASE);
	long rc = syscall(__NR_io_uring_enter, r->fd, n, n, IORING_ENTER_GETEVENTS, NULL, 0);
	return rc < 0 ? -1 : 0;
}

/* The result of the completion with this user_data (consuming all that are there);
 * -ENOENT if it is not among them. */
static inline int fsnet_ring_result(struct fsnet_ring *r, uint64_t user_data)
{
	int res = -ENOENT;
	unsigned head = *r->cq_head, tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
	for (; head != tail; head++) {
		struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];
		if (cqe->user_data == user_data)
			res = cqe->res;
	}
	__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	return res;
}

#endif
