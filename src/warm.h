/* The warm path (issue 5): `cordon serve` keeps a pool of prepared sandboxes for one plan, and
 * `cordon run` with the same plan hands its command to one of them over a UNIX socket instead
 * of building a sandbox of its own.
 *
 *   cordon run ──request──> server ──hand──> member M ──command──> I (pid 1, prepared) ──> C
 *        <──────────────── status ───────────────────┘
 *
 * A member is a supervisor (sandbox.c) forked by the server: it builds the sandbox exactly as
 * a cold run does, up to the point where the init would fork the command, and waits there. The
 * command, its environment, working directory and descriptors come with the request; the
 * limits and the timeout start when it is handed over. Each member serves one command, then
 * the whole tree is gone, as after a cold run; the server prepares the next one meanwhile.
 *
 * Which server serves a run: the one whose plan fingerprint (plan.c) is the run's, byte for
 * byte. The socket is named by a hash of it, and the server compares the whole fingerprint
 * before it hands a member over; a member compares it again with the plan it built. So a
 * changed policy, a path that now names another file (a new .git, a recreated workspace), a
 * rebuilt cordon or another mount namespace never gets a sandbox prepared for something else:
 * the run goes cold, or to a server for the new plan. A server notices its plan went stale
 * and moves to the new one; it drops its prepared members when the host's mount table changes.
 *
 * Only the user who started a server can use it (SO_PEERCRED, and a 0700 directory). */
#ifndef CORDON_WARM_H
#define CORDON_WARM_H

#include "util.h"

#define CORDON_WARM_MAGIC 0x636f7731u /* "cow1" */
#define CORDON_WARM_MAX_FDS 64
_Static_assert(CORDON_WARM_MAX_FDS + 2 <= CORDON_FDS_MAX,
               "a request's descriptors fit one message");
#define CORDON_WARM_MAX_BLOB (64u << 20)
#define CORDON_WARM_IDLE_SECONDS 120 /* a server started by `run --warm` leaves after this */
#define CORDON_WARM_MAX_POOL 16
#define CORDON_WARM_NLIMITS 16 /* RLIMIT_CPU .. RLIMIT_RTTIME */

/* A request, as the client sends it. A memfd holding the blob rides along by SCM_RIGHTS; the
 * n_fds descriptors for the command come with the client's go (below). The blob is the fingerprint (key_len bytes),
 * then the working directory, the n_argv arguments and the n_envp variables, each NUL-ended. */
struct cordon_warm_req {
	uint32_t magic;
	uint32_t n_fds;
	int32_t target[CORDON_WARM_MAX_FDS]; /* the number each descriptor gets in the command */
	uint64_t key_len;
	uint64_t blob_len;
	uint32_t n_argv, n_envp;
	/* What a cold run's command would inherit from the run's own process: */
	uint32_t umask;
	int32_t nice;
	uint64_t rlimit[CORDON_WARM_NLIMITS][2]; /* soft, hard */
};

/* Client -> member, once handed: a signal for the command (TERM, INT or HUP only). */
struct cordon_warm_signal {
	uint32_t magic;
	int32_t signo;
};

/* Server or member -> client: how it ended. NOMATCH comes from the server before anything
 * started (the run goes cold); DONE carries what `cordon run` exits with, and when that is
 * 125, cordon's one-line message. HANDED comes first from the member that took the run: the
 * client answers with a cordon_warm_signal of signo 0 (go), and only then does the command
 * start. A client that heard nothing for CORDON_DAEMON_START_MS (a stopped or wedged server)
 * leaves, and no member starts its command without the go: it runs cold, never twice. */
enum { CORDON_WARM_DONE = 1, CORDON_WARM_NOMATCH = 2, CORDON_WARM_HANDED = 3 };
struct cordon_warm_reply {
	uint32_t magic;
	int32_t kind;
	int32_t code;
	char msg[512];
};

