/* host: facts about the machine for the report's fingerprint and for deciding what is live
 * here. Every feature is asked of the running kernel (STYLE.md 6); nothing is assumed from
 * headers or versions. */
#define _GNU_SOURCE
#include "harness.h"
#include "hutil.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static void host_set_string(lua_State *L, const char *key, const char *value)
{
	lua_pushstring(L, value);
	lua_setfield(L, -2, key);
}

static void host_set_int_file(lua_State *L, const char *key, const char *path)
{
	long v;

	if (hu_read_int_file(path, &v)) {
		lua_pushinteger(L, v);
		lua_setfield(L, -2, key);
	}
}

/* PRETTY_NAME from /etc/os-release, unquoted; "unknown" without one. Stack: +1. */
static void host_push_os(lua_State *L)
{
	hu_cleanup_free char *rel = hu_read_file("/etc/os-release", 65536, NULL);
	char *p = rel ? strstr(rel, "PRETTY_NAME=") : NULL;
	size_t n;

	if (p && (p == rel || p[-1] == '\n')) {
		p += strlen("PRETTY_NAME=");
		if (*p == '"' || *p == '\'')
			p++;
		n = strcspn(p, "\"'\n");
		lua_pushlstring(L, p, n);
		return;
	}
	lua_pushliteral(L, "unknown");
}

static int host_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi > 0 ? (int)abi : 0;
}

/* Can this uid create a user namespace and map itself into it? Tried in a forked child so
 * the harness itself stays where it is. 0, or the errno of the step that failed. */
static int host_try_userns(const char **step)
{
	pid_t pid;
	int status = 0;

	*step = "fork";
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		char map[64];
		int fd, n = snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)getuid());

		if (unshare(CLONE_NEWUSER) < 0)
			_exit(errno & 0x7f);
		/* Writing the map proves the namespace is usable, not merely created (some
		 * LSM policies allow the unshare but deny everything after it). */
		fd = open("/proc/self/uid_map", O_WRONLY);
		if (fd < 0 || write(fd, map, (size_t)n) != n)
			_exit(0x80 | (errno & 0x7f));
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return EINTR;
	*step = WEXITSTATUS(status) & 0x80 ? "uid_map" : "unshare(CLONE_NEWUSER)";
	return WEXITSTATUS(status) & 0x7f;
}

/* userns and userns_why. Stack: 0. */
static void host_set_userns(lua_State *L)
{
	const char *step = NULL;
	int err = host_try_userns(&step);
	long v;

	lua_pushboolean(L, err == 0);
	lua_setfield(L, -2, "userns");
	if (err == 0)
		lua_pushliteral(L, "ok");
	else if (hu_read_int_file("/proc/sys/kernel/unprivileged_userns_clone", &v) && v == 0)
		lua_pushliteral(L, "kernel.unprivileged_userns_clone=0");
	else if (hu_read_int_file("/proc/sys/user/max_user_namespaces", &v) && v == 0)
		lua_pushliteral(L, "user.max_user_namespaces=0");
	else if (hu_read_int_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) &&
	         v == 1)
		lua_pushfstring(L, "%s: %s (kernel.apparmor_restrict_unprivileged_userns=1)", step,
		                strerror(err));
	else
		lua_pushfstring(L, "%s: %s", step, strerror(err));
	lua_setfield(L, -2, "userns_why");
}

