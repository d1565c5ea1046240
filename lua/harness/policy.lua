-- The policy under test: cordon's settings as a value, the questions scenarios ask of it
-- (is this path writable? protected? readable? is the network on?), and a canonical text whose
-- hash names the configuration in the report.
--
-- Settings use the keys of cordon's policy file (its flag names without dashes). Paths that
-- belong to the canary tree are kept symbolic ("<workspace>", "<extra>", "<secret>", ...) until
-- the policy is bound to one tree with bind(): so the canonical text, and its hash, is the same
-- on every run and every host.
--
-- `check --policy FILE`: the file's workspace and writable roots are REPLACED by the harness's
-- own canary directories (the harness never writes into real directories): `workspace` becomes
-- <workspace>, every `writable` root becomes <extra>, and a protect/deny-read path that lay
-- beneath the file's workspace or a writable root is rebased onto the canary directory in the
-- same place. Every other setting (profile, network, limits, other protect/deny-read paths,
-- env-keep) is kept as written.
local M = {}

local LISTS = { writable = true, protect = true, ["deny-read"] = true, ["env-keep"] = true,
	["keep-fd"] = true }
local KEYS = { "profile", "workspace", "writable", "protect", "deny-read", "network", "session",
	"timeout", "memory", "pids", "cpu", "file-size", "open-files", "env-keep", "keep-fd",
	"best-effort" }
local KNOWN = {}
for _, k in ipairs(KEYS) do KNOWN[k] = true end

-- Every writable root protects these (ARCHITECTURE.md, "protected paths").
M.PROTECTED_NAMES = { ".git", ".cordon", ".codex", ".agents" }
-- cordon's default deny-read set, relative to $HOME.
M.DEFAULT_DENY_READ = { ".ssh", ".gnupg", ".aws", ".config/gh", ".netrc", ".git-credentials",
	".docker/config.json", ".kube" }

local function copy(v)
	if type(v) ~= "table" then return v end
	local c = {}
	for k, x in pairs(v) do c[k] = copy(x) end
	return c
end

function M.default_settings()
	return { profile = "workspace-write", workspace = "<workspace>", writable = {}, protect = {},
		["deny-read"] = {}, network = "off", ["env-keep"] = {}, ["keep-fd"] = {} }
end

