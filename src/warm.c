/* The warm path (see warm.h): descriptors over sockets, names, the init's side, the client,
 * the members and the server. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "daemon.h"
#include "envfilter.h"
#include "keepfd.h"
#include "plan.h"
#include "policy.h"
#include "pty.h"
#include "sys.h"
#include "warm.h"

/* ---- names ------------------------------------------------------------------------------------ */

/* Where servers listen: <runtime>/serve/<hash of the fingerprint>.sock. */
static char *warm_dir(uid_t uid)
{
	cleanup_free char *base = cordon_runtime_dir(uid);
	return base ? cordon_path_join(base, "serve") : NULL;
}

static void warm_name(const char *key, size_t len, const char *suffix, char *out, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a: a name, not a proof (the key is compared) */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
	snprintf(out, size, "%016llx%s", (unsigned long long)h, suffix);
}

/* Connect to the server named name in dir, waiting at most a while for room in its backlog.
 * -ENOENT/-ECONNREFUSED: none listens. */
static int warm_connect(const char *dir, const char *name, int *out)
{
	return cordon_daemon_connect(dir, name, SOCK_SEQPACKET, CORDON_DAEMON_ANSWER_MS, out);
}

/* The plan's fingerprint, with the session directories made first (they are in it). */
static int warm_key(cordon_sandbox *sb, char **key, size_t *len, cordon_error *err)
{
	int r = cordon_sandbox_session_dirs(sb, err);
	if (r < 0)
		return r;
	r = cordon_plan_fingerprint(cordon_sandbox_plan(sb), key, len);
	return r < 0 ? cordon_err(err, r, "warm: out of memory") : 0;
}

static int warm_pread_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = pread(fd, buf + off, len - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPROTO;
		off += (size_t)n;
	}
	return 0;
}

static void warm_reply(int conn, int kind, int code, const char *msg)
{
	struct cordon_warm_reply rep = {.magic = CORDON_WARM_MAGIC, .kind = kind, .code = code};
	snprintf(rep.msg, sizeof(rep.msg), "%s", msg ? msg : "");
	(void)!send(conn, &rep, sizeof(rep), MSG_NOSIGNAL);
}

/* ---- the init's side -------------------------------------------------------------------------- */

/* Strings one after the other, each NUL-ended, none past end. */
static int warm_split(char **p, const char *end, char **out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *nul = *p < end ? memchr(*p, '\0', (size_t)(end - *p)) : NULL;
		if (!nul)
			return -EPROTO;
		out[i] = *p;
		*p = nul + 1;
	}
	out[n] = NULL;
	return 0;
}

static int warm_parse(struct cordon_warm_cmd *cmd, const struct cordon_warm_req *req)
{
	char *p = cmd->blob + req->key_len, *end = cmd->blob + req->blob_len;
	char *cwd[2] = {NULL, NULL};
	cmd->argv = calloc((size_t)req->n_argv + 1, sizeof(char *));
	cmd->envp = calloc((size_t)req->n_envp + 1, sizeof(char *));
	if (!cmd->argv || !cmd->envp)
		return -ENOMEM;
	int r = warm_split(&p, end, cwd, 1);
	if (r == 0)
		r = warm_split(&p, end, cmd->argv, req->n_argv);
	if (r == 0)
		r = warm_split(&p, end, cmd->envp, req->n_envp);
	cmd->cwd = cwd[0];
	return r;
}

/* Each descriptor to its number. All are first moved above every target (and the status
 * socket with them when it sits on one), so that no dup2 closes another that is still to
 * be placed. */
static int warm_install_fds(int *sock, const int32_t *target, int *fds, size_t n)
{
	int hi = 2;
	for (size_t i = 0; i < n; i++) {
		if (target[i] < 0 || target[i] > 65535)
			return -EBADF;
		for (size_t j = 0; j < i; j++)
			if (target[j] == target[i])
				return -EBADF;
		hi = target[i] > hi ? target[i] : hi;
	}
	for (size_t i = 0; i < n; i++) {
		int m = fcntl(fds[i], F_DUPFD_CLOEXEC, hi + 1);
		if (m < 0)
			return -errno;
		close(fds[i]);
		fds[i] = m;
	}
	if (*sock <= hi) {
		int m = fcntl(*sock, F_DUPFD_CLOEXEC, hi + 1);
		if (m < 0)
			return -errno;
		close(*sock);
		*sock = m;
	}
	bool given[3] = {false, false, false};
	for (size_t i = 0; i < n; i++) {
		if (dup2(fds[i], target[i]) < 0)
			return -errno;
		close(fds[i]);
		fds[i] = -1;
		if (target[i] < 3)
			given[target[i]] = true;
	}
	for (int t = 0; t < 3; t++)
		if (!given[t])
			close(t); /* the run had it closed: so has its command */
	return 0;
}

/* The run's umask, limits and niceness, so that the command starts as a cold run's would
 * (the policy's own limits come on top, in the command's process). */
static void warm_take_process(const struct cordon_warm_req *req)
{
	umask((mode_t)(req->umask & 0777));
	for (int i = 0; i < CORDON_WARM_NLIMITS; i++) {
		struct rlimit ours, want = {.rlim_cur = (rlim_t)req->rlimit[i][0],
		                            .rlim_max = (rlim_t)req->rlimit[i][1]};
		if (getrlimit(i, &ours) < 0)
			continue;
		if (ours.rlim_max != RLIM_INFINITY &&
		    (want.rlim_max == RLIM_INFINITY || want.rlim_max > ours.rlim_max))
			want.rlim_max = ours.rlim_max;
		if (want.rlim_max != RLIM_INFINITY &&
		    (want.rlim_cur == RLIM_INFINITY || want.rlim_cur > want.rlim_max))
			want.rlim_cur = want.rlim_max;
		setrlimit(i, &want);
	}
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	if (errno == 0 && req->nice > nice)
		setpriority(PRIO_PROCESS, 0, req->nice);
}

