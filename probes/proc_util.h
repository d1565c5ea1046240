/* Small helpers shared by the proc/priv/res/env probes: argument parsing and reading whole
 * small files. Header-only (static inline) because every probe is its own executable linked
 * only with probe.c. No policy knowledge here. */
#ifndef CORDON_PROC_UTIL_H
#define CORDON_PROC_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Parse a whole decimal (or 0x hex) number; false on junk or overflow. */
static inline bool pu_parse_long(const char *s, long *out)
{
	char *end = NULL;
	if (!s || !*s)
		return false;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static inline bool pu_parse_ulong(const char *s, unsigned long *out)
{
	char *end = NULL;
	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* A pid argument: a positive number. */
static inline bool pu_parse_pid(const char *s, pid_t *out)
{
	long v;
	if (!pu_parse_long(s, &v) || v <= 0 || v > 0x3fffffff)
		return false;
	*out = (pid_t)v;
	return true;
}

/* A signal: a number (0 allowed) or a name with or without "SIG" ("USR1", "SIGTERM"). */
static inline bool pu_parse_signal(const char *s, int *out)
{
	long v;
	if (pu_parse_long(s, &v)) {
		if (v < 0 || v >= NSIG)
			return false;
		*out = (int)v;
		return true;
	}
	if (!s)
		return false;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *name = sigabbrev_np(i);
		if (name && strcasecmp(name, s) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

/* Read up to cap-1 bytes of path into buf (NUL-terminated); returns the length or -errno. */
static inline long pu_read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

/* Search for needle in the first len bytes of buf, which may hold NULs (environ, cmdline). */
static inline bool pu_mem_contains(const char *buf, size_t len, const char *needle)
{
	return needle && *needle && memmem(buf, len, needle, strlen(needle)) != NULL;
}

#endif
