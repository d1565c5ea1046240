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
}
