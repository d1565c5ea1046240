/* The command's own terminal: see pty.h. The relay runs in the supervisor's poll loop
 * (sandbox.c); this file knows nothing of the sandbox. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pty.h"

void cordon_pty_init(struct cordon_pty *t)
{
	memset(t, 0, sizeof(*t));
	t->master = t->slave = t->user_in = t->user_out = t->user_tty = -1;
}

bool cordon_pty_is_tty(int fd)
{
	struct termios tio;
	return fcntl(fd, F_GETFD) >= 0 && tcgetattr(fd, &tio) == 0;
}

static int pty_add_fd(struct cordon_pty *t, int fd, cordon_error *err)
{
	if (t->n_fds >= CORDON_PTY_MAX_FDS)
		return cordon_err(err, -E2BIG, "--keep-fd %d: more than %d terminal descriptors",
		                  fd, CORDON_PTY_MAX_FDS);
	t->fds[t->n_fds++] = fd;
	return 0;
}

/* fd and the user's terminal are one terminal that is our controlling one (/dev/tty names
 * it by another device number): both report the same session. */
static bool pty_same_ctty(const struct cordon_pty *t, int fd)
{
	pid_t a = 0, b = 0;
	return t->user_tty >= 0 && ioctl(fd, TIOCGSID, &a) == 0 &&
	       ioctl(t->user_tty, TIOCGSID, &b) == 0 && a == b;
}

/* A kept terminal descriptor gets the pty too, when it is the terminal stdio is on: any
 * other terminal would be a second one the relay does not cover. */
static int pty_add_kept(struct cordon_pty *t, int fd, dev_t tty, cordon_error *err)
{
	struct stat st;
	if (!cordon_pty_is_tty(fd))
		return 0;
	if (fstat(fd, &st) < 0 || tty == 0 || (st.st_rdev != tty && !pty_same_ctty(t, fd)))
		return cordon_err(err, -EPERM,
		                  "--keep-fd %d: a terminal other than the one on stdin, stdout or "
		                  "stderr (cordon relays only that one)",
		                  fd);
	return pty_add_fd(t, fd, err);
}

/* The user's side: which terminal, read keys from where, write output where. */
static dev_t pty_pick_user(struct cordon_pty *t)
{
	struct stat st;
	dev_t tty = 0;
	for (int fd = 0; fd < 3; fd++) {
		if (!cordon_pty_is_tty(fd))
			continue;
		t->fds[t->n_fds++] = fd;
		if (t->user_tty < 0 && fstat(fd, &st) == 0) {
			t->user_tty = fd;
			tty = st.st_rdev;
		}
	}
	if (cordon_pty_is_tty(0))
		t->user_in = 0;
	/* Output goes where the command's stdout or stderr would have gone; with only stdin a
	 * terminal, the pty's echo goes back to it. */
	t->user_out = cordon_pty_is_tty(1) ? 1 : cordon_pty_is_tty(2) ? 2 : 0;
	return tty;
}

static int pty_open_pair(struct cordon_pty *t, cordon_error *err)
{
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0)
		return cordon_err(err, -errno, "terminal: cannot open /dev/ptmx: %s",
		                  strerror(errno));
	if (grantpt(t->master) < 0 || unlockpt(t->master) < 0)
		return cordon_err(err, -errno, "terminal: cannot unlock the pty: %s",
		                  strerror(errno));
	/* TIOCGPTPEER opens the slave without a path lookup (Linux >= 4.13); else by name. */
	t->slave = ioctl(t->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave < 0) {
		char name[64];
		if (ptsname_r(t->master, name, sizeof(name)) == 0)
			t->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	}
	if (t->slave < 0)
		return cordon_err(err, -errno, "terminal: cannot open the pty's slave: %s",
		                  strerror(errno));
	int fl = fcntl(t->master, F_GETFL);
	fcntl(t->master, F_SETFL, fl | O_NONBLOCK);
	return 0;
}

/* The pty starts as the user's terminal is: its mode (so the keys mean the same) and size.
 * When we do not put the user's terminal in raw mode, it does the output processing itself
 * and the pty must not do it a second time. */
