/* The session keeper (see session.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "session.h"

#define SESSION_SOCK "keeper.sock"
#define SESSION_LOCK "keeper.lock"
#define SESSION_MAX_CLIENTS 64

/* The socket's address. A session directory can be deeper than sun_path's 108 bytes allow, so
 * name it through a descriptor on the directory: "/proc/self/fd/N/keeper.sock". */
static int session_sockaddr(int dirfd, struct sockaddr_un *sa, socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/" SESSION_SOCK,
	                 dirfd);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
	return 0;
}

static int session_open_dir(const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- the keeper's side ------------------------------------------------------------------ */

static int keeper_write(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, data, strlen(data));
	int e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

/* Whether the keeper holds an offline network namespace (lo up) to hand out. */
static bool keeper_net;

/* Make the namespaces the session keeps: a user namespace mapping only our own ids (as every
 * run does), an IPC namespace and an offline network namespace owned by it. */
static int keeper_unshare(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC) < 0)
		return -errno;
	int r = keeper_write("/proc/self/setgroups", "deny");
	if (r < 0 && r != -ENOENT)
		return r;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if ((r = keeper_write("/proc/self/uid_map", map)) < 0)
		return r;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if ((r = keeper_write("/proc/self/gid_map", map)) < 0)
		return r;
	/* The network namespace is an optimisation: without it (a limit, say) each run of the
	 * session makes its own, as runs without a session do. */
	cordon_error err = {0};
	keeper_net = unshare(CLONE_NEWNET) == 0 && cordon_net_loopback_up(&err) == 0;
	return 0;
}

/* Send our namespace fds to a new client, after checking it is our own user. */
static void keeper_greet(int client)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	if (getsockopt(client, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != getuid())
		return;
	int fds[3] = {open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC),
	              open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC),
	              keeper_net ? open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC) : -1};
	size_t n = keeper_net ? 3 : 2;
	if (fds[0] >= 0 && fds[1] >= 0 && (!keeper_net || fds[2] >= 0))
		(void)cordon_fds_send(client, "k", 1, fds, n);
	cordon_close_all(fds, 3);
}

/* Is our socket still what its path names? A session directory that was removed (or a socket
 * replaced) means the session is over. */
static bool keeper_still_named(const char *sock_path, const struct stat *bound)
{
	struct stat st;
	return lstat(sock_path, &st) == 0 && st.st_dev == bound->st_dev &&
	       st.st_ino == bound->st_ino;
}

/* Accept runs and keep each connection until the run closes it; leave after an idle spell
 * with no run connected, or as soon as the session's directory is gone. Never returns. */
static _Noreturn void keeper_serve(int lfd, const char *sock_path)
{
	enum { TICK_MS = 5000 };
	struct pollfd pf[1 + SESSION_MAX_CLIENTS];
	struct stat bound;
	int n = 1, idle_ms = 0;
	if (lstat(sock_path, &bound) < 0)
		_exit(1);
	pf[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	while (idle_ms < CORDON_SESSION_IDLE_SECONDS * 1000) {
		int r = poll(pf, (nfds_t)n, TICK_MS);
		if (r < 0 && errno != EINTR)
			break;
		if (!keeper_still_named(sock_path, &bound))
			_exit(0);
		idle_ms = (r == 0 && n == 1) ? idle_ms + TICK_MS : 0;
		for (int i = n - 1; i >= 1; i--) {
			if (pf[i].revents) {
				close(pf[i].fd);
				pf[i] = pf[--n];
			}
		}
		if (r > 0 && (pf[0].revents & POLLIN)) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				keeper_greet(c);
				if (n < 1 + SESSION_MAX_CLIENTS)
					pf[n++] = (struct pollfd){.fd = c, .events = POLLIN};
				else
					close(c);
			}
		}
	}
	unlink(sock_path);
	_exit(0);
}

/* In the keeper (a grandchild, already detached): become a quiet daemon, make the namespaces,
 * listen, tell the starter through ready_fd, serve. */
static _Noreturn void keeper_main(const char *dir, int ready_fd)
{
	struct sockaddr_un sa;
	socklen_t len;
	char status = 'x';
	int lfd = -1;
	int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (dn >= 0) {
		/* Never hold the caller's stdout or stderr: whoever waits for their EOF (a
		 * harness, a shell pipeline) would wait for the keeper too. */
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
	}
	prctl(PR_SET_NAME, "cordon-session", 0, 0, 0);
	cleanup_free char *sock_path = cordon_path_join(dir, SESSION_SOCK);
	int dirfd = session_open_dir(dir);
	if (sock_path && dirfd >= 0 && keeper_unshare() == 0 &&
	    session_sockaddr(dirfd, &sa, &len) == 0) {
		lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		unlink(sock_path);
		if (lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, len) == 0 && listen(lfd, 16) == 0)
			status = 'k';
	}
	(void)!write(ready_fd, &status, 1);
	close(ready_fd);
	if (status != 'k')
		_exit(1);
	/* Keep only what the keeper uses. */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != lfd)
			close(fd);
	keeper_serve(lfd, sock_path);
}

