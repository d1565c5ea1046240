/* The sandbox handle and its supervisor S (the cordon process, outside the sandbox).
 *
 *   S --clone(NEWUSER|NEWNS|NEWPID|NEWIPC|NEWUTS[|NEWNET])--> I (pid 1: proc.c) --vfork--> C
 *
 * S prepares what needs the host's view (session directories, the cgroup, the seccomp filter),
 * clones I, releases it, then runs one poll loop over: the status socket (I's messages), I's
 * pidfd (its exit), a timerfd (--timeout: SIGKILL I, which takes the whole namespace with it),
 * a signalfd (TERM/INT/HUP forwarded to I, which forwards them to C) and the seccomp
 * listener (user notifications answered by seccomp.c). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "envfilter.h"
#include "host.h"
#include "limit.h"
#include "plan.h"
#include "proc.h"
#include "cordon_seccomp.h"
#include "session.h"
#include "sys.h"
#include "util.h"
#include "warm.h"

struct cordon_sandbox {
	const struct cordon_policy *policy;
	struct cordon_host host;
	struct cordon_plan *plan;
	struct cordon_seccomp *sc;
	struct cordon_notify *notify;
	struct cordon_cgroup cgroup;
	struct cordon_session_ns session; /* --session: the keeper's namespaces, or all -1 */
	char **envp;                      /* the filtered environment (one allocation) */

	pid_t pid; /* I, in our PID namespace */
	int pidfd, sock, timerfd, sigfd;
	sigset_t saved_mask;
	bool mask_saved;

	bool spawned, exec_reported, have_status, reaped, timed_out, failed;
	bool warm; /* a prepared sandbox (warm.c): the command comes later, by cordon_sandbox_hand */
	bool ready;        /* the init is confined and waits for GO or the command */
	int client;        /* warm: the run's connection (not ours to close), or -1 */
	bool gone;         /* the init reported every other process of its namespace reaped */
	int exec_errno;    /* C's execve errno, 0 when it ran */
	int status;        /* C's raw wait status */
	int init_status;   /* I's raw wait status */
	cordon_error fail; /* I's setup failure */
};

/* ---- new / free / explain ---------------------------------------------------------------- */

int cordon_sandbox_new(const cordon_policy *p, cordon_sandbox **out, cordon_error *err)
{
	*out = NULL;
	struct cordon_sandbox *sb = calloc(1, sizeof(*sb));
	if (!sb)
		return cordon_err(err, -ENOMEM, "out of memory");
	sb->policy = p;
	sb->pidfd = sb->sock = sb->timerfd = sb->sigfd = sb->client = -1;
	sb->session.userns = sb->session.ipcns = sb->session.netns = sb->session.hold = -1;
	cordon_host_detect(&sb->host);
	int r = cordon_plan_build(p, &sb->host, &sb->plan, err);
	if (r < 0) {
		free(sb);
		return r;
	}
	*out = sb;
	return 0;
}

