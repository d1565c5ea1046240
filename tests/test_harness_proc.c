/* proc bindings of cordon-harness: spawn (status, signal, output, stdin, env, cwd, fds,
 * timeouts, ptys), handles, wait_any, victims, markers; also as the unprivileged user. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "harness.h"
#include "testutil.h"

static int proc_setup(void **state)
{
	*state = harness_new_state();
	return *state ? 0 : -1;
}

static int proc_teardown(void **state)
{
	lua_close(*state);
	return 0;
}

/* Run a chunk whose Lua assert()s are the checks; a raised error fails the test. */
static void proc_must(lua_State *L, const char *chunk)
{
	if (harness_eval(L, chunk, "=test", 0) != LUA_OK) {
		print_error("%s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		fail();
	}
}

static void test_proc_run_status_and_output(void **state)
{
	proc_must(*state,
	          "local r = proc.run{argv={'/bin/sh','-c','echo hi; echo err >&2; exit 3'}}\n"
	          "assert(r.status == 3 and r.signal == nil, 'status '..tostring(r.status))\n"
	          "assert(r.stdout == 'hi\\n', r.stdout)\n"
	          "assert(r.stderr == 'err\\n', r.stderr)\n"
	          "assert(r.timed_out == false)\n"
	          "assert(r.wall > 0 and r.pid > 0 and r.maxrss_kb > 0)\n"
	          "assert(math.type(r.utime) == 'float' and r.stime >= 0)\n");
}

static void test_proc_run_signal(void **state)
{
	proc_must(*state, "local r = proc.run{argv={'sh','-c','kill -TERM $$'}}\n"
	                  "assert(r.signal == 15 and r.status == nil, tostring(r.signal))\n");
}

static void test_proc_run_stdin_and_large_output(void **state)
{
	/* More than a pipe buffer in and out at once: only a poll-driven loop finishes this. */
	proc_must(*state, "local big = string.rep('0123456789', 100000)\n"
	                  "local r = proc.run{argv={'cat'}, stdin=big}\n"
	                  "assert(r.status == 0 and r.stdout == big, #r.stdout)\n"
	                  "r = proc.run{argv={'sh','-c','head -c 2000000 /dev/zero; head -c "
	                  "1500000 /dev/zero >&2'}}\n"
	                  "assert(#r.stdout == 2000000 and #r.stderr == 1500000)\n"
	                  "r = proc.run{argv={'cat'}}\n"
	                  "assert(r.status == 0 and r.stdout == '', 'stdin must be /dev/null')\n");
}

static void test_proc_run_env_and_cwd(void **state)
{
	proc_must(*state, "local r = proc.run{argv={'sh','-c','echo \"$FOO|$HOME\"; pwd'},\n"
	                  "  env={FOO='bar', PATH='/usr/bin:/bin'}, cwd='/'}\n"
	                  "assert(r.stdout == 'bar|\\n/\\n', r.stdout)\n");
}

static void test_proc_run_failures(void **state)
{
	proc_must(*state, "local r, msg, e = proc.run{argv={'cordon-no-such-program'}}\n"
	                  "assert(r == nil and e == 'ENOENT' and msg:find('not found'), msg)\n"
	                  "r, msg, e = proc.run{argv={'true'}, cwd='/nonexistent-dir'}\n"
	                  "assert(r == nil and e == 'ENOENT' and msg:find('chdir'), msg)\n"
	                  "assert(not pcall(proc.run, {argv={}}), 'empty argv is misuse')\n"
	                  "assert(not pcall(proc.run, 'ls'), 'a string is misuse')\n");
}

static void test_proc_run_timeout_kills_group(void **state)
{
	/* The background sleep is a grandchild: the timeout must take the whole group. */
	proc_must(*state, "local m = 'cordon-test-tmo-'..proc.getpid()\n"
	                  "local r = proc.run{argv={'sh','-c','sleep 30 & sleep 30'}, env={MARK=m, "
	                  "PATH='/usr/bin:/bin'}, timeout=0.2}\n"
	                  "assert(r.timed_out and r.signal == 9, 'not killed')\n"
	                  "local alive = true\n"
	                  "for i = 1, 500 do alive = proc.alive_with_marker(m); if not alive then "
	                  "break end; clock.sleep(0.01) end\n"
	                  "assert(not alive, 'grandchild survived the timeout')\n");
}

static void test_proc_run_closes_fds(void **state)
{
	int p[2];
	int kept, leaked;

	assert_int_equal(pipe(p), 0);
	kept = fcntl(p[0], F_DUPFD, 40);
	leaked = fcntl(p[1], F_DUPFD, 50);
	close(p[0]);
	close(p[1]);
	assert_true(kept >= 40 && leaked >= 50);
	lua_pushinteger(*state, kept);
	lua_setglobal(*state, "KEPT");
	lua_pushinteger(*state, leaked);
	lua_setglobal(*state, "LEAKED");
	proc_must(*state, "local r = proc.run{argv={'ls','/proc/self/fd'}, keep_fds={KEPT}}\n"
	                  "local seen = {}\n"
	                  "for fd in r.stdout:gmatch('%d+') do seen[tonumber(fd)] = true end\n"
	                  "assert(seen[KEPT], 'kept fd missing')\n"
	                  "assert(not seen[LEAKED], 'fd leaked into the child')\n");
	close(kept);
	close(leaked);
}

static void test_proc_start_wait_and_wait_any(void **state)
{
	proc_must(*state, "local h = proc.start{argv={'sh','-c','sleep 0.2; echo done'}}\n"
	                  "assert(h:pid() > 0 and not h:done())\n"
	                  "local r, why = h:wait(0.01)\n"
	                  "assert(r == nil and why == 'timeout')\n"
	                  "r = h:wait()\n"
	                  "assert(r.status == 0 and r.stdout == 'done\\n')\n"
	                  "local slow = proc.start{argv={'sleep','30'}}\n"
	                  "local quick = proc.start{argv={'sh','-c','exit 7'}}\n"
	                  "local i, res = proc.wait_any({slow, quick}, 10)\n"
	                  "assert(i == 2 and res.status == 7, tostring(i))\n"
	                  "i, res = proc.wait_any({slow}, 0.05)\n"
	                  "assert(i == nil and res == 'timeout')\n"
	                  "slow:kill()\n"
	                  "r = slow:wait()\n"
	                  "assert(r.signal == 9)\n");
}

static void test_proc_close_kills_and_reaps(void **state)
{
	proc_must(*state, "local m = 'cordon-test-close-'..proc.getpid()\n"
	                  "do\n"
	                  "  local h <close> = proc.start{argv={'sleep','30'}, env={MARK=m}}\n"
	                  "  assert(proc.alive_with_marker(m), 'marker not found while running')\n"
	                  "end\n"
	                  "local alive, pids = proc.alive_with_marker(m)\n"
	                  "assert(not alive and #pids == 0, 'a closed handle left its process')\n");
}

static void test_proc_pty_is_controlling_terminal(void **state)
{
	proc_must(*state, "local t = oracle.pty()\n"
	                  "local r = proc.run{argv={'sh','-c','tty; ps -o tty= -p $$ >/dev/null; "
	                  "echo $?'}, pty=t}\n"
	                  "assert(r.stdout:sub(1, #t:slave_path()) == t:slave_path(), r.stdout)\n"
	                  "r = proc.run{argv={'sh','-c','exec 3</dev/tty && echo ctty'}, pty=t}\n"
	                  "assert(r.stdout == 'ctty\\n', 'no controlling terminal: '..r.stderr)\n");
}

static void test_proc_victim_records_signals(void **state)
{
	lua_State *L = *state;
	pid_t pid;

	proc_must(L, "V = proc.victim('cordon-victim-marker-'..proc.getpid())\n"
	             "assert(V:alive())\n"
	             "assert(proc.alive_with_marker('cordon-victim-marker-'..proc.getpid()))\n");
	lua_getglobal(L, "V");
	assert_int_equal(harness_eval(L, "return V:pid()", NULL, 1), LUA_OK);
	pid = (pid_t)lua_tointeger(L, -1);
	lua_settop(L, 0);
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGUSR1), 0);
	assert_int_equal(kill(pid, SIGTERM), 0);
	proc_must(L, "local s\n"
	             "for i = 1, 500 do s = V:signals(); if #s >= 2 then break end; "
	             "clock.sleep(0.01) end\n"
	             "assert(s[1] == 10 and s[2] == 15, table.concat(s, ','))\n"
	             "assert(V:alive(), 'a caught SIGTERM must not end the victim')\n");
	assert_int_equal(kill(pid, SIGKILL), 0);
	proc_must(L, "local alive = true\n"
	             "for i = 1, 500 do alive = V:alive(); if not alive then break end; "
	             "clock.sleep(0.01) end\n"
	             "assert(not alive)\n");
}

