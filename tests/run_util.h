/* Helpers shared by the integration tests (tests/test_run_*.c): run the real `cordon` CLI,
 * as the unprivileged test user and as root, on a workspace owned by whoever runs it. */
#ifndef CORDON_RUN_UTIL_H
#define CORDON_RUN_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* cmocka.h needs these first; ru_both() skips through it. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

/* A /var/tmp directory owned by w: outside every writable root and outside /tmp, so the
 * sandbox sees it read-only (not simply absent, as anything under the host's /tmp is). */
static inline char *ru_outside_dir(uid_t uid, gid_t gid)
{
	char *path = strdup("/var/tmp/cordon-outside.XXXXXX");
	if (!path || !mkdtemp(path) || chown(path, uid, gid) < 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* tu_rm_rf only removes beneath /tmp; this is its /var/tmp twin for ru_outside_dir. */
static inline void ru_rm_outside(char *path)
{
	if (path && strncmp(path, "/var/tmp/cordon-outside.", 24) == 0) {
		char cmd[4300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
		if (system(cmd) != 0)
			printf("could not remove %s\n", path);
	}
	free(path);
}

/* Who a run is for: the unprivileged user (the real case) or root. */
struct ru_who {
	uid_t uid;
	gid_t gid;
	bool root;
	char *ws;   /* workspace, owned by uid */
	char *home; /* a fake $HOME, owned by uid */
};

/* Set up who. false (and a printed reason) when this kind of run is impossible here. */
static inline bool ru_who_init(struct ru_who *w, bool root)
{
	char why[256];
	memset(w, 0, sizeof(*w));
	if (root) {
		if (geteuid() != 0) {
			printf("SKIP: not running as root: the root variant needs root\n");
			return false;
		}
		w->uid = 0;
		w->gid = 0;
		w->root = true;
	} else if (!tu_test_user(&w->uid, &w->gid, why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return false;
	}
	w->ws = tu_tmpdir("cordon-ws", w->uid, w->gid);
	/* Not under /tmp: the sandbox's /tmp is private, so a $HOME there would simply vanish. */
	w->home = ru_outside_dir(w->uid, w->gid);
	return w->ws && w->home;
}

static inline void ru_who_free(struct ru_who *w)
{
	tu_rm_rf(w->ws);
	ru_rm_outside(w->home);
	free(w->ws);
	w->ws = w->home = NULL;
}

typedef void (*ru_body_fn)(struct ru_who *w);

/* Run body as the test user, then as root; skip only when neither could run. */
static inline void ru_both(ru_body_fn body)
{
	int ran = 0;
	for (int root = 0; root <= 1; root++) {
		struct ru_who w;
		if (!ru_who_init(&w, root))
			continue;
		printf("-- as %s\n", root ? "root" : "the test user");
		body(&w);
		ru_who_free(&w);
		ran++;
	}
	if (!ran)
		tu_skip("no user to run as");
}

/* `cordon run --workspace WS [flags...] -- /bin/sh -c script` as w, cwd WS, a small clean
 * environment (HOME = w->home). flags is NULL-terminated, may be NULL. extra_env likewise. */
static inline int ru_run_env(const struct ru_who *w, const char *const *flags,
                             const char *const *extra_env, const char *script, struct tu_result *r)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = tu_cordon();
	argv[n++] = "run";
	argv[n++] = "--workspace";
	argv[n++] = w->ws;
	for (size_t i = 0; flags && flags[i] && n < 56; i++)
		argv[n++] = flags[i];
	argv[n++] = "--";
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n] = NULL;
	static char home[4200];
	snprintf(home, sizeof(home), "HOME=%s", w->home);
	const char *envp[32] = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", home,
	                        "LANG=C"};
	size_t e = 3;
	for (size_t i = 0; extra_env && extra_env[i] && e < 31; i++)
		envp[e++] = extra_env[i];
	envp[e] = NULL;
	struct tu_spawn s = {.argv = (char *const *)argv,
	                     .envp = (char *const *)envp,
	                     .cwd = w->ws,
	                     .uid = w->root ? (uid_t)-1 : w->uid,
	                     .gid = w->gid,
	                     .timeout = 60};
	int rc = tu_run(&s, r);
	if (rc == 0 && (r->status == 125 || r->timed_out))
		printf("cordon run: status %d%s, stderr: %s\n", r->status,
		       r->timed_out ? " (timed out)" : "", r->err);
	return rc;
}

static inline int ru_run(const struct ru_who *w, const char *const *flags, const char *script,
                         struct tu_result *r)
{
	return ru_run_env(w, flags, NULL, script, r);
}

/* This test program, copied into w's workspace, for running its helper modes inside the
 * sandbox: the build tree may be under the host's /tmp (scripts/test.sh copies the sources
 * there), which the sandbox does not see. Static buffer. */
static inline const char *ru_self_in_ws(const struct ru_who *w)
{
	static char dst[4200];
	snprintf(dst, sizeof(dst), "%s/cordon-test-helper", w->ws);
	if (access(dst, X_OK) == 0)
		return dst;
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	char buf[65536];
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (chown(dst, w->uid, w->gid) < 0)
		perror("chown");
	return dst;
}

/* path = dir/name, in a static buffer of its own per slot (0..3). */
static inline const char *ru_path(int slot, const char *dir, const char *name)
{
	static char buf[4][4200];
	snprintf(buf[slot & 3], sizeof(buf[0]), "%s/%s", dir, name);
	return buf[slot & 3];
}

/* Write a file owned by w. */
static inline void ru_put(const struct ru_who *w, const char *path, const char *data)
{
	tu_write_file(path, data);
	if (chown(path, w->uid, w->gid) < 0)
		perror("chown");
}

static inline void ru_mkdir(const struct ru_who *w, const char *path)
{
	mkdir(path, 0755);
	if (chown(path, w->uid, w->gid) < 0)
		perror("chown");
}

/* How many processes have marker in their command line (host-wide scan of /proc). */
static inline int ru_count_marker(const char *marker)
{
	int count = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		char path[300], buf[4096];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, marker))
			count++;
	}
	if (d)
		closedir(d);
	return count;
}

#endif
