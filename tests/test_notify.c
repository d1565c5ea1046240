/* The notification supervisor, end to end without the rest of the runtime.
 *
 * A child enters a user + mount namespace and builds a tiny sandbox view: <T>/ws bound onto
 * itself (the one writable mount), <T>/ws/.cordon bound read-only (a protected path), and
 * <T>/ws/.git absent but protected. It loads the filter with a listener and passes it to the
 * parent over a socketpair. The parent runs the supervisor until the child exits, then checks
 * on disk (and on its own listening sockets) that nothing refused happened. Run once as the
 * caller and, when that is root, once more as the unprivileged test user. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "plan.h"
#include "cordon_seccomp.h"
#include "testutil.h"

static char *tmp_root;        /* <T> */
static char ws[256], ro[256]; /* <T>/ws (writable), <T>/ro (outside the writable roots) */
static int fails;             /* in the child: mismatches so far */

#define EXPECT(call, want)                                                                     \
	do {                                                                                   \
		errno = 0;                                                                     \
		long r_ = (long)(call);                                                        \
		int e_ = r_ < 0 ? errno : 0;                                                   \
		if (r_ > 2 && strncmp(#call, "open", 4) == 0)                                  \
			close((int)r_);                                                        \
		if (e_ != (want)) {                                                            \
			fprintf(stderr, "line %d: %s: expected %s, got %s\n", __LINE__, #call, \
			        (want) ? strerror(want) : "success",                           \
			        e_ ? strerror(e_) : "success");                                \
			fails++;                                                               \
		}                                                                              \
	} while (0)

static const char *in(const char *dir, const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int unix_socket(int type, const char *path, bool listening)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || (listening && listen(fd, 8) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static int unix_sendto(const char *path, const char *msg)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ssize_t r = sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

/* One datagram to path through sendmsg (many: the first of a sendmmsg vector), carrying
 * descriptor pass (when >= 0) in SCM_RIGHTS. */
static int unix_sendmsg(const char *path, const char *msg, bool many, int pass)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct iovec iov[2] = {{.iov_base = (void *)msg, .iov_len = 1},
	                       {.iov_base = (void *)(msg + 1), .iov_len = strlen(msg) - 1}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {0};
	struct mmsghdr m = {
	        .msg_hdr = {
	                .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = iov, .msg_iovlen = 2}};
	if (pass >= 0) {
		m.msg_hdr.msg_control = u.buf;
		m.msg_hdr.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg_hdr);
		*c = (struct cmsghdr){.cmsg_len = CMSG_LEN(sizeof(int)),
		                      .cmsg_level = SOL_SOCKET,
		                      .cmsg_type = SCM_RIGHTS};
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	long r = many ? sendmmsg(fd, &m, 1, 0) : sendmsg(fd, &m.msg_hdr, 0);
	int e = errno;
	if (many && r == 1 && m.msg_len != strlen(msg)) {
		r = -1;
		e = EBADMSG; /* the supervisor did not report the length back */
	}
	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

/* What unix_sendmsg sent arrived on dg: the text, and a working descriptor when one was
 * passed (it reads want_file). */
static void expect_datagram(int dg, const char *text, const char *want_file)
{
	char buf[32] = {0};
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
	struct msghdr m = {.msg_iov = &iov,
	                   .msg_iovlen = 1,
	                   .msg_control = u.b,
	                   .msg_controllen = sizeof(u.b)};
	ssize_t n = recvmsg(dg, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)strlen(text) || strcmp(buf, text) != 0) {
		fprintf(stderr, "sendmsg: expected \"%s\" on the sandbox's own socket\n", text);
		fails++;
		return;
	}
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!want_file)
		return;
	int fd = -1;
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	char got[8] = {0};
	if (fd < 0 || read(fd, got, sizeof(got) - 1) != (ssize_t)strlen(want_file) ||
	    strcmp(got, want_file) != 0) {
		fprintf(stderr, "sendmsg: the descriptor passed did not arrive working\n");
		fails++;
	}
	if (fd >= 0)
		close(fd);
}

/* ---- the child: a miniature sandbox ------------------------------------------------------ */

static int write_proc(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* 0, or 1 when user namespaces are not available here (the caller skips). */
static int enter_view(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 1;
	char map[64];
	snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	if (write_proc("/proc/self/uid_map", map) < 0)
		return 2;
	write_proc("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1", gid, gid);
	if (write_proc("/proc/self/gid_map", map) < 0)
		return 2;
	const char *prot = in(ws, ".cordon"), *mnt = in(ws, "mnt");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(ws, ws, NULL, MS_BIND, NULL) < 0 || mount(prot, prot, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, prot, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0 ||
	    mount("none", mnt, "tmpfs", 0, "size=16k") < 0)
		return 2;
	return 0;
}

/* The child's filter hands every sendmsg to the supervisor, which is not running yet: the
 * listener goes by number (send() is never notified), and the parent takes it with
 * pidfd_getfd while the child waits for its go-ahead, as the runtime's init does. */
static int send_fd_number(int sock, int fd)
{
	char go;
	if (send(sock, &fd, sizeof(fd), 0) != (ssize_t)sizeof(fd))
		return -1;
	return recv(sock, &go, 1, 0) == 1 ? 0 : -1;
}

static int take_fd(int sock, pid_t child)
{
	int number, fd = -1;
	if (recv(sock, &number, sizeof(number), 0) != (ssize_t)sizeof(number))
		return -1;
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd >= 0)
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, number, 0);
	if (pidfd >= 0)
		close(pidfd);
	return fd >= 0 && send(sock, "G", 1, 0) == 1 ? fd : -1;
}

/* Another thread flips the address between a socket inside and one outside while connects
 * are under way: whatever the timing, the outside listener must see nothing. */
static struct sockaddr_un race_addr;
static volatile int race_addr_stop;

static void *addr_flipper(void *arg)
{
	(void)arg;
	size_t at = strlen(race_addr.sun_path) - 4;
	while (!race_addr_stop) {
		memcpy(race_addr.sun_path + at, "ou.s", 4);
		memcpy(race_addr.sun_path + at, "in.s", 4);
	}
	return NULL;
}

static void attempt_connect_race(int srv)
{
	if (symlink("own.sock", in(ws, "in.s")) < 0 ||
	    symlink(in(ro, "svc.sock"), in(ws, "ou.s")) < 0)
		return;
	race_addr.sun_family = AF_UNIX;
	snprintf(race_addr.sun_path, sizeof(race_addr.sun_path), "%s", in(ws, "in.s"));
	pthread_t t;
	if (pthread_create(&t, NULL, addr_flipper, NULL) != 0)
		return;
	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&race_addr, sizeof(race_addr)) == 0)
			close(accept(srv, NULL, NULL));
		close(fd);
	}
	race_addr_stop = 1;
	pthread_join(t, NULL);
}

