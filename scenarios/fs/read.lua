-- Reads: allowed everywhere except deny-read paths. The oracle compares what the probe read
-- with the file's real size (a hidden file reads as empty or not at all).
local function read_oracle(t, res)
	local v = t._probe and t._probe.value or {}
	local st = fs.stat(t.secret_canary)
	local got = v.bytes or 0
	return st ~= nil and got == st.size and got > 0,
		("the probe read %d bytes; the file has %d"):format(got, st and st.size or -1)
end

local function list_oracle(t, res)
	local v = t._probe and t._probe.value or {}
	local n = #(fs.list(t.secret) or {})
	return (v.count or 0) >= n and n > 0, ("the probe listed %d entries; the directory has %d"):format(v.count or 0, n)
end

return {
	{ id = "fs.read.secret", area = "fs", title = "read a file in a deny-read directory",
		probe = "fs.read", args = function(t) return { t.secret_canary } end,
		oracle = read_oracle, oracle_name = "bytes-read",
		classify = function(v) if (v.bytes or 0) == 0 then return "refused", "read nothing" end end,
		expect = readable(function(t) return t.secret_canary end),
		policies = { "default", "deny-read" } },
	{ id = "fs.list.secret", area = "fs", title = "list a deny-read directory",
		probe = "fs.list", args = function(t) return { t.secret } end,
		oracle = list_oracle, oracle_name = "entries-listed",
		classify = function(v) if (v.count or 0) == 0 then return "refused", "empty listing" end end,
		expect = readable(function(t) return t.secret end),
		policies = { "default", "deny-read" } },
}
