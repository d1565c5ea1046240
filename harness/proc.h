/* The spawn path under proc.run/proc.start, kept free of Lua so it stays lean: it is also the
 * benchmark's timing path. Lifecycle: hp_spawn -> hp_pump (any number of times) -> hp_destroy.
 * Everything hp_spawn allocates is released by hp_destroy, which also kills and reaps. */
#ifndef CORDON_HARNESS_PROC_H
#define CORDON_HARNESS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "hutil.h"

struct hp_spec {
	const char *path;       /* resolved executable */
	char *const *argv;      /* NULL-terminated */
	char *const *envp;      /* NULL: inherit environ */
	const char *cwd;        /* NULL: inherit */
	const char *stdin_data; /* NULL: /dev/null */
	size_t stdin_len;
	int pty_fd;          /* -1, or a pty slave: stdin and controlling terminal */
	double timeout;      /* seconds, <= 0: none */
	bool new_session;    /* setsid; otherwise only a new process group */
	const int *keep_fds; /* sorted ascending, each > 2 */
	size_t n_keep;
};

struct hp_child {
	pid_t pid;
	int pidfd; /* -1 when the kernel has no pidfd_open (< 5.3): poll instead */
	int in_fd, out_fd, err_fd;
	char *in_data;
	size_t in_len, in_off;
	struct hu_buf out, err;
	double start, end; /* fork and reap, CLOCK_MONOTONIC */
	double kill_at;    /* spec timeout deadline, 0 when none or already fired */
	bool reaped, timed_out, done;
	int wstatus;
	struct rusage ru;
};

/* Zero the struct with every fd at -1 (hp_destroy is then safe). */
void hp_init(struct hp_child *c);

/* Start the child. 0, or -errno with a one-line reason in why (nothing left running). */
int hp_spawn(const struct hp_spec *spec, struct hp_child *c, char *why, size_t why_len);

/* Service the children (feed stdin, collect output, reap, enforce timeouts) until one
 * (any=true) or all of them are done, or until the monotonic time `until` (< 0: no limit). */
void hp_pump(struct hp_child *const *cs, size_t n, bool any, double until);

/* Signal the child's process group (or the child itself) unless it was already reaped. */
void hp_kill(struct hp_child *c, int sig);

/* Kill (SIGKILL) if still running, reap, close every fd and free the buffers. Idempotent. */
void hp_destroy(struct hp_child *c);

#endif