/* The command as the init takes it: argv, envp and cwd point into blob. */
struct cordon_warm_cmd {
	char *blob;
	char **argv, **envp;
	const char *cwd;
};

/* ---- the client (`cordon run`) ----------------------------------------------------------- */

/* Run argv through a server for this sandbox's plan. 1: it ran there and *exit_code is what
 * `cordon run` exits with (err filled when that is 125); 0: no server serves this plan,
 * nothing was started and the caller runs it cold; <0 an error (nothing started). With
 * serve_args (the run's policy options, NULL-terminated), a server is started when none runs:
 * `cordon serve SERVE_ARGS --ready-fd 3`, executed afresh in the same directory with only
 * HOME and XDG_RUNTIME_DIR of the environment (a server must hold no run's secrets). With
 * only (--warm-only), a run no prepared sandbox takes is an error, never 0. */
CORDON_HIDDEN int cordon_warm_run(cordon_sandbox *sb, char *const argv[], char *const envp[],
                                  char *const serve_args[], bool only, int *exit_code,
                                  cordon_error *err);

/* ---- the server (`cordon serve`) ---------------------------------------------------------- */

struct cordon_serve_opts {
	unsigned pool;  /* prepared sandboxes kept ready (1..CORDON_WARM_MAX_POOL) */
	int ready_fd;   /* written one byte ('k' or 'x') once listening, then closed; and the
	                 * server leaves after CORDON_WARM_IDLE_SECONDS without a run. Or -1 */
	FILE *announce; /* the socket's path is printed here once listening; or NULL */
};

/* Serve the plan of policy p until SIGTERM/SIGINT, or (idle_exit) an idle spell, or the socket
 * is removed. 0 when it ended that way; <0 when it could not start (err says why). */
CORDON_HIDDEN int cordon_serve(const cordon_policy *p, const struct cordon_serve_opts *o,
                               cordon_error *err);

/* ---- the init's side ---------------------------------------------------------------------- */

/* Wait on *sock for the command, then install its descriptors at their numbers (0, 1, 2 and
 * --keep-fd ones; 0-2 not given are closed), moving *sock out of their way, and take the run's
 * umask, resource limits and niceness (as far as a process may: no limit above our own hard
 * limit, no niceness below our own). */
CORDON_HIDDEN int cordon_warm_cmd_take(int *sock, struct cordon_warm_cmd *cmd, cordon_error *err);

/* ---- sandbox.c's part ---------------------------------------------------------------------- */

CORDON_HIDDEN const struct cordon_plan *cordon_sandbox_plan(const cordon_sandbox *sb);
/* Make the session's directories (as a spawn does first), so that they are in the
 * fingerprint as what they will be. */
CORDON_HIDDEN int cordon_sandbox_session_dirs(cordon_sandbox *sb, cordon_error *err);
/* Build the sandbox up to the command and stop there: the init waits for one. */
CORDON_HIDDEN int cordon_sandbox_prepare_warm(cordon_sandbox *sb, cordon_error *err);
/* The prepared init's pidfd (readable when it died), or -1. */
CORDON_HIDDEN int cordon_sandbox_init_pidfd(const cordon_sandbox *sb);
/* Give the prepared init its command (fds: the blob's memfd, then the command's n-1) and
 * return once it was exec'd, as cordon_sandbox_spawn does; then cordon_sandbox_wait. client is
 * the run's connection, watched for signals to forward and for its end (the tree is killed). */
CORDON_HIDDEN int cordon_sandbox_hand(cordon_sandbox *sb, const struct cordon_warm_req *req,
                                      const int *fds, size_t n, int client, cordon_error *err);

/* Wait until the command ended and every other process of its tree is dead and reaped, which
 * the init reports before it exits; *exit_code as cordon_sandbox_wait gives it. The kernel
 * may still be tearing the namespaces down: cordon_sandbox_wait (or free) waits for that. */
CORDON_HIDDEN int cordon_sandbox_wait_gone(cordon_sandbox *sb, int *exit_code, cordon_error *err);

#endif