/* The spawn path as the unprivileged user, in a forked child of the test. */
static void test_proc_run_as_unprivileged_user(void **state)
{
	char why[256];
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int status = 0;

	if (!tu_test_user(&uid, &gid, why, sizeof(why)))
		tu_skip("%s", why);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		lua_State *L = NULL;
		char chunk[512];

		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(10);
		L = harness_new_state();
		snprintf(
		        chunk, sizeof(chunk),
		        "local r = proc.run{argv={'id','-u'}, timeout=10}\n"
		        "assert(r.stdout == '%u\\n', r.stdout)\n"
		        "local v = proc.victim()\n"
		        "assert(v:alive())\n"
		        "v:kill()\n"
		        "assert(not v:alive())\n"
		        "local l = oracle.tcp_listen()\n"
		        "assert(oracle.tcp_connect('127.0.0.1', l:port()) and l:contacts() == 1)\n",
		        (unsigned)uid);
		if (!L || harness_eval(L, chunk, "=as-user", 0) != LUA_OK) {
			fprintf(stderr, "%s\n", L ? lua_tostring(L, -1) : "no state");
			_exit(11);
		}
		lua_close(L);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_proc_become_user_drops_root(void **state)
{
	pid_t pid;
	int status = 0;
	char why[256];
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		tu_skip("sys.become_user needs root");
	if (!tu_test_user(&uid, &gid, why, sizeof(why)))
		tu_skip("%s", why);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		lua_State *L = harness_new_state();
		const char *user = getenv("CORDON_TEST_USER");
		char chunk[512];

		snprintf(chunk, sizeof(chunk),
		         "local uid, gid = sys.become_user('%s', false)\n"
		         "assert(uid == %u and gid == %u, tostring(gid))\n"
		         "assert(host.getuid() == uid)\n"
		         "local r = proc.run{argv={'id','-u'}}\n"
		         "assert(r.stdout == '%u\\n')\n"
		         "local again, msg, e = sys.become_user('root')\n"
		         "assert(again == nil and e == 'EPERM', msg)\n",
		         user && *user ? user : "cordon-test", (unsigned)uid, (unsigned)gid,
		         (unsigned)uid);
		if (!L || harness_eval(L, chunk, "=become", 0) != LUA_OK) {
			fprintf(stderr, "%s\n", L ? lua_tostring(L, -1) : "no state");
			_exit(11);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, proc_setup, proc_teardown)
	        T(test_proc_run_status_and_output),
	        T(test_proc_run_signal),
	        T(test_proc_run_stdin_and_large_output),
	        T(test_proc_run_env_and_cwd),
	        T(test_proc_run_failures),
	        T(test_proc_run_timeout_kills_group),
	        T(test_proc_run_closes_fds),
	        T(test_proc_start_wait_and_wait_any),
	        T(test_proc_close_kills_and_reaps),
	        T(test_proc_pty_is_controlling_terminal),
	        T(test_proc_victim_records_signals),
	        T(test_proc_run_as_unprivileged_user),
	        T(test_proc_become_user_drops_root),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
