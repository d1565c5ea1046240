-- The process tree: a grandchild in a new session is confined like its grandparent; a
-- double-forked daemon that ignores SIGTERM does not outlive the sandbox, neither when the
-- command exits nor when the sandbox's supervisor is killed with SIGKILL. The oracle looks for
-- any process still carrying the run's marker (environment or command line).
local function pidfile(t) return t.workspace .. "/daemon-" .. key(t) end

return {
	{ id = "proc.grandchild.write", area = "proc", title = "a grandchild in a new session writes outside",
		probe = "proc.grandchild",
		args = function(t) return { probe_path("fs.write"), t.out_canary } end,
		watch = function(t) return { t.out_canary } end,
		expect = writable(function(t) return t.out_canary end) },
	{ id = "proc.grandchild.git", area = "proc", title = "a grandchild in a new session writes .git/config",
		probe = "proc.grandchild",
		args = function(t) return { probe_path("fs.write"), t.git_config } end,
		watch = function(t) return { t.git_config } end,
		expect = writable(function(t) return t.git_config end) },
	{ id = "proc.daemon.outlives", area = "proc", title = "a double-forked daemon outlives the sandbox",
		probe = "proc.daemon", args = function(t) return { pidfile(t), "4" } end,
		oracle = "marker", verdict = "oracle", expect = always("refused"), serial = true },
	{ id = "proc.daemon.supervisor_killed", area = "proc",
		title = "SIGKILL to the sandbox's supervisor leaves no daemon behind",
		probe = "proc.daemon", args = function(t) return { pidfile(t), "4" } end,
		background = true, settle = 0.7,
		during = function(t) t._handle:kill(9) end,
		oracle = "marker", verdict = "oracle", expect = always("refused"), serial = true },
}
