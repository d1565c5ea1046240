/* The command's terminal (issue 18, class 2). When stdin, stdout or stderr is a terminal,
 * the command does not get it: it gets a pseudo-terminal of cordon's own (opened from the
 * host's /dev/ptmx before the sandbox is made), whose slave becomes its controlling terminal
 * inside, and cordon relays between the two: bytes both ways, the window size (SIGWINCH),
 * and job-control keys, which arrive as bytes and are turned into signals by the pty's line
 * discipline for the command's foreground group. What the command does to its terminal
 * (TIOCSWINSZ, TCSETS, TIOCSPGRP, TIOCNOTTY, TIOCVHANGUP, TIOCCONS, TIOCSETD, ...) stays
 * on cordon's pty; the user's terminal is put in raw mode for the run and restored after it,
 * whatever happened. Only the descriptors that are terminals go through the pty. Input
 * pushed into the pty (TIOCSTI, still refused by seccomp) lands in the pty's own input queue:
 * only the sandbox reads it, and what is left is dropped with the pty at the end. */
#ifndef CORDON_PTY_H
#define CORDON_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "util.h"

#define CORDON_PTY_MAX_FDS 16

struct cordon_pty {
	int master;   /* ours, non-blocking; -1: no pty (no terminal among the command's fds) */
	int slave;    /* until the init has its copy (cordon_pty_handed) */
	int user_in;  /* the user's terminal we read keys from (fd 0), or -1 */
	int user_out; /* where the command's terminal output goes (fd 1, 2 or 0) */
	int user_tty; /* the user's terminal whose mode we changed, or -1 */
	int fds[CORDON_PTY_MAX_FDS]; /* the command's descriptors that get the slave */
	size_t n_fds;
	struct termios saved; /* user_tty's mode before the run */
	bool raw;             /* user_tty is in raw mode: restore at the end */
	bool hup;             /* no slave is open any more: nothing to read */
	char in[4096];        /* keys read but not yet taken by the pty */
	size_t in_len, in_off;
};

/* Nothing open, nothing changed. */
CORDON_HIDDEN void cordon_pty_init(struct cordon_pty *t);
/* true when fd is open and a terminal. */
CORDON_HIDDEN bool cordon_pty_is_tty(int fd);
/* Which of 0-2 (and of keep[0..n)) are terminals: each gets the slave. When any does, open the
 * pty and give it the user's terminal's mode and size. 0 (t->master -1 when none is a
 * terminal) or a negative errno. A kept terminal must be the same one as the relayed stdio. */
CORDON_HIDDEN int cordon_pty_open(struct cordon_pty *t, const int *keep, size_t n,
                                  cordon_error *err);
/* The init has the slave now (after clone): our copy goes, so the master sees the end. */
CORDON_HIDDEN void cordon_pty_handed(struct cordon_pty *t);
/* Raw mode on the user's terminal, when cordon is in its foreground (otherwise the keys are
 * not ours to read and tcsetattr would stop us with SIGTTOU). */
CORDON_HIDDEN void cordon_pty_begin(struct cordon_pty *t);
/* Poll events wanted on the master and on the user's terminal (0: do not poll). */
CORDON_HIDDEN short cordon_pty_master_events(const struct cordon_pty *t);
CORDON_HIDDEN short cordon_pty_input_events(const struct cordon_pty *t);
/* The master is ready: output to the user, pending keys to the pty. */
CORDON_HIDDEN void cordon_pty_on_master(struct cordon_pty *t, short revents);
/* The user typed something. */
CORDON_HIDDEN void cordon_pty_on_input(struct cordon_pty *t, short revents);
/* SIGWINCH: the user's terminal's size to the pty (the kernel signals the command's group). */
CORDON_HIDDEN void cordon_pty_winch(struct cordon_pty *t);
/* The tree is gone: relay what output is left, restore the user's terminal, close all. */
CORDON_HIDDEN void cordon_pty_end(struct cordon_pty *t);

#endif
