-- Helpers the adapters share: finding a peer's executable, asking its version, the paths a
-- policy protects or hides on this tree.
local policy = require("harness.policy")

local M = {}

-- PATH first, then the npm peers installed into <source>/.peers (README, "peers").
function M.find(name)
	local p = host.which(name)
	if p then return p end
	local local_bin = sys.paths().source .. "/.peers/node_modules/.bin/" .. name
	if fs.exists(local_bin) then return local_bin end
	return nil
end

-- The first line of `path ARGS...` (stdout, else stderr), or nil.
function M.version(path, args)
	local argv = { path }
	for _, a in ipairs(args or { "--version" }) do argv[#argv + 1] = a end
	local r = proc.run({ argv = argv, timeout = 20 })
	if not r or r.status ~= 0 then return nil end
	local text = (r.stdout ~= "" and r.stdout) or r.stderr or ""
	return text:match("^%s*([^\n]+)")
end

function M.set(list)
	local s = {}
	for _, x in ipairs(list) do s[x] = true end
	return s
end

-- Protected paths of a bound policy: the fixed names in every writable root, then --protect.
-- Only those that exist when exists_only (a bind mount needs something to bind).
function M.protected_paths(pol, exists_only)
	local out = {}
	if pol.settings.profile == "full-access" then return out end
	for _, root in ipairs(pol:roots()) do
		for _, name in ipairs(policy.PROTECTED_NAMES) do
			local p = root .. "/" .. name
			if not exists_only or fs.exists(p) then out[#out + 1] = p end
		end
	end
	for _, p in ipairs(pol.settings.protect) do
		if not exists_only or fs.exists(p) then out[#out + 1] = p end
	end
	return out
end

-- deny-read paths: the policy's own plus cordon's defaults under $HOME, existing ones only
-- when exists_only.
function M.denied_paths(pol, exists_only)
	local out = {}
	local function add(p)
		if not exists_only or fs.exists(p) then out[#out + 1] = p end
	end
	for _, p in ipairs(pol.settings["deny-read"]) do add(p) end
	if pol.home then
		for _, rel in ipairs(policy.DEFAULT_DENY_READ) do add(pol.home .. "/" .. rel) end
	end
	return out
end

-- The features a policy uses that the adapter cannot express, as a list (empty: fine).
function M.missing(adapter, pol)
	local miss = {}
	for _, f in ipairs(pol:features()) do
		if not adapter.features[f] then miss[#miss + 1] = f end
	end
	return miss
end

function M.append(list, ...)
	for _, x in ipairs({ ... }) do list[#list + 1] = x end
	return list
end

return M
