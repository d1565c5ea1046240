/* fork + exec with poll-driven pipes (see proc.h). */
#define _GNU_SOURCE
#include "proc.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

extern char **environ;

/* Once the child is reaped, output still arriving (a daemon that kept the pipe) is read for
 * this long at most, so a process escaping the group cannot hang the harness. */
#define HP_DRAIN_GRACE 0.2
/* Without pidfds, how often to look for the child's exit. */
#define HP_POLL_FALLBACK_MS 5

enum hp_stage { HP_STAGE_SETUP = 1, HP_STAGE_CHDIR, HP_STAGE_PTY, HP_STAGE_EXEC };

struct hp_failure {
	int stage;
	int err;
};

/* ---- the child side (after fork: async-signal-safe calls only) ------------------------- */

static _Noreturn void hp_child_fail(int report_fd, int stage)
{
	struct hp_failure f = {stage, errno};

	if (write(report_fd, &f, sizeof(f)) < 0) {
		/* nothing more can be done: the parent sees EOF and a status of 127 */
	}
	_exit(127);
}

/* dup2 that also works when from == to (dup2 would then leave FD_CLOEXEC set). */
static int hp_child_dup_to(int from, int to)
{
	if (from == to)
		return fcntl(to, F_SETFD, 0);
	return dup2(from, to) < 0 ? -1 : 0;
}

static void hp_child_close_range(int lo, int hi)
{
	if (lo > hi)
		return;
	if (syscall(SYS_close_range, (unsigned)lo, (unsigned)hi, 0U) == 0)
		return;
	for (int fd = lo; fd <= hi && fd < 65536; fd++)
		close(fd);
}

/* Close every fd above 2 except the kept ones (sorted) and the failure-report pipe. */
static void hp_child_close_fds(const struct hp_spec *s, int report_fd)
{
	int lo = 3;
	size_t k = 0;

	for (;;) {
		int next = k < s->n_keep ? s->keep_fds[k] : -1;

		if (next < 0 || (report_fd < next && report_fd >= lo))
			next = report_fd >= lo ? report_fd : next;
		if (next < 0)
			break;
		hp_child_close_range(lo, next - 1);
		lo = next + 1;
		if (k < s->n_keep && s->keep_fds[k] == next)
			k++;
	}
	hp_child_close_range(lo, ~0U >> 1);
	for (k = 0; k < s->n_keep; k++)
		fcntl(s->keep_fds[k], F_SETFD, 0);
}

static _Noreturn void hp_child(const struct hp_spec *s, int in_fd, int out_fd, int err_fd,
                               int report_fd)
{
	sigset_t all;

	/* The harness ignores SIGPIPE; the program must get the default back. */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* A pty needs a new session to become its controlling terminal. */
	if ((s->new_session || s->pty_fd >= 0) ? setsid() < 0 : setpgid(0, 0) < 0)
		hp_child_fail(report_fd, HP_STAGE_SETUP);
	if (hp_child_dup_to(in_fd, 0) < 0 || hp_child_dup_to(out_fd, 1) < 0 ||
	    hp_child_dup_to(err_fd, 2) < 0)
		hp_child_fail(report_fd, HP_STAGE_SETUP);
	if (s->pty_fd >= 0 && ioctl(0, TIOCSCTTY, 0) < 0)
		hp_child_fail(report_fd, HP_STAGE_PTY);
	hp_child_close_fds(s, report_fd);
	if (s->cwd && chdir(s->cwd) < 0)
		hp_child_fail(report_fd, HP_STAGE_CHDIR);
	execve(s->path, s->argv, s->envp ? s->envp : environ);
	hp_child_fail(report_fd, HP_STAGE_EXEC);
}

/* ---- the parent side -------------------------------------------------------------------- */

static void hp_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void hp_init(struct hp_child *c)
{
	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->pidfd = c->in_fd = c->out_fd = c->err_fd = -1;
}