static void sandbox_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Release what the run holds; the tree must be gone (reaped) or never started. */
static void sandbox_release(struct cordon_sandbox *sb)
{
	sandbox_close(&sb->sock);
	sandbox_close(&sb->timerfd);
	/* A signal that came after the tree was gone has no one left to go to; consumed here, it
	 * does not kill cordon when the old mask comes back. */
	struct signalfd_siginfo si;
	while (sb->sigfd >= 0 && read(sb->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	sandbox_close(&sb->sigfd);
	sandbox_close(&sb->pidfd);
	cordon_notify_free(sb->notify);
	sb->notify = NULL;
	cordon_session_ns_close(&sb->session);
	cordon_cgroup_destroy(&sb->cgroup);
	if (sb->mask_saved)
		sigprocmask(SIG_SETMASK, &sb->saved_mask, NULL);
	sb->mask_saved = false;
}

static void sandbox_kill_and_reap(struct cordon_sandbox *sb)
{
	if (sb->pid > 0 && !sb->reaped) {
		if (sb->pidfd < 0 || cordon_sys_pidfd_send_signal(sb->pidfd, SIGKILL) < 0)
			kill(sb->pid, SIGKILL);
		while (waitpid(sb->pid, &sb->init_status, __WALL) < 0 && errno == EINTR)
			;
		sb->reaped = true;
	}
}

void cordon_sandbox_free(cordon_sandbox *sb)
{
	if (!sb)
		return;
	sandbox_kill_and_reap(sb);
	sandbox_release(sb);
	cordon_seccomp_free(sb->sc);
	cordon_plan_free(sb->plan);
	free(sb->envp);
	free(sb);
}

int cordon_sandbox_explain(const cordon_sandbox *sb, FILE *out)
{
	return cordon_plan_print(sb->plan, out);
}

/* ---- preparing, in the host's view ------------------------------------------------------- */

static int sandbox_session_dirs(struct cordon_sandbox *sb, cordon_error *err)
{
	const struct cordon_plan *plan = sb->plan;
	int r = 0;
	if (plan->session_dir)
		r = cordon_private_dir(plan->session_dir, sb->host.uid, err);
	for (size_t i = 0; r == 0 && i < plan->n_ops; i++) {
		const struct cordon_op *op = &plan->ops[i];
		if ((op->kind == CORDON_OP_TMP || op->kind == CORDON_OP_SHM) && op->source)
			r = cordon_private_dir(op->source, sb->host.uid, err);
	}
	return r;
}

/* Built here, loaded by the init as its last step. The plan asks for seccomp only where the
 * kernel has it; a failure to build is then cordon's failure (125), never a silent skip. */
static int sandbox_seccomp(struct cordon_sandbox *sb, cordon_error *err)
{
	if (!sb->plan->use_seccomp)
		return 0;
	return cordon_seccomp_build(sb->plan, &sb->sc, err);
}

/* A --keep-fd that is not open now would be taken by a descriptor cordon opens next (the
 * status socket): the command would inherit that instead. */
static int sandbox_check_keep_fds(const struct cordon_sandbox *sb, cordon_error *err)
{
	for (size_t i = 0; i < sb->policy->n_keep_fds; i++)
		if (fcntl(sb->policy->keep_fds[i], F_GETFD) < 0)
			return cordon_err(err, -EBADF, "--keep-fd %d: not an open descriptor",
			                  sb->policy->keep_fds[i]);
	return 0;
}

/* Runs of one --session share an IPC namespace (SysV IPC, POSIX message queues); a keeper
 * process holds it, with the user namespace that owns it (session.c). */
static int sandbox_session_join(struct cordon_sandbox *sb, cordon_error *err)
{
	if (!sb->plan->session_dir || !(sb->plan->clone_flags & CLONE_NEWUSER))
		return 0;
	int r = cordon_session_join(sb->plan->session_dir, &sb->session, err);
	if (r < 0 && sb->policy->best_effort) {
		/* What is left: /tmp and /dev/shm are still shared, IPC is fresh per run. */
		cordon_session_ns_close(&sb->session);
		if (err)
			*err = (cordon_error){0};
		return 0;
	}
	return r;
}

static int sandbox_prepare(struct cordon_sandbox *sb, char *const envp[], cordon_error *err)
{
	const struct cordon_plan *plan = sb->plan;
	/* A prepared sandbox gets its --keep-fd descriptors with the command; the run checks. */
	int r = sb->warm ? 0 : sandbox_check_keep_fds(sb, err);
	if (r < 0)
		return r;
	if ((plan->clone_flags & CLONE_NEWNS) && !sb->host.mount_api)
		return cordon_err(err, -ENOTSUP,
		                  "this kernel (%s) lacks the mount API (open_tree, "
		                  "mount_setattr: Linux >= 5.12); fix: a newer kernel",
		                  sb->host.kernel);
	r = cordon_env_filter((const char *const *)envp, &sb->policy->env_keep, &sb->envp, err);
	if (r == 0)
		r = sandbox_session_dirs(sb, err);
	if (r == 0)
		r = sandbox_session_join(sb, err);
	if (r == 0)
		r = cordon_cgroup_create(plan, &sb->cgroup, err);
	if (r == 0)
		r = sandbox_seccomp(sb, err);
	return r;
}

/* TERM/INT/HUP are forwarded, CHLD is watched through the pidfd; blocked before clone so
 * that I starts with them blocked too and none is lost. */
static int sandbox_block_signals(struct cordon_sandbox *sb, cordon_error *err)
{
	sigset_t set;
	cordon_sigset_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &sb->saved_mask) < 0)
		return cordon_err(err, -errno, "sigprocmask: %s", strerror(errno));
	sb->mask_saved = true;
	sigdelset(&set, SIGCHLD);
	sb->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sb->sigfd < 0 ? cordon_err(err, -errno, "signalfd: %s", strerror(errno)) : 0;
}

