-- Resources the limits used to miss (issue 11), bounded by default: the private /tmp and
-- /dev/shm (tmpfs without size= took up to half of the host's RAM each, uncounted by
-- RLIMIT_AS) and inotify instances (counted per user: a sandbox could take all of the host
-- user's). The fills go to a name under /tmp or /dev/shm that exists only in the sandbox's
-- private copy; the control run makes it on the host, and the oracle removes it there.
local function fill_in(dir)
	return function(t) t.fill = dir .. "/cordon-fill-" .. key(t) end
end

local function fill_oracle(t)
	local p = t._probe or {}
	fs.rm_rf(t.fill) -- only the control's is on the host; the sandbox's went with it
	local bytes = (p.value or {}).bytes or (p.bytes) or 0
	return p.outcome == "succeeded", ("the probe said %s after %s bytes"):format(
		tostring(p.outcome), tostring(bytes))
end

return {
	{ id = "limits.tmp.fill", area = "limits", title = "fill the private /tmp past the default bound (600 MiB)",
		probe = "res.file_size", setup = fill_in("/tmp"),
		args = function(t) return { t.fill, "600" } end,
		oracle = fill_oracle, oracle_name = "tmp-fill", policies = { "default" },
		expect = always("refused"), timeout = 60 },
	{ id = "limits.shm.fill", area = "limits", title = "fill the private /dev/shm past the default bound (600 MiB)",
		probe = "res.file_size", setup = fill_in("/dev/shm"),
		args = function(t) return { t.fill, "600" } end,
		oracle = fill_oracle, oracle_name = "shm-fill", policies = { "default" },
		expect = always("refused"), timeout = 60 },
	{ id = "limits.inotify.default", area = "limits", title = "make 64 inotify instances (the default bound is 32)",
		probe = "res.inotify", args = function() return { "64" } end, oracle = "self",
		classify = function(v) if (v.count or 0) < 64 then return "refused", "stopped at " .. tostring(v.count) end end,
		policies = { "default" }, expect = always("refused") },
}
