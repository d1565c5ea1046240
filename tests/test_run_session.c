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
#include <sys/shm.h>

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

static void test_run_session_shares_sysv_ipc(void **state)
{
	(void)state;
	ru_both(body_ipc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_session_shares_sysv_ipc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
