/* The session keeper (see session.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "policy.h"
#include "session.h"
#include "sys.h"

#define SESSION_SOCK "keeper.sock"
#define SESSION_KEEP "keep" /* `cordon session keep`: the idle end leaves the directory */
#define SESSION_MAX_CLIENTS 64

char *cordon_session_path(const char *name, uid_t uid)
{
	cleanup_free char *base = cordon_runtime_dir(uid);
	char *s = NULL;
	return base && asprintf(&s, "%s/sessions/%s", base, name) >= 0 ? s : NULL;
}

/* Starting a keeper and ending a session exclude each other: both hold the sessions
 * directory (the parent of dir) locked, so no lock file is left behind in it. -errno. */
static int session_lock(const char *dir)
{
	cleanup_free char *parent = strdup(dir);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	if (!slash)
		return -ENOMEM;
	*slash = '\0';
	return cordon_daemon_lock(parent[0] ? parent : "/");
}

/* Remove dir, the session's state; the keeper of it leaves when it sees its socket gone. */
static int session_rm_dir(const char *dir)
{
	cleanup_free char *parent = strdup(dir);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	if (!slash)
		return -ENOMEM;
	*slash = '\0';
	cleanup_close int pfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return pfd < 0 ? -errno : cordon_daemon_rm_tree(pfd, slash + 1);
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

/* Make the namespaces the session keeps: a user namespace mapping only our own ids (as every
 * run does), and an IPC namespace owned by it. */
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
	return keeper_write("/proc/self/gid_map", map);
}

/* Send our namespace fds to a new client, after checking it is our own user. */
static void keeper_greet(int client)
{
	if (!cordon_daemon_peer_ours(client))
		return;
	int fds[2] = {open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC),
	              open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC)};
	if (fds[0] >= 0 && fds[1] >= 0)
		(void)cordon_fds_send(client, "k", 1, fds, 2);
	cordon_close_all(fds, 2);
}

/* Idle long enough: end the session, unless a run is knocking right now. Under the lock no
 * run starts a keeper; one that connected before we stop listening is in our backlog, and we
 * serve it instead. One that connects in between finds no keeper and starts the next. */
static void keeper_expire(int lfd, const char *dir, const char *sock_path, const struct stat *bound)
{
	int lock = session_lock(dir);
	struct pollfd pf = {.fd = lfd, .events = POLLIN};
	if (lock < 0 || poll(&pf, 1, 0) != 0) {
		if (lock >= 0)
			close(lock);
		return;
	}
	if (cordon_daemon_owns(sock_path, bound)) {
		unlink(sock_path);
		cleanup_free char *keep = cordon_path_join(dir, SESSION_KEEP);
		if (keep && access(keep, F_OK) < 0)
			(void)session_rm_dir(dir);
	}
	close(lock);
	_exit(0);
}

/* Accept runs and keep each connection until the run closes it; end the session after an
 * idle spell with no run connected, or leave as soon as our socket is gone (the session was
 * removed, or another keeper took it over). Never returns. */
