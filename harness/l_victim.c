/* proc.victim: a forked (not exec'd) child that records every catchable signal it receives
 * and stays alive until killed. Scenarios aim probes at it (kill, ptrace, ...) and then ask
 * the victim itself what happened: a probe's word is not enough. */
#define _GNU_SOURCE
#include "harness.h"
#include "hbind.h"
#include "hutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define VICTIM_MT "cordon.victim"
#define VICTIM_FD 3 /* where the victim keeps its report pipe */

struct victim {
	pid_t pid;
	int fd; /* read end: one byte per signal received; 0 = ready */
	bool reaped;
	bool stopped;
};

/* ---- the victim process ----------------------------------------------------------------- */

static void victim_on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(VICTIM_FD, &b, 1) < 0) {
		/* the harness is gone or stopped reading: nothing to record to */
	}
	errno = saved;
}

/* Fields 48 and 49 of /proc/self/stat (arg_start, arg_end) or 50, 51 (env_start, env_end). */
static bool victim_mem_range(int field, unsigned long *start, unsigned long *end)
{
	hu_cleanup_free char *stat = hu_read_file("/proc/self/stat", 4096, NULL);
	char *p = stat ? strrchr(stat, ')') : NULL;

	/* After ')' comes field 3; count fields from there. */
	for (int f = 2; p && f < field; f++)
		p = strchr(p + 1, ' ');
	return p && sscanf(p, " %lu %lu", start, end) == 2 && *end > *start;
}

/* Make the marker visible in /proc/<pid>/cmdline and environ, as it would be for a process
 * started with it, by overwriting our copy of the harness's argv and environment strings. */
static void victim_show_marker(const char *marker)
{
	unsigned long start, end;
	size_t mlen = strlen(marker);

	prctl(PR_SET_NAME, marker);
	for (int field = 48; field <= 50; field += 2) {
		if (!victim_mem_range(field, &start, &end))
			continue;
		memset((void *)start, 0, end - start);
		memcpy((void *)start, marker, mlen < end - start - 1 ? mlen : end - start - 1);
	}
}

static _Noreturn void victim_main(int report_fd, pid_t parent, const char *marker)
{
	struct sigaction sa;
	sigset_t none;
	int null = open("/dev/null", O_RDWR);

	/* Hold nothing of the harness's: listeners, other children's pipes, the pty. */
	if (report_fd != VICTIM_FD && dup2(report_fd, VICTIM_FD) < 0)
		_exit(1);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	hu_close_from(VICTIM_FD + 1);
	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	if (marker)
		victim_show_marker(marker);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = victim_on_signal;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		sigaction(sig, &sa, NULL); /* fails for SIGKILL, SIGSTOP and libc's own: fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	victim_on_signal(0); /* ready */
	for (;;)
		pause();
}

/* ---- the harness side ------------------------------------------------------------------- */

static struct victim *victim_check(lua_State *L)
{
	return luaL_checkudata(L, 1, VICTIM_MT);
}

/* Record the bytes waiting in the pipe into the signals list (user value 1). Stack: 0. */
static void victim_collect(lua_State *L, struct victim *v)
{
	unsigned char buf[256];
	ssize_t n;
	lua_Integer len;

	lua_getiuservalue(L, 1, 1);
	len = (lua_Integer)lua_rawlen(L, -1);
	while (v->fd >= 0 && (n = read(v->fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == 0)
				continue;
			lua_pushinteger(L, buf[i]);
			lua_rawseti(L, -2, ++len);
		}
	}
	lua_pop(L, 1);
}

/* Consume state changes without blocking; true while it runs (not exited, not stopped). */
static bool victim_poll(struct victim *v)
{
	siginfo_t si;

	while (!v->reaped) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)v->pid, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG) <
		    0) {
			if (errno == EINTR)
				continue;
			v->reaped = true; /* ECHILD: someone reaped it; it is gone either way */
			break;
		}
		if (si.si_pid == 0)
			break;
		if (si.si_code == CLD_STOPPED || si.si_code == CLD_TRAPPED)
			v->stopped = true;
		else if (si.si_code == CLD_CONTINUED)
			v->stopped = false;
		else
			v->reaped = true;
	}
	return !v->reaped && !v->stopped;
}

static void victim_destroy(struct victim *v)
{
	if (v->pid > 0 && !v->reaped) {
		kill(v->pid, SIGKILL);
		while (waitpid(v->pid, NULL, 0) < 0 && errno == EINTR)
			;
		v->reaped = true;
	}
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

/* proc.victim([marker]) -> victim | nil,msg,errno. Returns once its handlers are set. */
static int l_proc_victim(lua_State *L)
{
	const char *marker = luaL_optstring(L, 1, NULL);
	struct victim *v = lua_newuserdatauv(L, sizeof(*v), 1);
	int p[2];
	unsigned char ready;
	pid_t parent = getpid();

	memset(v, 0, sizeof(*v));
	v->pid = -1;
	v->fd = -1;
	luaL_setmetatable(L, VICTIM_MT);
	lua_newtable(L);
	lua_setiuservalue(L, -2, 1);
	if (pipe2(p, O_CLOEXEC) < 0)
		return hu_fail(L, errno, "victim pipe");
	v->pid = fork();
	if (v->pid == 0)
		victim_main(p[1], parent, marker);
	close(p[1]);
	v->fd = p[0];
	if (v->pid < 0)
		return hu_fail(L, errno, "fork victim");
	if (read(v->fd, &ready, 1) != 1) {
		victim_destroy(v);
		return hu_failf(L, EIO, "victim %d died before it was ready", (int)v->pid);
	}
	hu_set_nonblock(v->fd);
	return 1;
}

/* victim:pid() -> int */
static int l_victim_pid(lua_State *L)
{
	lua_pushinteger(L, victim_check(L)->pid);
	return 1;
}

/* victim:alive() -> bool (false once it exited or while it is stopped) */
static int l_victim_alive(lua_State *L)
{
	lua_pushboolean(L, victim_poll(victim_check(L)));
	return 1;
}

/* victim:signals() -> {signo, ...} in the order received (a copy). */
static int l_victim_signals(lua_State *L)
{
	struct victim *v = victim_check(L);
	lua_Integer n;

	victim_collect(L, v);
	lua_getiuservalue(L, 1, 1);
	n = (lua_Integer)lua_rawlen(L, -1);
	lua_createtable(L, (int)n, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -2, i);
		lua_rawseti(L, -2, i);
	}
	return 1;
}

/* victim:kill(): SIGKILL and reap; the signals seen so far stay readable. Stack: 0. */
static int l_victim_kill(lua_State *L)
{
	struct victim *v = victim_check(L);

	victim_collect(L, v);
	victim_destroy(v);
	return 0;
}

/* __gc and __close. Stack: 0. */
static int l_victim_gc(lua_State *L)
{
	victim_destroy(victim_check(L));
	return 0;
}

void proc_open_victim(lua_State *L)
{
	static const luaL_Reg methods[] = {
	        {"pid", l_victim_pid},
	        {"alive", l_victim_alive},
	        {"signals", l_victim_signals},
	        {"kill", l_victim_kill},
	        {NULL, NULL},
	};

	hu_new_class(L, VICTIM_MT, methods, l_victim_gc);
	lua_pushcfunction(L, l_proc_victim);
	lua_setfield(L, -2, "victim");
}