static void attempt_sockets(void)
{
	/* Outside the writable roots: refused, whichever way it is named. */
	EXPECT(unix_connect(in(ro, "svc.sock")), EACCES);
	EXPECT(symlink(in(ro, "svc.sock"), in(ws, "svc-link")), 0);
	EXPECT(unix_connect(in(ws, "svc-link")), EACCES);
	EXPECT(unix_sendto(in(ro, "log.sock"), "escaped"), EACCES);
	/* Inside: works, by absolute and by relative name. */
	int srv = unix_socket(SOCK_STREAM, in(ws, "own.sock"), true);
	int dg = unix_socket(SOCK_DGRAM, in(ws, "own.dgram"), false);
	if (srv < 0 || dg < 0) {
		fprintf(stderr, "cannot make the sandbox's own sockets: %s\n", strerror(errno));
		fails++;
		return;
	}
	EXPECT(unix_connect(in(ws, "own.sock")), 0);
	EXPECT(chdir(ws), 0);
	EXPECT(unix_connect("own.sock"), 0);
	EXPECT(unix_sendto("own.dgram", "hello"), 0);
	char buf[16] = {0};
	if (recv(dg, buf, sizeof(buf) - 1, MSG_DONTWAIT) != 5 || strcmp(buf, "hello") != 0) {
		fprintf(stderr, "the datagram sent through the supervisor did not arrive\n");
		fails++;
	}
	/* sendmsg's address is in memory: performed by the supervisor too, descriptors and all. */
	EXPECT(unix_sendmsg(in(ro, "log.sock"), "escaped", false, -1), EACCES);
	EXPECT(unix_sendmsg(in(ro, "log.sock"), "escaped", true, -1), EACCES);
	EXPECT(unix_sendmsg(in(ws, "svc-link"), "escaped", false, -1), EACCES);
	EXPECT(write_file(in(ws, "passed"), "pass"), 0);
	int pass = open(in(ws, "passed"), O_RDONLY | O_CLOEXEC);
	EXPECT(unix_sendmsg("own.dgram", "by-msg", false, pass), 0);
	expect_datagram(dg, "by-msg", "pass");
	EXPECT(unix_sendmsg(in(ws, "own.dgram"), "by-mmsg", true, -1), 0);
	expect_datagram(dg, "by-mmsg", NULL);
	close(pass);
	int c = accept(srv, NULL, NULL);
	if (c < 0) {
		fprintf(stderr, "the connect through the supervisor did not arrive\n");
		fails++;
	}
	close(c);
	close(accept(srv, NULL, NULL));
	attempt_connect_race(srv);
	close(srv);
	close(dg);
}

