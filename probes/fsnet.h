/* Helpers shared by the fs_* and net_* probes (header-only: every probe is its own executable
 * linked only with probe.c, and these stay out of the shared probe.h). */
#ifndef CORDON_PROBES_FSNET_H
#define CORDON_PROBES_FSNET_H

#include <arpa/inet.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every writing probe leaves this line, so the harness (and the tests) can tell its write
 * from anything else that touched the canary. */
static inline int fsnet_write_marker(int fd, const char *probe)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "cordon-probe %s\n", probe);
	ssize_t w = write(fd, line, (size_t)n);
	if (w < 0)
		return -1;
	if (w != n) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* open(path, flags) and write the marker; -1 with errno set on failure, *step names the
 * syscall that failed. */
static inline int fsnet_open_write(const char *path, int flags, const char *probe,
                                   const char **step)
{
	*step = "open";
	int fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	*step = "write";
	int rc = fsnet_write_marker(fd, probe);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static inline bool fsnet_parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* A numeric IPv4 or IPv6 address (chosen by its syntax) and a port. No name lookup: the
 * probes must attempt exactly the connection the harness asked for. */
static inline bool fsnet_sockaddr(const char *host, const char *port, struct sockaddr_storage *ss,
                                  socklen_t *len)
{
	long p;
	if (!fsnet_parse_long(port, 0, 65535, &p))
		return false;
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)p);
		*len = sizeof(*in4);
		return true;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		*len = sizeof(*in6);
		return true;
	}
	return false;
}

/* Write one /proc/self file (uid_map and friends); -1 with errno on failure. */
static inline int fsnet_write_proc(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = (ssize_t)strlen(text);
	ssize_t w = write(fd, text, (size_t)len);
	int saved = errno;
	close(fd);
	errno = saved;
	return w == len ? 0 : -1;
}

/* unshare a user and a mount namespace and map ourselves to root in it, which gives us
 * CAP_SYS_ADMIN over the new mount namespace (and nothing over the old one). *step names
 * what failed. The ids must be read before unshare: afterwards we are the overflow id. */
static inline int fsnet_enter_userns(const char **step)
{
	char map[64];
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
	*step = "unshare";
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -1;
	*step = "setgroups";
	if (fsnet_write_proc("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return -1;
	*step = "uid_map";
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	if (fsnet_write_proc("/proc/self/uid_map", map) < 0)
		return -1;
	*step = "gid_map";
	snprintf(map, sizeof(map), "0 %u 1\n", gid);
	return fsnet_write_proc("/proc/self/gid_map", map);
}

/* connect with a bound wait (a firewall that drops SYNs would otherwise hold the probe for
 * minutes). SO_SNDTIMEO bounds a blocking connect; ETIMEDOUT/EINPROGRESS come back as the
 * refusal errno. */
static inline int fsnet_connect(int fd, const struct sockaddr *sa, socklen_t len, int seconds)
{
	struct timeval tv = {.tv_sec = seconds};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return connect(fd, sa, len);
}

/* The 32-bit system call entry (int 0x80) from 64-bit code. The kernel runs the i386 table
 * with AUDIT_ARCH_I386 in seccomp's view, takes only the low 32 bits of each register and
 * clobbers r8-r11. Pointers passed this way must lie below 4 GiB (mmap MAP_32BIT). Returns
 * the raw result (-errno on failure); -ENOSYS where there is no such entry. */
#if defined(__x86_64__)
#define FSNET_HAVE_INT80 1
static inline long fsnet_int80(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a), "c"(b), "d"(c)
	                 : "memory", "cc", "r8", "r9", "r10", "r11");
	return (long)(int)ret; /* eax, sign-extended */
}
#else
#define FSNET_HAVE_INT80 0
static inline long fsnet_int80(long nr, long a, long b, long c)
{
	(void)nr, (void)a, (void)b, (void)c;
	return -ENOSYS;
}
#endif

#endif