/* ---- clone --------------------------------------------------------------------------------- */

/* A refused user namespace is a missing mechanism (-ENOTSUP: cause and fix); anything else is
 * cordon's own failure. */
static int sandbox_clone_error(const struct cordon_sandbox *sb, unsigned flags, int e,
                               cordon_error *err)
{
	const char *why = "";
	if (!(flags & CLONE_NEWUSER) ||
	    (e != EPERM && e != EACCES && e != ENOSPC && e != EUSERS && e != EINVAL))
		return cordon_err(err, -e, "cannot start the sandbox: %s", strerror(e));
	if ((e == EPERM || e == EACCES) && !sb->host.is_root)
		why = "; unprivileged user namespaces are blocked here (AppArmor's "
		      "kernel.apparmor_restrict_unprivileged_userns, "
		      "kernel.unprivileged_userns_clone=0,"
		      " or a container's seccomp profile); fix: allow them, or run with "
		      "--best-effort";
	else if (e == ENOSPC || e == EUSERS)
		why = "; the user namespace limit is reached (user.max_user_namespaces); "
		      "fix: sysctl -w user.max_user_namespaces=15000, or run with --best-effort";
	return cordon_err(err, -ENOTSUP, "cannot create the sandbox's namespaces: %s%s",
	                  strerror(e), why);
}

static int sandbox_clone(struct cordon_sandbox *sb, struct cordon_init *in, cordon_error *err)
{
	int socks[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0)
		return cordon_err(err, -errno, "socketpair: %s", strerror(errno));
	in->sock = socks[1];
	in->peer_sock = socks[0];
	int pidfd = -1;
	struct cordon_clone_args a = {.flags = in->clone_flags | CLONE_PIDFD,
	                              .pidfd = (uintptr_t)&pidfd,
	                              .exit_signal = SIGCHLD};
	pid_t pid = cordon_sys_clone3(&a);
	if (pid < 0 && errno == ENOSYS) {
		pid = cordon_sys_clone(in->clone_flags | SIGCHLD);
		if (pid > 0)
			pidfd = cordon_sys_pidfd_open(pid, 0);
	}
	if (pid == 0)
		cordon_init_run(in);
	int e = errno;
	close(socks[1]);
	if (pid < 0) {
		close(socks[0]);
		return sandbox_clone_error(sb, in->clone_flags, e, err);
	}
	sb->sock = socks[0];
	sb->pid = pid;
	sb->pidfd = pidfd;
	return pidfd < 0 ? cordon_err(err, -e, "pidfd_open: %s", strerror(e)) : 0;
}

/* I waits for GO when it has to be placed in the cgroup before it forks the command. */
static int sandbox_go(struct cordon_sandbox *sb, cordon_error *err)
{
	if (!sb->cgroup.active)
		return 0;
	int r = cordon_cgroup_attach(&sb->cgroup, sb->pid, err);
	if (r < 0)
		return r;
	struct cordon_msg m = {.type = CORDON_MSG_GO};
	r = cordon_msg_send(sb->sock, &m, -1);
	return r < 0 ? cordon_err(err, r, "cannot release the sandbox: %s", strerror(-r)) : 0;
}

static int sandbox_arm_timeout(struct cordon_sandbox *sb, cordon_error *err)
{
	uint64_t ms = sb->policy->limits.timeout_ms;
	if (!ms)
		return 0;
	sb->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	struct itimerspec its = {.it_value = {.tv_sec = (time_t)(ms / 1000),
	                                      .tv_nsec = (long)(ms % 1000) * 1000000L}};
	if (sb->timerfd < 0 || timerfd_settime(sb->timerfd, 0, &its, NULL) < 0)
		return cordon_err(err, -errno, "timerfd: %s", strerror(errno));
	return 0;
}

/* ---- the supervisor's loop ------------------------------------------------------------------ */