static bool host_seccomp_action(unsigned action)
{
	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* seccomp, seccomp_notify and seccomp_mode (the harness's own: 0 none, 1 strict, 2 filter,
 * from /proc/self/status, so a report shows when the harness itself ran confined). */
static void host_set_seccomp(lua_State *L)
{
	hu_cleanup_free char *status = hu_read_file("/proc/self/status", 1 << 16, NULL);
	const char *p = status ? strstr(status, "\nSeccomp:") : NULL;

	lua_pushboolean(L, host_seccomp_action(SECCOMP_RET_KILL_PROCESS) ||
	                           prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0);
	lua_setfield(L, -2, "seccomp");
	lua_pushboolean(L, host_seccomp_action(SECCOMP_RET_USER_NOTIF));
	lua_setfield(L, -2, "seccomp_notify");
	if (p) {
		lua_pushinteger(L, strtol(p + strlen("\nSeccomp:"), NULL, 10));
		lua_setfield(L, -2, "seccomp_mode");
	}
}

static const char *host_cgroup_version(void)
{
	struct statfs fs;

	if (statfs("/sys/fs/cgroup", &fs) < 0)
		return "none";
	if ((unsigned long)fs.f_type == CGROUP2_SUPER_MAGIC)
		return "v2";
	if ((unsigned long)fs.f_type == TMPFS_MAGIC)
		return "v1"; /* v1 or hybrid: controllers mounted beneath a tmpfs */
	return "none";
}

/* host.fingerprint() -> table (see API.md) */
static int l_host_fingerprint(lua_State *L)
{
	struct utsname u;

	uname(&u);
	lua_createtable(L, 0, 18);
	host_set_string(L, "kernel", u.release);
	host_set_string(L, "kernel_version", u.version);
	host_set_string(L, "arch", u.machine);
	host_set_string(L, "hostname", u.nodename);
	host_push_os(L);
	lua_setfield(L, -2, "os");
	lua_pushinteger(L, host_landlock_abi());
	lua_setfield(L, -2, "landlock_abi");
	host_set_userns(L);
	host_set_seccomp(L);
	host_set_string(L, "cgroup", host_cgroup_version());
	host_set_int_file(L, "yama_ptrace_scope", "/proc/sys/kernel/yama/ptrace_scope");
	host_set_int_file(L, "legacy_tiocsti", "/proc/sys/dev/tty/legacy_tiocsti");
	host_set_int_file(L, "io_uring_disabled", "/proc/sys/kernel/io_uring_disabled");
	lua_pushinteger(L, getuid());
	lua_setfield(L, -2, "uid");
	lua_pushinteger(L, sysconf(_SC_NPROCESSORS_ONLN));
	lua_setfield(L, -2, "nproc");
	return 1;
}

/* host.which(name) -> path | nil */
static int l_host_which(lua_State *L)
{
	char *path = hu_search_path(luaL_checkstring(L, 1), NULL);

	if (!path)
		lua_pushnil(L);
	else
		lua_pushstring(L, path);
	free(path);
	return 1;
}

static int l_host_getuid(lua_State *L)
{
	lua_pushinteger(L, getuid());
	return 1;
}

/* host.user(name) -> {uid, gid, home, shell} | nil */
static int l_host_user(lua_State *L)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(luaL_checkstring(L, 1), &pw, buf, sizeof(buf), &res) != 0 || !res) {
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, pw.pw_uid);
	lua_setfield(L, -2, "uid");
	lua_pushinteger(L, pw.pw_gid);
	lua_setfield(L, -2, "gid");
	host_set_string(L, "home", pw.pw_dir);
	host_set_string(L, "shell", pw.pw_shell);
	return 1;
}

/* host.hash(string) -> hex SHA-256 */
static int l_host_hash(lua_State *L)
{
	size_t n;
	const char *s = luaL_checklstring(L, 1, &n);
	struct hu_sha256 h;
	char hex[65];

	hu_sha256_init(&h);
	hu_sha256_update(&h, s, n);
	hu_sha256_hex(&h, hex);
	lua_pushstring(L, hex);
	return 1;
}

int luaopen_host(lua_State *L)
{
	static const luaL_Reg fns[] = {
	        {"fingerprint", l_host_fingerprint},
	        {"which", l_host_which},
	        {"getuid", l_host_getuid},
	        {"user", l_host_user},
	        {"hash", l_host_hash},
	        {NULL, NULL},
	};

	luaL_newlib(L, fns);
	return 1;
}
