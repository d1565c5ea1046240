-- Inherited descriptors (runc's CVE-2024-21626 leaked one into the container): a directory
-- outside the writable roots, opened by the harness and kept open into the sandbox
-- (cordon: --keep-fd N), must not be a way to write there. Landlock applies to the
-- descriptor, not only to paths resolved inside the sandbox. A descriptor the caller holds
-- and did not pass with --keep-fd must not reach the command at all.
return {
	{ id = "fs.openat_fd.outside", area = "fs",
		title = "create a file through a kept directory descriptor outside the roots",
		probe = "fs.openat_fd",
		keep_dir = function(t) return t.outside end,
		args = function(t) return { tostring(t._kept_fd), "via-fd.txt" } end,
		watch = function(t) return { t.outside .. "/via-fd.txt" } end,
		expect = writable(function(t) return t.outside .. "/via-fd.txt" end),
		oracle = "files", needs = { "keep-fd" },
		policies = { "default", "full-access" } },
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
}