static _Noreturn void keeper_serve(int lfd, const char *dir, const char *sock_path,
                                   const struct stat *bound)
{
	enum { TICK_MS = 5000 };
	struct pollfd pf[1 + SESSION_MAX_CLIENTS];
	int n = 1, idle_ms = 0;
	pf[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (;;) {
		int r = poll(pf, (nfds_t)n, TICK_MS);
		if (r < 0 && errno != EINTR)
			break;
		if (!cordon_daemon_owns(sock_path, bound))
			_exit(0);
		idle_ms = (r == 0 && n == 1) ? idle_ms + TICK_MS : 0;
		if (idle_ms >= CORDON_SESSION_IDLE_SECONDS * 1000) {
			keeper_expire(lfd, dir, sock_path, bound);
			idle_ms = 0;
			continue;
		}
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
	_exit(1);
}

/* In the keeper (daemon.c started it: detached, quiet stdio): make the namespaces, listen,
 * tell the starter through ready_fd, serve. */
static _Noreturn void keeper_main(const char *dir, int ready_fd)
{
	char status = 'x';
	int lfd = -1;
	struct stat bound;
	prctl(PR_SET_NAME, "cordon-session", 0, 0, 0);
	cleanup_free char *sock_path = cordon_path_join(dir, SESSION_SOCK);
	if (sock_path && keeper_unshare() == 0 &&
	    cordon_daemon_listen(dir, SESSION_SOCK, SOCK_STREAM, 16, &lfd, &bound) == 0)
		status = 'k';
	(void)!write(ready_fd, &status, 1);
	if (status != 'k')
		_exit(1);
	/* Keep only what the keeper uses (0-2 are /dev/null). */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != lfd)
			close(fd);
	keeper_serve(lfd, dir, sock_path, &bound);
}

static void keeper_child(void *dir, int ready_fd)
{
	keeper_main(dir, ready_fd);
}

/* Start a keeper for dir and wait until it listens (or failed). */
static int session_start_keeper(const char *dir, cordon_error *err)
{
	char status = 0;
	int r = cordon_daemon_start(keeper_child, (void *)dir, CORDON_DAEMON_START_MS, &status,
	                            NULL, 0);
	if (r == -ETIMEDOUT)
		return cordon_err(err, r,
		                  "session: the keeper started for %s did not answer in %d s", dir,
		                  CORDON_DAEMON_START_MS / 1000);
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

/* The keeper's user and IPC namespaces. */
static int session_recv_fds(int sock, int fds[2])
{
	char byte;
	size_t n = 0;
	int r = cordon_daemon_wait(sock, CORDON_DAEMON_ANSWER_MS);
	if (r == 0)
		r = cordon_fds_recv(sock, &byte, 1, fds, 2, &n);
	if (r == 0 && n < 2) {
		cordon_close_all(fds, n);
		r = -EPROTO;
	}
	return r;
}

/* One attempt to reach a running keeper. -ENOENT/-ECONNREFUSED when there is none,
 * -EPIPE when it left as we came (its idle end, or it died), -ETIMEDOUT when it does not
 * answer (stopped, wedged). */
static int session_try_connect(const char *dir, struct cordon_session_ns *ns)
{
	cleanup_close int s = -1;
	int r = cordon_daemon_connect(dir, SESSION_SOCK, SOCK_STREAM, CORDON_DAEMON_ANSWER_MS, &s);
	int fds[2];
	if (r == 0)
		r = session_recv_fds(s, fds);
	if (r < 0)
		return r;
	ns->userns = fds[0];
	ns->ipcns = fds[1];
	ns->hold = steal_fd(&s);
	return 0;
}

/* Errors after which the session gets a new keeper. */
static bool session_keeper_gone(int r)
{
	return r == -ENOENT || r == -ECONNREFUSED || r == -EPIPE || r == -ETIMEDOUT ||
	       r == -ECONNRESET || r == -EPROTO;
}

int cordon_session_join(const char *dir, struct cordon_session_ns *ns, cordon_error *err)
{
	ns->userns = ns->ipcns = ns->hold = -1;
	int r = cordon_private_dir(dir, getuid(), err);
	if (r < 0)
		return r;
	struct stat before = {0};
	cleanup_free char *sock_path = cordon_path_join(dir, SESSION_SOCK);
	if (!sock_path)
		return cordon_err(err, -ENOMEM, "session: out of memory");
	(void)lstat(sock_path, &before);
	r = session_try_connect(dir, ns);
	if (r == 0)
		return 0;
	if (!session_keeper_gone(r))
		return cordon_err(err, r, "session: cannot reach the keeper in %s: %s", dir,
		                  strerror(-r));
	/* None answers: start one, under the lock so that concurrent first runs start only one
	 * and no keeper ends the session meanwhile. */
	cleanup_close int lock = session_lock(dir);
	if (lock < 0)
		return cordon_err(err, lock, "session: cannot lock the sessions of %s: %s", dir,
		                  strerror(-lock));
	/* Another run may have replaced the keeper meanwhile; the one that did not answer is
	 * not asked twice. */
	if (r != -ETIMEDOUT || !cordon_daemon_owns(sock_path, &before)) {
		r = session_try_connect(dir, ns);
		if (r == 0)
			return 0;
	}
	/* An expired keeper may have removed the directory since. A keeper that does not
	 * answer is replaced: it leaves once it runs again and finds its socket taken. */
	if ((r = cordon_private_dir(dir, getuid(), err)) < 0 ||
	    (r = session_start_keeper(dir, err)) < 0)
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
	cordon_closep(&ns->hold);
	ns->userns = ns->ipcns = ns->hold = -1;
}

int cordon_session_enter(const struct cordon_session_ns *ns, cordon_error *err)
{
	if (setns(ns->userns, CLONE_NEWUSER) < 0)
		return cordon_err(err, -errno,
		                  "session: cannot enter the session's user namespace: %s",
		                  strerror(errno));
	if (setns(ns->ipcns, CLONE_NEWIPC) < 0)
		return cordon_err(err, -errno,
		                  "session: cannot enter the session's IPC namespace: %s",
		                  strerror(errno));
	return 0;
}

/* ---- `cordon session` -------------------------------------------------------------------- */

static int session_existing(const char *name, char **dir, cordon_error *err)
{
	if (!cordon_session_name_valid(name))
		return cordon_err(err, -EINVAL, "session: invalid name '%s'", name);
	*dir = cordon_session_path(name, getuid());
	if (!*dir)
		return cordon_err(err, -ENOMEM, "session: out of memory");
	struct stat st;
	if (lstat(*dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cordon_err(err, -ENOENT, "session: no session '%s' (%s)", name, *dir);
	return 0;
}

int cordon_session_remove(const char *name, cordon_error *err)
{
	cleanup_free char *dir = NULL;
	int r = session_existing(name, &dir, err);
	if (r < 0)
		return r;
	cleanup_close int lock = session_lock(dir);
	if (lock < 0)
		return cordon_err(err, lock, "session: cannot lock %s: %s", dir, strerror(-lock));
	if ((r = session_rm_dir(dir)) < 0)
		return cordon_err(err, r, "session: cannot remove %s: %s", dir, strerror(-r));
	return 0;
}

int cordon_session_keep(const char *name, cordon_error *err)
{
	cleanup_free char *dir = NULL;
	int r = session_existing(name, &dir, err);
	if (r < 0)
		return r;
	cleanup_free char *keep = cordon_path_join(dir, SESSION_KEEP);
	int fd = keep ? open(keep, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600) : -ENOMEM;
	if (fd < 0)
		return cordon_err(err, keep ? -errno : -ENOMEM, "session: cannot mark %s: %s", dir,
		                  strerror(keep ? errno : ENOMEM));
	close(fd);
	return 0;
}