/* A setup step of the supervisor's that failed fails the start: the init goes. */
static void sandbox_check(struct cordon_sandbox *sb, int r, const cordon_error *e)
{
	if (r >= 0 || sb->failed)
		return;
	sb->failed = true;
	sb->fail = *e;
	kill(sb->pid, SIGKILL);
}

static void sandbox_on_message(struct cordon_sandbox *sb, const struct cordon_msg *m, int fd)
{
	cordon_error e = {0};
	switch (m->type) {
	case CORDON_MSG_MOUNTED:
		/* Read the view while the init confines itself, not after (issue 5). */
		if (!sb->notify && sb->sc && cordon_seccomp_notifies(sb->sc))
			sandbox_check(sb, cordon_notify_read(sb->plan, sb->pid, &sb->notify, &e),
			              &e);
		break;
	case CORDON_MSG_READY:
		sb->ready = true;
		if (m->value >= 0) {
			/* The init's listener, by number (proc.c says why); notify keeps its own
			 * duplicate, ours is closed below. */
			struct cordon_msg go = {.type = CORDON_MSG_GO};
			fd = cordon_sys_pidfd_getfd(sb->pidfd, m->value);
			int r = fd < 0 ? cordon_err(&e, -errno,
			                            "seccomp: cannot take the listener: %s",
			                            strerror(errno))
			               : 0;
			if (r == 0 && !sb->notify)
				r = cordon_notify_read(sb->plan, sb->pid, &sb->notify, &e);
			if (r == 0)
				r = cordon_notify_listen(sb->notify, fd, &e);
			if (r == 0 && cordon_msg_send(sb->sock, &go, -1) < 0)
				r = cordon_err(&e, -errno, "cannot tell the sandbox to go on: %s",
				               strerror(errno));
			sandbox_check(sb, r, &e);
		}
		break;
	case CORDON_MSG_FAIL:
		sb->failed = true;
		sb->fail.code = m->value < 0 ? m->value : -EIO;
		snprintf(sb->fail.msg, sizeof(sb->fail.msg), "%s", m->text);
		break;
	case CORDON_MSG_EXEC:
		sb->exec_reported = true;
		sb->exec_errno = m->value;
		break;
	case CORDON_MSG_EXIT:
		sb->have_status = m->value != -1;
		sb->status = m->value;
		break;
	case CORDON_MSG_GONE:
		sb->gone = true;
		break;
	default:
		break;
	}
	if (fd >= 0)
		close(fd);
}

/* Read every message that is waiting; the socket is closed at EOF. */
static void sandbox_read_socket(struct cordon_sandbox *sb, bool drain)
{
	while (sb->sock >= 0) {
		if (drain) {
			struct pollfd p = {.fd = sb->sock, .events = POLLIN};
			if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
				return;
		}
		struct cordon_msg m;
		int fd = -1;
		if (cordon_msg_recv(sb->sock, &m, &fd) < 0) {
			if (fd >= 0)
				close(fd);
			sandbox_close(&sb->sock);
			return;
		}
		sandbox_on_message(sb, &m, fd);
		if (!drain)
			return;
	}
}

static void sandbox_on_timer(struct cordon_sandbox *sb)
{
	uint64_t ticks;
	(void)!read(sb->timerfd, &ticks, sizeof(ticks));
	sandbox_close(&sb->timerfd);
	sb->timed_out = true;
	/* pid 1 dying takes every process of its namespace with it, SIGTERM-proof or not. */
	cordon_sys_pidfd_send_signal(sb->pidfd, SIGKILL);
}

