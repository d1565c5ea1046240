/* connect() and sendto() with an address, answered by the supervisor (see notify.c for the
 * rules every handler follows).
 *
 * The supervisor takes the socket (pidfd_getfd), copies the address (and for sendto the
 * data), decides, and performs the call itself on the taken socket, so nothing the target
 * changes afterwards (its memory, its descriptor table) matters:
 *  - a pathname UNIX address is resolved inside the sandbox's root (notify_fs.c, following
 *    symlinks like the kernel would) to an O_PATH fd on the socket inode, which must lie on
 *    one of the sandbox's writable mounts (its workspace, writable roots, /tmp, /dev/shm);
 *    the call then names that very inode as "/proc/self/fd/N" -- short, whatever the original
 *    length, and immune to renames. Outside: EACCES, and the listener sees nothing.
 *  - an abstract UNIX address is looked up in the network namespace of the socket, which is
 *    the sandbox's private one when the network is off: performed as is. With the network on
 *    the sandbox shares the host's abstract namespace, and the supervisor (not under Landlock's
 *    scoping) must not connect there for it: ECONNREFUSED.
 *  - any other address family, or a socket that is not AF_UNIX, involves no path lookup:
 *    performed as is (the socket's own network namespace applies).
 * Connects can block (a full backlog, TCP), so each runs in a short-lived detached thread
 * that answers the notification itself; the supervisor's loop never waits on one.
 *
 * Not covered, knowingly:
 *  - sendmsg/sendmmsg with msg_name. The address sits in a struct in memory, so every sendmsg
 *    would have to pass through the supervisor, which cannot re-send SCM_CREDENTIALS as the
 *    target. A datagram can therefore still reach a pathname SOCK_DGRAM socket outside the
 *    writable roots (journald's, say) through sendmsg. Stream services (docker, D-Bus,
 *    ssh-agent) need connect(), which is covered; sendmsg with a name on an unconnected stream
 *    socket fails in the kernel.
 *  - sendto with an address and more than CORDON_NOTIFY_MAX_SEND bytes: EMSGSIZE.
 *  - A datagram sent through the supervisor carries its credentials (a receiver using
 *    SO_PASSCRED sees the supervisor's pid), and a SIGPIPE is not raised in the target. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "notify_int.h"

struct net_job {
	int listener; /* a duplicate: the job outlives nothing it does not own */
	int sock;     /* the target's socket, taken */
	int path_fd;  /* the socket inode the address names, or -1 */
	uint64_t id;
	bool send;
	int flags;
	socklen_t alen;
	struct sockaddr_storage addr;
	size_t len;
	char buf[]; /* sendto's data */
};

static void job_free(struct net_job *j)
{
	if (j->listener >= 0)
		close(j->listener);
	if (j->sock >= 0)
		close(j->sock);
	if (j->path_fd >= 0)
		close(j->path_fd);
	free(j);
}

static void *net_worker(void *arg)
{
	struct net_job *j = arg;
	ssize_t r;
	if (j->send)
		/* MSG_NOSIGNAL: a SIGPIPE would hit the supervisor, not the target. */
		r = sendto(j->sock, j->buf, j->len, j->flags | MSG_NOSIGNAL,
		           (struct sockaddr *)&j->addr, j->alen);
	else
		r = connect(j->sock, (struct sockaddr *)&j->addr, j->alen);
	notify_send(j->listener, j->id, r < 0 ? 0 : r, r < 0 ? -errno : 0);
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

/* Copy what the call needs out of the target, then check it is still the one waiting. */
static int read_job(struct notify_req *r, struct net_job *j, uint64_t addr, uint64_t data)
{
	struct stat st;
	int e = notify_read(r, addr, &j->addr, j->alen);
	if (e == 0 && j->send)
		e = notify_read(r, data, j->buf, j->len);
	if (e < 0)
		return e;
	j->sock = notify_take_fd(r, r->req->data.args[0]);
	if (j->sock < 0)
		return j->sock;
	if (fstat(j->sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	return notify_valid(r) < 0 ? -ESRCH : 0;
}

int notify_handle_net(struct notify_req *r)
{
	const __u64 *a = r->req->data.args;
	bool send = r->req->data.nr == __NR_sendto;
	int alen = (int)(send ? a[5] : a[2]);
	size_t len = send ? a[2] : 0;
	if (alen < 0 || (size_t)alen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	if (len > CORDON_NOTIFY_MAX_SEND)
		return -EMSGSIZE;
	struct net_job *j = calloc(1, sizeof(*j) + len);
	if (!j)
		return -ENOMEM;
	*j = (struct net_job){.listener = -1,
	                      .sock = -1,
	                      .path_fd = -1,
	                      .id = r->req->id,
	                      .send = send,
	                      .flags = (int)a[3],
	                      .alen = (socklen_t)alen,
	                      .len = len};
	int e = read_job(r, j, send ? a[4] : a[1], a[1]);
	if (e == 0)
		e = prepare_addr(r, j);
	if (e == 0) {
		j->listener = fcntl(r->n->listener, F_DUPFD_CLOEXEC, 3);
		e = j->listener < 0 ? -errno : notify_start_job(net_worker, j);
	}
	if (e < 0) {
		job_free(j);
		return e;
	}
	return NOTIFY_ANSWERED;
}