static void attempt_protected(void)
{
	const char *git = in(ws, ".git");
	EXPECT(write_file(in(ws, "x"), "x"), 0);
	EXPECT(mkdir(git, 0755), EACCES);
	EXPECT(open(git, O_WRONLY | O_CREAT, 0644), EACCES);
	EXPECT(open(git, O_RDONLY | O_CREAT | O_EXCL, 0644), EACCES);
	EXPECT(creat(git, 0644), EACCES);
	EXPECT(rename(in(ws, "x"), git), EACCES);
	EXPECT(symlink("x", git), EACCES);
	EXPECT(link(in(ws, "x"), git), EACCES);
	EXPECT(mknod(git, S_IFIFO | 0644, 0), EACCES);
	/* Other spellings of the same name. */
	EXPECT(chdir(ws), 0);
	EXPECT(mkdir(".git", 0755), EACCES);
	EXPECT(mkdir("sub", 0755), 0);
	EXPECT(mkdir("sub/../.git", 0755), EACCES);
	EXPECT(symlink(".", "here"), 0);
	EXPECT(mkdir("here/.git", 0755), EACCES);
	EXPECT(symlink(ws, "abs"), 0);
	EXPECT(mkdirat(AT_FDCWD, "abs/.git", 0755), EACCES);
	EXPECT(symlink(".git", "dangling"), 0);
	EXPECT(open("dangling", O_WRONLY | O_CREAT, 0644), EACCES);
	int dfd = open("sub", O_PATH | O_DIRECTORY);
	EXPECT(mkdirat(dfd, "../.git", 0755), EACCES);
	close(dfd);
	/* The read-only bind of an existing protected path cannot be moved or replaced by the
	 * supervisor either (its mounts are not "local" to it). */
	EXPECT(rename(in(ws, ".cordon"), in(ws, "moved")), EACCES);
	EXPECT(mkdir("swap", 0755), 0);
	EXPECT(renameat2(AT_FDCWD, "swap", AT_FDCWD, ".cordon", RENAME_EXCHANGE), EACCES);
	/* Any mount point of the view, protected by name or not (a hidden path, say). */
	EXPECT(rename("mnt", "moved"), EBUSY);
	EXPECT(renameat2(AT_FDCWD, "swap", AT_FDCWD, "mnt", RENAME_EXCHANGE), EBUSY);
	/* A protected name deeper in the tree: its directory cannot be swapped for a new one,
	 * and a protected name whose directory does not exist yet cannot get one. */
	EXPECT(rename("deep", "deep2"), EACCES);
	EXPECT(mkdir("deep/.env", 0755), EACCES);
	EXPECT(rename("deep/sub", "deep/sub2"), EACCES);
	EXPECT(mkdir("deep/sub/.key", 0755), EACCES);
	EXPECT(mkdir("miss", 0755), EACCES);
	EXPECT(mkdir("deep/other", 0755), 0);
	/* Outside the writable roots nothing is created. */
	EXPECT(mkdir(in(ro, "newdir"), 0755), EACCES);
	EXPECT(open(in(ro, "newfile"), O_WRONLY | O_CREAT, 0644), EACCES);
}