int cordon_warm_cmd_take(int *sock, struct cordon_warm_cmd *cmd, cordon_error *err)
{
	struct cordon_warm_req req;
	int fds[1 + CORDON_WARM_MAX_FDS];
	size_t n = 0;
	int r = cordon_fds_recv(*sock, &req, sizeof(req), fds, ARRAY_SIZE(fds), &n);
	if (r < 0)
		return cordon_err(err, r, "init: no command came: %s", strerror(-r));
	if (req.magic != CORDON_WARM_MAGIC || req.n_fds > CORDON_WARM_MAX_FDS ||
	    n != 1 + (size_t)req.n_fds || req.blob_len > CORDON_WARM_MAX_BLOB ||
	    req.key_len > req.blob_len || req.n_argv < 1 || req.n_argv > req.blob_len ||
	    req.n_envp > req.blob_len) {
		cordon_close_all(fds, n);
		return cordon_err(err, -EPROTO, "init: a malformed command");
	}
	cmd->blob = malloc(req.blob_len + 1);
	r = cmd->blob ? warm_pread_all(fds[0], cmd->blob, req.blob_len) : -ENOMEM;
	close(fds[0]);
	if (r == 0)
		r = warm_parse(cmd, &req);
	if (r == 0)
		r = warm_install_fds(sock, req.target, fds + 1, n - 1);
	if (r < 0) {
		cordon_close_all(fds + 1, n - 1);
		return cordon_err(err, r, "init: cannot take the command: %s", strerror(-r));
	}
	warm_take_process(&req);
	return 0;
}

/* ---- the client --------------------------------------------------------------------------------- */

