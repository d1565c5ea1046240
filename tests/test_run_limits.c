/* Integration: resource limits under `cordon run`: --pids stops a fork bomb, --memory holds,
 * --file-size, --open-files and --cpu reach the command. Root uses the cgroup where the host
 * has one it may write (v1 here); the unprivileged user gets rlimits (RLIMIT_NPROC counted per
 * user namespace). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <stdatomic.h>

#include "run_util.h"

/* Inside: fork up to n children that just wait; report how many forks succeeded and why the
 * next one failed; then end them. */
static int helper_forkbomb(int n)
{
	pid_t kids[4096];
	int k = 0, e = 0;
	for (; k < n && k < 4096; k++) {
		pid_t p = fork();
		if (p < 0) {
			e = errno;
			break;
		}
		if (p == 0) {
			pause();
			_exit(0);
		}
		kids[k] = p;
	}
	printf("forked=%d error=%s\n", k, e ? strerror(e) : "none");
	for (int i = 0; i < k; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < k; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}

/* Inside: n times, a child connects to path (a socket that never accepts, so the supervisor's
 * connect for it blocks) and is killed while it waits. Prints how many were told EAGAIN. */
static int helper_stuck_connects(const char *path, int n)
{
	int eagain = 0;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			int fd = socket(AF_UNIX, SOCK_STREAM, 0);
			struct sockaddr_un sa = {.sun_family = AF_UNIX};
			snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
			int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
			_exit(r == 0 ? 0 : errno == EAGAIN ? 3 : 4);
		}
		if (p < 0) {
			usleep(10000);
			continue;
		}
		usleep(20000);
		kill(p, SIGKILL);
		int st = 0;
		waitpid(p, &st, 0);
		eagain += WIFEXITED(st) && WEXITSTATUS(st) == 3;
	}
	printf("eagain=%d\n", eagain);
	fflush(stdout);
	usleep(500000); /* the test counts the supervisor's threads meanwhile */
	return 0;
}

