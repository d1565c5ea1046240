-- firejail (Debian package firejail, setuid root): / read-only, the writable roots read-write,
-- protected paths read-only, deny-read paths blacklisted, a private /tmp, no network unless on.
--
-- On this host firejail runs the command through the user's login shell, so as a user whose
-- shell is nologin (a system user such as cordon-test) nothing runs at all; detect() tries a
-- trivial command and reports that case as not usable, with the reason.
local util = require("adapters.util")

local M = { name = "firejail" }

-- Not expressible: full-access (firejail keeps parts of the view read-only even without
-- --read-only=/), timeout (its --timeout ends the command with exit 1, like any failure, so the
-- harness could not tell a timeout from a refusal).
M.features = util.set({ "read-only", "writable", "protect", "deny-read", "network-on",
	"pid-namespace", "memory", "cpu", "file-size", "open-files", "default-deny-read" })
M.unsupported = { "full-access", "timeout", "protect-absent", "session", "pids", "env-filter",
	"env-keep", "keep-fd", "tiocsti" }

function M.detect()
	local path = util.find("firejail")
	if not path then
		return { installed = false, why_missing = "not installed: apt-get install firejail" }
	end
	local v = util.version(path) or "unknown"
	local version = v:match("([%d][%w.%-]*)") or v
	local r = proc.run({ argv = { path, "--quiet", "--noprofile", "--", "/bin/true" }, timeout = 30 })
	if not r or r.status ~= 0 then
		local why = r and (r.stderr:match("[^\n]+") or r.stdout:match("[^\n]+")) or "did not start"
		return { installed = false, path = path, version = version,
			why_missing = "installed but cannot run as uid " .. host.getuid() .. ": " .. why ..
				" (firejail runs commands through the user's login shell)" }
	end
	return { installed = true, path = path, version = version,
		command = "firejail --quiet --noprofile --read-only=/ --read-write=WS --read-only=WS/.git --private-tmp --blacklist=DENIED [--net=none] --" }
end

-- firejail takes sizes with a lower-case k, m or g suffix only.
local function size(v)
	return tostring(v):lower():gsub("([kmg])i?b?$", "%1")
end

function M.prefix(pol, tree)
	local s = pol.settings
	-- --keep-var-tmp: firejail otherwise mounts an empty tmpfs on /var/tmp, where the canary
	-- trees live (they are outside /tmp on purpose); the command would not see them at all.
	local argv = { util.find("firejail") or "firejail", "--quiet", "--noprofile", "--keep-var-tmp" }
	argv[#argv + 1] = "--read-only=/"
	if s.profile ~= "read-only" then
		for _, root in ipairs(pol:roots()) do argv[#argv + 1] = "--read-write=" .. root end
	end
	for _, p in ipairs(util.protected_paths(pol, true)) do argv[#argv + 1] = "--read-only=" .. p end
	for _, p in ipairs(util.denied_paths(pol, true)) do argv[#argv + 1] = "--blacklist=" .. p end
	argv[#argv + 1] = "--private-tmp"
	if s.network ~= "on" then argv[#argv + 1] = "--net=none" end
	if s.memory then argv[#argv + 1] = "--rlimit-as=" .. size(s.memory) end
	if s.cpu then argv[#argv + 1] = "--rlimit-cpu=" .. tostring(s.cpu) end
	if s["file-size"] then argv[#argv + 1] = "--rlimit-fsize=" .. size(s["file-size"]) end
	if s["open-files"] then argv[#argv + 1] = "--rlimit-nofile=" .. tostring(s["open-files"]) end
	argv[#argv + 1] = "--"
	return argv
end

return M
