/* connect(), sendto() with an address, sendmsg() and sendmmsg(), answered by the supervisor
 * (see notify.c for the rules every handler follows).
 *
 * The supervisor takes the socket (pidfd_getfd), copies the address and the data, decides,
 * and performs the call itself on the taken socket, so nothing the target changes afterwards
 * (its memory, its descriptor table) matters:
 *  - a pathname UNIX address is resolved inside the sandbox's root (notify_fs.c, following
 *    symlinks like the kernel would) to an O_PATH fd on the socket inode, which must lie on
 *    one of the sandbox's writable mounts (its workspace, writable roots, /tmp, /dev/shm);
 *    the call then names that very inode as "/proc/self/fd/N" -- short, whatever the original
 *    length, and immune to renames. Outside: EACCES, and the listener sees nothing.
 *  - an abstract UNIX address is looked up in the network namespace of the socket, which is
 *    the run's own when the network is off (a session's runs too: session.h), so only the
 *    run's own names are there, as Landlock's scoping would have it: performed as is. A
 *    namespace shared with anything else must never count as private. With the network on
 *    the sandbox shares the host's abstract namespace, and the supervisor (not under Landlock's
 *    scoping) must not connect there for it: ECONNREFUSED.
 *  - any other address family, or a socket that is not AF_UNIX, involves no path lookup:
 *    performed as is (the socket's own network namespace applies).
 *  - sendmsg's address sits in a struct in memory, which neither the filter nor a "continue"
 *    can trust, so every sendmsg is performed here, with or without an address: the iovecs are
 *    gathered into one buffer, SCM_RIGHTS descriptors are taken from the target and passed on,
 *    other control messages are passed as they are. sendmmsg sends its first message only
 *    (a short count the caller must already handle) and writes back its msg_len.
 * Calls can block (a full backlog or receive queue, TCP), so each runs in a short-lived
 * detached thread that answers the notification itself; the supervisor's loop never waits.
 *
 * Not covered, knowingly:
 *  - more than CORDON_NOTIFY_MAX_SEND bytes in one call: a datagram that large is refused
 *    with EMSGSIZE, a stream send is cut short there (a partial write).
 *  - SCM_CREDENTIALS cannot be sent as the target: it is left out, and a receiver using
 *    SO_PASSCRED sees the supervisor's credentials, as for every datagram sent through here.
 *    A SIGPIPE is not raised in the target (EPIPE is still returned). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "notify_int.h"

/* Control data copied out of one sendmsg; the kernel's own default limit (optmem_max) is
 * larger, but descriptor passing (at most SCM_MAX_FD = 253) fits well within this. */
#define NET_MAX_CONTROL 4096
#define NET_MAX_PASSED 253

enum net_call { NET_CONNECT, NET_SENDTO, NET_SENDMSG, NET_SENDMMSG };

struct net_job {
	int listener; /* a duplicate: the job outlives nothing it does not own */
	int sock;     /* the target's socket, taken */
	int path_fd;  /* the socket inode the address names, or -1 */
	uint64_t id;
	enum net_call call;
	int flags;
	socklen_t alen; /* 0: no address (sendmsg on a connected socket) */
	struct sockaddr_storage addr;
	pid_t pid;         /* sendmmsg: the target, whose msg_len is written back */
	uint64_t len_addr; /* sendmmsg: where */
	size_t controllen;
	/* Each message copied is padded to CMSG_SPACE, which the last one of the target's need
	 * not be: room for that padding beyond the limit. Aligned for the descriptors in it. */
	unsigned char control[NET_MAX_CONTROL + sizeof(long)] __attribute__((aligned(8)));
	int passed[NET_MAX_PASSED]; /* SCM_RIGHTS descriptors taken from the target */
	size_t n_passed;
	size_t len;
	char buf[]; /* the data */
};

static void job_free(struct net_job *j)
{
	if (j->listener >= 0)
		close(j->listener);
	if (j->sock >= 0)
		close(j->sock);
	if (j->path_fd >= 0)
		close(j->path_fd);
	for (size_t i = 0; i < j->n_passed; i++)
		close(j->passed[i]);
	free(j);
}

