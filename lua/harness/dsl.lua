-- The scenario DSL: loading scenario files into their own environment, checking their shape,
-- the helpers they may use, and the shared oracles that witness side effects from outside.
--
-- A scenario file returns one scenario table or a list of them:
--   id, area, title          unique id, its area (the folder), one line for the report
--   probe                    probe name ("fs.write"); built as <probes>/fs_write
--   args(t) -> {strings}     the probe's arguments, built from the canary tree t
--   expect(pol, t)           "refused" | "succeeded", asked of the bound policy pol
--   oracle                   a name from ORACLES, or function(t, res) -> happened, evidence
--   watch(t) -> {paths}      for the "files" oracle (default: the args inside the tree)
--   setup(t)                 makes listeners, victims, files; stores them in t
--   policies                 variants it runs under (policy.VARIANTS names or tables)
--   settings                 settings laid over every variant (e.g. { session = "A" })
--   needs                    adapter features it needs beyond what the policy uses
--   keep_dir(t) / keep_pidfd(t)  a directory (path) / a process (pid) outside whose descriptor
--                            the runner opens and passes in (t._kept_fd; cordon: --keep-fd N)
--   before(t) -> {steps}     runs made first under the same sandbox: { probe, args, settings,
--                            background = true (left running until the end) }
--   after(t) -> {steps}      runs made afterwards to undo what steps made outside the tree
--   pty = true               the probe's stdin and controlling tty is t.pty (made by setup)
--   background, settle       start the probe, wait `settle` s, call during(t), then wait
--   during(t)                observations made while a background probe runs (t._handle is
--                            the sandbox's handle: during may kill it)
--   env(t) -> table          extra environment for the probe
--   classify(value, t, p)    -> outcome[, why]: reinterpret a probe line (an empty listing of a
--                            hidden directory is a refusal)
--   verdict = "oracle"       the oracle alone decides the outcome (UDP sends, daemons)
--   timeout, serial          seconds for the probe (default 20); run alone (limits, timing)
--   refused_start            a Lua pattern: the sandbox refusing to start (exit 125) with a
--                            first stderr line matching it counts as refused, not an error
--   oracle_name              the name a custom oracle function is reported under
--   keep_file(t) -> path     the harness opens it read-only and passes it with --keep-fd
--                            (t._kept_fd), as keep_dir does for a directory
--   leak_file(t) -> path     the harness opens it read-only and the probe inherits the
--                            descriptor (t._leaked_fd) without --keep-fd: it must be closed
--   control = "capable"      the control run holds capabilities in namespaces of the
--                            harness's own (adapters/capable.lua) instead of running as a
--                            plain user, for attempts the host refuses to a plain user
-- Every function runs through sys.budget in the file's own _ENV (see new_env), which also holds
-- the helpers below: always(o), writable(pathfn), readable(pathfn), network() (expectations
-- asked of the policy), free_port(), probe_path(name), key(t) (a number unique to the run).
--
-- The tree t: root, workspace, git, git_config, ws_canary, protected, outside, out_canary,
-- extra, extra_canary, secret, secret_canary, marker (in every probe's environment), home, uid,
-- holder_pid (a background before-step's process); setup may add listener(s), victim, pty, ...
local policy = require("harness.policy")

local M = {}

M.BUDGET = 20000000 -- VM instructions per scenario callback

-- Call a scenario callback under the instruction budget. -> true, results... | false, message
function M.call(fn, ...)
	if fn == nil then return true end
	return sys.budget(M.BUDGET, fn, ...)
end

-- ---------------------------------------------------------------------------------------
-- Helpers scenario files get in their environment, so that they stay short.
local H = {}

function H.always(outcome)
	return function() return outcome end
end

-- expect: the write to path(t) succeeds exactly when the policy says it is writable.
function H.writable(pathfn)
	return function(pol, t)
		return pol:writable(pathfn(t)) and "succeeded" or "refused"
	end
end

function H.readable(pathfn)
	return function(pol, t)
		return pol:readable(pathfn(t)) and "succeeded" or "refused"
	end
end

function H.network()
	return function(pol) return pol:network() and "succeeded" or "refused" end
end

-- A TCP port that was free a moment ago (for probes that must bind a port the harness knows).
function H.free_port()
	local l = oracle.tcp_listen("127.0.0.1")
	local p = l:port()
	l:close()
	return p
end

-- The path of a built probe (for probes that run another probe, e.g. proc.grandchild).
function H.probe_path(name)
	return require("harness.runner").probe_path(name)
end

-- A short number/name derived from the run's marker (IPC keys, shm names).
function H.key(t)
	return tostring(tonumber(host.hash(t.marker):sub(1, 7), 16))
end

local SAFE = { "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber",
	"tostring", "type", "rawget", "rawset", "rawequal", "rawlen", "setmetatable", "getmetatable",
	"string", "table", "math", "utf8", "proc", "re", "fs", "oracle", "clock", "json", "host" }

-- A scenario file's environment: the safe base functions, the harness modules, the helpers.
function M.new_env()
	local env = {}
	for _, name in ipairs(SAFE) do env[name] = rawget(_G, name) end
	for k, v in pairs(H) do env[k] = v end
	env.VARIANTS = policy.VARIANTS
	return env
end

-- ---------------------------------------------------------------------------------------
-- Loading and checking.
local FIELDS = { id = "string", area = "string", title = "string", probe = "string",
	args = "function", expect = "function" }

local function check(sc, file)
	for k, kind in pairs(FIELDS) do
		if type(sc[k]) ~= kind then
			return nil, ("%s: scenario %s: field '%s' must be a %s"):format(file,
				tostring(sc.id), k, kind)
		end
	end
	if sc.oracle ~= nil and type(sc.oracle) ~= "function" and not M.ORACLES[sc.oracle] then
		return nil, ("%s: %s: unknown oracle '%s'"):format(file, sc.id, tostring(sc.oracle))
	end
	sc.policies = sc.policies or { "default" }
	for _, v in ipairs(sc.policies) do
		if not policy.is_variant(v) then
			return nil, ("%s: %s: unknown policy variant '%s'"):format(file, sc.id, tostring(v))
		end
	end
	if sc.control ~= nil and sc.control ~= "capable" then
		return nil, ("%s: %s: unknown control '%s' (only \"capable\")"):format(file, sc.id, tostring(sc.control))
	end
	sc.oracle = sc.oracle or "files"
	sc.needs = sc.needs or {}
	sc.file = file
	return sc
end

-- Load one file. -> list of scenarios | nil, message
function M.load_file(path)
	local text, err = fs.read(path)
	if not text then return nil, path .. ": " .. tostring(err) end
	local chunk, perr = load(text, "@" .. path, "t", M.new_env())
	if not chunk then return nil, perr end
	local ok, ret = M.call(chunk)
	if not ok then return nil, path .. ": " .. tostring(ret) end
	if type(ret) ~= "table" then return nil, path .. ": does not return a table" end
	local list = ret.id and { ret } or ret
	local out = {}
	for _, sc in ipairs(list) do
		local good, cerr = check(sc, path)
		if not good then return nil, cerr end
		out[#out + 1] = good
	end
	return out
end

local function sorted(t)
	table.sort(t)
	return t
end

-- Every scenario under dir/<area>/*.lua, in a stable order. -> list, errors (list of strings)
function M.load_all(dir)
	local all, errors, seen = {}, {}, {}
	for _, area in ipairs(sorted(fs.list(dir) or {})) do
		local st = fs.stat(dir .. "/" .. area, true)
		if st and st.type == "dir" then
			for _, name in ipairs(sorted(fs.list(dir .. "/" .. area) or {})) do
				if name:match("%.lua$") then
					local list, err = M.load_file(dir .. "/" .. area .. "/" .. name)
					if not list then
						errors[#errors + 1] = err
					else
						for _, sc in ipairs(list) do
							if seen[sc.id] then
								errors[#errors + 1] = sc.file .. ": duplicate scenario id " .. sc.id
							else
								seen[sc.id] = true
								all[#all + 1] = sc
							end
						end
					end
				end
			end
		end
	end
	return all, errors
end

-- ---------------------------------------------------------------------------------------
-- Oracles: each returns happened (the side effect the probe attempts took place, seen from
-- outside the sandbox) and one line of evidence. The runner compares happened with the
-- expectation; a probe's own word alone never passes a scenario.

-- A snapshot of path (recursively): relative name -> { type, mode, uid, gid, size, mtime,
-- hash, link } or "absent".
local function snap_into(out, path, depth)
	local st = fs.stat(path)
	if not st then
		out[path] = "absent"
		return
	end
	local e = { type = st.type, mode = st.mode, uid = st.uid, gid = st.gid, size = st.size,
		mtime = st.mtime }
	if st.type == "file" then e.hash = fs.hash(path) or "unreadable" end
	if st.type == "link" then e.link = tostring(fs.realpath(path)) end
	out[path] = e
	if st.type == "dir" and depth < 6 then
		for _, name in ipairs(fs.list(path) or {}) do
			snap_into(out, path .. "/" .. name, depth + 1)
		end
	end
end

function M.snapshot(paths)
	local s = {}
	for _, p in ipairs(paths) do snap_into(s, p, 0) end
	return s
end

local FIELDS_SHOWN = { "type", "mode", "uid", "gid", "size", "hash", "link", "mtime" }

local function show(field, v)
	if field == "mode" then return ("%o"):format(v) end
	if field == "hash" then return v:sub(1, 12) end
	return tostring(v)
end

-- What differs between two entries, in one short phrase.
local function delta(a, b)
	if a == "absent" then return "appeared (" .. b.type .. ")" end
	if b == "absent" then return "disappeared (was " .. a.type .. ")" end
	local parts = {}
	for _, f in ipairs(FIELDS_SHOWN) do
		if a[f] ~= b[f] then
			parts[#parts + 1] = ("%s %s -> %s"):format(f, show(f, a[f] or "-"), show(f, b[f] or "-"))
		end
	end
	return table.concat(parts, ", ")
end

local function same(a, b)
	if a == "absent" or b == "absent" then return a == b end
	for _, f in ipairs(FIELDS_SHOWN) do
		if a[f] ~= b[f] then return false end
	end
	return true
end

-- -> changed (bool), evidence
function M.compare(before, after, root)
	local function short(p) return root and p:sub(1, #root) == root and p:sub(#root + 2) or p end
	local names = {}
	for k in pairs(before) do names[#names + 1] = k end
	for k in pairs(after) do
		if before[k] == nil then names[#names + 1] = k end
	end
	table.sort(names)
	-- Report the most telling difference: an entry that appeared, vanished or changed beats a
	-- directory whose only change is its mtime (the trace of a change inside it).
	local first
	for _, k in ipairs(names) do
		local a, b = before[k] or "absent", after[k] or "absent"
		if not same(a, b) then
			local d = short(k) .. ": " .. delta(a, b)
			local dir_mtime_only = a ~= "absent" and b ~= "absent" and a.type == "dir"
				and d:match(": mtime [^,]*$") ~= nil
			if not dir_mtime_only then return true, d end
			first = first or d
		end
	end
	if first then return true, first end
	return false, ("%d watched path%s unchanged"):format(#names, #names == 1 and "" or "s")
end

M.ORACLES = {
	-- Files: the watched paths differ from the snapshot taken before the run.
	files = function(t, res)
		local after = M.snapshot(t._watch or {})
		return M.compare(t._before or {}, after, t.root)
	end,
	-- Loopback/UNIX listeners made by setup (t.listener, or t.listeners): any contact.
	listener = function(t, res)
		local ls = t.listeners or { t.listener }
		local total, names = 0, {}
		for _, l in ipairs(ls) do
			l:poll(0.1)
			local n = l:contacts()
			total = total + n
			names[#names + 1] = ("%s saw %d contact%s"):format(l:address(), n, n == 1 and "" or "s")
		end
		return total > 0, table.concat(names, ", ")
	end,
	-- A victim made by setup (t.victim): killed or sent any signal.
	victim = function(t, res)
		-- The victim reports what it caught through a pipe: give a signal sent just before
		-- the probe exited a moment (0.5 s at most) to show up.
		local v = t.victim
		local alive, sigs = v:alive(), v:signals()
		for _ = 1, 10 do
			if not alive or #sigs > 0 then break end
			clock.sleep(0.05)
			alive, sigs = v:alive(), v:signals()
		end
		if not alive then return true, ("victim %d is dead"):format(v:pid()) end
		if #sigs > 0 then
			return true, ("victim %d received signal(s) %s"):format(v:pid(), table.concat(sigs, ","))
		end
		return false, ("victim %d alive, no signal received"):format(v:pid())
	end,
	-- A process carrying the run's marker (a daemon) is still alive after the sandbox ended.
	marker = function(t, res)
		clock.sleep(t.marker_settle or 0.3)
		local alive, pids = proc.alive_with_marker(t.marker)
		if alive then
			return true, ("still alive with marker %s: pid %s"):format(t.marker,
				table.concat(pids or {}, ","))
		end
		return false, "no process with marker " .. t.marker .. " is alive"
	end,
	-- A pty made by setup (t.pty): input was injected into its queue.
	pty = function(t, res)
		local pending = t.pty:input_pending() or ""
		if pending ~= "" then return true, ("input queued on the tty: %q"):format(pending:sub(1, 64)) end
		return false, "no input queued on the tty"
	end,
	-- Nothing outside can witness it (opening a socket, reading a namespace-local value): the
	-- probe's outcome, cross-checked with its exit status. Weaker; the evidence says so.
	self = function(t, res)
		local p = t._probe or {}
		return p.outcome == "succeeded", ("no outside witness: the probe said %s (exit %s)"):format(
			tostring(p.outcome), tostring(p.exit))
	end,
}

return M