static void pty_copy_mode(struct cordon_pty *t)
{
	struct termios tio;
	struct winsize ws;
	if (tcgetattr(t->user_tty, &tio) == 0) {
		if (t->user_in < 0)
			tio.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(t->slave, TCSANOW, &tio);
	}
	if (ioctl(t->user_tty, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

int cordon_pty_open(struct cordon_pty *t, const int *keep, size_t n, cordon_error *err)
{
	cordon_pty_init(t);
	dev_t tty = pty_pick_user(t);
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = pty_add_kept(t, keep[i], tty, err);
	if (r < 0 || t->user_tty < 0) {
		cordon_pty_init(t);
		return r;
	}
	r = pty_open_pair(t, err);
	if (r < 0) {
		cordon_pty_end(t);
		return r;
	}
	pty_copy_mode(t);
	return 0;
}

void cordon_pty_handed(struct cordon_pty *t)
{
	if (t->slave >= 0)
		close(t->slave);
	t->slave = -1;
}

/* tcsetattr from a background process group stops it with SIGTTOU unless that is blocked. */
static void pty_set_mode(int fd, const struct termios *tio)
{
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	while (tcsetattr(fd, TCSADRAIN, tio) < 0 && errno == EINTR)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void cordon_pty_begin(struct cordon_pty *t)
{
	if (t->master < 0 || t->user_in < 0)
		return;
	if (tcgetpgrp(t->user_in) != getpgrp() || tcgetattr(t->user_tty, &t->saved) < 0) {
		t->user_in = -1; /* in the background: the keys are someone else's */
		return;
	}
	struct termios raw = t->saved;
	cfmakeraw(&raw);
	pty_set_mode(t->user_tty, &raw);
	t->raw = true;
}

short cordon_pty_master_events(const struct cordon_pty *t)
{
	if (t->master < 0 || t->hup)
		return 0;
	return (short)(POLLIN | (t->in_len > t->in_off ? POLLOUT : 0));
}

short cordon_pty_input_events(const struct cordon_pty *t)
{
	return t->master >= 0 && t->user_in >= 0 && t->in_len == t->in_off ? POLLIN : 0;
}

/* Blocking, all of it: the user's terminal is not ours to make non-blocking (the flag is on
 * the open file, shared with the shell). A write error drops the output, as a closed
 * terminal would. */
static void pty_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Output: what the command wrote to its terminal. 1 relayed some, 0 none now, -1 none ever. */
static int pty_relay_out(struct cordon_pty *t)
{
	static char buf[65536];
	ssize_t n = read(t->master, buf, sizeof(buf));
	if (n > 0) {
		pty_write_all(t->user_out, buf, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	t->hup = true; /* EIO: every slave descriptor is closed */
	return -1;
}

static void pty_relay_in(struct cordon_pty *t)
{
	ssize_t w = write(t->master, t->in + t->in_off, t->in_len - t->in_off);
	if (w > 0)
		t->in_off += (size_t)w;
	else if (w < 0 && errno != EAGAIN && errno != EINTR)
		t->in_off = t->in_len; /* the pty is gone: the keys have nowhere to go */
	if (t->in_off == t->in_len)
		t->in_off = t->in_len = 0;
}

void cordon_pty_on_master(struct cordon_pty *t, short revents)
{
	if (revents & POLLOUT)
		pty_relay_in(t);
	if (revents & (POLLIN | POLLHUP | POLLERR))
		pty_relay_out(t);
}

/* Ctrl-Z stops the command's group, and no shell outside can resume it: a Ctrl-C or Ctrl-\
 * typed then would stay pending for ever. When the keys hold the pty's interrupt or quit
 * character, the foreground group is continued too, so the signal the line discipline sends
 * is delivered (SIGCONT to a running group does nothing). */
static void pty_wake_on_interrupt(const struct cordon_pty *t, const char *keys, size_t n)
{
	struct termios tio;
	pid_t fg = 0;
	if (tcgetattr(t->master, &tio) < 0 || !(tio.c_lflag & ISIG))
		return;
	for (size_t i = 0; i < n; i++) {
		cc_t c = (cc_t)keys[i];
		if (c == _POSIX_VDISABLE || (c != tio.c_cc[VINTR] && c != tio.c_cc[VQUIT]))
			continue;
		if (ioctl(t->master, TIOCGPGRP, &fg) == 0 && fg > 0)
			kill(-fg, SIGCONT);
		return;
	}
}

void cordon_pty_on_input(struct cordon_pty *t, short revents)
{
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	ssize_t n = read(t->user_in, t->in, sizeof(t->in));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		t->user_in = -1; /* the user's terminal hung up: no more keys */
		return;
	}
	t->in_len = (size_t)n;
	t->in_off = 0;
	pty_relay_in(t);
	pty_wake_on_interrupt(t, t->in, (size_t)n);
}

void cordon_pty_winch(struct cordon_pty *t)
{
	struct winsize ws;
	if (t->master >= 0 && t->user_tty >= 0 && ioctl(t->user_tty, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

void cordon_pty_end(struct cordon_pty *t)
{
	cordon_pty_handed(t);
	/* Every holder of the slave is gone with the tree: the kernel hands over what is still
	 * buffered, then EIO. A holder that survived (no PID namespace) gives EAGAIN: we stop. */
	while (t->master >= 0 && !t->hup && pty_relay_out(t) > 0)
		;
	if (t->raw)
		pty_set_mode(t->user_tty, &t->saved);
	if (t->master >= 0)
		close(t->master);
	cordon_pty_init(t);
}
