/* Helpers: string vectors, errors, lexical path work and number parsing (no side effects beyond
 * memory), and the few that do touch the system and more than one layer needs: canonical
 * paths, a home from passwd, a detached start, descriptors over a UNIX socket. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sys.h"
#include "util.h"

#ifndef CORDON_VERSION
#define CORDON_VERSION "0.0.0"
#endif

const char *cordon_version(void)
{
	return CORDON_VERSION;
}

/* ---- string vector ---------------------------------------------------------------------- */

int cordon_strv_push(struct cordon_strv *s, const char *str)
{
	char *copy = strdup(str);
	if (!copy)
		return -ENOMEM;
	char **nv = realloc(s->v, (s->n + 2) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[s->n++] = copy;
	nv[s->n] = NULL;
	s->v = nv;
	return 0;
}

void cordon_strv_clear(struct cordon_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

bool cordon_strv_contains(const struct cordon_strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return true;
	return false;
}

struct strv_entry {
	const char *str;
	size_t at;
};

static int strv_entry_cmp(const void *a, const void *b)
{
	const struct strv_entry *x = a, *y = b;
	int c = strcmp(x->str, y->str);
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Sorted, so that a thousand paths cost n log n comparisons instead of n squared (issue 5's
 * scaling targets); each first occurrence stays where it was. */
int cordon_strv_dedupe(struct cordon_strv *s)
{
	if (s->n < 2)
		return 0;
	struct strv_entry *e = calloc(s->n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		e[i] = (struct strv_entry){.str = s->v[i], .at = i};
	qsort(e, s->n, sizeof(*e), strv_entry_cmp);
	/* Compared with the first of its run, which stays: a freed repeat is never read. */
	for (size_t i = 1, first = 0; i < s->n; i++) {
		if (strcmp(e[i].str, e[first].str) != 0) {
			first = i;
			continue;
		}
		free(s->v[e[i].at]);
		s->v[e[i].at] = NULL;
	}
	free(e);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i])
			s->v[n++] = s->v[i];
	s->n = n;
	s->v[n] = NULL;
	return 0;
}

/* ---- errors ----------------------------------------------------------------------------- */

int cordon_err(cordon_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		/* A user sees one line: a path or value with a newline in it must not split it. */
		for (char *c = err->msg; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		err->code = code;
	}
	return code;
}

/* ---- paths ------------------------------------------------------------------------------ */

char *cordon_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	char *out = NULL;
	if (asprintf(&out, "%.*s/%s", (int)la, a, b) < 0)
		return NULL;
	return out;
}

/* Drop the last component of the normalised prefix out[0..*len). */
static void path_pop(char *out, size_t *len)
{
	while (*len > 0 && out[*len - 1] != '/')
		(*len)--;
	if (*len > 0)
		(*len)--; /* the slash before it */
}

char *cordon_path_normalize(const char *path)
{
	if (!path || path[0] != '/') {
		errno = EINVAL;
		return NULL;
	}
	char *out = malloc(strlen(path) + 2);
	if (!out)
		return NULL;
	size_t len = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			path_pop(out, &len);
		} else {
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = end;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return out;
}

bool cordon_path_is_beneath(const char *path, const char *dir)
{
	size_t ld = strlen(dir);
	while (ld > 0 && dir[ld - 1] == '/')
		ld--;
	if (ld == 0) /* dir is "/" */
		return path[0] == '/';
	return strncmp(path, dir, ld) == 0 && (path[ld] == '\0' || path[ld] == '/');
}

/* ---- numbers ---------------------------------------------------------------------------- */

/* Leading decimal digits of s into *out; returns the first non-digit, or NULL when there are
 * no digits or the number overflows. */
static const char *parse_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

int cordon_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v;
	const char *end = s ? parse_digits(s, &v) : NULL;
	if (!end || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int size_shift(char unit)
{
	switch (unit) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	case 't':
	case 'T':
		return 40;
	default:
		return -1;
	}
}

int cordon_parse_size(const char *s, uint64_t *out)
{
	uint64_t v;
	const char *end = s ? parse_digits(s, &v) : NULL;
	if (!end)
		return -EINVAL;
	int shift = 0;
	if (*end) {
		shift = size_shift(*end);
		end++;
		if (shift < 0)
			return -EINVAL;
		if (*end == 'i' && end[1] == 'B') /* 64KiB */
			end += 2;
		else if (*end == 'B' || *end == 'b') /* 64KB, 64kb */
			end++;
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int cordon_parse_duration_ms(const char *s, uint64_t *out_ms)
{
	uint64_t sec;
	const char *end = s ? parse_digits(s, &sec) : NULL;
	if (!end)
		return -EINVAL;
	/* A century is more than any timeout; the bound keeps the ms arithmetic exact. */
	if (sec > 100ull * 365 * 24 * 3600)
		return -EINVAL;
	uint64_t ms = sec * 1000, frac = 0, scale = 100;
	bool partial = false;
	if (*end == '.') {
		const char *f = ++end;
		for (; *end >= '0' && *end <= '9'; end++) {
			if (scale > 0) {
				frac += (uint64_t)(*end - '0') * scale;
				scale /= 10;
			} else if (*end != '0') {
				partial = true;
			}
		}
		if (end == f)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	/* A fraction finer than a millisecond rounds up, so "0.0001" is not "no timeout". */
	*out_ms = ms + frac + (partial ? 1 : 0);
	return 0;
}

/* One lookup. Most paths have no symlink in them: then openat2 with RESOLVE_NO_SYMLINKS
 * succeeds and the (lexically normal) path is its own canonical name. Otherwise open it and
 * ask the kernel its name: realpath(3) looks every prefix up again, which a thousand writable
 * roots or protected paths pay a thousand times (issue 5's scaling). Where /proc cannot say
 * (not mounted, a name that is not a plain path), realpath decides. */
static char *path_canonical(const char *abs, int flags)
{
	int fd = cordon_sys_openat2(AT_FDCWD, abs, (uint64_t)(O_PATH | O_CLOEXEC | flags), 0,
	                            CORDON_RESOLVE_NO_SYMLINKS);
	if (fd >= 0) {
		close(fd);
		cleanup_free char *norm = cordon_path_normalize(abs);
		if (norm && strcmp(norm, abs) == 0)
			return steal_ptr(&norm);
	} else if (errno != ELOOP && errno != ENOSYS && errno != EINVAL && errno != E2BIG) {
		return NULL; /* ENOENT, ENOTDIR, EACCES: as open would say */
	}
	fd = open(abs, O_PATH | O_CLOEXEC | flags);
	if (fd < 0)
		return NULL;
	char link[64], buf[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0 && buf[0] == '/' && (size_t)n < sizeof(buf) - 1) {
		buf[n] = '\0';
		if (!strstr(buf, " (deleted)"))
			return strdup(buf);
	}
	return realpath(abs, NULL);
}

char *cordon_path_canonical_dir(const char *abs)
{
	return path_canonical(abs, O_DIRECTORY);
}

char *cordon_path_canonical(const char *abs)
{
	return path_canonical(abs, 0);
}

/* ---- following a path, symlink by symlink -------------------------------------------------- */

#define FOLLOW_MAX_LINKS 40
#define FOLLOW_MAX (2 * PATH_MAX)

/* Put text (and a slash) in front of rest, which holds size bytes. */
static int follow_prepend(char *rest, size_t size, const char *text)
{
	size_t tl = strlen(text), rl = strlen(rest);
	if (tl + 1 + rl + 1 > size)
		return -ENAMETOOLONG;
	memmove(rest + tl + (rl ? 1 : 0), rest, rl + 1);
	memcpy(rest, text, tl);
	if (rl)
		rest[tl] = '/';
	return 0;
}

/* done/comp, where done "" is "/". */
static int follow_append(char *done, size_t size, const char *comp)
{
	size_t dl = strlen(done), cl = strlen(comp);
	if (dl + 1 + cl + 1 > size)
		return -ENAMETOOLONG;
	done[dl] = '/';
	memcpy(done + dl + 1, comp, cl + 1);
	return 0;
}

/* One symlink met at done/comp: report it, then splice its target in front of rest. */
static int follow_link(char *done, char *rest, const char *comp, int *links,
                       int (*on_link)(void *, const char *), void *ctx)
{
	char link[FOLLOW_MAX], target[PATH_MAX];
	snprintf(link, sizeof(link), "%s/%s", done, comp);
	if (++*links > FOLLOW_MAX_LINKS)
		return -ELOOP;
	int r = on_link ? on_link(ctx, link) : 0;
	ssize_t n = r < 0 ? 0 : readlink(link, target, sizeof(target) - 1);
	if (r < 0 || n < 0)
		return r < 0 ? r : -errno;
	target[n] = '\0';
	if (target[0] == '/')
		done[0] = '\0';
	return follow_prepend(rest, FOLLOW_MAX, target);
}

/* The next component of buf, taken out of it, into comp. */
static int follow_next(char *buf, char comp[NAME_MAX + 1])
{
	size_t skip = strspn(buf, "/"), len = strcspn(buf + skip, "/");
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, buf + skip, len);
	comp[len] = '\0';
	memmove(buf, buf + skip + len, strlen(buf + skip + len) + 1);
	return 0;
}

int cordon_path_follow(const char *abs, int (*on_link)(void *ctx, const char *link), void *ctx,
                       char **out)
{
	*out = NULL;
	if (abs[0] != '/' || strlen(abs) >= FOLLOW_MAX)
		return -EINVAL;
	cleanup_free char *done = calloc(1, FOLLOW_MAX), *buf = calloc(1, FOLLOW_MAX);
	if (!done || !buf)
		return -ENOMEM;
	strcpy(buf, abs);
	int links = 0, r = 0;
	while (r == 0 && buf[0]) {
		char comp[NAME_MAX + 1], probe[FOLLOW_MAX];
		struct stat st;
		r = follow_next(buf, comp);
		if (r < 0 || !comp[0] || !strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *slash = strrchr(done, '/');
			if (slash)
				*slash = '\0';
			continue;
		}
		snprintf(probe, sizeof(probe), "%s/%s", done, comp);
		if (lstat(probe, &st) < 0) {
			/* Missing (or not a directory) from here on: the rest as it is written. */
			r = follow_prepend(buf, FOLLOW_MAX, comp);
			break;
		}
		r = S_ISLNK(st.st_mode) ? follow_link(done, buf, comp, &links, on_link, ctx)
		                        : follow_append(done, FOLLOW_MAX, comp);
	}
	if (r < 0)
		return r;
	cleanup_free char *joined = NULL;
	if (asprintf(&joined, "%s/%s", done, buf) < 0)
		return -ENOMEM;
	*out = cordon_path_normalize(joined);
	return *out ? 0 : -ENOMEM;
}

/* name:password:UID:GID:gecos:home:shell */
static char *passwd_line_home(char *line, uid_t uid)
{
	char *field[7] = {0};
	size_t n = 0;
	for (char *p = line; n < 7; n++) {
		field[n] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n < 6 || !field[2][0])
		return NULL;
	char *end = NULL;
	unsigned long v = strtoul(field[2], &end, 10);
	if (*end || v != (unsigned long)uid || field[5][0] != '/')
		return NULL;
	field[5][strcspn(field[5], "\n")] = '\0';
	return strdup(field[5]);
}

char *cordon_passwd_home(const char *passwd, uid_t uid)
{
	FILE *f = fopen(passwd, "re");
	if (!f)
		return NULL;
	char line[1024];
	char *home = NULL;
	while (!home && fgets(line, sizeof(line), f))
		home = passwd_line_home(line, uid);
	fclose(f);
	return home;
}

/* ---- private directories ------------------------------------------------------------------ */

/* mkdir -p with 0700. A session directory usually lives under a shared /tmp, where anyone may
 * have planted a component first: every component whose parent is world-writable must be a
 * real directory (no symlink) owned by the caller and writable by nobody else. */
int cordon_private_dir(const char *path, uid_t uid, cordon_error *err)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	bool parent_shared = false;
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		struct stat st;
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return cordon_err(err, -errno, "session: cannot create %s: %s", buf,
			                  strerror(errno));
		if (lstat(buf, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    (parent_shared && (st.st_uid != uid || (st.st_mode & 022))))
			return cordon_err(err, -EPERM,
			                  "session: %s is not a private directory owned "
			                  "by uid %u; remove it",
			                  buf, (unsigned)uid);
		parent_shared = (st.st_mode & 002) != 0;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

char *cordon_runtime_dir(uid_t uid)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *s = NULL;
	int n = xdg && xdg[0] == '/' ? asprintf(&s, "%s/cordon", xdg)
	                             : asprintf(&s, "/tmp/cordon-%u", (unsigned)uid);
	return n < 0 ? NULL : s;
}

/* ---- processes ------------------------------------------------------------------------------ */

void cordon_sigset_forwarded(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

/* ---- descriptors over a UNIX socket --------------------------------------------------------- */

int cordon_fds_send(int sock, const void *data, size_t len, const int *fds, size_t n)
{
	if (n > CORDON_FDS_MAX)
		return -E2BIG;
	union {
		char buf[CMSG_SPACE(CORDON_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (n > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	ssize_t r;
	while ((r = sendmsg(sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return r < 0 ? -errno : 0;
}

void cordon_close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int cordon_fds_recv(int sock, void *data, size_t len, int *fds, size_t max, size_t *n)
{
	union {
		char buf[CMSG_SPACE(CORDON_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = data, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof(u.buf)};
	*n = 0;
	ssize_t r;
	while ((r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int got[CORDON_FDS_MAX];
		memcpy(got, CMSG_DATA(c), k * sizeof(int));
		for (size_t i = 0; i < k; i++) {
			if (*n < max)
				fds[(*n)++] = got[i];
			else
				close(got[i]);
		}
	}
	if (r == 0 || (size_t)r != len || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		cordon_close_all(fds, *n);
		*n = 0;
		return r == 0 ? -EPIPE : -EPROTO;
	}
	return 0;
}
