-- The sandbox starts and runs a command that does nothing: the baseline every other scenario
-- builds on (and the performance baseline of `bench`). The witness is the exit status the
-- sandbox hands back, which must be the command's own.
return {
	{ id = "core.noop.runs", area = "core", title = "the sandbox runs a command and returns its status",
		probe = "core.noop", args = function() return {} end,
		oracle = function(t, res)
			return res.status == 0, "the sandboxed command exited " .. tostring(res.status)
		end, oracle_name = "exit-status",
		expect = always("succeeded"), policies = { "default", "read-only", "network-on" } },
}
