/* cordon-floor [--as-root [--ro PATH]...] -- COMMAND [ARG...]: the namespaces alone.
 *
 * It makes what cordon's default policy makes of the kernel and nothing more: user, mount,
 * PID, IPC, UTS and network namespaces, the uid and gid mapped to themselves, the loopback
 * up (cordon and bubblewrap both do that), and a pid 1 that starts COMMAND and reaps it. No
 * mounts, no Landlock, no seccomp, no supervisor, no limits: NOT a sandbox, COMMAND can write
 * wherever its user can. Two uses:
 *  - the bench's lower bound (issue 5): `bench --adapter floor` shows how much of a sandbox's
 *    spawn cost is the kernel's own price for the namespaces, which no sandbox built on them
 *    can undercut;
 *  - the battery's capable control (issue 12), with --as-root: the uid is mapped to 0, so
 *    COMMAND holds every capability in namespaces of its own, as a sandbox's command could if
 *    the sandbox let it keep them; each --ro PATH is first made a read-only bind mount, the
 *    shape a sandbox gives a protected path. An attempt that succeeds there and is refused
 *    in the sandbox shows the sandbox refusing it, where a plain unprivileged control (which
 *    the host already refuses) shows nothing.
 *
 * Exit status: COMMAND's, 128+N when signal N ended it, 125 when the namespaces could not be
 * made, 127 when COMMAND could not be run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FLOOR_NS \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET)

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

struct floor_opts {
	bool as_root; /* map the caller to uid 0: every capability, in these namespaces */
	char *ro[16]; /* paths to bind read-only onto themselves first */
	size_t n_ro;
	char **argv; /* the command */
};

static int map_ids(uid_t uid, gid_t gid, bool as_root)
{
	char line[64];
	if (write_file("/proc/self/setgroups", "deny") < 0)
		return -1;
	snprintf(line, sizeof(line), "%u %u 1\n", as_root ? 0U : (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", line) < 0)
		return -1;
	snprintf(line, sizeof(line), "%u %u 1\n", as_root ? 0U : (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", line);
}

/* The shape of a protected path in a sandbox: a read-only bind mount over itself. Private
 * propagation first, so nothing made here reaches the host's mount namespace. */
static int bind_readonly(char *const *paths, size_t n)
{
	if (n && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (mount(paths[i], paths[i], NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, paths[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
			return -1;
	}
	return 0;
}

static int loopback_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	int r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 125;
}

/* pid 1 of the new namespaces: start the command, reap everything, exit with its status. */
static _Noreturn void floor_init(const struct floor_opts *o, uid_t uid, gid_t gid)
{
	char **argv = o->argv;
	if (map_ids(uid, gid, o->as_root) < 0 || loopback_up() < 0 ||
	    bind_readonly(o->ro, o->n_ro) < 0) {
		fprintf(stderr, "cordon-floor: cannot set up the namespaces: %s\n",
		        strerror(errno));
		_exit(125);
	}
	pid_t cmd = vfork();
	if (cmd == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (cmd < 0)
		_exit(125);
	int status = 0;
	pid_t p;
	while ((p = wait(&status)) != cmd)
		if (p < 0 && errno != EINTR)
			_exit(125);
	_exit(exit_code(status));
}

/* [--as-root [--ro PATH]...] -- COMMAND...; false on anything else. */
static bool parse(int argc, char **argv, struct floor_opts *o)
{
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--as-root") == 0) {
			o->as_root = true;
		} else if (strcmp(argv[i], "--ro") == 0 && i + 1 < argc && o->as_root &&
		           o->n_ro < sizeof(o->ro) / sizeof(o->ro[0])) {
			/* --ro needs the capabilities --as-root gives. */
			o->ro[o->n_ro++] = argv[++i];
		} else {
			return false;
		}
	}
	o->argv = argv + i + 1;
	return i + 1 < argc;
}

int main(int argc, char **argv)
{
	struct floor_opts o = {0};
	if (!parse(argc, argv, &o)) {
		fputs("usage: cordon-floor [--as-root [--ro PATH]...] -- COMMAND [ARG...]\n",
		      stderr);
		return 125;
	}
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct clone_args ca = {.flags = FLOOR_NS, .exit_signal = SIGCHLD};
	pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		floor_init(&o, uid, gid);
	if (pid < 0) {
		fprintf(stderr, "cordon-floor: cannot create the namespaces: %s\n",
		        strerror(errno));
		return 125;
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 125;
	return exit_code(status);
}
