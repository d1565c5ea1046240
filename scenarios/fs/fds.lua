-- Inherited descriptors (runc's CVE-2024-21626 leaked one into the container): a directory
-- opened by the harness and kept open into the sandbox (cordon: --keep-fd N) resolves openat
-- in the mount namespace it was opened in, past the sandbox's read-only binds and hiding
-- mounts (issue 18). It must be no way to write outside the roots, to write a protected name
-- inside them, or to read a deny-read path. cordon refuses to pass a directory at all (exit
-- 125 naming the descriptor: refused_start), in every profile: deny-read still holds under
-- full-access. A descriptor the caller holds and did not pass with --keep-fd must not reach
-- the command at all.
local function read_oracle(t, res)
	local v = t._probe and t._probe.value or {}
	local st = fs.stat(t.secret_canary)
	local got = v.bytes or 0
	return st ~= nil and got == st.size and got > 0,
		("the probe read %d bytes; the file has %d"):format(got, st and st.size or -1)
end

local KEPT_DIR_REFUSED = "%-%-keep%-fd %d+: a directory"

return {
	{ id = "fs.openat_fd.outside", area = "fs",
		title = "create a file through a kept directory descriptor outside the roots",
		probe = "fs.openat_fd",
		keep_dir = function(t) return t.outside end,
		args = function(t) return { tostring(t._kept_fd), "via-fd.txt" } end,
		watch = function(t) return { t.outside .. "/via-fd.txt" } end,
		expect = writable(function(t) return t.outside .. "/via-fd.txt" end),
		oracle = "files", needs = { "keep-fd" }, refused_start = KEPT_DIR_REFUSED,
		policies = { "default" } },
	{ id = "fs.read_fd.leaked", area = "fs",
		title = "read a secret through a descriptor the caller held but did not keep",
		probe = "fs.read_fd",
		leak_file = function(t) return t.secret_canary end,
		args = function(t) return { tostring(t._leaked_fd) } end,
		oracle = function(t)
			local v = t._probe and t._probe.value or {}
			local st = fs.stat(t.secret_canary)
			local got = v.bytes or 0
			return st ~= nil and got == st.size and got > 0,
				("the probe read %d bytes through the descriptor; the file has %d"):format(got, st and st.size or -1)
		end,
		oracle_name = "bytes-read",
		expect = always("refused") },
	{ id = "fs.keep_fd_dir_escape.git_config", area = "fs",
		title = "append to the workspace's .git/config through a kept workspace descriptor",
		probe = "fs.keep_fd_dir_escape",
		keep_dir = function(t) return t.workspace end,
		args = function(t) return { tostring(t._kept_fd), ".git/config", "append" } end,
		watch = function(t) return { t.git_config } end,
		expect = writable(function(t) return t.git_config end),
		oracle = "files", needs = { "keep-fd" }, refused_start = KEPT_DIR_REFUSED,
		policies = { "default" } },
	{ id = "fs.keep_fd_dir_escape.secret", area = "fs",
		title = "read a deny-read file through a kept directory descriptor (a kept $HOME)",
		probe = "fs.keep_fd_dir_escape",
		keep_dir = function(t) return t.secret end,
		args = function(t) return { tostring(t._kept_fd), "canary.txt" } end,
		oracle = read_oracle, oracle_name = "bytes-read", refused_start = KEPT_DIR_REFUSED,
		expect = readable(function(t) return t.secret_canary end),
		needs = { "keep-fd" }, policies = { "deny-read" } },
	-- truncate(2) by path through a kept read-only file (/proc/self/fd/N): the path is the
	-- caller's mount, where the sandbox's read-only mounts do not apply, and Landlock refuses it
	-- only from ABI 3 (Linux 6.2). Where truncate rights are missing cordon refuses this plan;
	-- with --best-effort this check fails: what is weaker there (issue 19).
	{ id = "fs.truncate_fd.outside", area = "fs",
		title = "truncate a file outside through a kept read-only descriptor of it",
		probe = "fs.truncate",
		keep_file = function(t) return t.out_canary end,
		args = function(t) return { "/proc/self/fd/" .. tostring(t._kept_fd) } end,
		watch = function(t) return { t.out_canary } end,
		expect = writable(function(t) return t.out_canary end),
		oracle = "files", needs = { "keep-fd" },
		policies = { "default", "full-access" } },
}
