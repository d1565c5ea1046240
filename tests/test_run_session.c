/* Sessions and SysV IPC: runs of one --session see each other's IPC objects (the session
 * keeper holds their IPC namespace), other sessions, runs without a session, and the host do
 * not; each run has its own network namespace; a keeper in trouble (stopped, killed) costs a
 * run a bounded wait, never 125 or for ever; `cordon session rm` ends a session. Run as the
 * unprivileged test user and as root. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_util.h"

/* The shmid `ipcmk -M` printed ("Shared memory id: 3"), or -1. */
static int created_id(const char *out)
{
	const char *p = strstr(out, "id: ");
	return p ? atoi(p + 4) : -1;
}

/* Does `ipcs -m` output list segment id? Its rows are "key shmid owner perms ...". */
static bool lists_id(const char *out, int id)
{
	char want[32];
	snprintf(want, sizeof(want), " %d ", id);
	for (const char *line = out; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, "0x", 2) == 0 && strstr(line, want))
			return true;
	}
	return false;
}

/* argv (argv[0] a path) as w in w's workspace, waited for (60 s at most). */
static int run_sh(const struct ru_who *w, const char *const *argv, struct tu_result *r)
{
	const char *env[] = {"PATH=/usr/bin:/bin", NULL};
	struct tu_spawn sp = {.argv = (char *const *)argv,
	                      .envp = (char *const *)env,
	                      .cwd = w->ws,
	                      .uid = w->root ? (uid_t)-1 : w->uid,
	                      .gid = w->gid,
	                      .timeout = 60};
	return tu_run(&sp, r);
}

/* `cordon A B C` as w: its exit status, or -1. */
static int run_cordon(const struct ru_who *w, const char *a, const char *b, const char *c)
{
	const char *argv[] = {tu_cordon(), a, b, c, NULL};
	struct tu_result r;
	if (run_sh(w, argv, &r) < 0)
		return -1;
	int status = r.timed_out ? -1 : r.status;
	if (status != 0)
		printf("cordon %s %s %s: %d, %s", a, b, c, status, r.err);
	tu_result_free(&r);
	return status;
}

static void session_dir_remove(const struct ru_who *w, const char *name)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "/tmp/cordon-%u/sessions/%s", (unsigned)w->uid, name);
	tu_rm_rf(dir);
}

static void body_ipc(struct ru_who *w)
{
	char s1[64], s2[64];
	snprintf(s1, sizeof(s1), "ipc%d-a", (int)getpid());
	snprintf(s2, sizeof(s2), "ipc%d-b", (int)getpid());
	const char *f1[] = {"--session", s1, NULL};
	const char *f2[] = {"--session", s2, NULL};
	struct tu_result r;

	assert_int_equal(ru_run(w, f1, "ipcmk -M 4096", &r), 0);
	assert_int_equal(r.status, 0);
	int id = created_id(r.out);
	assert_true(id >= 0);
	tu_result_free(&r);

	/* The next run of the same session sees it... */
	assert_int_equal(ru_run(w, f1, "ipcs -m", &r), 0);
	assert_int_equal(r.status, 0);
	assert_true(lists_id(r.out, id));
	tu_result_free(&r);
	/* ...another session and a run without one do not... */
	assert_int_equal(ru_run(w, f2, "ipcs -m", &r), 0);
	assert_int_equal(r.status, 0);
	assert_false(lists_id(r.out, id));
	tu_result_free(&r);
	assert_int_equal(ru_run(w, NULL, "ipcs -m", &r), 0);
	assert_false(lists_id(r.out, id));
	tu_result_free(&r);

	session_dir_remove(w, s1);
	session_dir_remove(w, s2);
}

/* "net:[4026532181]" of the run's /proc/self/ns/net and whether its lo is up, in one line. */
static void run_netns(const struct ru_who *w, const char *const *flags, char *out, size_t n)
{
	struct tu_result r;
	assert_int_equal(
	        ru_run(w, flags, "readlink /proc/self/ns/net; cat /sys/class/net/lo/flags", &r), 0);
	assert_int_equal(r.status, 0);
	snprintf(out, n, "%s", r.out);
	tu_result_free(&r);
}

