-- cordon itself: `cordon run --workspace WS [--writable ...] [--protect ...] [--deny-read ...]
-- [--profile P] [--network on] [--session S] [--timeout N] [--memory ...] --` (issue 2).
local util = require("adapters.util")

local M = { name = "cordon", unsupported = {} }

-- `check --best-effort`: certify the configuration cordon runs with where this host lacks a
-- mechanism (every run gets --best-effort). An explicit choice: the report says so.
M.best_effort = false

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

-- Does cordon run here at all? A host that lacks what the default plan needs makes every run
-- exit 125 with the same message: the harness reports that once instead of once per check.
-- -> nil | the refusal (cordon's own line)
function M.preflight()
	local dir = fs.tmpdir("cordon-preflight")
	local argv = { M.path(), "run", "--workspace", dir }
	if M.best_effort then argv[#argv + 1] = "--best-effort" end
	util.append(argv, "--", "/bin/true")
	local r = proc.run({ argv = argv, cwd = dir, timeout = 60 })
	proc.run({ argv = { "rmdir", dir }, timeout = 10 })
	if r and r.status == 125 then return (r.stderr or ""):match("[^\n]+") or "exit 125" end
	return nil
end

local LIMITS = { "timeout", "memory", "pids", "cpu", "file-size", "open-files" }

function M.prefix(pol, tree)
	local s = pol.settings
	local argv = { M.path(), "run", "--workspace", s.workspace }
	if M.best_effort then argv[#argv + 1] = "--best-effort" end
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
