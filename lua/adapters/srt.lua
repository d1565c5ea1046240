-- Anthropic's sandbox-runtime (npm @anthropic-ai/sandbox-runtime): `srt --settings FILE CMD`,
-- the settings generated from the policy into the canary tree (outside the workspace).
-- Its network is an allowlist behind a proxy, never the host network unfiltered, so
-- `network on` is not-applicable; it has no sessions or limits.
local util = require("adapters.util")

local M = { name = "srt" }

M.features = util.set({ "read-only", "writable", "protect", "protect-absent", "deny-read",
	"default-deny-read" })
M.unsupported = { "full-access", "network-on", "session", "timeout", "memory", "pids", "cpu",
	"file-size", "open-files", "env-filter", "env-keep", "keep-fd" }

function M.detect()
	local path = util.find("srt")
	if not path then
		return { installed = false,
			why_missing = "not installed: npm install --prefix .peers @anthropic-ai/sandbox-runtime" }
	end
	local v = util.version(path) or "unknown"
	return { installed = true, path = path, version = v:match("([%d][%w.%-]*)") or v,
		command = "srt --settings SETTINGS.json --" }
end

function M.settings(pol)
	local s = pol.settings
	local allow = {}
	if s.profile ~= "read-only" then allow = pol:roots() end
	return {
		filesystem = {
			denyRead = json.array(util.denied_paths(pol, false)),
			allowWrite = json.array(allow),
			denyWrite = json.array(util.protected_paths(pol, false)),
		},
		network = { allowedDomains = json.array({}), deniedDomains = json.array({}) },
	}
end

function M.prefix(pol, tree)
	local file = tree.root .. "/srt-settings.json"
	fs.write(file, json.encode(M.settings(pol), true))
	return { util.find("srt") or "srt", "--settings", file, "--" }
end

return M