/* MSG_NOSIGNAL everywhere: a SIGPIPE would hit the supervisor, not the target. */
static ssize_t job_perform(struct net_job *j)
{
	struct sockaddr *sa = j->alen ? (struct sockaddr *)&j->addr : NULL;
	if (j->call == NET_CONNECT)
		return connect(j->sock, sa, j->alen);
	if (j->call == NET_SENDTO)
		return sendto(j->sock, j->buf, j->len, j->flags | MSG_NOSIGNAL, sa, j->alen);
	struct iovec iov = {.iov_base = j->buf, .iov_len = j->len};
	struct msghdr m = {.msg_name = sa,
	                   .msg_namelen = j->alen,
	                   .msg_iov = &iov,
	                   .msg_iovlen = 1,
	                   .msg_control = j->controllen ? j->control : NULL,
	                   .msg_controllen = j->controllen};
	return sendmsg(j->sock, &m, j->flags | MSG_NOSIGNAL);
}

/* sendmmsg reports each message's length in the target's vector; the target still waits
 * in its syscall (the id is checked), so its pid is its own. */
static void job_report_len(struct net_job *j, ssize_t sent)
{
	unsigned int len = (unsigned int)sent;
	struct iovec local = {.iov_base = &len, .iov_len = sizeof(len)};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)j->len_addr, .iov_len = sizeof(len)};
	uint64_t id = j->id;
	if (ioctl(j->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0)
		(void)process_vm_writev(j->pid, &local, 1, &remote, 1, 0);
}

static void *net_worker(void *arg)
{
	struct net_job *j = arg;
	ssize_t r = job_perform(j);
	int e = r < 0 ? -errno : 0;
	if (r >= 0 && j->call == NET_SENDMMSG) {
		job_report_len(j, r);
		r = 1;
	}
	notify_send(j->listener, j->id, r < 0 ? 0 : r, e);
	job_free(j);
	notify_job_done();
	return NULL;
}

