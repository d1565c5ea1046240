/* Sessions and SysV IPC: runs of one --session see each other's IPC objects (the session
 * keeper holds their IPC namespace), other sessions, runs without a session, and the host do
 * not. Run as the unprivileged test user and as root. */
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
#include <sys/wait.h>
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
 * one and a run with the network on have their own too. */
static void body_netns(struct ru_who *w)
{
	char s1[64], s2[64], a[128], b[128], other[128], none[128], on[128];
	snprintf(s1, sizeof(s1), "net%d-a", (int)getpid());
	snprintf(s2, sizeof(s2), "net%d-b", (int)getpid());
	const char *f1[] = {"--session", s1, NULL};
	const char *f1_on[] = {"--session", s1, "--network", "on", NULL};
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
	run_netns(w, f1_on, on, sizeof(on));
	assert_non_null(strstr(a, "net:["));
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, other);
	assert_string_not_equal(a, none);
	assert_string_not_equal(a, on);
	/* IFF_UP (0x1) in lo's flags, e.g. "0x9" */
	const char *flags = strchr(a, '\n');
	assert_non_null(flags);
	assert_true(strtoul(flags + 1, NULL, 16) & 0x1);
	session_dir_remove(w, s1);
	session_dir_remove(w, s2);
}

static void test_run_session_runs_have_own_netns(void **state)
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
	        cmocka_unit_test(test_run_session_runs_have_own_netns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
