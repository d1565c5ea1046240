-- The Codex CLI's sandbox (npm @openai/codex): `codex sandbox -P :workspace -C WS -- CMD`.
-- Checked against codex-cli 0.169: the built-in permission profiles are :read-only,
-- :workspace and :danger-full-access; it has no flag for extra writable roots, extra
-- protected or hidden paths, sessions or limits, so those are not-applicable.
local util = require("adapters.util")

local M = { name = "codex" }

M.features = util.set({ "read-only", "full-access" })
M.unsupported = { "writable", "protect", "protect-absent", "deny-read", "default-deny-read",
	"network-on", "session", "timeout", "memory", "pids", "cpu", "file-size", "open-files",
	"env-filter", "env-keep", "keep-fd" }

local PROFILES = { ["read-only"] = ":read-only", ["workspace-write"] = ":workspace",
	["full-access"] = ":danger-full-access" }

function M.detect()
	local path = util.find("codex")
	if not path then
		return { installed = false,
			why_missing = "not installed: npm install --prefix .peers @openai/codex" }
	end
	local v = util.version(path) or "unknown"
	return { installed = true, path = path, version = v:match("([%d][%w.%-]*)") or v,
		command = "codex sandbox -P :workspace -C WS --" }
end

-- codex reads its configuration from CODEX_HOME (default ~/.codex): give it a private one in
-- the canary tree so a run never depends on (or writes to) the user's own.
function M.env(pol, tree)
	local home = tree.root .. "/codex-home"
	fs.mkdir(home)
	return { CODEX_HOME = home }
end

function M.prefix(pol, tree)
	local s = pol.settings
	return { util.find("codex") or "codex", "sandbox", "-P", PROFILES[s.profile] or ":workspace",
		"-C", s.workspace, "--" }
end

return M
