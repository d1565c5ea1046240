-- The sandbox's own pid 1 (issue 11). cordon's init is a copy of cordon: its environment
-- strings were the caller's, unfiltered (the secrets the filter drops for the command), and
-- its argument strings cordon's whole command line. It must stay unreadable from inside: not
-- dumpable (environ, mem, fd need ptrace access) and with those strings cleared (cmdline needs
-- none). The marker is in cordon's own environment, the workspace path in its command line.
-- Unconfined, pid 1 is the host's init, which the control cannot read either: these checks
-- are not-live there; what they guard is the sandbox's init.
local function found_or_refused(v)
	if v.found ~= true then return "refused", "marker not found" end
end

return {
	{ id = "proc.init.environ", area = "proc", title = "read the environment of the sandbox's init (/proc/1/environ)",
		probe = "proc.environ", args = function(t) return { "1", t.marker } end, oracle = "self",
		classify = found_or_refused, expect = always("refused") },
	{ id = "proc.init.cmdline", area = "proc", title = "read cordon's command line in the sandbox's init (/proc/1/cmdline)",
		probe = "proc.cmdline", args = function(t) return { "1", t.workspace } end, oracle = "self",
		classify = found_or_refused, expect = always("refused") },
	{ id = "proc.init.mem", area = "proc", title = "open the memory of the sandbox's init (/proc/1/mem)",
		probe = "proc.mem", args = function() return { "1" } end, oracle = "self",
		expect = always("refused") },
	{ id = "proc.init.fd", area = "proc", title = "reopen a descriptor of the sandbox's init (/proc/1/fd/N)",
		probe = "proc.fd", args = function() return { "1" } end, oracle = "self",
		expect = always("refused") },
}