/* Decide on the address and rewrite a pathname one to name the checked inode. */
static int prepare_addr(struct notify_req *r, struct net_job *j)
{
	int domain = 0;
	socklen_t dl = sizeof(domain);
	if (getsockopt(j->sock, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0)
		return -errno;
	struct sockaddr_un *un = (struct sockaddr_un *)&j->addr;
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	if (domain != AF_UNIX || j->alen <= off || un->sun_family != AF_UNIX)
		return 0; /* no path lookup: the kernel answers (EINVAL, a disconnect, inet) */
	if (un->sun_path[0] == '\0')
		return r->n->private_netns ? 0 : -ECONNREFUSED;
	char path[sizeof(un->sun_path) + 1];
	size_t plen = j->alen - off;
	memcpy(path, un->sun_path, plen);
	path[plen] = '\0';
	int fd = notify_resolve_object(r, (uint64_t)(uint32_t)AT_FDCWD, path, true);
	if (fd < 0)
		return fd;
	j->path_fd = fd;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -ECONNREFUSED;
	if (!notify_mount_writable(r->n, fd))
		return -EACCES;
	memset(un->sun_path, 0, sizeof(un->sun_path));
	snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d", fd);
	j->alen = (socklen_t)(off + strlen(un->sun_path) + 1);
	return 0;
}

static int take_socket(struct notify_req *r, int *sock)
{
	struct stat st;
	*sock = notify_take_fd(r, r->req->data.args[0]);
	if (*sock < 0)
		return *sock;
	if (fstat(*sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	return 0;
}

/* ---- connect, sendto ----------------------------------------------------------------------- */

static int read_plain(struct notify_req *r, struct net_job *j, uint64_t addr, uint64_t data)
{
	int e = notify_read(r, addr, &j->addr, j->alen);
	if (e == 0 && j->call == NET_SENDTO)
		e = notify_read(r, data, j->buf, j->len);
	return e < 0 ? e : take_socket(r, &j->sock);
}

static struct net_job *job_new(struct notify_req *r, enum net_call call, size_t len)
{
	struct net_job *j = calloc(1, sizeof(*j) + len);
	if (!j)
		return NULL;
	j->listener = j->sock = j->path_fd = -1;
	j->id = r->req->id;
	j->call = call;
	j->len = len;
	return j;
}

static int plain_job(struct notify_req *r, struct net_job **out)
{
	const __u64 *a = r->req->data.args;
	bool send = r->req->data.nr == __NR_sendto;
	int alen = (int)(send ? a[5] : a[2]);
	size_t len = send ? a[2] : 0;
	if (alen < 0 || (size_t)alen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	if (len > CORDON_NOTIFY_MAX_SEND)
		return -EMSGSIZE;
	struct net_job *j = *out = job_new(r, send ? NET_SENDTO : NET_CONNECT, len);
	if (!j)
		return -ENOMEM;
	j->flags = (int)a[3];
	j->alen = (socklen_t)alen;
	return read_plain(r, j, send ? a[4] : a[1], a[1]);
}

/* ---- sendmsg, sendmmsg ------------------------------------------------------------------- */

/* The iovecs' total, refused as the kernel would; a stream send beyond our limit is cut
 * short, a datagram beyond it refused. */
static int msg_data_len(const struct iovec *iov, size_t n, bool stream, size_t *out)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	if (total > CORDON_NOTIFY_MAX_SEND && !stream)
		return -EMSGSIZE;
	*out = total > CORDON_NOTIFY_MAX_SEND ? CORDON_NOTIFY_MAX_SEND : total;
	return 0;
}

/* Gather up to len bytes of the target's iovecs into buf. */
static int msg_gather(struct notify_req *r, struct iovec *iov, size_t n, char *buf, size_t len)
{
	size_t left = len, used = 0;
	while (used < n && left > 0) {
		if (iov[used].iov_len > left)
			iov[used].iov_len = left;
		left -= iov[used].iov_len;
		used++;
	}
	if (len == 0)
		return 0;
	struct iovec local = {.iov_base = buf, .iov_len = len};
	ssize_t got = process_vm_readv(r->req->pid, &local, 1, iov, used, 0);
	return got == (ssize_t)len ? 0 : -EFAULT;
}

static bool sock_is_stream(int fd)
{
	int type = 0;
	socklen_t tl = sizeof(type);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM;
}

/* The iovecs of one msghdr, and how many bytes of them will be sent. */
static int msg_data(struct notify_req *r, const struct msghdr *mh, int sock, struct iovec **iov,
                    size_t *len)
{
	if (mh->msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	*iov = NULL;
	*len = 0;
	if (mh->msg_iovlen == 0)
		return 0;
	*iov = calloc(mh->msg_iovlen, sizeof(**iov));
	if (!*iov)
		return -ENOMEM;
	int e = notify_read(r, (uint64_t)(uintptr_t)mh->msg_iov, *iov,
	                    mh->msg_iovlen * sizeof(**iov));
	return e < 0 ? e : msg_data_len(*iov, mh->msg_iovlen, sock_is_stream(sock), len);
}

/* Pass SCM_RIGHTS on with descriptors taken from the target; leave SCM_CREDENTIALS out (the
 * supervisor cannot claim the target's); copy the rest. Malformed control: EINVAL. */
static int msg_control(struct notify_req *r, struct net_job *j, unsigned char *in, size_t inlen)
{
	struct msghdr src = {.msg_control = in, .msg_controllen = inlen};
	struct msghdr dst = {.msg_control = j->control, .msg_controllen = sizeof(j->control)};
	struct cmsghdr *d = CMSG_FIRSTHDR(&dst);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&src); c; c = CMSG_NXTHDR(&src, c)) {
		if (c->cmsg_len < CMSG_LEN(0) ||
		    c->cmsg_len > inlen - (size_t)((unsigned char *)c - in))
			return -EINVAL;
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			continue;
		memcpy(d, c, c->cmsg_len);
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *fds = (int *)CMSG_DATA(d);
			for (size_t i = 0; i < n; i++) {
				if (j->n_passed == NET_MAX_PASSED)
					return -EINVAL;
				int fd = notify_take_fd(r, (uint64_t)(uint32_t)fds[i]);
				if (fd < 0)
					return fd;
				fds[i] = j->passed[j->n_passed++] = fd;
			}
		}
		j->controllen += CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));
		d = (struct cmsghdr *)((unsigned char *)d + CMSG_SPACE(c->cmsg_len - CMSG_LEN(0)));
	}
	return 0;
}