static void attempt_ordinary(void)
{
	umask(027);
	EXPECT(mkdir(in(ws, "d"), 0777), 0);
	int fd = open(in(ws, "f"), O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 || write(fd, "hi", 2) != 2) {
		fprintf(stderr, "open(O_CREAT) of an ordinary name: %s\n", strerror(errno));
		fails++;
	}
	close(fd);
	EXPECT(rename(in(ws, "f"), in(ws, "g")), 0);
	EXPECT(symlink("g", in(ws, "s")), 0);
	EXPECT(link(in(ws, "g"), in(ws, "h")), 0);
	EXPECT(mknod(in(ws, "fifo"), S_IFIFO | 0666, 0), 0);
	EXPECT(mknod(in(ws, "blk"), S_IFBLK | 0600, makedev(8, 0)), EPERM);
	if (getuid() == 0)
		EXPECT(open(in(ws, "private"), O_RDONLY | O_CREAT, 0644), EACCES);
	/* O_CREAT on things that are not plain files elsewhere: `> /dev/null`, /dev/fd/N. */
	EXPECT(open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0666), 0);
	EXPECT(open("/proc/mounts", O_RDONLY | O_CREAT, 0644), 0);
	EXPECT(open("/proc/self/status", O_RDONLY | O_CREAT, 0644), 0);
	int p[2];
	if (pipe(p) == 0 && dup2(p[1], 50) == 50) {
		fd = open("/dev/fd/50", O_WRONLY | O_CREAT | O_TRUNC, 0666);
		char c = 0;
		if (fd < 0 || write(fd, "!", 1) != 1 || read(p[0], &c, 1) != 1 || c != '!') {
			fprintf(stderr, "open(/dev/fd/50, O_CREAT) of a pipe: %s\n",
			        strerror(errno));
			fails++;
		}
		close(fd);
	}
}

/* Both ends of a FIFO opened with O_CREAT (shell redirections): each waits for the other,
 * so the supervisor must not wait on either. */
static void *fifo_reader(void *arg)
{
	(void)arg;
	int fd = open(in(ws, "fifo"), O_RDONLY | O_CREAT, 0644);
	char c = 0;
	if (fd < 0 || read(fd, &c, 1) != 1 || c != 'f') {
		fprintf(stderr, "fifo reader: %d %s\n", fd, strerror(errno));
		return (void *)1;
	}
	close(fd);
	return NULL;
}

static void attempt_fifo(void)
{
	pthread_t t;
	void *res = (void *)1;
	if (pthread_create(&t, NULL, fifo_reader, NULL) != 0)
		return;
	int fd = open(in(ws, "fifo"), O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, "f", 1) != 1) {
		fprintf(stderr, "open(fifo, O_WRONLY|O_CREAT): %s\n", strerror(errno));
		fails++;
	}
	close(fd);
	pthread_join(t, &res);
	if (res) {
		fprintf(stderr, "open(fifo, O_RDONLY|O_CREAT) or its read failed\n");
		fails++;
	}
}

/* Another thread rewrites the path between the supervisor's read and any re-read. */
static char race_path[512];
static volatile int race_stop;

static void *race_flipper(void *arg)
{
	size_t at = strlen(race_path) - 4;
	(void)arg;
	while (!race_stop) {
		memcpy(race_path + at, "okay", 4);
		memcpy(race_path + at, ".git", 4);
	}
	return NULL;
}

static void attempt_race(void)
{
	snprintf(race_path, sizeof(race_path), "%s/.git", ws);
	pthread_t t;
	if (pthread_create(&t, NULL, race_flipper, NULL) != 0)
		return;
	for (int i = 0; i < 300; i++) {
		if (mkdir(race_path, 0755) == 0)
			rmdir(in(ws, "okay"));
		int fd = open(race_path, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0) {
			close(fd);
			unlink(in(ws, "okay"));
		}
	}
	race_stop = 1;
	pthread_join(t, NULL);
}

static void child_main(int sock, const struct cordon_plan *plan)
{
	int v = enter_view();
	if (v != 0) {
		fprintf(stderr, "cannot build the view: %s\n", strerror(errno));
		_exit(v == 1 ? 77 : 78);
	}
	struct cordon_seccomp *sc = NULL;
	cordon_error err = {0};
	int listener = -1;
	if (cordon_seccomp_build(plan, &sc, &err) < 0 ||
	    cordon_seccomp_load(sc, &listener, &err) < 0) {
		fprintf(stderr, "filter: %s\n", err.msg);
		_exit(79);
	}
	if (listener < 0 || send_fd_number(sock, listener) < 0) {
		fprintf(stderr, "cannot pass the listener (%d): %s\n", listener, strerror(errno));
		_exit(80);
	}
	close(listener);
	attempt_sockets();
	attempt_protected();
	attempt_ordinary();
	attempt_fifo();
	attempt_race();
	_exit(fails > 70 ? 70 : fails);
}

