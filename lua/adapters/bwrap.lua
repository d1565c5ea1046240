-- bubblewrap (Debian package bubblewrap): a read-only view of / with the writable roots bound
-- read-write, protected paths bound read-only over them, deny-read paths covered, and every
-- namespace unshared (the network one too unless the policy turns the network on).
local util = require("adapters.util")

local M = { name = "bwrap" }

-- bwrap binds only what exists, so a protected path that does not exist yet (mkdir .git) is
-- beyond it; it has no sessions, no limits and no environment filter.
M.features = util.set({ "read-only", "full-access", "writable", "protect", "deny-read",
	"network-on", "pid-namespace", "tiocsti", "default-deny-read" })
M.unsupported = { "protect-absent", "session", "timeout", "memory", "pids", "cpu", "file-size",
	"open-files", "env-filter", "env-keep", "keep-fd" }

function M.detect()
	local path = util.find("bwrap")
	if not path then
		return { installed = false, why_missing = "not installed: apt-get install bubblewrap" }
	end
	local v = util.version(path) or "unknown"
	return { installed = true, path = path, version = v:match("([%d][%w.%-]*)") or v,
		command = "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --bind WS WS ... --unshare-all --die-with-parent --new-session --" }
end

function M.prefix(pol, tree)
	local s = pol.settings
	local argv = { util.find("bwrap") or "bwrap" }
	if s.profile == "full-access" then
		util.append(argv, "--bind", "/", "/")
	else
		util.append(argv, "--ro-bind", "/", "/")
	end
	util.append(argv, "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp")
	if s.profile ~= "read-only" then
		for _, root in ipairs(pol:roots()) do util.append(argv, "--bind", root, root) end
	end
	for _, p in ipairs(util.protected_paths(pol, true)) do util.append(argv, "--ro-bind", p, p) end
	for _, p in ipairs(util.denied_paths(pol, true)) do
		local st = fs.stat(p, true)
		if st and st.type == "dir" then
			util.append(argv, "--tmpfs", p)
		else
			util.append(argv, "--ro-bind", "/dev/null", p)
		end
	end
	util.append(argv, "--unshare-all")
	if s.network == "on" then util.append(argv, "--share-net") end
	util.append(argv, "--die-with-parent", "--new-session", "--")
	return argv
end

return M