static void sandbox_on_signal(struct cordon_sandbox *sb)
{
	struct signalfd_siginfo si;
	while (read(sb->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		cordon_sys_pidfd_send_signal(sb->pidfd, (int)si.ssi_signo);
}

/* POLLHUP without POLLIN: no task uses the filter any more, so no notification can come.
 * That happens as soon as the tree is gone, while the init's pidfd is not readable yet (the
 * kernel is still tearing its namespaces down); polling the listener on would spin. */
static void sandbox_on_notify(struct cordon_sandbox *sb, short revents)
{
	if (!(revents & POLLIN) || cordon_notify_handle(sb->notify) < 0) {
		cordon_notify_free(sb->notify);
		sb->notify = NULL;
	}
}

/* The warm run's client: a signal to forward, or its end (then nobody waits for the command:
 * end the tree, as a cold run's tree ends with its cordon). */
static void sandbox_on_client(struct cordon_sandbox *sb, short revents)
{
	struct cordon_warm_signal ws;
	ssize_t n = (revents & POLLIN) ? recv(sb->client, &ws, sizeof(ws), MSG_DONTWAIT) : 0;
	if (n == (ssize_t)sizeof(ws) && ws.magic == CORDON_WARM_MAGIC &&
	    (ws.signo == SIGTERM || ws.signo == SIGINT || ws.signo == SIGHUP)) {
		cordon_sys_pidfd_send_signal(sb->pidfd, ws.signo);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		return; /* not a message of ours: ignored */
	sb->client = -1;
	cordon_sys_pidfd_send_signal(sb->pidfd, SIGKILL);
}

static void sandbox_on_exit(struct cordon_sandbox *sb)
{
	sandbox_read_socket(sb, true); /* I reports before it exits: take that first */
	while (waitpid(sb->pid, &sb->init_status, __WALL) < 0 && errno == EINTR)
		;
	sb->reaped = true;
}

/* One round of poll over everything S watches. */
static int sandbox_poll_once(struct cordon_sandbox *sb)
{
	enum { P_SOCK, P_PID, P_TIMER, P_SIG, P_NOTIFY, P_CLIENT, P_N };
	struct pollfd pf[P_N] = {
	        [P_SOCK] = {.fd = sb->sock, .events = POLLIN},
	        [P_PID] = {.fd = sb->pidfd, .events = POLLIN},
	        [P_TIMER] = {.fd = sb->timerfd, .events = POLLIN},
	        [P_SIG] = {.fd = sb->sigfd, .events = POLLIN},
	        [P_NOTIFY] = {.fd = sb->notify ? cordon_notify_fd(sb->notify) : -1,
	                      .events = POLLIN},
	        [P_CLIENT] = {.fd = sb->client, .events = POLLIN},
	};
	if (poll(pf, P_N, -1) < 0)
		return errno == EINTR ? 0 : -errno;
	if (pf[P_NOTIFY].fd >= 0 && pf[P_NOTIFY].revents)
		sandbox_on_notify(sb, pf[P_NOTIFY].revents);
	if (pf[P_SOCK].fd >= 0 && pf[P_SOCK].revents)
		sandbox_read_socket(sb, false);
	if (pf[P_TIMER].fd >= 0 && pf[P_TIMER].revents)
		sandbox_on_timer(sb);
	if (pf[P_SIG].fd >= 0 && pf[P_SIG].revents)
		sandbox_on_signal(sb);
	if (pf[P_CLIENT].fd >= 0 && pf[P_CLIENT].revents)
		sandbox_on_client(sb, pf[P_CLIENT].revents);
	if (pf[P_PID].revents)
		sandbox_on_exit(sb);
	return 0;
}

enum sandbox_until { UNTIL_READY, UNTIL_EXEC, UNTIL_GONE, UNTIL_END };

static bool sandbox_reached(const struct cordon_sandbox *sb, enum sandbox_until until)
{
	if (sb->reaped)
		return true;
	switch (until) {
	case UNTIL_READY:
		return sb->ready || sb->failed;
	case UNTIL_EXEC:
		return sb->exec_reported || sb->failed;
	case UNTIL_GONE:
		return sb->gone;
	case UNTIL_END:
	default:
		return false;
	}
}

static int sandbox_loop(struct cordon_sandbox *sb, enum sandbox_until until, cordon_error *err)
{
	while (!sandbox_reached(sb, until)) {
		int r = sandbox_poll_once(sb);
		if (r < 0)
			return cordon_err(err, r, "poll: %s", strerror(-r));
	}
	return 0;
}

/* ---- spawn / wait ---------------------------------------------------------------------------- */

/* --best-effort, and the kernel refused the user namespace that detection expected (a
 * container's seccomp profile, a limit in a parent namespace): plan again without it, so
 * that explain-style rules and the init agree on what is left. */
static int sandbox_degrade(struct cordon_sandbox *sb, const char *why, cordon_error *err)
{
	sb->host.userns = false;
	snprintf(sb->host.userns_why, sizeof(sb->host.userns_why), "%.250s", why);
	struct cordon_plan *plan = NULL;
	int r = cordon_plan_build(sb->policy, &sb->host, &plan, err);
	if (r < 0)
		return r;
	cordon_plan_free(sb->plan);
	sb->plan = plan;
	cordon_seccomp_free(sb->sc);
	sb->sc = NULL;
	return sandbox_seccomp(sb, err);
}

static bool sandbox_joins_session_net(const struct cordon_sandbox *sb)
{
	return sb->session.netns >= 0 && (sb->plan->clone_flags & CLONE_NEWNET) &&
	       sb->plan->share_session_netns;
}

static void sandbox_init_args(const struct cordon_sandbox *sb, struct cordon_init *in)
{
	in->plan = sb->plan;
	in->clone_flags = sb->plan->clone_flags;
	in->in_userns = in->clone_flags & CLONE_NEWUSER;
	if (sb->session.userns >= 0) {
		/* We enter the session's user and IPC namespaces before clone instead, and its
		 * network namespace (up already) when ours would be a new offline one. */
		in->clone_flags &= ~(unsigned)(CLONE_NEWUSER | CLONE_NEWIPC);
		in->in_userns = true;
		if (sandbox_joins_session_net(sb))
			in->clone_flags &= ~(unsigned)CLONE_NEWNET;
	}
	in->sc = sb->sc;
	in->wait_go = in->cgroup_active = sb->cgroup.active;
	in->use_landlock = sb->plan->use_landlock && sb->host.landlock_abi > 0;
	in->envp = sb->envp;
	in->warm = sb->warm;
}

static int sandbox_start(struct cordon_sandbox *sb, char *const argv[], cordon_error *err)
{
	char cwd[4096];
	struct cordon_init in = {.argv = argv, .cwd = getcwd(cwd, sizeof(cwd))};
	sandbox_init_args(sb, &in);
	cordon_error e = {0};
	int r = sandbox_block_signals(sb, &e);
	/* For good: this process stays in the session's namespaces (one sandbox per process). */
	if (r == 0 && sb->session.userns >= 0)
		r = cordon_session_enter(&sb->session, sandbox_joins_session_net(sb), &e);
	if (r == 0)
		r = sandbox_clone(sb, &in, &e);
	if (r == -ENOTSUP && sb->policy->best_effort && (in.clone_flags & CLONE_NEWUSER)) {
		r = sandbox_degrade(sb, e.msg, &e);
		sandbox_init_args(sb, &in);
		if (r == 0)
			r = sandbox_clone(sb, &in, &e);
	}
	if (r == 0)
		r = sandbox_go(sb, &e);
	if (r < 0 && err)
		*err = e;
	return r;
}

/* A spawn that did not get as far as running the command: nothing may be left behind. */
static int sandbox_abort(struct cordon_sandbox *sb, int r, cordon_error *err)
{
	sandbox_kill_and_reap(sb);
	sandbox_release(sb);
	if (sb->failed && err)
		*err = sb->fail;
	return sb->failed ? (sb->fail.code < 0 ? sb->fail.code : -EIO) : r;
}

/* Supervise until the command was exec'd; a start that failed leaves nothing behind. */
static int sandbox_until_exec(struct cordon_sandbox *sb, int r, cordon_error *err)
{
	if (r == 0)
		r = sandbox_loop(sb, UNTIL_EXEC, err);
	if (r == 0 && !sb->failed && !sb->exec_reported && !sb->timed_out)
		r = cordon_err(err, -EIO, "the sandbox ended before the command started");
	if (r < 0 || sb->failed)
		return sandbox_abort(sb, r, err);
	return 0;
}

int cordon_sandbox_spawn(cordon_sandbox *sb, char *const argv[], char *const envp[],
                         cordon_error *err)
{
	if (sb->spawned)
		return cordon_err(err, -EBUSY, "this sandbox has already run a command");
	if (!argv || !argv[0])
		return cordon_err(err, -EINVAL, "no command given");
	sb->spawned = true;
	int r = sandbox_prepare(sb, envp, err);
	if (r == 0)
		r = sandbox_start(sb, argv, err);
	if (r == 0)
		r = sandbox_arm_timeout(sb, err);
	return sandbox_until_exec(sb, r, err);
}

/* ---- the warm path (warm.c) ------------------------------------------------------------------ */

const struct cordon_plan *cordon_sandbox_plan(const cordon_sandbox *sb)
{
	return sb->plan;
}

int cordon_sandbox_session_dirs(cordon_sandbox *sb, cordon_error *err)
{
	return sandbox_session_dirs(sb, err);
}

int cordon_sandbox_init_pidfd(const cordon_sandbox *sb)
{
	return sb->reaped ? -1 : sb->pidfd;
}

int cordon_sandbox_prepare_warm(cordon_sandbox *sb, cordon_error *err)
{
	if (sb->spawned)
		return cordon_err(err, -EBUSY, "this sandbox has already run a command");
	sb->spawned = sb->warm = true;
	char *none[] = {NULL};
	int r = sandbox_prepare(sb, none, err);
	if (r == 0)
		r = sandbox_start(sb, NULL, err);
	if (r == 0)
		r = sandbox_loop(sb, UNTIL_READY, err);
	if (r == 0 && !sb->failed && !sb->ready)
		r = cordon_err(err, -EIO, "the sandbox ended before it was ready");
	if (r < 0 || sb->failed)
		return sandbox_abort(sb, r, err);
	return 0;
}

int cordon_sandbox_hand(cordon_sandbox *sb, const struct cordon_warm_req *req, const int *fds,
                        size_t n, int client, cordon_error *err)
{
	if (!sb->warm || !sb->ready || sb->reaped || sb->client >= 0)
		return cordon_err(err, -EINVAL, "no prepared sandbox to hand the command to");
	int r = cordon_fds_send(sb->sock, req, sizeof(*req), fds, n);
	if (r < 0)
		r = cordon_err(err, r, "cannot hand the command to the sandbox: %s", strerror(-r));
	sb->client = client;
	if (r == 0)
		r = sandbox_arm_timeout(sb, err);
	return sandbox_until_exec(sb, r, err);
}

static int sandbox_exit_code(const struct cordon_sandbox *sb, int *code, cordon_error *err)
{
	if (sb->timed_out)
		*code = CORDON_EXIT_TIMEOUT;
	else if (sb->exec_errno)
		*code = sb->exec_errno == ENOENT ? CORDON_EXIT_NOTFOUND : CORDON_EXIT_NOEXEC;
	else if (sb->have_status && WIFEXITED(sb->status))
		*code = WEXITSTATUS(sb->status);
	else if (sb->have_status && WIFSIGNALED(sb->status))
		*code = 128 + WTERMSIG(sb->status);
	else if (WIFSIGNALED(sb->init_status)) /* e.g. the cgroup's OOM killer took init too */
		*code = 128 + WTERMSIG(sb->init_status);
	else
		return cordon_err(err, -EIO, "the sandbox ended without the command's status");
	return 0;
}

/* Supervise until `until`; then what `cordon run` exits with. The run's resources are
 * released once the init is reaped (cordon_sandbox_wait always waits for that). */
static int sandbox_wait_until(struct cordon_sandbox *sb, enum sandbox_until until, int *exit_code,
                              cordon_error *err)
{
	*exit_code = CORDON_EXIT_FAILURE;
	if (!sb->spawned || sb->pid <= 0)
		return cordon_err(err, -EINVAL, "no command was started");
	int r = sandbox_loop(sb, until, err);
	if (r < 0) {
		sandbox_kill_and_reap(sb);
		sandbox_release(sb);
		return r;
	}
	if (sb->reaped)
		sandbox_release(sb);
	return sandbox_exit_code(sb, exit_code, err);
}

int cordon_sandbox_wait_gone(cordon_sandbox *sb, int *exit_code, cordon_error *err)
{
	/* A timeout or a killed init never says GONE: then it is the reaping that counts. */
	return sandbox_wait_until(sb, UNTIL_GONE, exit_code, err);
}

int cordon_sandbox_wait(cordon_sandbox *sb, int *exit_code, cordon_error *err)
{
	return sandbox_wait_until(sb, UNTIL_END, exit_code, err);
}
