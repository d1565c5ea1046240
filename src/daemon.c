/* cordon's own daemons: the plumbing the session keeper and the warm server share (see
 * daemon.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#include "daemon.h"

/* ---- starting one ----------------------------------------------------------------------- */

/* In the grandchild: 0-2 on /dev/null, the ready pipe above them. Both are first moved above
 * 2: with the caller's stdio closed, /dev/null or the pipe may sit at 0-2 itself, and one
 * dup2 would close the other. -1 when that failed (the caller is told nothing: -ECHILD). */
static int daemon_quiet(int ready_fd)
{
	int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	int nul = dn >= 0 ? fcntl(dn, F_DUPFD_CLOEXEC, 10) : -1;
	int ready = fcntl(ready_fd, F_DUPFD_CLOEXEC, 10);
	if (dn >= 0)
		close(dn);
	close(ready_fd);
	if (nul < 0 || ready < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0)
		return -1;
	close(nul);
	return ready;
}

static int daemon_read_status(int fd, int timeout_ms, char *status, char *why, size_t why_len)
{
	*status = 0;
	if (why && why_len)
		why[0] = '\0';
	if (cordon_daemon_wait(fd, timeout_ms) < 0)
		return -ETIMEDOUT;
	ssize_t n;
	while ((n = read(fd, status, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		return -ECHILD;
	/* What follows the byte, up to EOF, says why; the daemon closes the pipe right after. */
	size_t got = 0;
	ssize_t m;
	while (why && got + 1 < why_len && cordon_daemon_wait(fd, timeout_ms) == 0 &&
	       ((m = read(fd, why + got, why_len - 1 - got)) > 0 || (m < 0 && errno == EINTR)))
		got += m > 0 ? (size_t)m : 0;
	if (why && why_len)
		why[got] = '\0';
	return 0;
}

int cordon_daemon_start(void (*child)(void *arg, int ready_fd), void *arg, int timeout_ms,
                        char *status, char *why, size_t why_len)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid == 0) {
		/* Double fork: it must not be our child (we exit soon), nor in our session or
		 * process group (a terminal's ^C must not end it). */
		close(p[0]);
		setsid();
		signal(SIGHUP, SIG_IGN);
		if (fork() == 0) {
			int ready = daemon_quiet(p[1]);
			if (ready < 0)
				_exit(1);
			child(arg, ready);
		}
		_exit(0);
	}
	close(p[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	int r = daemon_read_status(p[0], timeout_ms, status, why, why_len);
	close(p[0]);
	return r;
}

/* ---- names and sockets ------------------------------------------------------------------ */

int cordon_daemon_addr(int dirfd, const char *name, struct sockaddr_un *sa, socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dirfd, name);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
	return 0;
}

int cordon_daemon_listen(const char *dir, const char *name, int type, int backlog, int *lfd,
                         struct stat *bound)
{
	struct sockaddr_un sa;
	socklen_t len;
	*lfd = -1;
	cleanup_close int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	int r = cordon_daemon_addr(dirfd, name, &sa, &len);
	if (r < 0)
		return r;
	cleanup_close int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	(void)unlinkat(dirfd, name, 0);
	if (bind(s, (struct sockaddr *)&sa, len) < 0 || listen(s, backlog) < 0 ||
	    fstatat(dirfd, name, bound, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	*lfd = steal_fd(&s);
	return 0;
}

bool cordon_daemon_owns(const char *path, const struct stat *bound)
{
	struct stat st;
	return path && lstat(path, &st) == 0 && st.st_dev == bound->st_dev &&
	       st.st_ino == bound->st_ino;
}

int cordon_daemon_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return -e;
		}
	}
	return fd;
}

bool cordon_daemon_peer_ours(int sock)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	return getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.uid == getuid();
}

int cordon_daemon_wait(int fd, int timeout_ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long spent = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		int left = timeout_ms < 0 ? -1 : spent >= timeout_ms ? 0 : timeout_ms - (int)spent;
		int r = poll(&pf, 1, left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* A full backlog (a daemon that stopped accepting) refuses a non-blocking connect with
 * EAGAIN: try again a little later, until the deadline. */
int cordon_daemon_connect(const char *dir, const char *name, int type, int timeout_ms, int *out)
{
	struct sockaddr_un sa;
	socklen_t len;
	*out = -1;
	cleanup_close int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	int r = cordon_daemon_addr(dirfd, name, &sa, &len);
	if (r < 0)
		return r;
	cleanup_close int s = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	for (int waited = 0; connect(s, (struct sockaddr *)&sa, len) < 0; waited += 10) {
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	/* Depth: the directory is 0700 and ours; a daemon of someone else's would hand us
	 * namespaces, or a sandbox, of theirs. */
	if (!cordon_daemon_peer_ours(s))
		return -EPERM;
	int fl = fcntl(s, F_GETFL);
	if (fl < 0 || fcntl(s, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -errno;
	*out = steal_fd(&s);
	return 0;
}

/* ---- removing a daemon's state ------------------------------------------------------------ */

static int rm_entries(int dfd, int depth);

static int rm_entry(int dfd, const char *name, int depth)
{
	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth > 256)
		return -ELOOP;
	/* A directory: empty it first, writable again if the command made it read-only. */
	(void)fchmodat(dfd, name, 0700, 0);
	int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return -errno;
	int r = rm_entries(sub, depth + 1);
	close(sub);
	if (r == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

/* Passes over the directory until one finds nothing left: what a pass removes under the
 * stream may make it miss an entry, never return one twice. */
static int rm_entries(int dfd, int depth)
{
	for (bool found = true; found;) {
		found = false;
		int dup = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
		DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
		if (!d) {
			int e = errno;
			if (dup >= 0)
				close(dup);
			return -e;
		}
		rewinddir(d);
		int r = 0;
		struct dirent *de;
		while (r == 0 && (de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			found = true;
			r = rm_entry(dfd, de->d_name, depth);
		}
		closedir(d);
		if (r < 0)
			return r;
	}
	return 0;
}

int cordon_daemon_rm_tree(int dirfd, const char *name)
{
	return rm_entry(dirfd, name, 0);
}
