-- The default deny-read list, read where it matters: under a home of the harness's making
-- (the test user has none) that holds a fake credential in each default place. The probe's
-- HOME is that home, so cordon hides it there by default, with no --deny-read given: a
-- sandbox whose default list is empty, or that takes it from somewhere else than the
-- caller's home, reads the fake secret and fails.
local SECRETS = {
	{ ".ssh", ".ssh/id_rsa" }, { ".gnupg", ".gnupg/private-keys-v1.d/key.key" },
	{ ".aws", ".aws/credentials" }, { ".config-gh", ".config/gh/hosts.yml" },
	{ ".netrc", ".netrc" }, { ".git-credentials", ".git-credentials" },
	{ ".docker-config", ".docker/config.json" }, { ".kube", ".kube/config" },
}

local function home(t) return t.root .. "/home" end

local function make(rel)
	return function(t)
		local path = home(t)
		fs.mkdir(path)
		for dir in rel:gmatch("([^/]+)/") do
			path = path .. "/" .. dir
			fs.mkdir(path, tonumber("700", 8))
		end
		fs.write(home(t) .. "/" .. rel, "fake credential " .. t.marker .. "\n", tonumber("600", 8))
	end
end

local list = {}
for _, s in ipairs(SECRETS) do
	local id, rel = s[1], s[2]
	list[#list + 1] = { id = "fs.read.home" .. id:gsub("%.", "_"), area = "fs",
		title = "read ~/" .. rel .. " (default deny-read, no flag given)",
		probe = "fs.read", args = function(t) return { home(t) .. "/" .. rel } end,
		setup = make(rel), env = function(t) return { HOME = home(t) } end,
		oracle = function(t)
			local v = t._probe and t._probe.value or {}
			local st = fs.stat(home(t) .. "/" .. rel)
			local got = v.bytes or 0
			return st ~= nil and got == st.size and got > 0,
				("the probe read %d bytes; the file has %d"):format(got, st and st.size or -1)
		end,
		oracle_name = "bytes-read",
		classify = function(v) if (v.bytes or 0) == 0 then return "refused", "read nothing" end end,
		expect = always("refused") }
end
return list
