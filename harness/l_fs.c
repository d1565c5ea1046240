/* fs: the harness's own file operations (canaries, fixtures, reports), always outside any
 * sandbox. Writes never follow a symlink in the last component: a sandboxed probe must not be
 * able to redirect the harness's writes by planting a link in a canary's place. */
#define _GNU_SOURCE
#include "harness.h"
#include "hutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* fs.tmpdir([prefix="cordon-"]) -> path (mode 0700, under $TMPDIR or /tmp) */
static int l_fs_tmpdir(lua_State *L)
{
	const char *prefix = luaL_optstring(L, 1, "cordon-");
	const char *base = getenv("TMPDIR");
	char *path;

	if (strchr(prefix, '/'))
		return luaL_argerror(L, 1, "prefix must not contain '/'");
	path = (char *)lua_pushfstring(L, "%s/%sXXXXXX", base && *base ? base : "/tmp", prefix);
	if (!mkdtemp(path))
		return hu_failf(L, errno, "mkdtemp %s: %s", path, strerror(errno));
	lua_pushstring(L, path);
	return 1;
}

static bool fs_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

static int fs_put(lua_State *L, int flags, bool set_mode)
{
	const char *path = luaL_checkstring(L, 1);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	mode_t mode = (mode_t)luaL_optinteger(L, 3, 0644);
	hu_cleanup_close int fd =
	        open(path, flags | O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0)
		return hu_fail(L, errno, path);
	/* The mode asked for, not the umask's version of it. */
	if ((set_mode && fchmod(fd, mode) < 0) || !fs_write_all(fd, data, len))
		return hu_fail(L, errno, path);
	if (close(hu_steal_fd(&fd)) < 0)
		return hu_fail(L, errno, path);
	lua_pushboolean(L, 1);
	return 1;
}

/* fs.write(path, data [, mode=0644]) -> true | nil,msg,errno */
static int l_fs_write(lua_State *L)
{
	return fs_put(L, O_TRUNC, true);
}

/* fs.append(path, data) -> true | nil,msg,errno */
static int l_fs_append(lua_State *L)
{
	return fs_put(L, O_APPEND, false);
}

/* fs.read(path) -> data | nil,msg,errno */
static int l_fs_read(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	hu_cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct hu_buf *b;
	char chunk[65536];
	ssize_t n;

	if (fd < 0)
		return hu_fail(L, errno, path);
	b = hu_buf_push(L);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hu_fail(L, errno, path);
		hu_buf_addl(L, b, chunk, (size_t)n);
	}
	lua_pushlstring(L, b->p ? b->p : "", b->len);
	return 1;
}

static const char *fs_type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "link";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	case S_IFCHR:
		return "char";
	case S_IFBLK:
		return "block";
	default:
		return "unknown";
	}
}

/* fs.stat(path [, follow=false]) -> table | nil,msg,errno */
static int l_fs_stat(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct stat st;

	if ((lua_toboolean(L, 2) ? stat(path, &st) : lstat(path, &st)) < 0)
		return hu_fail(L, errno, path);
	lua_createtable(L, 0, 10);
	lua_pushstring(L, fs_type_name(st.st_mode));
	lua_setfield(L, -2, "type");
	lua_pushinteger(L, st.st_size);
	lua_setfield(L, -2, "size");
	lua_pushinteger(L, st.st_mode & 07777);
	lua_setfield(L, -2, "mode");
	lua_pushinteger(L, (lua_Integer)st.st_ino);
	lua_setfield(L, -2, "ino");
	lua_pushinteger(L, (lua_Integer)st.st_dev);
	lua_setfield(L, -2, "dev");
	lua_pushinteger(L, st.st_uid);
	lua_setfield(L, -2, "uid");
	lua_pushinteger(L, st.st_gid);
	lua_setfield(L, -2, "gid");
	lua_pushinteger(L, (lua_Integer)st.st_nlink);
	lua_setfield(L, -2, "nlink");
	lua_pushnumber(L, (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9);
	lua_setfield(L, -2, "mtime");
	return 1;
}

/* fs.exists(path) -> bool (lstat: a dangling link exists) */
static int l_fs_exists(lua_State *L)
{
	struct stat st;

	lua_pushboolean(L, lstat(luaL_checkstring(L, 1), &st) == 0);
	return 1;
}

/* fs.mkdir(path [, mode=0755]) -> true | nil,msg,errno; creates missing parents. */
static int l_fs_mkdir(lua_State *L)
{
	size_t len;
	const char *path = luaL_checklstring(L, 1, &len);
	mode_t mode = (mode_t)luaL_optinteger(L, 2, 0755);
	char *p = lua_newuserdatauv(L, len + 1, 0);

	memcpy(p, path, len + 1);
	for (char *slash = strchr(p + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return hu_fail(L, errno, p);
		if (!slash)
			break;
		*slash = '/';
	}
	lua_pushboolean(L, 1);
	return 1;
}

/* fs.symlink(target, path) -> true | nil,msg,errno */
static int l_fs_symlink(lua_State *L)
{
	const char *target = luaL_checkstring(L, 1), *path = luaL_checkstring(L, 2);

	if (symlink(target, path) < 0)
		return hu_fail(L, errno, path);
	lua_pushboolean(L, 1);
	return 1;
}

/* Directories a probe left read-only must become writable before their entries go. */
static int fs_rm_prepare(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_D || type == FTW_DNR)
		chmod(path, (st->st_mode & 07777) | S_IRWXU);
	return 0;
}

static int fs_rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	int rc = (type == FTW_DP || type == FTW_D || type == FTW_DNR) ? rmdir(path) : unlink(path);

	return rc < 0 && errno != ENOENT ? errno : 0;
}