/* Inside: allocate and touch mb megabytes. */
static int helper_alloc(int mb)
{
	size_t len = (size_t)mb << 20;
	char *p = malloc(len);
	if (!p) {
		printf("alloc failed\n");
		return 1;
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	printf("allocated %d MB\n", mb);
	free(p);
	return 0;
}

static void body_pids(struct ru_who *w)
{
	char script[4300];
	snprintf(script, sizeof(script), "exec '%s' --forkbomb 200", ru_self_in_ws(w));
	const char *flags[] = {"--pids", "12", "--timeout", "30", NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	printf("%s", r.out);
	assert_int_equal(r.status, 0);
	const char *f = strstr(r.out, "forked=");
	assert_non_null(f);
	int forked = atoi(f + 7);
	assert_true(forked >= 1);
	assert_true(forked <= 12);
	assert_non_null(strstr(r.out, "Resource temporarily unavailable"));
	tu_result_free(&r);
	/* Control: without --pids the same bomb gets all its 200. */
	const char *none[] = {"--timeout", "30", NULL};
	assert_int_equal(ru_run(w, none, script, &r), 0);
	assert_non_null(strstr(r.out, "forked=200"));
	tu_result_free(&r);
}

static void test_run_limits_pids_stops_fork_bomb(void **state)
{
	(void)state;
	ru_both(body_pids);
}

static void body_memory(struct ru_who *w)
{
	char script[4300];
	snprintf(script, sizeof(script), "exec '%s' --alloc 256", ru_self_in_ws(w));
	const char *flags[] = {"--memory", "64M", "--timeout", "30", NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	printf("limited: status %d %s", r.status, r.out);
	assert_int_not_equal(r.status, 0);
	assert_null(strstr(r.out, "allocated"));
	tu_result_free(&r);
	/* Control: without --memory it fits. */
	const char *none[] = {"--timeout", "30", NULL};
	assert_int_equal(ru_run(w, none, script, &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "allocated 256 MB"));
	tu_result_free(&r);
}

static void test_run_limits_memory_holds(void **state)
{
	(void)state;
	ru_both(body_memory);
}

static void body_rlimits(struct ru_who *w)
{
	const char *flags[] = {"--file-size", "1K", "--open-files", "20", "--cpu", "7", NULL};
	struct tu_result r;
	assert_int_equal(
	        ru_run(w, flags, "ulimit -n; ulimit -t; head -c 8192 /dev/zero > big; exit 0", &r),
	        0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "20\n7\n");
	struct stat st;
	assert_int_equal(stat(ru_path(0, w->ws, "big"), &st), 0);
	assert_true(st.st_size <= 1024);
	tu_result_free(&r);
}

static void test_run_limits_rlimits_reach_command(void **state)
{
	(void)state;
	ru_both(body_rlimits);
}

/* The supervisor of a run whose command line has marker: most threads seen while polling. */
struct thread_watch {
	const char *marker;
	atomic_bool stop;
	int max_threads;
};

static int supervisor_threads(const char *marker)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int threads = 0;
	while (d && (de = readdir(d))) {
		char path[300], buf[8192] = {0};
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		/* cordon's own argv: "cordon" "run" ...; the sandboxed helper's is not. */
		size_t a0 = strnlen(buf, n);
		if (a0 + 4 > n || strcmp(buf + a0 + 1, "run") != 0 ||
		    !memmem(buf, n, marker, strlen(marker)))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		f = fopen(path, "r");
		char line[256];
		while (f && fgets(line, sizeof(line), f))
			if (strncmp(line, "Threads:", 8) == 0 && atoi(line + 8) > threads)
				threads = atoi(line + 8);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return threads;
}

static void *watch_threads(void *arg)
{
	struct thread_watch *tw = arg;
	while (!atomic_load(&tw->stop)) {
		int t = supervisor_threads(tw->marker);
		if (t > tw->max_threads)
			tw->max_threads = t;
		usleep(5000);
	}
	return NULL;
}

static void body_supervisor_threads(struct ru_who *w)
{
	const char *sock = ru_path(1, w->ws, "never-accepts.sock");
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(sock);
	assert_true(len < sizeof(sa.sun_path));
	memcpy(sa.sun_path, sock, len + 1);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(chmod(sock, 0777), 0);
	assert_int_equal(listen(l, 0), 0);
	char script[9000];
	snprintf(script, sizeof(script), "exec '%s' --stuck-connects '%s' 40", ru_self_in_ws(w),
	         sock);
	struct thread_watch tw = {.marker = "--stuck-connects"};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, watch_threads, &tw), 0);
	const char *flags[] = {"--pids", "8", "--timeout", "60", NULL};
	struct tu_result r;
	assert_int_equal(ru_run(w, flags, script, &r), 0);
	atomic_store(&tw.stop, true);
	pthread_join(t, NULL);
	close(l);
	printf("status %d, %s", r.status, r.out);
	printf("the supervisor held at most %d threads\n", tw.max_threads);
	assert_int_equal(r.status, 0);
	/* Live: jobs did pile up (the main thread and at least one blocked connect)... */
	assert_true(tw.max_threads >= 2);
	/* ...but no more than the run's --pids of them, and the rest were told EAGAIN. */
	assert_true(tw.max_threads <= 1 + 8);
	assert_non_null(strstr(r.out, "eagain="));
	assert_true(atoi(strstr(r.out, "eagain=") + 7) > 0);
	tu_result_free(&r);
}

/* Issue 18, class 5: the supervisor's job threads are bounded per run, by its --pids. */
static void test_run_limits_supervisor_threads_bounded(void **state)
{
	(void)state;
	ru_both(body_supervisor_threads);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--forkbomb") == 0)
		return helper_forkbomb(atoi(argv[2]));
	if (argc == 4 && strcmp(argv[1], "--stuck-connects") == 0)
		return helper_stuck_connects(argv[2], atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "--alloc") == 0)
		return helper_alloc(atoi(argv[2]));
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_limits_pids_stops_fork_bomb),
	        cmocka_unit_test(test_run_limits_memory_holds),
	        cmocka_unit_test(test_run_limits_rlimits_reach_command),
	        cmocka_unit_test(test_run_limits_supervisor_threads_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