/* The blob in a memfd: the key, then cwd, argv and envp. */
static int warm_blob(const char *key, size_t key_len, char *const argv[], char *const envp[],
                     struct cordon_warm_req *req, int *out)
{
	char cwdbuf[4096];
	/* None (removed, too long): empty, and the init falls back as a cold one does. */
	const char *cwd = getcwd(cwdbuf, sizeof(cwdbuf)) ? cwdbuf : "";
	size_t len = key_len + strlen(cwd) + 1;
	for (req->n_argv = 0; argv[req->n_argv]; req->n_argv++)
		len += strlen(argv[req->n_argv]) + 1;
	for (req->n_envp = 0; envp[req->n_envp]; req->n_envp++)
		len += strlen(envp[req->n_envp]) + 1;
	if (len > CORDON_WARM_MAX_BLOB)
		return -E2BIG;
	cleanup_free char *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	char *p = buf;
	memcpy(p, key, key_len);
	p += key_len;
	p = stpcpy(p, cwd) + 1;
	for (uint32_t i = 0; i < req->n_argv; i++)
		p = stpcpy(p, argv[i]) + 1;
	for (uint32_t i = 0; i < req->n_envp; i++)
		p = stpcpy(p, envp[i]) + 1;
	cleanup_close int fd = (int)syscall(SYS_memfd_create, "cordon-run", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	req->key_len = key_len;
	req->blob_len = len;
	*out = steal_fd(&fd);
	return 0;
}

static void warm_req_process(struct cordon_warm_req *req)
{
	mode_t m = umask(0);
	umask(m);
	req->umask = (uint32_t)m;
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	req->nice = errno == 0 ? nice : 0;
	for (int i = 0; i < CORDON_WARM_NLIMITS; i++) {
		struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
		getrlimit(i, &rl);
		req->rlimit[i][0] = (uint64_t)rl.rlim_cur;
		req->rlimit[i][1] = (uint64_t)rl.rlim_max;
	}
}

/* The run's descriptors for its command: 0-2 where open, then the --keep-fd ones. */
static int warm_cmd_fds(const struct cordon_plan *plan, struct cordon_warm_req *req, int *fds,
                        cordon_error *err)
{
	size_t n = 0;
	const struct cordon_policy *p = plan->policy;
	int r = cordon_keep_fds_check(plan, p->keep_fds, p->n_keep_fds, err);
	if (r < 0)
		return r;
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			fds[n] = fd, req->target[n++] = fd;
	for (size_t i = 0; i < p->n_keep_fds; i++) {
		int fd = p->keep_fds[i];
		if (fcntl(fd, F_GETFD) < 0)
			return cordon_err(err, -EBADF, "--keep-fd %d: not an open descriptor", fd);
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup = dup || req->target[j] == fd;
		if (dup)
			continue;
		if (n >= CORDON_WARM_MAX_FDS)
			return cordon_err(err, -E2BIG, "--keep-fd: more than %d descriptors",
			                  CORDON_WARM_MAX_FDS - 3);
		fds[n] = fd, req->target[n++] = fd;
	}
	req->n_fds = (uint32_t)n;
	return 0;
}

/* The request, with the blob's memfd only: the command's descriptors (cmd_fds, their count
 * in req.n_fds) go with the go (warm.h), so that a server that never takes the run (stopped)
 * holds none of them: whoever waits for the EOF of the run's stdout must not wait for it. */
static int warm_send_request(int conn, cordon_sandbox *sb, const char *key, size_t key_len,
                             char *const argv[], char *const envp[], int *cmd_fds, size_t *n_cmd,
                             cordon_error *err)
{
	const struct cordon_policy *p = cordon_sandbox_plan(sb)->policy;
	struct cordon_warm_req req = {.magic = CORDON_WARM_MAGIC};
	int r = warm_cmd_fds(cordon_sandbox_plan(sb), &req, cmd_fds, err);
	if (r < 0)
		return r;
	*n_cmd = req.n_fds;
	cleanup_free char **env = NULL;
	if ((r = cordon_env_filter((const char *const *)envp, &p->env_keep, &env, err)) < 0)
		return r;
	cleanup_close int memfd = -1;
	if ((r = warm_blob(key, key_len, argv, env, &req, &memfd)) < 0)
		return cordon_err(err, r, "warm: cannot write the request: %s", strerror(-r));
	warm_req_process(&req);
	r = cordon_fds_send(conn, &req, sizeof(req), &memfd, 1);
	return r < 0 ? cordon_err(err, r, "warm: cannot send the request: %s", strerror(-r)) : 0;
}

/* Wait for the end, forwarding TERM, INT and HUP as a cold run forwards them to its tree. */
static int warm_wait(int conn, const int *cmd_fds, size_t n_cmd, int *exit_code, bool *stalled,
                     cordon_error *err)
{
	sigset_t set, old;
	cordon_sigset_forwarded(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	cleanup_close int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* Unwatched, ^C could not reach the command: our leaving ends its tree instead. */
		return cordon_err(err, -e, "warm: signalfd: %s", strerror(e));
	}
	int r = 1;
	bool handed = false;
	for (;;) {
		struct pollfd pf[2] = {{.fd = conn, .events = POLLIN},
		                       {.fd = sigfd, .events = POLLIN}};
		/* Until a member took the run, signals wait (blocked) for its command, and the
		 * server gets a bounded time to hand it over. */
		int p = poll(pf, handed ? 2 : 1, handed ? -1 : CORDON_DAEMON_START_MS);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			r = cordon_err(err, -errno, "warm: poll: %s", strerror(errno));
			break;
		}
		if (p == 0) {
			*stalled = true; /* no go was sent: nothing will start there */
			r = 0;
			break;
		}
		struct signalfd_siginfo si;
		while (sigfd >= 0 && (pf[1].revents & POLLIN) &&
		       read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			struct cordon_warm_signal ws = {CORDON_WARM_MAGIC, (int32_t)si.ssi_signo};
			(void)!send(conn, &ws, sizeof(ws), MSG_NOSIGNAL);
		}
		if (!pf[0].revents)
			continue;
		struct cordon_warm_reply rep;
		ssize_t n = recv(conn, &rep, sizeof(rep), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(rep) || rep.magic != CORDON_WARM_MAGIC) {
			r = cordon_err(err, -EIO,
			               "warm: the prepared sandbox ended without a status");
			break;
		}
		rep.msg[sizeof(rep.msg) - 1] = '\0';
		if (rep.kind == CORDON_WARM_HANDED && !handed) {
			struct cordon_warm_signal go = {CORDON_WARM_MAGIC, 0};
			handed = cordon_fds_send(conn, &go, sizeof(go), cmd_fds, n_cmd) == 0;
			if (!handed) {
				r = 0; /* it is gone before it started anything */
				break;
			}
			continue;
		}
		if (rep.kind == CORDON_WARM_NOMATCH) {
			r = 0;
			break;
		}
		*exit_code = rep.code;
		if (rep.code == CORDON_EXIT_FAILURE && rep.msg[0])
			cordon_err(err, -EIO, "%s", rep.msg);
		break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* In the detached grandchild: `cordon serve ARGS --ready-fd 3`, with nothing of ours but the
 * pipe, quiet stdio (whoever waits for the run's stdout's EOF must not wait for the server),
 * and only the environment a plan depends on. */
static _Noreturn void warm_exec_server(char *const serve_args[], int ready_fd)
{
	size_t n = 0;
	while (serve_args[n])
		n++;
	char **argv = calloc(n + 5, sizeof(char *));
	char *envp[3] = {NULL, NULL, NULL};
	size_t k = 0;
	const char *keep[] = {"HOME", "XDG_RUNTIME_DIR"};
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
		const char *v = getenv(keep[i]);
		if (v && asprintf(&envp[k], "%s=%s", keep[i], v) >= 0)
			k++;
	}
	/* 0-2 are /dev/null and the pipe above them already (daemon.c). */
	if (!argv || dup2(ready_fd, 3) < 0)
		_exit(1);
	cordon_sys_close_range(4, ~0U, 0);
	argv[0] = "cordon";
	argv[1] = "serve";
	memcpy(argv + 2, serve_args, n * sizeof(char *));
	argv[n + 2] = "--ready-fd";
	argv[n + 3] = "3";
	execve("/proc/self/exe", argv, envp);
	_exit(1);
}

static void warm_server_child(void *serve_args, int ready_fd)
{
	warm_exec_server(serve_args, ready_fd);
}

/* Start a server for this plan and wait until it listens (or failed). */
static int warm_start(char *const serve_args[], cordon_error *err)
{
	char status = 0, why[512] = "";
	int r = cordon_daemon_start(warm_server_child, (void *)serve_args, CORDON_DAEMON_START_MS,
	                            &status, why, sizeof(why));
	if (r == -ETIMEDOUT)
		return cordon_err(err, r,
		                  "warm: the server started for this plan did not answer "
		                  "in %d s",
		                  CORDON_DAEMON_START_MS / 1000);
	if (r < 0 && r != -ECHILD)
		return cordon_err(err, r, "warm: cannot start a server: %s", strerror(-r));
	if (status == 'k')
		return 0;
	return cordon_err(err, -ECHILD, "warm: the server for this plan did not start%s%s",
	                  why[0] ? ": " : "", why);
}

/* Reach the server for key; with start, start one when there is none (under a lock, so that
 * concurrent first runs start only one). 0 with *conn -1: none. */
static int warm_reach(char *const serve_args[], const char *dir, const char *key, size_t key_len,
                      int *conn, cordon_error *err)
{
	char name[64];
	warm_name(key, key_len, ".sock", name, sizeof(name));
	*conn = -1;
	int r = warm_connect(dir, name, conn);
	if (r == 0 || !serve_args)
		return 0;
	if ((r = cordon_private_dir(dir, getuid(), err)) < 0)
		return r;
	cleanup_close int lock = cordon_daemon_lock(dir);
	if (lock < 0)
		return cordon_err(err, lock, "warm: cannot lock %s: %s", dir, strerror(-lock));
	if (warm_connect(dir, name, conn) == 0)
		return 0;
	if ((r = warm_start(serve_args, err)) < 0)
		return r;
	r = warm_connect(dir, name, conn);
	return r < 0 ? cordon_err(err, r, "warm: the server in %s did not answer: %s", dir,
	                          strerror(-r))
	             : 0;
}

/* One attempt: 1 ran, 0 no prepared sandbox took it (nothing started), <0 an error. */
static int warm_try(cordon_sandbox *sb, char *const argv[], char *const envp[],
                    char *const serve_args[], const char *dir, int *exit_code, bool *stalled,
                    cordon_error *err)
{
	cleanup_free char *key = NULL;
	size_t key_len = 0;
	int r = warm_key(sb, &key, &key_len, err);
	cleanup_close int conn = -1;
	if (r == 0)
		r = warm_reach(serve_args, dir, key, key_len, &conn, err);
	if (r < 0 || conn < 0)
		return r;
	char *none[] = {NULL};
	int cmd_fds[CORDON_WARM_MAX_FDS];
	size_t n_cmd = 0;
	r = warm_send_request(conn, sb, key, key_len, argv, envp ? envp : none, cmd_fds, &n_cmd,
	                      err);
	return r < 0 ? r : warm_wait(conn, cmd_fds, n_cmd, exit_code, stalled, err);
}

/* A run turned away (its server's plan had just changed, its sandbox died on the way) finds
 * a server again a few times before --warm-only gives up. */
#define WARM_ONLY_TRIES 3

int cordon_warm_run(cordon_sandbox *sb, char *const argv[], char *const envp[],
                    char *const serve_args[], bool only, int *exit_code, cordon_error *err)
{
	*exit_code = CORDON_EXIT_FAILURE;
	if (!argv || !argv[0])
		return cordon_err(err, -EINVAL, "no command given");
	/* A command on the user's terminal gets a pty of cordon's own (pty.h), which a prepared
	 * sandbox was not made with: such a run goes cold. */
	for (int fd = 0; fd < 3; fd++)
		if (cordon_pty_is_tty(fd))
			return only ? cordon_err(err, -ENOTTY,
			                         "--warm-only: fd %d is a terminal; a prepared "
			                         "sandbox cannot give the command a pty of its own",
			                         fd)
			            : 0;
	cleanup_free char *dir = warm_dir(getuid());
	if (!dir)
		return cordon_err(err, -ENOMEM, "warm: out of memory");
	/* A session's cold runs pay nothing for the warm path while no server was ever run. */
	if (!serve_args && access(dir, F_OK) < 0)
		return 0;
	int r = 0;
	bool stalled = false;
	for (int i = 0; r == 0 && !stalled && i < (only ? WARM_ONLY_TRIES : 1); i++)
		r = warm_try(sb, argv, envp, serve_args, dir, exit_code, &stalled, err);
	if (r == 0 && only && stalled)
		return cordon_err(err, -ETIMEDOUT,
		                  "--warm-only: the server for this plan did not answer in %d s "
		                  "(stopped?); nothing was started",
		                  CORDON_DAEMON_START_MS / 1000);
	if (r == 0 && only)
		return cordon_err(err, -EAGAIN,
		                  "--warm-only: no prepared sandbox took the run (%d tries)",
		                  WARM_ONLY_TRIES);
	return r;
}

/* ---- members ------------------------------------------------------------------------------------ */

enum member_note_kind { NOTE_READY = 1, NOTE_STALE, NOTE_FAIL };

#define SERVE_MAX_INCOMING 32
#define SERVE_REQUEST_MS 2000 /* a run sends its request at once */

static int64_t serve_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct member_note {
	int kind;
	char msg[512];
};

struct serve {
	const struct cordon_policy *policy;
	const struct cordon_serve_opts *opts;
	char *dir, *sock_path, *key;
	size_t key_len;
	struct stat bound;
	int lfd, sigfd, mounts;
	pid_t pid;