/* fs.rm_rf(path) -> true | nil,msg,errno (absent is fine; never follows links) */
static int l_fs_rm_rf(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct stat st;
	int rc;

	if (!*path || strcmp(path, "/") == 0)
		return luaL_argerror(L, 1, "refusing to remove / or an empty path");
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? (lua_pushboolean(L, 1), 1) : hu_fail(L, errno, path);
	if (S_ISDIR(st.st_mode))
		nftw(path, fs_rm_prepare, 32, FTW_PHYS | FTW_MOUNT);
	rc = nftw(path, fs_rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (rc != 0)
		return hu_fail(L, rc > 0 ? rc : errno, path);
	lua_pushboolean(L, 1);
	return 1;
}

static int fs_cmp_names(const void *a, const void *b)
{
	return strcmp((*(struct dirent *const *)a)->d_name, (*(struct dirent *const *)b)->d_name);
}

/* fs.list(dir) -> {names} sorted, without . and .. | nil,msg,errno */
static int l_fs_list(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct dirent **names = NULL;
	int n = scandir(path, &names, NULL, NULL);
	lua_Integer k = 0;

	if (n < 0)
		return hu_fail(L, errno, path);
	qsort(names, (size_t)n, sizeof(*names), fs_cmp_names);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
			lua_pushstring(L, names[i]->d_name);
			lua_rawseti(L, -2, ++k);
		}
		free(names[i]);
	}
	free(names);
	return 1;
}

static uid_t fs_chown_uid;
static gid_t fs_chown_gid;

static int fs_chown_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return lchown(path, fs_chown_uid, fs_chown_gid) < 0 ? errno : 0;
}

/* fs.chown(path, uid, gid [, recursive]) -> true | nil,msg,errno (never follows links) */
static int l_fs_chown(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	int rc;

	fs_chown_uid = (uid_t)luaL_checkinteger(L, 2);
	fs_chown_gid = (gid_t)luaL_checkinteger(L, 3);
	if (lua_toboolean(L, 4))
		rc = nftw(path, fs_chown_entry, 32, FTW_PHYS | FTW_MOUNT);
	else
		rc = lchown(path, fs_chown_uid, fs_chown_gid) < 0 ? errno : 0;
	if (rc != 0)
		return hu_fail(L, rc > 0 ? rc : errno, path);
	lua_pushboolean(L, 1);
	return 1;
}

/* fs.chmod(path, mode) -> true | nil,msg,errno */
static int l_fs_chmod(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);

	if (chmod(path, (mode_t)luaL_checkinteger(L, 2)) < 0)
		return hu_fail(L, errno, path);
	lua_pushboolean(L, 1);
	return 1;
}

/* fs.realpath(path) -> path | nil,msg,errno */
static int l_fs_realpath(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	char buf[PATH_MAX];

	if (!realpath(path, buf))
		return hu_fail(L, errno, path);
	lua_pushstring(L, buf);
	return 1;
}

/* fs.hash(path) -> hex SHA-256 of the contents | nil,msg,errno */
static int l_fs_hash(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	hu_cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct hu_sha256 h;
	char chunk[65536], hex[65];
	ssize_t n;

	if (fd < 0)
		return hu_fail(L, errno, path);
	hu_sha256_init(&h);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hu_fail(L, errno, path);
		hu_sha256_update(&h, chunk, (size_t)n);
	}
	hu_sha256_hex(&h, hex);
	lua_pushstring(L, hex);
	return 1;
}

