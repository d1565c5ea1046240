/* pasta for a `--network on` sandbox (see netns.h).
 *
 * Why a namespace of its own even with the network on: abstract UNIX socket names live in the
 * network namespace. Sharing the host's, Landlock's scoping stops the command connecting to a
 * host name but not binding one first: it bound @/tmp/.X11-unix/X7 and a host client that
 * connected there talked to the sandbox (issue 18). Its own namespace also gives it its own
 * loopback, so the host's 127.0.0.1 services are out of reach.
 *
 * pasta is told:
 *  --config-net              set up the address and default route inside (copied from the host's)
 *  -t/-u none, -T/-U none    forward no port: nothing of the host's loopback is mapped into the
 *                            namespace (the -T/-U default, "auto", would), and nothing the
 *                            sandbox listens on is bound on the host (the -t/-u default would)
 *  --no-map-gw               the gateway address does not lead to the host's loopback either
 *  --foreground              our child, ended by us; --pid names a pipe of ours: pasta writes
 *                            its pid there once the namespace is configured, which is our
 *                            "ready" (pasta opens that path before it confines itself)
 *  --runas 0 (root only)     as root pasta would become nobody, who cannot use the sandbox's
 *                            namespaces (they are root's)
 *  --netns, --userns         the namespaces by descriptors we opened (/proc/self/fd/N), not by
 *                            the init's pid: pasta drops CAP_SYS_PTRACE before it opens them,
 *                            and a supervisor in a --session's user namespace shares it with
 *                            the init, where opening the init's /proc/PID/ns files needs that.
 *                            When the init's user namespace is ours (the session's), only the
 *                            network namespace is joined. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "netns.h"
#include "sys.h"

/* How long pasta may take to configure the namespace (it takes tens of milliseconds). */
#define NETNS_READY_MS 10000

const char *cordon_netns_helper_find(char *why, size_t size)
{
	static const char *const where[] = {"/usr/bin/pasta", "/usr/local/bin/pasta",
	                                    "/usr/sbin/pasta", "/bin/pasta", NULL};
	const char *found = NULL;
	for (size_t i = 0; where[i] && !found; i++)
		if (access(where[i], X_OK) == 0)
			found = where[i];
	if (!found) {
		snprintf(why, size,
		         "pasta is not installed (Debian package passt): apt-get "
		         "install passt");
		return NULL;
	}
	/* pasta makes the namespace's interface from the tun device, as the caller. */
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		snprintf(
		        why, size,
		        "/dev/net/tun is not usable by uid %u (%s), and pasta needs it: chmod 0666 "
		        "/dev/net/tun (Debian's default)",
		        (unsigned)getuid(), strerror(errno));
		return NULL;
	}
	return found;
}

/* The init's user namespace is ours (a --session's, which the supervisor entered and where it
 * holds every capability): pasta joins only the network namespace, for which it needs
 * CAP_SYS_ADMIN (and CAP_NET_ADMIN for the interface) there. An unprivileged uid loses them
 * at exec; as ambient capabilities they survive it. They are capabilities in the session's
 * user namespace only, nothing on the host. */
static void netns_keep_caps(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) < 0)
		return;
	d[0].inheritable = d[0].permitted;
	d[1].inheritable = d[1].permitted;
	if (syscall(SYS_capset, &hdr, d) < 0)
		return;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0);
}

/* In the child, before exec: nothing of the supervisor's but the ready pipe (3), the
 * namespaces (4, 5) and stderr; its own session (a Ctrl-C at the user's terminal is the
 * command's, not the network's); no blocked signals; and it dies with the supervisor. */
static _Noreturn void netns_exec(const char *helper, char *const argv[], int ready, int errfd,
                                 const int nsfd[2], pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setsid();
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* Out of the way first: 0..5 may be among the descriptors about to be placed there (a
	 * supervisor started with its stdin closed has its memfd at 0). */
	int fds[4] = {ready, nsfd[0], nsfd[1], errfd};
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0 && (fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
			_exit(127);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fds[3], 2) < 0)
		_exit(127);
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && dup2(fds[i], 3 + i) < 0)
			_exit(127);
	cordon_sys_close_range(6, ~0U, 0);
	if (nsfd[1] < 0 && getuid() != 0)
		netns_keep_caps();
	char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
	execve(helper, argv, envp);
	_exit(127);
}