/* The stdin the child gets: the pty, /dev/null, or a pipe we feed. */
static int hp_stdin_fd(const struct hp_spec *s, struct hp_child *c, int *child_end)
{
	int p[2];

	if (s->pty_fd >= 0) {
		*child_end = dup(s->pty_fd);
		return *child_end < 0 ? -errno : 0;
	}
	if (!s->stdin_data) {
		*child_end = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return *child_end < 0 ? -errno : 0;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	*child_end = p[0];
	c->in_fd = p[1];
	if (s->stdin_len > 0) {
		c->in_data = malloc(s->stdin_len);
		if (!c->in_data)
			return -ENOMEM;
		memcpy(c->in_data, s->stdin_data, s->stdin_len);
		c->in_len = s->stdin_len;
	} else {
		hp_close(&c->in_fd);
	}
	return 0;
}

static int hp_make_pipes(const struct hp_spec *s, struct hp_child *c, int child_ends[3])
{
	int p[2], rc = hp_stdin_fd(s, c, &child_ends[0]);

	if (rc < 0)
		return rc;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	c->out_fd = p[0], child_ends[1] = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	c->err_fd = p[0], child_ends[2] = p[1];
	if (c->in_fd >= 0)
		hu_set_nonblock(c->in_fd);
	hu_set_nonblock(c->out_fd);
	hu_set_nonblock(c->err_fd);
	return 0;
}

static const char *hp_stage_name(int stage)
{
	switch (stage) {
	case HP_STAGE_CHDIR:
		return "chdir";
	case HP_STAGE_PTY:
		return "set controlling terminal";
	case HP_STAGE_EXEC:
		return "exec";
	default:
		return "set up child";
	}
}

/* Wait for exec (the report pipe closes) or a failure report from the child. */
static int hp_check_exec(const struct hp_spec *s, struct hp_child *c, int report_fd, char *why,
                         size_t why_len)
{
	struct hp_failure f;
	ssize_t n;

	do
		n = read(report_fd, &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(f))
		return 0;
	snprintf(why, why_len, "%s %s: %s", hp_stage_name(f.stage),
	         f.stage == HP_STAGE_CHDIR ? s->cwd : s->path, strerror(f.err));
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->pid = -1;
	return -f.err;
}

int hp_spawn(const struct hp_spec *s, struct hp_child *c, char *why, size_t why_len)
{
	int child_ends[3] = {-1, -1, -1};
	int report[2] = {-1, -1};
	int rc;

	hp_init(c);
	rc = hp_make_pipes(s, c, child_ends);
	if (rc == 0 && pipe2(report, O_CLOEXEC) < 0)
		rc = -errno;
	if (rc == 0) {
		c->start = hu_now();
		c->pid = fork();
		if (c->pid == 0)
			hp_child(s, child_ends[0], child_ends[1], child_ends[2], report[1]);
		if (c->pid < 0)
			rc = -errno;
	}
	for (int i = 0; i < 3; i++)
		hp_close(&child_ends[i]);
	hp_close(&report[1]);
	if (rc < 0)
		snprintf(why, why_len, "spawn %s: %s", s->path, strerror(-rc));
	else
		rc = hp_check_exec(s, c, report[0], why, why_len);
	hp_close(&report[0]);
	if (rc < 0) {
		hp_destroy(c);
		return rc;
	}
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (s->timeout > 0)
		c->kill_at = c->start + s->timeout;
	return 0;
}

void hp_kill(struct hp_child *c, int sig)
{
	/* Once reaped, the pid may belong to someone else: never signal it again. */
	if (c->pid > 0 && !c->reaped)
		kill(-c->pid, sig);
}

/* ---- pumping ---------------------------------------------------------------------------- */

static void hp_feed(struct hp_child *c)
{
	while (c->in_fd >= 0 && c->in_off < c->in_len) {
		ssize_t n = write(c->in_fd, c->in_data + c->in_off, c->in_len - c->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) /* EPIPE: the child does not read its input; that is its business */
			break;
		c->in_off += (size_t)n;
	}
	hp_close(&c->in_fd);
}

/* Read what is available; closes fd at EOF. A failed allocation drops output rather
 * than stall the child. */
static void hp_drain(int *fd, struct hu_buf *b)
{
	char chunk[65536];

	for (int rounds = 0; *fd >= 0 && rounds < 16; rounds++) {
		ssize_t n = read(*fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			hp_close(fd);
			return;
		}
		hu_buf_add(b, chunk, (size_t)n);
	}
}

static void hp_try_reap(struct hp_child *c)
{
	pid_t r;

	do
		r = wait4(c->pid, &c->wstatus, WNOHANG, &c->ru);
	while (r < 0 && errno == EINTR);
	if (r == c->pid || (r < 0 && errno == ECHILD)) {
		c->end = hu_now();
		c->reaped = true;
		hp_close(&c->pidfd);
	}
}

/* Advance one child's state after poll; now is the current monotonic time. */
static void hp_service(struct hp_child *c, double now)
{
	hp_feed(c);
	hp_drain(&c->out_fd, &c->out);
	hp_drain(&c->err_fd, &c->err);
	if (!c->reaped)
		hp_try_reap(c);
	if (!c->reaped && c->kill_at > 0 && now >= c->kill_at) {
		hp_kill(c, SIGKILL);
		c->timed_out = true;
		c->kill_at = 0;
	}
	if (c->reaped && ((c->out_fd < 0 && c->err_fd < 0) || now >= c->end + HP_DRAIN_GRACE)) {
		hp_close(&c->in_fd);
		hp_close(&c->out_fd);
		hp_close(&c->err_fd);
		c->done = true;
	}
}

static void hp_add_poll(struct pollfd *p, size_t *n, int fd, short events)
{
	if (fd >= 0) {
		p[*n].fd = fd;
		p[*n].events = events;
		p[*n].revents = 0;
		(*n)++;
	}
}

/* The earliest moment something must happen without an fd event: a kill deadline, the end
 * of a drain grace, or the next fallback check for exit; -1 when nothing is pending. */
static double hp_next_wakeup(struct hp_child *const *cs, size_t n, double until)
{
	double t = until;

	for (size_t i = 0; i < n; i++) {
		const struct hp_child *c = cs[i];
		double w = -1;

		if (c->done)
			continue;
		if (c->reaped)
			w = c->end + HP_DRAIN_GRACE;
		else if (c->pidfd < 0)
			w = hu_now() + HP_POLL_FALLBACK_MS / 1000.0;
		else if (c->kill_at > 0)
			w = c->kill_at;
		if (w >= 0 && (t < 0 || w < t))
			t = w;
	}
	return t;
}

static bool hp_finished(struct hp_child *const *cs, size_t n, bool any)
{
	size_t done = 0;

	for (size_t i = 0; i < n; i++)
		done += cs[i]->done;
	return any ? done > 0 : done == n;
}

void hp_pump(struct hp_child *const *cs, size_t n, bool any, double until)
{
	struct pollfd *p = calloc(n * 4 + 1, sizeof(*p));

	for (;;) {
		size_t np = 0;
		double now = hu_now();

		for (size_t i = 0; i < n; i++)
			if (!cs[i]->done)
				hp_service(cs[i], now);
		if (hp_finished(cs, n, any) || (until >= 0 && now >= until) || !p)
			break;
		for (size_t i = 0; i < n; i++) {
			struct hp_child *c = cs[i];

			if (c->done)
				continue;
			hp_add_poll(p, &np, c->in_fd, POLLOUT);
			hp_add_poll(p, &np, c->out_fd, POLLIN);
			hp_add_poll(p, &np, c->err_fd, POLLIN);
			if (!c->reaped)
				hp_add_poll(p, &np, c->pidfd, POLLIN);
		}
		poll(p, np, hu_ms_until(hp_next_wakeup(cs, n, until)));
	}
	free(p);
}

void hp_destroy(struct hp_child *c)
{
	if (c->pid > 0 && !c->reaped) {
		hp_kill(c, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->reaped = true;
	}
	hp_close(&c->pidfd);
	hp_close(&c->in_fd);
	hp_close(&c->out_fd);
	hp_close(&c->err_fd);
	free(c->in_data);
	c->in_data = NULL;
	hu_buf_reset(&c->out);
	hu_buf_reset(&c->err);
	c->done = true;
}