static int fs_git_file(lua_State *L, const char *git, const char *name, const char *data)
{
	const char *path = lua_pushfstring(L, "%s/%s", git, name);
	hu_cleanup_close int fd =
	        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	int rc = fd >= 0 && fs_write_all(fd, data, strlen(data)) ? 0 : errno;

	lua_pop(L, 1);
	return rc;
}

/* fs.git_init(dir) -> git_dir | nil,msg,errno: the smallest .git that git accepts as a
 * repository (HEAD, config, objects/, refs/), made without running git. */
static int l_fs_git_init(lua_State *L)
{
	static const char *const dirs[] = {"",      "/objects",    "/objects/info", "/objects/pack",
	                                   "/refs", "/refs/heads", "/refs/tags",    "/info"};
	const char *git = lua_pushfstring(L, "%s/.git", luaL_checkstring(L, 1));
	int rc;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		const char *d = lua_pushfstring(L, "%s%s", git, dirs[i]);

		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			return hu_fail(L, errno, d);
		lua_pop(L, 1);
	}
	rc = fs_git_file(L, git, "HEAD", "ref: refs/heads/main\n");
	if (!rc)
		rc = fs_git_file(L, git, "config",
		                 "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n"
		                 "\tbare = false\n");
	if (!rc)
		rc = fs_git_file(L, git, "description", "cordon canary repository\n");
	if (rc)
		return hu_fail(L, rc, git);
	lua_pushstring(L, git);
	return 1;
}

/* fs.mkfifo(path [, mode=0644]) -> true | nil,msg,errno */
static int l_fs_mkfifo(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);

	if (mkfifo(path, (mode_t)luaL_optinteger(L, 2, 0644)) < 0)
		return hu_fail(L, errno, path);
	lua_pushboolean(L, 1);
	return 1;
}

/* fs.open_dir(path) -> fd | nil,msg,errno: a directory descriptor the harness holds (close-on-
 * exec; proc spawn's keep_fds passes it to a child at the same number); fs.open_read(path)
 * the same for a file, read-only. Stack: +1 or +3. */
static int fs_open_fd(lua_State *L, int flags)
{
	const char *path = luaL_checkstring(L, 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags);

	if (fd < 0)
		return hu_fail(L, errno, path);
	lua_pushinteger(L, fd);
	return 1;
}

static int l_fs_open_dir(lua_State *L)
{
	return fs_open_fd(L, O_DIRECTORY);
}

static int l_fs_open_read(lua_State *L)
{
	return fs_open_fd(L, O_NOFOLLOW);
}

/* fs.open_pidfd(pid) -> fd | nil,msg,errno: a pidfd of a process the harness started (close-on-
 * exec like every pidfd; keep_fds passes it on), for checks that hand one into a sandbox.
 * Stack: +1 or +3. */
static int l_fs_open_pidfd(lua_State *L)
{
	lua_Integer pid = luaL_checkinteger(L, 1);

	luaL_argcheck(L, pid > 0 && pid <= INT_MAX, 1, "not a pid");
	long fd = syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (fd < 0)
		return hu_fail(L, errno, "pidfd_open");
	lua_pushinteger(L, fd);
	return 1;
}

/* fs.close_fd(fd): close a descriptor fs.open_dir gave. Stack: +1. */
static int l_fs_close_fd(lua_State *L)
{
	lua_Integer fd = luaL_checkinteger(L, 1);

	luaL_argcheck(L, fd > 2 && fd <= INT_MAX, 1, "not a descriptor fs.open_dir gave");
	lua_pushboolean(L, close((int)fd) == 0);
	return 1;
}

int luaopen_fs(lua_State *L)
{
	static const luaL_Reg fns[] = {
	        {"tmpdir", l_fs_tmpdir},
	        {"write", l_fs_write},
	        {"append", l_fs_append},
	        {"read", l_fs_read},
	        {"stat", l_fs_stat},
	        {"exists", l_fs_exists},
	        {"mkdir", l_fs_mkdir},
	        {"symlink", l_fs_symlink},
	        {"rm_rf", l_fs_rm_rf},
	        {"list", l_fs_list},
	        {"chown", l_fs_chown},
	        {"chmod", l_fs_chmod},
	        {"realpath", l_fs_realpath},
	        {"hash", l_fs_hash},
	        {"git_init", l_fs_git_init},
	        {"mkfifo", l_fs_mkfifo},
	        {"open_dir", l_fs_open_dir},
	        {"open_read", l_fs_open_read},
	        {"open_pidfd", l_fs_open_pidfd},
	        {"close_fd", l_fs_close_fd},
	        {NULL, NULL},
	};

	luaL_newlib(L, fns);
	return 1;
}
