/* fs bindings of cordon-harness: temp trees, writes that never follow links, stat, lists,
 * hashing, git init, ownership, and removal of trees a probe made read-only. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "harness.h"
#include "testutil.h"

static int fs_setup(void **state)
{
	*state = harness_new_state();
	return *state ? 0 : -1;
}

static int fs_teardown(void **state)
{
	lua_close(*state);
	return 0;
}

/* Run a chunk whose Lua assert()s are the checks; a raised error fails the test. */
static void fs_must(lua_State *L, const char *chunk)
{
	if (harness_eval(L, chunk, "=test", 0) != LUA_OK) {
		print_error("%s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		fail();
	}
}

static void test_fs_tmpdir_write_read(void **state)
{
	fs_must(*state,
	        "local d = assert(fs.tmpdir('cordon-fs-test-'))\n"
	        "local st = fs.stat(d)\n"
	        "assert(st.type == 'dir' and st.mode == 448, 'tmpdir must be 0700')\n"
	        "assert(fs.write(d..'/a', 'hello', 384))\n"
	        "assert(fs.append(d..'/a', ' world'))\n"
	        "assert(fs.read(d..'/a') == 'hello world')\n"
	        "st = fs.stat(d..'/a')\n"
	        "assert(st.type == 'file' and st.size == 11 and st.mode == 384 and st.nlink == 1)\n"
	        "assert(st.uid == host.getuid() and st.mtime > 0 and st.ino > 0)\n"
	        "local v, msg, e = fs.read(d..'/missing')\n"
	        "assert(v == nil and e == 'ENOENT' and msg:find('missing'), msg)\n"
	        "assert(fs.rm_rf(d) and not fs.exists(d))\n");
}

static void test_fs_write_does_not_follow_links(void **state)
{
	fs_must(*state, "local d = fs.tmpdir()\n"
	                "assert(fs.write(d..'/target', 'original'))\n"
	                "assert(fs.symlink(d..'/target', d..'/link'))\n"
	                "local ok, msg, e = fs.write(d..'/link', 'redirected')\n"
	                "assert(ok == nil and e == 'ELOOP', tostring(e))\n"
	                "assert(fs.read(d..'/target') == 'original')\n"
	                "assert(fs.stat(d..'/link').type == 'link' and fs.stat(d..'/link', "
	                "true).type == 'file')\n"
	                "assert(fs.exists(d..'/link'))\n"
	                "fs.rm_rf(d)\n");
}

static void test_fs_mkdir_list_fifo(void **state)
{
	fs_must(*state, "local d = fs.tmpdir()\n"
	                "assert(fs.mkdir(d..'/x/y/z'))\n"
	                "assert(fs.mkdir(d..'/x/y/z'), 'existing is fine')\n"
	                "assert(fs.stat(d..'/x/y/z').type == 'dir')\n"
	                "fs.write(d..'/b', '') fs.write(d..'/a', '')\n"
	                "assert(fs.mkfifo(d..'/f') and fs.stat(d..'/f').type == 'fifo')\n"
	                "assert(table.concat(fs.list(d), ',') == 'a,b,f,x')\n"
	                "assert(fs.realpath(d..'/x/../a') == fs.realpath(d)..'/a')\n"
	                "fs.rm_rf(d)\n");
}

static void test_fs_hash(void **state)
{
	fs_must(*state, "local d = fs.tmpdir()\n"
	                "fs.write(d..'/abc', 'abc')\n"
	                "assert(fs.hash(d..'/abc') == "
	                "'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')\n"
	                "fs.write(d..'/big', string.rep('a', 1000000))\n"
	                "assert(fs.hash(d..'/big') == "
	                "'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')\n"
	                "assert(host.hash('') == "
	                "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')\n"
	                "local h, msg, e = fs.hash(d..'/none')\n"
	                "assert(h == nil and e == 'ENOENT')\n"
	                "fs.rm_rf(d)\n");
}

static void test_fs_git_init(void **state)
{
	fs_must(*state,
	        "local d = fs.tmpdir()\n"
	        "local git = assert(fs.git_init(d))\n"
	        "assert(git == d..'/.git')\n"
	        "assert(fs.read(git..'/HEAD') == 'ref: refs/heads/main\\n')\n"
	        "assert(fs.read(git..'/config'):find('repositoryformatversion = 0'))\n"
	        "for _, sub in ipairs{'objects', 'refs/heads', 'refs/tags'} do\n"
	        "  assert(fs.stat(git..'/'..sub).type == 'dir', sub)\n"
	        "end\n"
	        "if host.which('git') then\n"
	        "  local r = proc.run{argv={'git', '-C', d, 'rev-parse', '--git-dir'},\n"
	        "    env={PATH='/usr/bin:/bin', HOME=d, GIT_CONFIG_NOSYSTEM='1'}}\n"
	        "  assert(r.status == 0 and r.stdout == '.git\\n', 'git rejects it: '..r.stderr)\n"
	        "end\n"
	        "fs.rm_rf(d)\n");
}

static void test_fs_rm_rf_read_only_tree(void **state)
{
	fs_must(*state, "local d = fs.tmpdir()\n"
	                "fs.mkdir(d..'/ro/inner')\n"
	                "fs.write(d..'/ro/inner/f', 'x')\n"
	                "fs.symlink('/etc', d..'/ro/etc-link')\n"
	                "fs.chmod(d..'/ro/inner', 365) fs.chmod(d..'/ro', 365)\n"
	                "assert(fs.rm_rf(d))\n"
	                "assert(not fs.exists(d))\n"
	                "assert(fs.exists('/etc/passwd'), 'links are not followed')\n"
	                "assert(fs.rm_rf(d), 'absent is fine')\n"
	                "assert(not pcall(fs.rm_rf, '/'), 'refuses /')\n");
}

static void test_fs_chown_recursive(void **state)
{
	char why[256], chunk[512];
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		tu_skip("chown to another user needs root");
	if (!tu_test_user(&uid, &gid, why, sizeof(why)))
		tu_skip("%s", why);
	snprintf(chunk, sizeof(chunk),
	         "local d = fs.tmpdir()\n"
	         "fs.mkdir(d..'/sub') fs.write(d..'/sub/f', 'x')\n"
	         "assert(fs.chown(d, %u, %u, true))\n"
	         "assert(fs.stat(d).uid == %u and fs.stat(d..'/sub/f').uid == %u)\n"
	         "assert(fs.stat(d..'/sub/f').gid == %u)\n"
	         "fs.rm_rf(d)\n",
	         (unsigned)uid, (unsigned)gid, (unsigned)uid, (unsigned)uid, (unsigned)gid);
	fs_must(*state, chunk);
}

/* fs.open_dir gives a real directory descriptor (the keep_dir scenarios pass it into a
 * sandbox); it refuses what is not a directory, and close_fd closes it. */
static void test_fs_open_dir_gives_a_directory_fd(void **state)
{
	fs_must(*state, "local d = fs.tmpdir()\n"
	                "assert(fs.write(d..'/f', 'x'))\n"
	                "local fd = assert(fs.open_dir(d))\n"
	                "assert(math.type(fd) == 'integer' and fd > 2)\n"
	                "local st = assert(fs.stat('/proc/self/fd/'..fd, true))\n"
	                "assert(st.type == 'dir' and st.ino == fs.stat(d).ino)\n"
	                "local no, msg, e = fs.open_dir(d..'/f')\n"
	                "assert(no == nil and e == 'ENOTDIR', tostring(e))\n"
	                "assert(fs.close_fd(fd) == true)\n"
	                "assert(not fs.exists('/proc/self/fd/'..fd) or "
	                "fs.stat('/proc/self/fd/'..fd, true).ino ~= st.ino)\n"
	                "fs.rm_rf(d)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fs_setup, fs_teardown)
	        T(test_fs_tmpdir_write_read), T(test_fs_write_does_not_follow_links),
	        T(test_fs_mkdir_list_fifo),   T(test_fs_hash),
	        T(test_fs_git_init),          T(test_fs_rm_rf_read_only_tree),
	        T(test_fs_chown_recursive),   T(test_fs_open_dir_gives_a_directory_fd),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
