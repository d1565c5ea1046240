-- cordon itself: `cordon run --workspace WS [--writable ...] [--protect ...] [--deny-read ...]
-- [--profile P] [--network on] [--session S] [--timeout N] [--memory ...] --` (issue 2).
local util = require("adapters.util")

local M = { name = "cordon", unsupported = {} }

M.features = util.set({ "read-only", "full-access", "writable", "protect", "protect-absent",
	"deny-read", "network-on", "session", "timeout", "memory", "pids", "cpu", "file-size",
	"open-files", "env-keep", "env-filter", "keep-fd", "pid-namespace", "tiocsti",
	"default-deny-read" })

function M.path()
	return sys.paths().cordon
end

function M.detect()
	local path = M.path()
	if not path or not fs.exists(path) then
		return { installed = false, path = path,
			why_missing = "not built: cmake --build build --target cordon" }
	end
	local v = util.version(path) or "unknown"
	return { installed = true, path = path, version = v:match("([%d][%w.%-]*)") or v,
		command = "cordon run --workspace WS ... --" }
end

-- cordon keeps a session's /tmp and /dev/shm under $XDG_RUNTIME_DIR/cordon/sessions/NAME: point
-- it into the canary tree, so the sessions a scenario makes go away with the tree.
function M.env(pol, tree)
	local dir = tree.root .. "/xdg-runtime"
	fs.mkdir(dir, tonumber("700", 8))
	return { XDG_RUNTIME_DIR = dir }
end

local LIMITS = { "timeout", "memory", "pids", "cpu", "file-size", "open-files" }

function M.prefix(pol, tree)
	local s = pol.settings
	local argv = { M.path(), "run", "--workspace", s.workspace }
	for _, w in ipairs(s.writable) do util.append(argv, "--writable", w) end
	if s.profile and s.profile ~= "workspace-write" then util.append(argv, "--profile", s.profile) end
	for _, p in ipairs(s.protect) do util.append(argv, "--protect", p) end
	for _, p in ipairs(s["deny-read"]) do util.append(argv, "--deny-read", p) end
	if s.network == "on" then util.append(argv, "--network", "on") end
	if s.session then util.append(argv, "--session", s.session) end
	for _, k in ipairs(LIMITS) do
		if s[k] then util.append(argv, "--" .. k, tostring(s[k])) end
	end
	for _, name in ipairs(s["env-keep"]) do util.append(argv, "--env-keep", name) end
	for _, fd in ipairs(s["keep-fd"]) do util.append(argv, "--keep-fd", tostring(fd)) end
	argv[#argv + 1] = "--"
	return argv
end

return M
