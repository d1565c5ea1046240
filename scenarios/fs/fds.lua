-- Inherited descriptors (runc's CVE-2024-21626 leaked one into the container): a directory
-- outside the writable roots, opened by the harness and kept open into the sandbox
-- (cordon: --keep-fd N), must not be a way to write there. Landlock applies to the
-- descriptor, not only to paths resolved inside the sandbox.
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
	-- truncate(2) by path through the kept descriptor (/proc/self/fd/N/NAME): the sandbox's
	-- read-only mounts do not apply (the descriptor is on the caller's), and Landlock refuses
	-- it only from ABI 3 (Linux 6.2). Where truncate rights are missing cordon refuses this
	-- plan; with --best-effort this check fails: what is weaker there (issue 19).
	{ id = "fs.truncate_fd.outside", area = "fs",
		title = "truncate a file outside through a kept directory descriptor",
		probe = "fs.truncate",
		keep_dir = function(t) return t.outside end,
		args = function(t) return { "/proc/self/fd/" .. tostring(t._kept_fd) .. "/canary.txt" } end,
		watch = function(t) return { t.out_canary } end,
		expect = writable(function(t) return t.out_canary end),
		oracle = "files", needs = { "keep-fd" },
		policies = { "default", "full-access" } },
}