/* Runs of one session with the network off each have their own network namespace, lo up: a
 * shared one would let them reach each other's abstract UNIX sockets, since the supervisor
 * performs every connect outside Landlock's scope (issue 19). Another session, a run without
 * one have their own too. */
static void body_netns(struct ru_who *w)
{
	char s1[64], s2[64], a[128], b[128], other[128], none[128];
	snprintf(s1, sizeof(s1), "net%d-a", (int)getpid());
	snprintf(s2, sizeof(s2), "net%d-b", (int)getpid());
	const char *f1[] = {"--session", s1, NULL};
	const char *f2[] = {"--session", s2, NULL};
	/* Two runs of s1 at once: a namespace's inode number is reused once it is gone, so the
	 * first holds its own until the second has read its. */
	const char *hold = ru_path(0, w->ws, "netns-a");
	unlink(hold);
	unlink(ru_path(1, w->ws, "netns-done"));
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct tu_result cr;
		char script[4200];
		snprintf(
		        script, sizeof(script),
		        "{ readlink /proc/self/ns/net; cat /sys/class/net/lo/flags; } > "
		        "netns-a.tmp; "
		        "mv netns-a.tmp netns-a; i=0; while [ ! -e netns-done ] && [ $i -lt 600 ]; "
		        "do sleep 0.1; i=$((i+1)); done");
		_exit(ru_run(w, f1, script, &cr) == 0 ? 0 : 1);
	}
	char *got = NULL;
	for (int i = 0; i < 1200 && !(got = tu_read_file(hold)); i++)
		usleep(50 * 1000);
	assert_non_null(got);
	snprintf(a, sizeof(a), "%s", got);
	free(got);
	run_netns(w, f1, b, sizeof(b));
	ru_put(w, ru_path(1, w->ws, "netns-done"), "");
	int st = 0;
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	run_netns(w, f2, other, sizeof(other));
	run_netns(w, NULL, none, sizeof(none));
	assert_non_null(strstr(a, "net:["));
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, other);
	assert_string_not_equal(a, none);
	/* IFF_UP (0x1) in lo's flags, e.g. "0x9" */
	const char *flags = strchr(a, '\n');
	assert_non_null(flags);
	assert_true(strtoul(flags + 1, NULL, 16) & 0x1);
	session_dir_remove(w, s1);
	session_dir_remove(w, s2);
}

/* `cordon run --session NEW -- true` with 0, 1 and 2 closed: the keeper it starts must still
 * get /dev/null and its ready pipe at the right numbers (it exited 125). */
static void body_closed_stdio(struct ru_who *w)
{
	char name[64], cmd[8400];
	snprintf(name, sizeof(name), "stdio%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "exec %s run --session %s --workspace %s -- true 0<&- 1>&- 2>&-",
	         tu_cordon(), name, w->ws);
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct tu_result r;
	assert_int_equal(run_sh(w, argv, &r), 0);
	assert_false(r.timed_out);
	assert_int_equal(r.status, 0);
	tu_result_free(&r);
	session_dir_remove(w, name);
}

/* The pid of the keeper of session name (its socket's peer), or -1. */
static pid_t keeper_pid(const struct ru_who *w, const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/cordon-%u/sessions/%s/keeper.sock",
	         (unsigned)w->uid, name);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct ucred cred = {.pid = -1};
	socklen_t len = sizeof(cred);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		cred.pid = -1;
	if (s >= 0)
		close(s);
	return cred.pid;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A keeper that stops answering (SIGSTOP), or dies while a run waits for it, must cost the
 * run a bounded wait and then a new keeper, not a wait for ever or 125. */