	struct member {
		pid_t pid;
		int ctl;
		bool ready;
	} members[CORDON_WARM_MAX_POOL * 2];
	size_t n_members;

	struct pending {
		int conn;
		struct cordon_warm_req req;
		int fds[1]; /* the memfd (the command's descriptors come with the go) */
		size_t n;
	} * pending;
	size_t n_pending;

	pid_t busy[CORDON_WARM_MAX_POOL * 2]; /* members handed a run that has not ended */
	size_t n_busy;

	/* Connections accepted whose request has not come yet, each watched in the loop with
	 * the others: one that stays silent costs the rest nothing, and is turned away after
	 * SERVE_REQUEST_MS. */
	struct incoming {
		int conn;
		int64_t since_ms;
	} incoming[SERVE_MAX_INCOMING];
	size_t n_incoming;

	int idle_ms, stale_streak;
	bool stop;
	cordon_error fail; /* why the server stopped, when it was not asked to */
};

static void serve_fail(struct serve *sv, const cordon_error *e)
{
	if (!sv->fail.code)
		sv->fail = *e;
	if (!sv->fail.code)
		sv->fail.code = -EIO;
	sv->stop = true;
}

static void member_note(int ctl, int kind, const char *msg)
{
	struct member_note note = {.kind = kind};
	snprintf(note.msg, sizeof(note.msg), "%s", msg ? msg : "");
	(void)!send(ctl, &note, sizeof(note), MSG_NOSIGNAL);
}

/* Tell the run we have it, and start nothing until it says go, with the command's
 * descriptors (after the memfd in fds, *n in all): a run that gave up waiting (warm.h) builds
 * its own sandbox, and the command must not run twice. */
static bool member_go(int conn, const struct cordon_warm_req *req, int *fds, size_t *n)
{
	struct cordon_warm_signal go;
	size_t got = 0;
	warm_reply(conn, CORDON_WARM_HANDED, 0, "");
	if (cordon_daemon_wait(conn, CORDON_DAEMON_ANSWER_MS) < 0 ||
	    cordon_fds_recv(conn, &go, sizeof(go), fds + *n, CORDON_WARM_MAX_FDS, &got) < 0)
		return false;
	*n += got;
	return go.magic == CORDON_WARM_MAGIC && go.signo == 0 && got == req->n_fds;
}

/* Wait for the command (or the server's end, or our init's), run it, answer its run. */
static void member_serve(cordon_sandbox *sb, int ctl)
{
	struct pollfd pf[2] = {{.fd = ctl, .events = POLLIN},
	                       {.fd = cordon_sandbox_init_pidfd(sb), .events = POLLIN}};
	while (poll(pf, 2, -1) < 0)
		if (errno != EINTR)
			return;
	if (!(pf[0].revents & POLLIN))
		return;
	struct cordon_warm_req req;
	int fds[2 + CORDON_WARM_MAX_FDS];
	size_t n = 0;
	if (cordon_fds_recv(ctl, &req, sizeof(req), fds, ARRAY_SIZE(fds), &n) < 0)
		return;
	if (n != 2 || req.n_fds > CORDON_WARM_MAX_FDS || pf[1].revents) {
		/* Our init died while the run was on its way (killed, a limit): nothing has
		 * started, so the run builds its own sandbox. */
		if (n >= 1)
			warm_reply(fds[0], CORDON_WARM_NOMATCH, 0, "");
		cordon_close_all(fds, n);
		return;
	}
	int conn = fds[0];
	if (!member_go(conn, &req, fds, &n)) {
		cordon_close_all(fds, n); /* the run left (it gave up waiting): it runs cold */
		return;
	}
	/* From here the run holds us, not the server: a server that leaves (its plan went stale,
	 * it was stopped) must not take a running command with it. */
	prctl(PR_SET_PDEATHSIG, 0);
	cordon_error err = {0};
	int code = CORDON_EXIT_FAILURE;
	int r = cordon_sandbox_hand(sb, &req, fds + 1, n - 1, conn, &err);
	cordon_close_all(fds + 1, n - 1);
	/* The run may end once its tree is gone; the namespaces' teardown is ours to wait for. */
	if (r == 0)
		r = cordon_sandbox_wait_gone(sb, &code, &err);
	if (r < 0)
		code = CORDON_EXIT_FAILURE;
	warm_reply(conn, CORDON_WARM_DONE, code, code == CORDON_EXIT_FAILURE ? err.msg : "");
	int ignored;
	if (r == 0)
		(void)cordon_sandbox_wait(sb, &ignored, NULL);
	close(conn); /* watched by the sandbox until it is reaped */
}

/* A member's whole life, in a child of the server: build the plan afresh, check it is still
 * the server's, prepare the sandbox, say so, serve one command. */
static _Noreturn void member_main(const struct serve *sv, int ctl)
{
	cordon_error err = {0};
	cordon_sandbox *sb = NULL;
	int kind = NOTE_READY;
	cleanup_free char *key = NULL;
	size_t key_len = 0;
	int r = cordon_sandbox_new(sv->policy, &sb, &err);
	if (r == 0)
		r = warm_key(sb, &key, &key_len, &err);
	if (r == 0 && (key_len != sv->key_len || memcmp(key, sv->key, key_len) != 0))
		kind = NOTE_STALE;
	if (r == 0 && kind == NOTE_READY)
		r = cordon_sandbox_prepare_warm(sb, &err);
	member_note(ctl, r < 0 ? NOTE_FAIL : kind, err.msg);
	if (r == 0 && kind == NOTE_READY)
		member_serve(sb, ctl);
	cordon_sandbox_free(sb);
	_exit(0);
}

static int serve_spawn_member(struct serve *sv)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sp[0]);
		close(sp[1]);
		return -e;
	}
	if (pid == 0) {
		/* Die with the server while unused; keep nothing of its but our end. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != sv->pid)
			_exit(0);
		if (dup2(sp[1], 3) < 0)
			_exit(1);
		cordon_sys_close_range(4, ~0U, 0);
		prctl(PR_SET_NAME, "cordon-warm", 0, 0, 0);
		member_main(sv, 3);
	}
	close(sp[1]);
	sv->members[sv->n_members++] = (struct member){.pid = pid, .ctl = sp[0]};
	return 0;
}

static void serve_drop_member(struct serve *sv, size_t i, bool kill_it)
{
	if (kill_it)
		kill(sv->members[i].pid, SIGKILL);
	close(sv->members[i].ctl);
	sv->members[i] = sv->members[--sv->n_members];
}

/* Drop every member not handed out yet: they were prepared for a world that changed. Their
 * control socket closing tells them to go; they free their sandbox as they do (a SIGKILL would
 * leave a --memory or --pids run's cgroup behind). */
static void serve_drop_members(struct serve *sv)
{
	while (sv->n_members > 0)
		serve_drop_member(sv, sv->n_members - 1, false);
}

/* Leaving: give the members just dropped a moment to free their sandboxes before our death
 * signal would kill the ones still preparing; those that take longer are killed. */
static void serve_reap_dropped(const pid_t *pids, size_t n)
{
	size_t left = n;
	bool gone[ARRAY_SIZE(((struct serve *)0)->members)] = {false};
	for (int ms = 0; left > 0 && ms < 2000; ms += 10) {
		for (size_t i = 0; i < n; i++)
			if (!gone[i] && waitpid(pids[i], NULL, WNOHANG) != 0) {
				gone[i] = true; /* reaped, or reaped already by serve_on_signal */
				left--;
			}
		if (left > 0)
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	for (size_t i = 0; i < n; i++)
		if (!gone[i]) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
}

/* ---- the server ---------------------------------------------------------------------------------- */

static void serve_unlisten(struct serve *sv)
{
	if (cordon_daemon_owns(sv->sock_path, &sv->bound))
		unlink(sv->sock_path);
	cordon_closep(&sv->lfd);
	sv->lfd = -1;
	free(sv->sock_path);
	sv->sock_path = NULL;
}

/* The key of the plan as it is now. */
static int serve_compute_key(const struct serve *sv, char **key, size_t *len, cordon_error *err)
{
	cordon_sandbox *sb = NULL;
	int r = cordon_sandbox_new(sv->policy, &sb, err);
	if (r == 0)
		r = warm_key(sb, key, len, err);
	cordon_sandbox_free(sb);
	return r;
}

/* Listen under the name of the current key; -EADDRINUSE when another server has it. */
static int serve_listen(struct serve *sv, cordon_error *err)
{
	char name[64];
	warm_name(sv->key, sv->key_len, ".sock", name, sizeof(name));
	int probe = -1;
	if (warm_connect(sv->dir, name, &probe) == 0) {
		close(probe);
		return cordon_err(err, -EADDRINUSE, "serve: a server for this plan already runs");
	}
	sv->sock_path = cordon_path_join(sv->dir, name);
	if (!sv->sock_path)
		return cordon_err(err, -ENOMEM, "serve: out of memory");
	int r = cordon_daemon_listen(sv->dir, name, SOCK_SEQPACKET | SOCK_NONBLOCK, 64, &sv->lfd,
	                             &sv->bound);
	if (r < 0)
		return cordon_err(err, r, "serve: cannot listen on %s: %s", sv->sock_path,
		                  strerror(-r));
	return 0;
}

/* The plan changed under us (a path now names another file): serve the new one, under its
 * own name, with members prepared for it. false: it had not changed. */
static bool serve_follow(struct serve *sv)
{
	cordon_error err = {0};
	char *key = NULL;
	size_t len = 0;
	if (serve_compute_key(sv, &key, &len, &err) < 0) {
		serve_fail(sv, &err);
		return false;
	}
	if (len == sv->key_len && memcmp(key, sv->key, len) == 0) {
		free(key);
		return false;
	}
	serve_drop_members(sv);
	serve_unlisten(sv);
	free(sv->key);
	sv->key = key;
	sv->key_len = len;
	if (serve_listen(sv, &err) < 0)
		serve_fail(sv, &err);
	return true;
}

static void serve_answer_pending(struct serve *sv, int kind, int code, const char *msg)
{
	for (size_t i = 0; i < sv->n_pending; i++) {
		struct pending *q = &sv->pending[i];
		warm_reply(q->conn, kind, code, msg);
		close(q->conn);
		cordon_close_all(q->fds, q->n);
	}
	sv->n_pending = 0;
}

static void serve_on_member(struct serve *sv, size_t i)
{
	struct member_note note;
	ssize_t n = recv(sv->members[i].ctl, &note, sizeof(note), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof(note)) {
		serve_drop_member(sv, i, true); /* it died */
		return;
	}
	note.msg[sizeof(note.msg) - 1] = '\0';
	cordon_error e = {0};
	if (note.kind == NOTE_READY) {
		sv->members[i].ready = true;
		sv->stale_streak = 0;
	} else if (note.kind == NOTE_STALE) {
		/* A member found another plan than ours, and we do not: a file that comes and
		 * goes. Give up rather than fork for ever. */
		if (serve_follow(sv))
			sv->stale_streak = 0;
		else if (++sv->stale_streak >= 5)
			serve_fail(sv,
			           &(cordon_error){-ESTALE, "serve: the plan keeps changing "
			                                    "while sandboxes are prepared for it"});
	} else {
		/* The sandbox cannot be built (a limit, a missing mechanism): the runs waiting
		 * get cordon's message, as a cold run would, and the server does not go on
		 * failing. */
		serve_answer_pending(sv, CORDON_WARM_DONE, CORDON_EXIT_FAILURE, note.msg);
		snprintf(e.msg, sizeof(e.msg), "%s", note.msg);
		serve_fail(sv, &e);
	}
}

/* A new run's request, readable now: keep it when it is for our plan. One that sends
 * garbage is turned away before anything started (and goes cold, rather than failing for
 * nothing). */
static void serve_take_request(struct serve *sv, int c)
{
	cleanup_close int conn = c;
	struct pending q = {.conn = -1};
	if (cordon_fds_recv(conn, &q.req, sizeof(q.req), q.fds, ARRAY_SIZE(q.fds), &q.n) < 0) {
		warm_reply(conn, CORDON_WARM_NOMATCH, 0, "");
		return;
	}
	cleanup_free char *key = malloc(sv->key_len ? sv->key_len : 1);
	bool ok = q.req.magic == CORDON_WARM_MAGIC && q.n == 1 &&
	          q.req.n_fds <= CORDON_WARM_MAX_FDS && q.req.key_len == sv->key_len && key &&
	          warm_pread_all(q.fds[0], key, sv->key_len) == 0 &&
	          memcmp(key, sv->key, sv->key_len) == 0;
	struct pending *grown = ok ? realloc(sv->pending, (sv->n_pending + 1) * sizeof(q)) : NULL;
	if (!grown) {
		warm_reply(conn, CORDON_WARM_NOMATCH, 0, "");
		cordon_close_all(q.fds, q.n);
		return;
	}
	sv->pending = grown;
	/* Blocking again for the member, which watches it with poll. */
	int fl = fcntl(conn, F_GETFL);
	if (fl >= 0)
		(void)fcntl(conn, F_SETFL, fl & ~O_NONBLOCK);
	q.conn = steal_fd(&conn);
	sv->pending[sv->n_pending++] = q;
}

static void serve_drop_incoming(struct serve *sv, size_t i)
{
	sv->incoming[i] = sv->incoming[--sv->n_incoming];
}

/* Take every connection waiting in the backlog; their requests are read when they come. */
static void serve_accept(struct serve *sv)
{
	int conn;
	while ((conn = accept4(sv->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		if (!cordon_daemon_peer_ours(conn) || sv->n_incoming == SERVE_MAX_INCOMING) {
			if (sv->n_incoming == SERVE_MAX_INCOMING)
				warm_reply(conn, CORDON_WARM_NOMATCH, 0, "");
			close(conn);
			continue;
		}
		sv->idle_ms = 0;
		sv->incoming[sv->n_incoming++] =
		        (struct incoming){.conn = conn, .since_ms = serve_now_ms()};
	}
}

/* Turn away the runs that have not sent their request in time. */
static void serve_expire_incoming(struct serve *sv)
{
	int64_t now = serve_now_ms();
	for (size_t i = sv->n_incoming; i-- > 0;)
		if (now - sv->incoming[i].since_ms >= SERVE_REQUEST_MS) {
			warm_reply(sv->incoming[i].conn, CORDON_WARM_NOMATCH, 0, "");
			close(sv->incoming[i].conn);
			serve_drop_incoming(sv, i);
		}
}

/* Hand waiting runs to ready members, oldest first. */
static void serve_dispatch(struct serve *sv)
{
	for (size_t i = 0; i < sv->n_members && sv->n_pending > 0;) {
		if (!sv->members[i].ready) {
			i++;
			continue;
		}
		struct pending *q = &sv->pending[0];
		int fds[2 + CORDON_WARM_MAX_FDS];
		fds[0] = q->conn;
		memcpy(fds + 1, q->fds, q->n * sizeof(int));
		pid_t pid = sv->members[i].pid;
		int r = cordon_fds_send(sv->members[i].ctl, &q->req, sizeof(q->req), fds, q->n + 1);
		serve_drop_member(sv, i, r < 0);
		if (r < 0)
			continue; /* that member is gone; the run waits for the next */
		close(q->conn);
		cordon_close_all(q->fds, q->n);
		if (sv->n_busy < ARRAY_SIZE(sv->busy))
			sv->busy[sv->n_busy++] = pid;
		memmove(sv->pending, sv->pending + 1, (sv->n_pending - 1) * sizeof(*q));
		sv->n_pending--;
	}
}

/* Keep pool members preparing or ready, and one more for each run waiting. While a run is
 * going, only one: preparing a sandbox takes what a cold start takes, and the command the
 * user is waiting for should not share the CPU with sandboxes for later ones. */
static void serve_refill(struct serve *sv)
{
	size_t want = (sv->n_busy ? 1 : sv->opts->pool) + sv->n_pending;
	if (want > ARRAY_SIZE(sv->members))
		want = ARRAY_SIZE(sv->members);
	while (!sv->stop && sv->n_members < want)
		if (serve_spawn_member(sv) < 0)
			break;
}

static void serve_on_signal(struct serve *sv)
{
	struct signalfd_siginfo si;
	while (read(sv->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			sv->stop = true;
	pid_t pid;
	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (size_t i = 0; i < sv->n_busy; i++)
			if (sv->busy[i] == pid)
				sv->busy[i] = sv->busy[--sv->n_busy];
}

/* Once a second: is our socket still ours, are we idle too long, is our plan still current. */
static void serve_tick(struct serve *sv, int elapsed_ms)
{
	if (!cordon_daemon_owns(sv->sock_path, &sv->bound)) {
		sv->stop = true; /* removed (by its user, or with its directory): we are done */
		return;
	}
	sv->idle_ms = sv->n_pending || sv->n_busy ? 0 : sv->idle_ms + elapsed_ms;
	if (sv->opts->ready_fd >= 0 && sv->idle_ms >= CORDON_WARM_IDLE_SECONDS * 1000)
		sv->stop = true;
	else
		(void)serve_follow(sv);
}

static void serve_poll_once(struct serve *sv)
{
	enum { P_LISTEN, P_SIG, P_MOUNTS, P_MEMBERS };
	struct pollfd pf[P_MEMBERS + ARRAY_SIZE(sv->members) + SERVE_MAX_INCOMING];
	pf[P_LISTEN] = (struct pollfd){.fd = sv->lfd, .events = POLLIN};
	pf[P_SIG] = (struct pollfd){.fd = sv->sigfd, .events = POLLIN};
	pf[P_MOUNTS] = (struct pollfd){.fd = sv->mounts, .events = POLLPRI};
	size_t n = sv->n_members, n_in = sv->n_incoming;
	for (size_t i = 0; i < n; i++)
		pf[P_MEMBERS + i] = (struct pollfd){.fd = sv->members[i].ctl, .events = POLLIN};
	for (size_t i = 0; i < n_in; i++)
		pf[P_MEMBERS + n + i] =
		        (struct pollfd){.fd = sv->incoming[i].conn, .events = POLLIN};
	int r = poll(pf, P_MEMBERS + n + n_in, n_in ? SERVE_REQUEST_MS / 4 : 1000);
	serve_expire_incoming(sv);
	if (r < 0 && errno != EINTR) {
		sv->stop = true;
		return;
	}
	if (r <= 0) {
		serve_tick(sv, r == 0 && !n_in ? 1000 : 0);
		return;
	}
	if (pf[P_SIG].revents)
		serve_on_signal(sv);
	/* A mount came or went on the host: members prepared before see the old table. */
	if (pf[P_MOUNTS].revents & (POLLPRI | POLLERR)) {
		serve_drop_members(sv);
		return;
	}
	/* Downwards: a member dropped at i takes the last one's place, which was seen already.
	 * A stale plan drops them all. */
	for (size_t i = n; i-- > 0;)
		if (i < sv->n_members && pf[P_MEMBERS + i].revents)
			serve_on_member(sv, i);
	/* Requests that came, by connection (expired ones were dropped above: skip those). */
	for (size_t k = 0; k < n_in; k++) {
		if (!pf[P_MEMBERS + n + k].revents)
			continue;
		for (size_t i = 0; i < sv->n_incoming; i++)
			if (sv->incoming[i].conn == pf[P_MEMBERS + n + k].fd) {
				int conn = sv->incoming[i].conn;
				serve_drop_incoming(sv, i);
				serve_take_request(sv, conn);
				break;
			}
	}
	if (sv->lfd >= 0 && (pf[P_LISTEN].revents & POLLIN))
		serve_accept(sv);
}

static int serve_signals(struct serve *sv, cordon_error *err)
{
	sigset_t set;
	cordon_sigset_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (sv->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return cordon_err(err, -errno, "serve: signalfd: %s", strerror(errno));
	return 0;
}

static int serve_start(struct serve *sv, cordon_error *err)
{
	sv->dir = warm_dir(getuid());
	if (!sv->dir)
		return cordon_err(err, -ENOMEM, "serve: out of memory");
	int r = cordon_private_dir(sv->dir, getuid(), err);
	if (r == 0)
		r = serve_compute_key(sv, &sv->key, &sv->key_len, err);
	if (r == 0)
		r = serve_signals(sv, err);
	if (r == 0)
		r = serve_listen(sv, err);
	/* Readable for a change of the mount table (proc(5)): prepared sandboxes miss it. */
	if (r == 0 && (sv->mounts = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC)) < 0)
		r = cordon_err(err, -errno, "serve: cannot watch /proc/self/mounts: %s",
		               strerror(errno));
	return r;
}

static void serve_end(struct serve *sv)
{
	pid_t dropped[ARRAY_SIZE(sv->members)];
	size_t n_dropped = sv->n_members;
	for (size_t i = 0; i < n_dropped; i++)
		dropped[i] = sv->members[i].pid;
	serve_drop_members(sv);
	serve_reap_dropped(dropped, n_dropped);
	serve_answer_pending(sv, CORDON_WARM_NOMATCH, 0, "");
	for (size_t i = 0; i < sv->n_incoming; i++) {
		warm_reply(sv->incoming[i].conn, CORDON_WARM_NOMATCH, 0, "");
		close(sv->incoming[i].conn);
	}
	sv->n_incoming = 0;
	serve_unlisten(sv);
	cordon_closep(&sv->sigfd);
	cordon_closep(&sv->mounts);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	free(sv->pending);
	free(sv->key);
	free(sv->dir);
}

int cordon_serve(const cordon_policy *p, const struct cordon_serve_opts *o, cordon_error *err)
{
	struct serve sv = {
	        .policy = p, .opts = o, .lfd = -1, .sigfd = -1, .mounts = -1, .pid = getpid()};
	int r = serve_start(&sv, err);
	if (o->ready_fd >= 0) {
		/* 'k', or 'x' and why: the run that started us says it. */
		char status[1 + sizeof(err->msg)];
		int n = snprintf(status, sizeof(status), "%c%s", r == 0 ? 'k' : 'x',
		                 r == 0 || !err ? "" : err->msg);
		(void)!write(o->ready_fd, status, (size_t)n);
		close(o->ready_fd);
	}
	if (r == 0 && o->announce) {
		fprintf(o->announce, "%s\n", sv.sock_path);
		fflush(o->announce);
	}
	while (r == 0 && !sv.stop) {
		serve_refill(&sv);
		serve_dispatch(&sv);
		serve_poll_once(&sv);
		serve_dispatch(&sv);
	}
	if (r == 0 && sv.fail.code) {
		r = sv.fail.code;
		if (err)
			*err = sv.fail;
	}
	serve_end(&sv);
	return r;
}
