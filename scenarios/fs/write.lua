-- Plain writes: outside the roots (refused), in the workspace (allowed unless read-only), in
-- an extra root (allowed only when the policy adds it), into protected paths (refused).
return {
	{ id = "fs.write.outside", area = "fs", title = "write a file outside the writable roots",
		probe = "fs.write", args = function(t) return { t.out_canary } end,
		expect = writable(function(t) return t.out_canary end),
		policies = { "default", "full-access" } },
	{ id = "fs.write.workspace", area = "fs", title = "write a file in the workspace",
		probe = "fs.write", args = function(t) return { t.ws_canary } end,
		expect = writable(function(t) return t.ws_canary end),
		policies = { "default", "read-only" } },
	{ id = "fs.write.extra", area = "fs", title = "write a file in an extra root",
		probe = "fs.write", args = function(t) return { t.extra_canary } end,
		expect = writable(function(t) return t.extra_canary end),
		policies = { "default", "extra-writable" } },
	{ id = "fs.write.git", area = "fs", title = "overwrite .git/config in the workspace",
		probe = "fs.write", args = function(t) return { t.git_config } end,
		expect = writable(function(t) return t.git_config end),
		policies = { "default", "full-access" } },
	{ id = "fs.write.protect", area = "fs", title = "overwrite a file the user protected",
		probe = "fs.write", args = function(t) return { t.protected } end,
		expect = writable(function(t) return t.protected end),
		policies = { "default", "protect" } },
}