/* What pasta said before it gave up: its last non-empty line, for the one-line error. */
static void netns_last_line(int fd, char *out, size_t size)
{
	char buf[2048];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 &&
	       (n = pread(fd, buf + len, sizeof(buf) - 1 - len, (off_t)len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	char *last = strrchr(buf, '\n');
	snprintf(out, size, "%.*s", (int)size - 1, last ? last + 1 : buf);
}

static int64_t netns_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for pasta's pid on the ready pipe: > 0 ready, 0 it ended first, -ETIMEDOUT. */
static int netns_wait_ready(int ready)
{
	int64_t end = netns_now_ms() + NETNS_READY_MS;
	char buf[32];
	for (;;) {
		int64_t left = end - netns_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = ready, .events = POLLIN};
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		ssize_t n = read(ready, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		return n > 0 ? 1 : 0;
	}
}

static int netns_fail(struct cordon_netns *ns, int errfd, int r, cordon_error *err)
{
	char said[512] = "";
	cordon_netns_stop(ns, true);
	netns_last_line(errfd, said, sizeof(said));
	if (r == -ETIMEDOUT)
		return cordon_err(err, -EIO,
		                  "network: pasta did not configure the sandbox's namespace "
		                  "within %d s",
		                  NETNS_READY_MS / 1000);
	return cordon_err(err, r < 0 ? r : -EIO, "network: pasta failed%s%s", said[0] ? ": " : "",
	                  said);
}

/* The init's network and user namespaces, by descriptor; the user one -1 when it is ours. */
static int netns_open(pid_t init_pid, int nsfd[2], cordon_error *err)
{
	char path[64];
	nsfd[1] = -1;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)init_pid);
	nsfd[0] = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)init_pid);
	int user = nsfd[0] < 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	struct stat theirs, ours;
	if (nsfd[0] < 0 || user < 0 || fstat(user, &theirs) < 0 ||
	    stat("/proc/self/ns/user", &ours) < 0) {
		int e = errno;
		if (nsfd[0] >= 0)
			close(nsfd[0]);
		if (user >= 0)
			close(user);
		return cordon_err(err, -e, "network: cannot open the sandbox's namespaces: %s",
		                  strerror(e));
	}
	if (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
		close(user);
	else
		nsfd[1] = user;
	return 0;
}

/* pasta's options (the comment at the top says why each). */
static void netns_argv(char *argv[24], const char *helper, bool userns, bool as_root)
{
	static const char *const fixed[] = {"--config-net",
	                                    "--foreground",
	                                    "--quiet",
	                                    "--tcp-ports",
	                                    "none",
	                                    "--udp-ports",
	                                    "none",
	                                    "--tcp-ns",
	                                    "none",
	                                    "--udp-ns",
	                                    "none",
	                                    "--no-map-gw",
	                                    "--pid",
	                                    "/proc/self/fd/3",
	                                    "--netns",
	                                    "/proc/self/fd/4",
	                                    NULL};
	size_t n = 0;
	argv[n++] = (char *)helper;
	for (size_t i = 0; fixed[i]; i++)
		argv[n++] = (char *)fixed[i];
	if (userns) {
		argv[n++] = "--userns";
		argv[n++] = "/proc/self/fd/5";
	}
	if (as_root) {
		argv[n++] = "--runas";
		argv[n++] = "0";
	}
	argv[n] = NULL;
}

int cordon_netns_start(struct cordon_netns *ns, const char *helper, pid_t init_pid, bool as_root,
                       cordon_error *err)
{
	*ns = CORDON_NETNS_INIT;
	int nsfd[2], ready[2];
	int r = netns_open(init_pid, nsfd, err);
	if (r < 0)
		return r;
	cleanup_close int netfd = nsfd[0];
	cleanup_close int userfd = nsfd[1];
	/* pasta's stderr is a memory file, not a pipe: it may write there after we stopped
	 * reading (a pipe would then block it or raise SIGPIPE); with --quiet only errors come. */
	cleanup_close int errfd = memfd_create("cordon-pasta-stderr", MFD_CLOEXEC);
	if (errfd < 0 || pipe2(ready, O_CLOEXEC) < 0)
		return cordon_err(err, -errno, "network: %s: %s", errfd < 0 ? "memfd" : "pipe",
		                  strerror(errno));
	char *argv[24];
	netns_argv(argv, helper, userfd >= 0, as_root);
	pid_t parent = getpid();
	pid_t child = fork();
	if (child == 0)
		netns_exec(helper, argv, ready[1], errfd, nsfd, parent);
	int e = errno;
	close(ready[1]);
	if (child < 0) {
		r = cordon_err(err, -e, "network: cannot start pasta: %s", strerror(e));
	} else {
		ns->pid = child;
		ns->pidfd = cordon_sys_pidfd_open(child, 0);
		r = netns_wait_ready(ready[0]);
		r = r > 0 ? 0 : netns_fail(ns, errfd, r, err);
	}
	if (r == 0)
		r = cordon_netns_dns_start(ns, netfd, userfd, err);
	close(ready[0]);
	return r;
}

void cordon_netns_stop(struct cordon_netns *ns, bool wait)
{
	cordon_netns_dns_stop(ns);
	if (ns->pid > 0) {
		if (ns->pidfd < 0 || cordon_sys_pidfd_send_signal(ns->pidfd, SIGKILL) < 0)
			kill(ns->pid, SIGKILL);
		while (waitpid(ns->pid, NULL, wait ? 0 : WNOHANG) < 0 && errno == EINTR)
			;
	}
	if (ns->pidfd >= 0)
		close(ns->pidfd);
	*ns = CORDON_NETNS_INIT;
}
