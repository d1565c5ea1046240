#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <lua.h>

#include "harness.h"

static double tu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void tu_child(const struct tu_spawn *s, int in_fd, int out_fd, int err_fd)
{
	setpgid(0, 0);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(120);
	if (s->cwd && chdir(s->cwd) < 0)
		_exit(121);
	/* Switch only when asked for someone else: a non-root run asks for itself, and
	 * setgroups() would fail for it. */
	if (s->uid != (uid_t)-1 && (s->uid != geteuid() || s->gid != getegid())) {
		if (setgroups(0, NULL) < 0 || setgid(s->gid) < 0 || setuid(s->uid) < 0)
			_exit(122);
	}
	signal(SIGPIPE, SIG_DFL);
	if (s->envp)
		execve(s->argv[0], s->argv, s->envp);
	else
		execv(s->argv[0], s->argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* Append what is readable on fd to *buf; returns false at EOF. */
static bool tu_drain(int fd, char **buf, size_t *len)
{
	char chunk[8192];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n <= 0)
		return n < 0 && errno == EINTR;
	char *nb = realloc(*buf, *len + (size_t)n + 1);
	if (!nb)
		return false;
	memcpy(nb + *len, chunk, (size_t)n);
	*len += (size_t)n;
	nb[*len] = '\0';
	*buf = nb;
	return true;
}

static void tu_feed_stdin(const char *data, int fd)
{
	if (data) {
		size_t left = strlen(data);
		while (left > 0) {
			ssize_t n = write(fd, data, left);
			if (n <= 0)
				break;
			data += n;
			left -= (size_t)n;
		}
	}
	close(fd);
}

int tu_run(const struct tu_spawn *s, struct tu_result *r)
{
	int in[2], out[2], err[2];
	memset(r, 0, sizeof(*r));
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		tu_child(s, in[0], out[1], err[1]);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	signal(SIGPIPE, SIG_IGN);
	tu_feed_stdin(s->stdin_data, in[1]);

	size_t olen = 0, elen = 0;
	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	/* An emulated machine (scripts/kernel-matrix.sh: qemu TCG) is several times slower: the
	 * limit is a guard against hangs, so it stretches (CORDON_TEST_TIMEOUT_SCALE, e.g. 3). */
	const char *scale_env = getenv("CORDON_TEST_TIMEOUT_SCALE");
	double scale = scale_env ? atof(scale_env) : 1.0;
	double deadline =
	        tu_now() + (s->timeout > 0 ? s->timeout : 60) * (scale >= 1.0 ? scale : 1.0);
	struct pollfd pf[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
	int open_fds = 2;
	while (open_fds > 0) {
		int left_ms = (int)((deadline - tu_now()) * 1000);
		if (left_ms <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			r->timed_out = true;
			break;
		}
		if (poll(pf, 2, left_ms) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			bool more = i == 0 ? tu_drain(pf[i].fd, &r->out, &olen)
			                   : tu_drain(pf[i].fd, &r->err, &elen);
			if (!more) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	int st = 0;
	if (r->timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		r->status = -1;
		r->signal = WTERMSIG(st);
	} else {
		r->status = WEXITSTATUS(st);
	}
	return 0;
}

void tu_result_free(struct tu_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

const char *tu_test_user_name(void)
{
	const char *name = getenv("CORDON_TEST_USER");
	return name && *name ? name : "cordon-test";
}

bool tu_test_user(uid_t *uid, gid_t *gid, char *why, size_t why_len)
{
	if (geteuid() != 0) {
		*uid = getuid();
		*gid = getgid();
		return true;
	}
	const char *name = tu_test_user_name();
	struct passwd *pw = getpwnam(name);
	if (!pw) {
		snprintf(why, why_len,
		         "running as root and test user '%s' does not exist "
		         "(scripts/test.sh creates it: useradd --system %s)",
		         name, name);
		return false;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

char *tu_tmpdir(const char *prefix, uid_t uid, gid_t gid)
{
	char *path = NULL;
	if (asprintf(&path, "/tmp/%s.XXXXXX", prefix ? prefix : "cordon-test") < 0)
		return NULL;
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	if (uid != (uid_t)-1 && chown(path, uid, gid) < 0) {
		rmdir(path);
		free(path);
		return NULL;
	}
	return path;
}

static int tu_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	/* A test may leave a read-only directory behind: make it writable so it can go. */
	if (remove(p) < 0 && errno == EACCES) {
		chmod(p, 0700);
		remove(p);
	}
	return 0;
}

void tu_rm_rf(const char *path)
{
	if (path && strncmp(path, "/tmp/", 5) == 0) /* never anything but our own temp trees */
		nftw(path, tu_rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

int tu_write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t len = strlen(data);
	ssize_t n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

char *tu_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, 4096, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

const char *tu_probe(const char *name)
{
	static char buf[4096];
	const char *dir = getenv("CORDON_PROBE_DIR");
	snprintf(buf, sizeof(buf), "%s/%s", dir && *dir ? dir : CORDON_PROBE_DIR, name);
	return buf;
}

const char *tu_cordon(void)
{
	static char buf[4096];
	const char *bin = getenv("CORDON_BIN");
	snprintf(buf, sizeof(buf), "%s", bin && *bin ? bin : CORDON_BINARY_DIR "/src/cordon");
	return buf;
}

const char *tu_harness(void)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s", CORDON_BINARY_DIR "/harness/cordon-harness");
	return buf;
}

#if defined(__x86_64__)
/* i386 getpid (20) through int 0x80; exits 0 when it answered our pid. */
static int int80_child(void)
{
	long r;
	__asm__ volatile("int $0x80"
	                 : "=a"(r)
	                 : "a"(20L)
	                 : "memory", "cc", "r8", "r9", "r10", "r11");
	if ((long)(int)r == -ENOSYS)
		_exit(3);
	_exit((long)(int)r == (long)getpid() ? 0 : 4);
}
#endif

bool tu_int80_available(char *why, size_t why_len)
{
#if defined(__x86_64__)
	pid_t pid = fork();
	if (pid == 0)
		int80_child();
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		snprintf(why, why_len, "cannot fork to ask the kernel: %s", strerror(errno));
		return false;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return true;
	if (WIFSIGNALED(st))
		snprintf(why, why_len,
		         "int 0x80 faults with signal %d here (ia32_emulation off): this kernel "
		         "runs "
		         "no 32-bit system calls",
		         WTERMSIG(st));
	else
		snprintf(
		        why, why_len,
		        "int 0x80 answers ENOSYS here (no CONFIG_IA32_EMULATION): this kernel runs "
		        "no 32-bit system calls");
	return false;
#else
	snprintf(why, why_len, "not x86_64: no int 0x80 entry");
	return false;
#endif
}

int tu_landlock_abi(void)
{
	/* landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) */
	long abi = syscall(444, NULL, 0, 1UL);
	return abi > 0 ? (int)abi : 0;
}

char *tu_lua(const char *chunk, const char *name)
{
	lua_State *L = harness_new_state();
	assert_non_null(L);
	if (harness_eval(L, chunk, name, 1) != LUA_OK)
		fail_msg("lua: %s", lua_tostring(L, -1));
	const char *s = lua_tostring(L, -1);
	char *copy = strdup(s ? s : "(nil)");
	lua_close(L);
	return copy;
}