static void body_keeper_trouble(struct ru_who *w)
{
	char name[64];
	snprintf(name, sizeof(name), "keep%d", (int)getpid());
	const char *f[] = {"--session", name, NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, f, "true", &r), 0);
	assert_int_equal(r.status, 0);
	tu_result_free(&r);

	/* Stopped: the run waits a few seconds, then the session gets a new keeper. */
	pid_t k1 = keeper_pid(w, name);
	assert_true(k1 > 0);
	assert_int_equal(kill(k1, SIGSTOP), 0);
	double t0 = now_s();
	assert_int_equal(ru_run(w, f, "echo ran", &r), 0);
	double took = now_s() - t0;
	printf("with the keeper stopped the run took %.1f s\n", took);
	kill(k1, SIGKILL); /* ours: the test's first run started it */
	assert_false(r.timed_out);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "ran"));
	assert_true(took < 30);
	tu_result_free(&r);

	pid_t k3 = keeper_pid(w, name);
	assert_int_equal(run_cordon(w, "session", "rm", name), 0);
	if (k3 > 0)
		kill(k3, SIGKILL);
}

static void body_keeper_killed(struct ru_who *w)
{
	char name[64];
	snprintf(name, sizeof(name), "kill%d", (int)getpid());
	const char *f[] = {"--session", name, NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, f, "true", &r), 0);
	assert_int_equal(r.status, 0);
	tu_result_free(&r);
	/* Dies while a run waits for its answer: that run starts the next keeper. */
	pid_t k2 = keeper_pid(w, name);
	assert_true(k2 > 0);
	assert_int_equal(kill(k2, SIGSTOP), 0);
	pid_t killer = fork();
	assert_true(killer >= 0);
	if (killer == 0) {
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
		kill(k2, SIGKILL);
		_exit(0);
	}
	assert_int_equal(ru_run(w, f, "echo ran", &r), 0);
	waitpid(killer, NULL, 0);
	kill(k2, SIGKILL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "ran"));
	tu_result_free(&r);
	pid_t k3 = keeper_pid(w, name);
	assert_int_equal(run_cordon(w, "session", "rm", name), 0);
	if (k3 > 0)
		kill(k3, SIGKILL);
}

/* `cordon session rm NAME` ends the session: its directory (its /tmp) is gone, and the next
 * run of that name starts afresh. */
static void body_session_rm(struct ru_who *w)
{
	char name[64], dir[256];
	snprintf(name, sizeof(name), "rm%d", (int)getpid());
	snprintf(dir, sizeof(dir), "/tmp/cordon-%u/sessions/%s", (unsigned)w->uid, name);
	const char *f[] = {"--session", name, NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, f, "echo x > /tmp/left; mkdir /tmp/ro; chmod 0 /tmp/ro", &r), 0);
	assert_int_equal(r.status, 0);
	tu_result_free(&r);
	assert_int_equal(access(dir, F_OK), 0);
	assert_int_equal(run_cordon(w, "session", "rm", name), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(ru_run(w, f, "test -e /tmp/left && echo still-there; true", &r), 0);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "still-there"));
	tu_result_free(&r);
	assert_int_equal(run_cordon(w, "session", "rm", name), 0);
	assert_int_equal(run_cordon(w, "session", "rm", name), 125); /* none left */
}

static void test_run_session_closed_stdio(void **state)
{
	(void)state;
	ru_both(body_closed_stdio);
}

static void test_run_session_keeper_stopped(void **state)
{
	(void)state;
	ru_both(body_keeper_trouble);
}

static void test_run_session_keeper_killed(void **state)
{
	(void)state;
	ru_both(body_keeper_killed);
}

static void test_run_session_rm(void **state)
{
	(void)state;
	ru_both(body_session_rm);
}

static void test_run_session_own_netns_per_run(void **state)
{
	(void)state;
	ru_both(body_netns);
}

static void test_run_session_shares_sysv_ipc(void **state)
{
	(void)state;
	ru_both(body_ipc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_session_shares_sysv_ipc),
	        cmocka_unit_test(test_run_session_own_netns_per_run),
	        cmocka_unit_test(test_run_session_closed_stdio),
	        cmocka_unit_test(test_run_session_keeper_stopped),
	        cmocka_unit_test(test_run_session_keeper_killed),
	        cmocka_unit_test(test_run_session_rm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