/* ---- the parent: the supervisor, then the oracles ---------------------------------------- */

static int serve(pid_t child, int listener_sock, const struct cordon_plan *plan)
{
	int listener = take_fd(listener_sock, child);
	int status = -1;
	if (listener < 0) {
		/* The child waits for our go-ahead: hang up so that it gives up (exit 80). */
		fprintf(stderr, "cannot take the child's listener: %s\n", strerror(errno));
		shutdown(listener_sock, SHUT_RDWR);
		waitpid(child, &status, 0);
		return status;
	}
	struct cordon_notify *n = NULL;
	cordon_error err = {0};
	if (cordon_notify_new(plan, child, listener, &n, &err) < 0) {
		fprintf(stderr, "notify_new: %s\n", err.msg);
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		return -1;
	}
	close(listener);
	for (;;) {
		struct pollfd pfd = {.fd = cordon_notify_fd(n), .events = POLLIN};
		if (poll(&pfd, 1, 100) > 0 && (pfd.revents & POLLIN) && cordon_notify_handle(n) < 0)
			kill(child, SIGKILL);
		if (waitpid(child, &status, WNOHANG) == child)
			break;
	}
	cordon_notify_free(n);
	return status;
}

/* What must (not) be on disk afterwards. Returns the number of surprises. */
static int check_disk(int outside_stream, int outside_dgram)
{
	int bad = 0;
	struct stat st;
	const char *absent[] = {".git",      "moved",         "okay",      "blk", "deep2",
	                        "deep/.env", "deep/sub/.key", "deep/sub2", "miss"};
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++)
		if (lstat(in(ws, absent[i]), &st) == 0) {
			fprintf(stderr, "%s exists\n", in(ws, absent[i]));
			bad++;
		}
	if (lstat(in(ro, "newdir"), &st) == 0 || lstat(in(ro, "newfile"), &st) == 0) {
		fprintf(stderr, "created outside the writable roots\n");
		bad++;
	}
	if (stat(in(ws, ".cordon"), &st) < 0 || !S_ISDIR(st.st_mode) ||
	    stat(in(ws, "mnt"), &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, ".cordon was moved or replaced\n");
		bad++;
	}
	if (stat(in(ws, "d"), &st) < 0 || (st.st_mode & 07777) != 0750) {
		fprintf(stderr, "d: wrong mode %o (umask 027 not honoured)\n", st.st_mode & 07777);
		bad++;
	}
	if (stat(in(ws, "g"), &st) < 0 || (st.st_mode & 07777) != 0640 || st.st_nlink != 2) {
		fprintf(stderr, "g: wrong mode %o or link count\n", st.st_mode & 07777);
		bad++;
	}
	fcntl(outside_stream, F_SETFL, O_NONBLOCK);
	if (accept(outside_stream, NULL, NULL) >= 0 || errno != EAGAIN) {
		fprintf(stderr, "the outside listener saw a connection\n");
		bad++;
	}
	char buf[16];
	if (recv(outside_dgram, buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
		fprintf(stderr, "the outside datagram socket received something\n");
		bad++;
	}
	return bad;
}

/* The plan's paths: static, since in() recycles its buffers. */
static char op_paths[5][512];