static void keeper_child(void *dir, int ready_fd)
{
	keeper_main(dir, ready_fd);
}

/* Start a keeper for dir and wait until it listens (or failed). */
static int session_start_keeper(const char *dir, cordon_error *err)
{
	char status = 0;
	int r = cordon_start_detached(keeper_child, (void *)dir, &status, NULL, 0);
	if (r < 0 && r != -ECHILD)
		return cordon_err(err, r, "session: cannot start the keeper: %s", strerror(-r));
	if (status != 'k')
		return cordon_err(err, -ECHILD,
		                  "session: the session keeper could not create its user and IPC "
		                  "namespaces in %s",
		                  dir);
	return 0;
}

/* ---- the run's side --------------------------------------------------------------------- */

/* The keeper's namespaces: user, IPC and network; a keeper started by an older cordon sends
 * no network namespace (fds[2] = -1), and its runs make their own. */
/* The keeper's user and IPC namespaces, and its network one when it holds one. */
static int session_recv_fds(int sock, int fds[3])
{
	char byte;
	size_t n = 0;
	fds[2] = -1;
	int r = cordon_fds_recv(sock, &byte, 1, fds, 3, &n);
	if (r == 0 && n < 2) {
		cordon_close_all(fds, n);
		r = -EPROTO;
	}
	return r == -EPIPE ? -EPROTO : r;
}

/* One attempt to reach a running keeper. -ENOENT/-ECONNREFUSED when there is none. */
static int session_try_connect(const char *dir, struct cordon_session_ns *ns)
{
	struct sockaddr_un sa;
	socklen_t len;
	cleanup_close int dirfd = session_open_dir(dir);
	if (dirfd < 0)
		return dirfd;
	int r = session_sockaddr(dirfd, &sa, &len);
	if (r < 0)
		return r;
	cleanup_close int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, len) < 0)
		return -errno;
	/* The keeper must be our own user: a socket planted by someone else would hand us
	 * namespaces of theirs. The directory is 0700 and ours, so this is depth. */
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != getuid())
		return -EPERM;
	int fds[3];
	if ((r = session_recv_fds(s, fds)) < 0)
		return r;
	ns->userns = fds[0];
	ns->ipcns = fds[1];
	ns->netns = fds[2];
	ns->hold = steal_fd(&s);
	return 0;
}

int cordon_session_join(const char *dir, struct cordon_session_ns *ns, cordon_error *err)
{
	ns->userns = ns->ipcns = ns->netns = ns->hold = -1;
	int r = session_try_connect(dir, ns);
	if (r == 0)
		return 0;
	if (r != -ENOENT && r != -ECONNREFUSED)
		return cordon_err(err, r, "session: cannot reach the keeper in %s: %s", dir,
		                  strerror(-r));
	/* None runs: start one, under a lock so that concurrent first runs start only one. */
	cleanup_free char *lock_path = cordon_path_join(dir, SESSION_LOCK);
	if (!lock_path)
		return cordon_err(err, -ENOMEM, "session: out of memory");
	cleanup_close int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0)
		return cordon_err(err, -errno, "session: cannot open %s: %s", lock_path,
		                  strerror(errno));
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR)
			return cordon_err(err, -errno, "session: lock %s: %s", lock_path,
			                  strerror(errno));
	r = session_try_connect(dir, ns);
	if (r == 0)
		return 0;
	if ((r = session_start_keeper(dir, err)) < 0)
		return r;
	r = session_try_connect(dir, ns);
	if (r < 0)
		return cordon_err(err, r, "session: the keeper in %s did not answer: %s", dir,
		                  strerror(-r));
	return 0;
}

void cordon_session_ns_close(struct cordon_session_ns *ns)
{
	cordon_closep(&ns->userns);
	cordon_closep(&ns->ipcns);
	cordon_closep(&ns->netns);
	cordon_closep(&ns->hold);
	ns->userns = ns->ipcns = ns->netns = ns->hold = -1;
}

int cordon_session_enter(const struct cordon_session_ns *ns, bool join_net, cordon_error *err)
{
	if (setns(ns->userns, CLONE_NEWUSER) < 0)
		return cordon_err(err, -errno,
		                  "session: cannot enter the session's user namespace: %s",
		                  strerror(errno));
	if (setns(ns->ipcns, CLONE_NEWIPC) < 0)
		return cordon_err(err, -errno,
		                  "session: cannot enter the session's IPC namespace: %s",
		                  strerror(errno));
	if (join_net && setns(ns->netns, CLONE_NEWNET) < 0)
		return cordon_err(err, -errno,
		                  "session: cannot enter the session's network namespace: %s",
		                  strerror(errno));
	return 0;
}