local function trim(s)
	return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- `#` starts a comment at the start of a line or after a blank (as in cordon's parser).
local function strip_comment(line)
	if line:sub(1, 1) == "#" then return "" end
	local at = line:find("%s#")
	return at and line:sub(1, at) or line
end

-- Parse a cordon policy file's text into settings. nil, "line N: message" on bad input.
function M.parse(text)
	local s = M.default_settings()
	s.workspace = nil
	local n = 0
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		n = n + 1
		line = trim(strip_comment(line))
		if line ~= "" then
			local key, value = line:match("^([^=]-)%s*=%s*(.*)$")
			if not key then return nil, ("line %d: expected 'key = value', got '%s'"):format(n, line) end
			key = trim(key)
			if not KNOWN[key] then return nil, ("line %d: unknown key '%s'"):format(n, key) end
			if value == "" then return nil, ("line %d: %s: missing value"):format(n, key) end
			if LISTS[key] then
				table.insert(s[key], value)
			else
				s[key] = value
			end
		end
	end
	return s
end

local function under(path, root)
	if not root or not path then return false end
	if root == "/" then return path:sub(1, 1) == "/" end
	return path == root or path:sub(1, #root + 1) == root .. "/"
end
M.under = under

-- Map a path of the file's world onto the canary tree (see the header).
local function rebase(path, file_ws, file_roots)
	if file_ws and under(path, file_ws) then return "<workspace>" .. path:sub(#file_ws + 1) end
	for _, r in ipairs(file_roots) do
		if under(path, r) then return "<extra>" .. path:sub(#r + 1) end
	end
	return path
end

-- Settings from a policy file's text with the canary substitution described above.
function M.from_file_text(text)
	local s, err = M.parse(text)
	if not s then return nil, err end
	local file_ws, file_roots = s.workspace, s.writable
	s.workspace = "<workspace>"
	s.writable = #file_roots > 0 and { "<extra>" } or {}
	for _, key in ipairs({ "protect", "deny-read" }) do
		for i, p in ipairs(s[key]) do s[key][i] = rebase(p, file_ws, file_roots) end
	end
	return s
end

-- A copy of settings whose lists encode as JSON arrays even when empty.
function M.for_json(settings)
	local c = copy(settings)
	for k in pairs(LISTS) do
		c[k] = json.array(c[k] or {})
	end
	return c
end

-- The canonical text: one `key = value` line per setting in a fixed order, lists in order.
function M.canonical(settings)
	local out = {}
	for _, k in ipairs(KEYS) do
		local v = settings[k]
		if LISTS[k] then
			for _, x in ipairs(v or {}) do out[#out + 1] = k .. " = " .. tostring(x) end
		elseif v ~= nil and v ~= false then
			out[#out + 1] = k .. " = " .. tostring(v)
		end
	end
	return table.concat(out, "\n") .. "\n"
end

-- Named variants a scenario may be run under: each changes a copy of the base settings.
M.VARIANTS = {
	default = function(s) return s end,
	["read-only"] = function(s) s.profile = "read-only"; return s end,
	["full-access"] = function(s) s.profile = "full-access"; return s end,
	["network-on"] = function(s) s.network = "on"; return s end,
	["extra-writable"] = function(s) table.insert(s.writable, "<extra>"); return s end,
	["deny-read"] = function(s) table.insert(s["deny-read"], "<secret>"); return s end,
	protect = function(s) table.insert(s.protect, "<workspace>/protected"); return s end,
}

-- A variant is a name from VARIANTS or a table { name = ..., <setting> = value, ... } whose
-- settings are laid over the base (e.g. { name = "timeout-1", timeout = "1" }).
function M.variant_name(v)
	return type(v) == "table" and v.name or v
end

function M.apply_variant(base, v, overlay)
	local s = copy(base)
	if type(v) == "table" then
		for k, x in pairs(v) do
			if k ~= "name" then s[k] = copy(x) end
		end
	else
		local f = M.VARIANTS[v]
		if not f then return nil, "unknown policy variant '" .. tostring(v) .. "'" end
		s = f(s)
	end
	for k, x in pairs(overlay or {}) do
		if LISTS[k] then
			for _, e in ipairs(x) do table.insert(s[k], e) end
		else
			s[k] = copy(x)
		end
	end
	return s
end

function M.is_variant(v)
	return type(v) == "table" or M.VARIANTS[v] ~= nil
end

-- ---------------------------------------------------------------------------------------
-- A policy bound to a canary tree: concrete paths, and the questions scenarios ask.
local Bound = {}
Bound.__index = Bound

local function resolve(p, tree)
	return (p:gsub("^<(%w+)>", function(name)
		return tree[name] or ("<" .. name .. ">")
	end))
end

local function resolve_home(p, home)
	if p:sub(1, 1) == "~" and home then return home .. p:sub(2) end
	return p
end

-- tree: { workspace=..., extra=..., secret=..., sessions = { A = name, ... }, home = ... }
function M.bind(settings, tree)
	local s = copy(settings)
	s.workspace = resolve(s.workspace or "<workspace>", tree)
	for _, key in ipairs({ "writable", "protect", "deny-read" }) do
		for i, p in ipairs(s[key] or {}) do s[key][i] = resolve_home(resolve(p, tree), tree.home) end
	end
	if s.session and tree.sessions then
		s.session = tree.sessions[s.session] or s.session
	end
	return setmetatable({ settings = s, home = tree.home }, Bound)
end

function Bound:roots()
	local r = { self.settings.workspace }
	for _, w in ipairs(self.settings.writable) do r[#r + 1] = w end
	return r
end

-- A protected name is protected at any depth of a writable root (a nested .git), not only
-- at its top.
local function has_protected_component(rel)
	for comp in rel:gmatch("[^/]+") do
		for _, name in ipairs(M.PROTECTED_NAMES) do
			if comp == name then return true end
		end
	end
	return false
end

function Bound:protected(path)
	for _, root in ipairs(self:roots()) do
		for _, name in ipairs(M.PROTECTED_NAMES) do
			if under(path, root .. "/" .. name) then return true end
		end
		if under(path, root) and has_protected_component(path:sub(#root + 2)) then return true end
	end
	for _, p in ipairs(self.settings.protect) do
		if under(path, p) then return true end
	end
	return false
end

-- full-access lifts every file restriction, protected paths included (as cordon's plan does).
function Bound:writable(path)
	local profile = self.settings.profile
	if profile == "full-access" then return true end
	if profile == "read-only" then return false end
	if self:protected(path) then return false end
	for _, root in ipairs(self:roots()) do
		if under(path, root) then return true end
	end
	return false
end

function Bound:denied(path)
	for _, p in ipairs(self.settings["deny-read"]) do
		if under(path, p) then return true end
	end
	if self.home then
		for _, rel in ipairs(M.DEFAULT_DENY_READ) do
			if under(path, self.home .. "/" .. rel) then return true end
		end
	end
	return false
end

function Bound:readable(path)
	return not self:denied(path)
end

function Bound:network()
	return self.settings.network == "on"
end

function Bound:limit(name)
	return self.settings[name]
end

function Bound:session()
	return self.settings.session
end

function Bound:profile()
	return self.settings.profile
end

-- Which adapter features this policy uses beyond the plain default (for not-applicable).
function Bound:features()
	local s, f = self.settings, {}
	if s.profile == "read-only" then f[#f + 1] = "read-only" end
	if s.profile == "full-access" then f[#f + 1] = "full-access" end
	if #s.writable > 0 then f[#f + 1] = "writable" end
	if #s.protect > 0 then f[#f + 1] = "protect" end
	if #s["deny-read"] > 0 then f[#f + 1] = "deny-read" end
	if s.network == "on" then f[#f + 1] = "network-on" end
	if s.session then f[#f + 1] = "session" end
	for _, k in ipairs({ "timeout", "memory", "pids", "cpu", "file-size", "open-files" }) do
		if s[k] then f[#f + 1] = k end
	end
	if #s["env-keep"] > 0 then f[#f + 1] = "env-keep" end
	return f
end

return M