static void plan_init(struct cordon_plan *plan, struct cordon_policy *pol, struct cordon_host *h,
                      struct cordon_op ops[7])
{
	static const char *const names[] = {".cordon", ".git", "deep/.env", "miss/x/y",
	                                    "deep/sub/.key"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		snprintf(op_paths[i], sizeof(op_paths[i]), "%s/%s", ws, names[i]);
	memset(pol, 0, sizeof(*pol));
	memset(h, 0, sizeof(*h));
	memset(plan, 0, sizeof(*plan));
	pol->network = CORDON_NETWORK_OFF;
	h->seccomp_filter = h->seccomp_notify = true;
	ops[0] = (struct cordon_op){.kind = CORDON_OP_READONLY_ROOT, .path = (char *)"/"};
	ops[1] = (struct cordon_op){.kind = CORDON_OP_BIND_RW, .path = ws};
	ops[2] = (struct cordon_op){.kind = CORDON_OP_PROTECT, .path = op_paths[0], .is_dir = true};
	ops[3] = (struct cordon_op){.kind = CORDON_OP_PROTECT_ABSENT, .path = op_paths[1]};
	ops[4] = (struct cordon_op){.kind = CORDON_OP_PROTECT_ABSENT, .path = op_paths[2]};
	ops[5] = (struct cordon_op){.kind = CORDON_OP_PROTECT_ABSENT, .path = op_paths[3]};
	/* Its walk up meets deep, already walked for deep/.env: it stops there, after deep/sub. */
	ops[6] = (struct cordon_op){.kind = CORDON_OP_PROTECT_ABSENT, .path = op_paths[4]};
	plan->policy = pol;
	plan->host = h;
	plan->ops = ops;
	plan->n_ops = 7;
}

/* The whole scenario in the calling process: 0 when everything held, 77 when user
 * namespaces are unavailable, else a count of failures. */
static int scenario(void)
{
	char prot[512];
	snprintf(prot, sizeof(prot), "%s/.cordon", ws);
	if (mkdir(ws, 0755) < 0 || mkdir(ro, 0755) < 0 || mkdir(prot, 0755) < 0 ||
	    mkdir(in(ws, "mnt"), 0755) < 0 || mkdir(in(ws, "deep"), 0755) < 0 ||
	    mkdir(in(ws, "deep/sub"), 0755) < 0)
		return 90;
	/* Someone else's private file: a root supervisor must not open it for the sandbox. */
	if (getuid() == 0 &&
	    (write_file(in(ws, "private"), "p") < 0 || chown(in(ws, "private"), 65534, 65534) < 0 ||
	     chmod(in(ws, "private"), 0600) < 0))
		return 90;
	int outside_stream = unix_socket(SOCK_STREAM, in(ro, "svc.sock"), true);
	int outside_dgram = unix_socket(SOCK_DGRAM, in(ro, "log.sock"), false);
	if (outside_stream < 0 || outside_dgram < 0)
		return 91;
	struct cordon_policy pol;
	struct cordon_host host;
	struct cordon_op ops[7];
	struct cordon_plan plan;
	plan_init(&plan, &pol, &host, ops);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 92;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child_main(sv[1], &plan);
	}
	close(sv[1]);
	int status = serve(pid, sv[0], &plan);
	close(sv[0]);
	if (!WIFEXITED(status))
		return 93;
	if (WEXITSTATUS(status) == 77)
		return 77;
	return WEXITSTATUS(status) + check_disk(outside_stream, outside_dgram);
}

static int scenario_in(const char *tag, uid_t uid, gid_t gid)
{
	tmp_root = tu_tmpdir(tag, uid, gid);
	if (!tmp_root)
		return 94;
	snprintf(ws, sizeof(ws), "%s/ws", tmp_root);
	snprintf(ro, sizeof(ro), "%s/ro", tmp_root);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (uid != (uid_t)-1 &&
		    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(95);
		/* setuid made us non-dumpable: /proc/self would belong to root. */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		_exit(scenario());
	}
	int status = 0;
	waitpid(pid, &status, 0);
	tu_rm_rf(tmp_root);
	free(tmp_root);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 96;
}

static void test_notify_supervises_as_caller(void **state)
{
	(void)state;
	int r = scenario_in("cordon-notify", (uid_t)-1, (gid_t)-1);
	if (r == 77)
		tu_skip("user namespaces are not available to this user");
	assert_int_equal(r, 0);
}

static void test_notify_supervises_as_unprivileged_user(void **state)
{
	(void)state;
	uid_t uid;
	gid_t gid;
	char why[256];
	if (getuid() != 0)
		tu_skip("not root: the caller's run is already unprivileged");
	if (!tu_test_user(&uid, &gid, why, sizeof(why)))
		tu_skip("%s", why);
	int r = scenario_in("cordon-notify-user", uid, gid);
	if (r == 77)
		tu_skip("user namespaces are not available to the test user");
	assert_int_equal(r, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_notify_supervises_as_caller),
	        cmocka_unit_test(test_notify_supervises_as_unprivileged_user),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