static int msg_read_control(struct notify_req *r, struct net_job *j, const struct msghdr *mh)
{
	if (!mh->msg_control || mh->msg_controllen == 0)
		return 0;
	if (mh->msg_controllen > NET_MAX_CONTROL)
		return -ENOBUFS;
	unsigned char in[NET_MAX_CONTROL] __attribute__((aligned(8)));
	int e = notify_read(r, (uint64_t)(uintptr_t)mh->msg_control, in, mh->msg_controllen);
	return e < 0 ? e : msg_control(r, j, in, mh->msg_controllen);
}

static int msg_read_name(struct notify_req *r, struct net_job *j, const struct msghdr *mh)
{
	if (!mh->msg_name)
		return 0; /* the kernel ignores msg_namelen then */
	if ((int)mh->msg_namelen < 0)
		return -EINVAL;
	j->alen = mh->msg_namelen > sizeof(j->addr) ? (socklen_t)sizeof(j->addr) : mh->msg_namelen;
	return notify_read(r, (uint64_t)(uintptr_t)mh->msg_name, &j->addr, j->alen);
}

static int msg_job(struct notify_req *r, struct net_job **out)
{
	const __u64 *a = r->req->data.args;
	bool many = r->req->data.nr == __NR_sendmmsg;
	struct mmsghdr mm;
	if (many && a[2] == 0)
		return 0; /* an empty vector: nothing sent */
	int sock = -1;
	int e = notify_read(r, a[1], &mm.msg_hdr, sizeof(mm.msg_hdr));
	if (e == 0)
		e = take_socket(r, &sock);
	struct iovec *iov = NULL;
	size_t len = 0;
	if (e == 0)
		e = msg_data(r, &mm.msg_hdr, sock, &iov, &len);
	struct net_job *j = NULL;
	if (e == 0 && !(j = *out = job_new(r, many ? NET_SENDMMSG : NET_SENDMSG, len)))
		e = -ENOMEM;
	if (e == 0) {
		j->sock = sock;
		sock = -1;
		j->flags = (int)(many ? a[3] : a[2]);
		j->pid = (pid_t)r->req->pid;
		j->len_addr = a[1] + offsetof(struct mmsghdr, msg_len);
		e = msg_gather(r, iov, mm.msg_hdr.msg_iovlen, j->buf, len);
	}
	if (e == 0)
		e = msg_read_name(r, j, &mm.msg_hdr);
	if (e == 0)
		e = msg_read_control(r, j, &mm.msg_hdr);
	if (sock >= 0)
		close(sock);
	free(iov);
	return e;
}

/* ---- the handler ------------------------------------------------------------------------- */

int notify_handle_net(struct notify_req *r)
{
	struct net_job *j = NULL;
	int nr = r->req->data.nr;
	int e = nr == __NR_sendmsg || nr == __NR_sendmmsg ? msg_job(r, &j) : plain_job(r, &j);
	if (e == 0 && !j)
		return 0;
	/* Everything was read from a target that still waits: it is what it asked for. */
	if (e == 0 && notify_valid(r) < 0)
		e = -ESRCH;
	if (e == 0)
		e = prepare_addr(r, j);
	if (e == 0) {
		j->listener = fcntl(r->n->listener, F_DUPFD_CLOEXEC, 3);
		e = j->listener < 0 ? -errno : notify_start_job(net_worker, j);
	}
	if (e < 0) {
		if (j)
			job_free(j);
		return e;
	}
	return NOTIFY_ANSWERED;
}
