-- The runner: one scenario under one adapter and one policy variant, in a fresh canary tree,
-- with its control run under `none`, its oracle, and its status; and the scheduler that runs
-- several at once (--jobs).
--
-- Status rules (ARCHITECTURE.md): an expected refusal passes only when the probe was refused,
-- the oracle saw no side effect, AND the same attempt unconfined (control) succeeded with the
-- oracle seeing its effect; otherwise it is not-live, never pass. An expected success passes
-- when the probe succeeded and the oracle saw the effect.
local policy = require("harness.policy")
local dsl = require("harness.dsl")
local adapter_util = require("adapters.util")

local M = {}

M.DEFAULT_TIMEOUT = 20
M.STDERR_KEEP = 2048

-- ---------------------------------------------------------------------------------------
-- Waiting: inside a scheduled job these yield to the scheduler; elsewhere they block.
local function yieldable()
	return coroutine.isyieldable() and M._scheduling
end

function M.sleep(s)
	if yieldable() then return coroutine.yield("sleep", s) end
	clock.sleep(s)
end

function M.wait(h, timeout)
	if yieldable() then return coroutine.yield("wait", h, timeout) end
	return h:wait(timeout)
end

-- proc.run that lets other jobs go on meanwhile. On timeout the group is killed.
function M.run_proc(spec)
	local h, err = proc.start(spec)
	if not h then return nil, err end
	local res = M.wait(h, spec.timeout)
	if not res then
		h:kill(9)
		res = h:wait(10) or { stdout = "", stderr = "", wall = spec.timeout }
		res.timed_out = true
	end
	return res
end

-- ---------------------------------------------------------------------------------------
-- The canary tree. Outside /tmp on purpose: sandboxes give the command a private /tmp, and
-- the tree must be the same files inside and outside.
local tree_count = 0

function M.tree_base()
	return os.getenv("CORDON_HARNESS_TMPDIR") or "/var/tmp"
end

function M.make_tree(ctx)
	tree_count = tree_count + 1
	local name = ("cordon-h-%s-%d-%d"):format(ctx.run_id or "run", proc.getpid(), tree_count)
	local root = M.tree_base() .. "/" .. name
	assert(fs.mkdir(root, tonumber("700", 8)))
	root = fs.realpath(root) or root
	local t = { root = root, workspace = root .. "/workspace", outside = root .. "/outside",
		extra = root .. "/extra", secret = root .. "/secret", home = ctx.home,
		uid = host.getuid(), marker = "cordon-marker-" .. name,
		sessions = { A = name .. "-A", B = name .. "-B" } }
	for _, d in ipairs({ t.workspace, t.outside, t.extra, t.secret, t.outside .. "/dir" }) do
		assert(fs.mkdir(d))
	end
	assert(fs.git_init(t.workspace))
	t.git = t.workspace .. "/.git"
	t.setuid_probe = M.setuid_probe or M.probe_path("priv.setuid_exec")
	t.ws_canary = t.workspace .. "/canary.txt"
	t.out_canary = t.outside .. "/canary.txt"
	t.extra_canary = t.extra .. "/canary.txt"
	t.secret_canary = t.secret .. "/canary.txt"
	t.protected = t.workspace .. "/protected"
	t.git_config = t.git .. "/config"
	fs.write(t.ws_canary, "workspace canary " .. name .. "\n")
	fs.write(t.out_canary, "outside canary " .. name .. "\n")
	fs.write(t.extra_canary, "extra canary " .. name .. "\n")
	fs.write(t.secret_canary, "secret canary " .. name .. "\n", tonumber("600", 8))
	fs.write(t.protected, "protected canary " .. name .. "\n")
	return t
end

-- Close everything setup left in t (listeners, ptys, victims, background handles).
function M.cleanup_tree(t)
	if t._kept_fd then fs.close_fd(t._kept_fd) end
	if t._leaked_fd then fs.close_fd(t._leaked_fd) end
	for _, h in ipairs(t._handles or {}) do
		pcall(h.kill, h, 9)
		pcall(h.wait, h, 5)
	end
	for k, v in pairs(t) do
		if type(v) == "userdata" and k:sub(1, 1) ~= "_" then
			if not pcall(function() v:close() end) then pcall(function() v:kill() end) end
		end
	end
	for _, l in ipairs(t.listeners or {}) do pcall(function() l:close() end) end
	fs.rm_rf(t.root)
end

-- ---------------------------------------------------------------------------------------
-- Probes.
-- Where the probes run from. Every sandbox gives the command a private /tmp (and /dev/shm), so
-- probes built beneath those (a clone in /tmp) would not exist inside the sandbox: stage()
-- copies them next to the canary trees once per run, and unstage() removes the copy.
M.probes_dir = nil

local function hidden_in_sandbox(dir)
	return dir:match("^/tmp/") or dir:match("^/tmp$") or dir:match("^/dev/shm/") or dir:match("^/run/user/")
end

function M.stage_probes(run_id)
	local src = fs.realpath(sys.paths().probes) or sys.paths().probes
	if not hidden_in_sandbox(src) then
		M.probes_dir = src
		return true
	end
	local dst = ("%s/cordon-probes-%s-%d"):format(M.tree_base(), run_id, proc.getpid())
	local ok, err = fs.mkdir(dst, tonumber("755", 8))
	if not ok then return nil, "cannot stage the probes in " .. dst .. ": " .. tostring(err) end
	for _, name in ipairs(fs.list(src) or {}) do
		local st = fs.stat(src .. "/" .. name)
		if st and st.type == "file" then
			local data, rerr = fs.read(src .. "/" .. name)
			if not data then return nil, "cannot read probe " .. name .. ": " .. tostring(rerr) end
			local wok, werr = fs.write(dst .. "/" .. name, data, tonumber("755", 8))
			if not wok then return nil, "cannot stage probe " .. name .. ": " .. tostring(werr) end
		end
	end
	M.probes_dir, M.staged = dst, dst
	return true
end

-- priv.setuid_exec needs a setuid copy of itself owned by someone else, which only root can
-- make: main calls this before dropping to the battery's user. The copy is setuid to `nobody`,
-- never root, so a copy left behind by a crash gives nothing; it sits in a folder owned by
-- the battery's user, who can remove it afterwards. Not root: no copy, and the scenario's
-- control shows it is not live.
function M.stage_setuid(run_id, owner)
	local nobody = host.user("nobody")
	if host.getuid() ~= 0 or not owner or owner.uid == 0 or not nobody then return nil end
	local dir = ("%s/cordon-setuid-%s-%d"):format(M.tree_base(), run_id, proc.getpid())
	local src = sys.paths().probes .. "/priv_setuid_exec"
	local data = fs.read(src)
	if not data or not fs.mkdir(dir, tonumber("755", 8)) then return nil end
	local path = dir .. "/priv_setuid_exec"
	local ok = fs.write(path, data, tonumber("755", 8)) and fs.chown(path, nobody.uid, nobody.gid)
		and fs.chmod(path, tonumber("4755", 8)) and fs.chown(dir, owner.uid, owner.gid)
	if not ok then
		fs.rm_rf(dir)
		return nil
	end
	M.setuid_dir, M.setuid_probe = dir, path
	return path
end

function M.unstage_probes()
	if M.staged then fs.rm_rf(M.staged) end
	if M.setuid_dir then fs.rm_rf(M.setuid_dir) end
	M.staged, M.setuid_dir, M.setuid_probe = nil, nil, nil
end

function M.probe_path(name)
	return (M.probes_dir or sys.paths().probes) .. "/" .. name:gsub("%.", "_")
end

local function last_json_line(out)
	local found
	for line in (out or ""):gmatch("[^\n]+") do
		if line:match("^%s*{") then
			local v = json.decode(line)
			if type(v) == "table" and v.probe then found = { line = line, value = v } end
		end
	end
	return found
end

-- What a run of a probe amounts to: outcome, errno, detail, exit, signal, ... . `wrapped`
-- when a sandbox ran it: then a death by signal N shows as the wrapper's exit 128+N.
function M.interpret(res, argv, wrapped)
	local p = { argv = argv, wall = res.wall, exit = res.status, signal = res.signal,
		stderr = (res.stderr or ""):sub(1, M.STDERR_KEEP) }
	local j = last_json_line(res.stdout)
	if j and wrapped and res.status == 125 then
		-- The command ran, but the sandbox itself failed around it: not a verdict on the probe.
		local first = (res.stderr or ""):match("[^\n]+") or "no message"
		p.line, p.outcome = j.line, "error"
		p.problem = "the sandbox failed (exit 125) after the command printed its line: " .. first
		return p
	end
	if j then
		p.line, p.outcome = j.line, j.value.outcome
		-- json.null (a userdata) stands for null: keep only strings.
		local function str(x) return type(x) == "string" and x or nil end
		p.errno, p.detail, p.value = str(j.value.errno), str(j.value.detail), j.value
		if p.outcome ~= "succeeded" and p.outcome ~= "refused" and p.outcome ~= "inconclusive" then
			p.outcome, p.problem = "inconclusive", "unknown outcome in the probe line"
		end
		return p
	end
	if res.timed_out then
		p.outcome, p.problem = "error", ("timed out after %.0f s"):format(res.wall or 0)
	elseif res.signal then
		p.outcome, p.detail = "refused", "killed by signal " .. res.signal
	elseif wrapped and res.status == 125 and (res.stderr or ""):find("--best-effort", 1, true) then
		-- cordon's refusal of a plan this host cannot enforce (it names every missing
		-- mechanism and offers --best-effort): its deliberate answer here, not a breakage.
		local first = (res.stderr or ""):match("[^\n]+") or "no message"
		p.outcome, p.plan_refused = "error", first
		p.problem = "the sandbox refuses this plan on this host (exit 125): " .. first
	elseif wrapped and res.status == 125 then
		local first = (res.stderr or ""):match("[^\n]+") or "no message"
		p.outcome, p.problem = "error", "the sandbox did not start (exit 125): " .. first
	elseif wrapped and res.status == 124 then
		p.outcome, p.detail = "refused", "ended by the sandbox's timeout (exit 124)"
	elseif wrapped and res.status and res.status > 128 and res.status < 128 + 65 then
		p.signal = res.status - 128
		p.outcome, p.detail = "refused", "killed by signal " .. p.signal
	else
		local first = (res.stderr or ""):match("[^\n]+") or "no output"
		p.outcome, p.problem = "error", ("no probe line (exit %s): %s"):format(tostring(res.status), first)
	end
	return p
end

-- ---------------------------------------------------------------------------------------
-- One attempt: a fresh tree, setup, the sandboxed probe, the oracle. Returns
-- { expected, probe = <interpreted>, happened, evidence, problem }.
local function env_for(ctx, t, adapter, pol, sc)
	local env = { PATH = "/usr/local/bin:/usr/bin:/bin", HOME = ctx.home or "/", LANG = "C",
		CORDON_HARNESS_MARKER = t.marker }
	if adapter.env then
		for k, v in pairs(adapter.env(pol, t) or {}) do env[k] = v end
	end
	if sc.env then
		local ok, extra = dsl.call(sc.env, t)
		if ok and type(extra) == "table" then
			for k, v in pairs(extra) do env[k] = v end
		end
	end
	return env
end

local function concat(a, b)
	local out = {}
	for _, x in ipairs(a) do out[#out + 1] = x end
	for _, x in ipairs(b) do out[#out + 1] = tostring(x) end
	return out
end

-- Steps run under the same sandbox around the attempt (objects held by another session, ...).
local function run_steps(steps, sc, t, adapter, settings, ctx, lenient)
	for i, step in ipairs(steps) do
		local spol = policy.bind(policy.apply_variant(settings, "default", step.settings), t)
		local prefix, why = adapter.prefix(spol, t)
		if not prefix then return nil, "before step " .. i .. ": " .. tostring(why) end
		local argv = concat(prefix, { M.probe_path(step.probe) })
		argv = concat(argv, step.args or {})
		local spec = { argv = argv, cwd = t.workspace, env = env_for(ctx, t, adapter, spol, sc),
			timeout = step.timeout or M.DEFAULT_TIMEOUT }
		if step.background then
			local h, err = proc.start(spec)
			if not h then return nil, "before step " .. i .. ": " .. tostring(err) end
			t._handles = t._handles or {}
			t._handles[#t._handles + 1] = h
			t.holder_pid = h:pid() -- what the attempt may try to reach
			M.sleep(step.settle or 0.5)
		else
			local res, err = M.run_proc(spec)
			if not res then return nil, "before step " .. i .. ": " .. tostring(err) end
			if res.status ~= 0 and not lenient then
				local first = (res.stderr or ""):match("[^\n]+") or ""
				return nil, ("before step %d (%s) exited %s: %s"):format(i, step.probe,
					tostring(res.status or ("signal " .. tostring(res.signal))), first)
			end
		end
	end
	return true
end

local function run_before(sc, t, adapter, settings, ctx)
	if not sc.before then return true end
	local ok, steps = dsl.call(sc.before, t)
	if not ok then return nil, "before: " .. tostring(steps) end
	return run_steps(steps or {}, sc, t, adapter, settings, ctx, false)
end

-- An attempt stops early by raising { field = "problem" | "not_applicable", msg = ... }.
local function stop(field, msg)
	error({ stop = true, field = field, msg = msg }, 0)
end

-- A scenario callback's result, or stop with what went wrong in it.
local function must(what, ok, v, ...)
	if not ok then stop("problem", what .. ": " .. tostring(v)) end
	return v, ...
end

-- The expectation, and the command prefix, or not-applicable. -> pol, expected, prefix
-- The descriptor fields a scenario may give (dsl.lua), what each opens, and whether the
-- sandbox is asked to keep it. keep_pidfd returns a pid (its process is made before setup).
local DESCRIPTORS = {
	{ field = "keep_dir", open = fs.open_dir, kept = true },
	{ field = "keep_pidfd", kept = true,
		open = function(pid) return fs.open_pidfd(math.tointeger(tonumber(pid)) or 0) end },
	{ field = "keep_file", open = fs.open_read, kept = true },
	{ field = "leak_file", open = fs.open_read, kept = false },
}

local function plan(sc, settings, adapter, t)
	local pol = policy.bind(settings, t)
	local expected = must("expect", dsl.call(sc.expect, pol, t))
	if expected ~= "refused" and expected ~= "succeeded" then
		stop("problem", "expect returned " .. tostring(expected))
	end
	local missing = adapter_util.missing(adapter, pol)
	for _, need in ipairs(sc.needs) do
		if not adapter.features[need] then missing[#missing + 1] = need end
	end
	if #missing > 0 then
		return pol, expected, nil, adapter.name .. " cannot express: " .. table.concat(missing, ", ")
	end
	if sc.pty and adapter.no_pty then return pol, expected, nil, adapter.no_pty end
	-- Descriptors the harness opens and hands to the probe: kept ones are passed with
	-- --keep-fd N (the sandbox must not write or signal through them where the policy says
	-- no), a leaked one is not (the caller happened to hold it: it must be closed).
	for _, d in ipairs(DESCRIPTORS) do
		if sc[d.field] then
			local target = must(d.field, dsl.call(sc[d.field], t))
			local fd, ferr = d.open(target)
			if not fd then stop("problem", d.field .. ": " .. tostring(ferr)) end
			if d.kept then
				t._kept_fd = fd
				table.insert(pol.settings["keep-fd"], tostring(fd))
			else
				t._leaked_fd = fd
			end
		end
	end
	local prefix, why = adapter.prefix(pol, t)
	return pol, expected, prefix, prefix == nil and tostring(why) or nil
end

-- The paths the "files" oracle snapshots: the scenario's watch list, or the probe's arguments
-- that lie in the canary tree.
local function watch_paths(sc, t, args)
	if sc.watch then return must("watch", dsl.call(sc.watch, t)) end
	local watch = {}
	for _, a in ipairs(args) do
		if type(a) == "string" and a:sub(1, #t.root + 1) == t.root .. "/" then watch[#watch + 1] = a end
	end
	return watch
end

-- Run the probe: to completion, or started in the background with during(t) in between.
local function launch(sc, spec, t)
	if not sc.background then
		local res, err = M.run_proc(spec)
		if not res then stop("problem", "could not start: " .. tostring(err)) end
		return res
	end
	local h, herr = proc.start(spec)
	if not h then stop("problem", "start: " .. tostring(herr)) end
	t._handles = t._handles or {}
	t._handles[#t._handles + 1] = h
	t._handle = h
	M.sleep(sc.settle or 0.5)
	must("during", dsl.call(sc.during, t))
	local res = M.wait(h, spec.timeout)
	if not res then
		h:kill(9)
		res = h:wait(10) or { stdout = "", stderr = "", wall = spec.timeout }
		res.timed_out = true
	end
	return res
end

-- A sandbox that will not start for the reason the scenario names (exit 125, its message
-- matching sc.refused_start) refused the attempt as a whole: a kept descriptor it does not
-- pass, for one. Any other 125 stays an error.
local function refused_start(sc, p, res)
	local first = (res.stderr or ""):match("[^\n]+") or ""
	if sc.refused_start and p.outcome == "error" and not p.line and p.exit == 125 and
		first:find(sc.refused_start) then
		p.outcome, p.problem, p.detail = "refused", nil, "the sandbox refused to start: " .. first
	end
end

local function decided(p)
	return p.outcome == "succeeded" or p.outcome == "refused"
end

local function reinterpret(p, outcome, why)
	if outcome and outcome ~= p.outcome then
		p.detail = (p.detail or "") .. " [harness: " .. tostring(why or outcome) .. "]"
		p.outcome = outcome
	end
end

-- Some probes succeed at the call but show a refusal in what they report (an empty listing
-- of a hidden directory, only `lo` in a fresh network namespace): classify says which.
local function classify(sc, p, t)
	if sc.classify and decided(p) then
		reinterpret(p, must("classify", dsl.call(sc.classify, p.value or {}, t, p)))
	end
end

-- The oracle's verdict. With verdict = "oracle" it also decides the outcome: the call itself
-- proves nothing there (a datagram sent into the sandbox's own loopback, a daemon that did
-- start but must not outlive the run).
local function witness(sc, out, t, res)
	local oracle = type(sc.oracle) == "function" and sc.oracle or dsl.ORACLES[sc.oracle]
	local happened, evidence = must("oracle", dsl.call(oracle, t, res))
	out.happened, out.evidence = happened and true or false, tostring(evidence or "")
	out.oracle_name = type(sc.oracle) == "string" and sc.oracle or (sc.oracle_name or "custom")
	if sc.verdict == "oracle" and decided(out.probe) then
		local o = out.happened and "succeeded" or "refused"
		reinterpret(out.probe, o, out.probe.outcome .. " by the probe's word, " .. o .. " by the oracle")
	end
end

-- Undo what the steps made outside the tree (an IPC object, a file in /tmp); a failure here
-- changes no verdict.
local function run_after(sc, t, adapter, settings, ctx)
	if not sc.after then return end
	local ok, steps = dsl.call(sc.after, t)
	if ok then pcall(run_steps, steps or {}, sc, t, adapter, settings, ctx, true) end
end

local function attempt_body(sc, settings, adapter, ctx, t, out)
	local pol, expected, prefix, na = plan(sc, settings, adapter, t)
	out.expected = expected
	if na then stop("not_applicable", na) end
	local path = M.probe_path(sc.probe)
	if not fs.exists(path) then stop("problem", "probe not built: " .. path) end
	must("setup", dsl.call(sc.setup, t))
	local bok, berr = run_before(sc, t, adapter, settings, ctx)
	if not bok then stop("problem", berr) end
	local args = must("args", dsl.call(sc.args, t))
	if sc.oracle == "files" then
		t._watch = watch_paths(sc, t, args)
		t._before = dsl.snapshot(t._watch)
	end
	local argv = concat(concat(prefix, { path }), args)
	local spec = { argv = argv, cwd = t.workspace, env = env_for(ctx, t, adapter, pol, sc),
		timeout = sc.timeout or M.DEFAULT_TIMEOUT, pty = sc.pty and t.pty or nil,
		keep_fds = (t._kept_fd or t._leaked_fd) and { t._kept_fd or t._leaked_fd, t._leaked_fd } or nil }
	local res = launch(sc, spec, t)
	out.probe = M.interpret(res, argv, #prefix > 0)
	refused_start(sc, out.probe, res)
	classify(sc, out.probe, t)
	t._probe, t._result = out.probe, res
	witness(sc, out, t, res)
	run_after(sc, t, adapter, settings, ctx)
end

function M.attempt(sc, settings, adapter, ctx)
	local out = {}
	local okt, t = pcall(M.make_tree, ctx)
	if not okt then out.problem = "canary tree: " .. tostring(t); return out end
	local ok, err = pcall(attempt_body, sc, settings, adapter, ctx, t, out)
	if not ok then
		if type(err) == "table" and err.stop then
			out[err.field] = err.msg
		else
			out.problem = "harness error: " .. tostring(err)
		end
	end
	pcall(M.cleanup_tree, t)
	return out
end

-- ---------------------------------------------------------------------------------------
-- Controls: the same attempt under `none`, once per scenario (it does not depend on the
-- policy or on the adapter under test); under `capable` (capabilities in namespaces of the
-- harness's own: adapters/capable.lua) for a scenario that says `control = "capable"`.
local controls = {}

local function control_adapter(sc, ctx)
	if sc.control == "capable" then return ctx.capable or ctx.none end
	return ctx.none
end

function M.control(sc, settings, ctx)
	local c = controls[sc.id]
	while c == "pending" do
		M.sleep(0.05)
		c = controls[sc.id]
	end
	if c then return c end
	controls[sc.id] = "pending"
	local adapter = control_adapter(sc, ctx)
	local ok, rec = pcall(M.attempt, sc, settings, adapter, ctx)
	if not ok then rec = { problem = "harness error: " .. tostring(rec) } end
	rec.capable = adapter.name == "capable"
	controls[sc.id] = rec
	return rec
end

local function describe(p)
	if not p then return "nothing" end
	local s = p.outcome or "?"
	if p.errno then s = s .. " " .. p.errno end
	if p.detail then s = s .. " (" .. p.detail .. ")" end
	return s
end
M.describe = describe

-- The status of an attempt (and its control). -> status, reason
function M.judge(a, control)
	if a.not_applicable then return "not-applicable", a.not_applicable end
	if a.problem then return "error", a.problem end
	local p = a.probe
	if p.plan_refused then
		return "not-applicable", "the sandbox refuses this plan on this host (a mechanism it " ..
			"needs is missing; check --best-effort certifies the weaker configuration): " .. p.plan_refused
	end
	if p.outcome == "error" then return "error", p.problem or describe(p) end
	if p.outcome == "inconclusive" then
		-- Unconfined it cannot set itself up either (a setuid copy only root can stage, say):
		-- the host offers nothing to check, which is not-live, not the harness's error.
		local c = control and control.probe
		if c and c.outcome == "inconclusive" then
			return "not-live", "unconfined too, the probe could not set itself up (uid " ..
				host.getuid() .. "): " .. (c.problem or describe(c))
		end
		return "error", "the probe could not set itself up: " .. (p.problem or describe(p))
	end
	if a.expected == "succeeded" then
		if p.outcome ~= "succeeded" then return "fail", "expected success, got " .. describe(p) end
		if not a.happened then return "fail", "the probe said succeeded but the oracle saw nothing: " .. a.evidence end
		return "pass", "succeeded and " .. a.evidence
	end
	if p.outcome == "succeeded" then return "fail", "expected refusal, the probe succeeded: " .. a.evidence end
	if a.happened then return "fail", "the probe said refused but the oracle saw the effect: " .. a.evidence end
	if not control then return "error", "no control run" end
	if control.problem then return "not-live", "the control run failed: " .. control.problem end
	local c = control.probe
	local how = control.capable and "unconfined with capabilities in a user namespace" or "unconfined"
	if c.outcome ~= "succeeded" then
		return "not-live", how .. ", the attempt is " .. describe(c) .. " too (uid " ..
			host.getuid() .. "): nothing to refuse on this host"
	end
	if not control.happened then
		return "not-live", how .. ", the oracle does not witness the effect: " .. control.evidence
	end
	return "pass", "refused " .. describe(p) .. "; " .. a.evidence .. "; " .. how .. " it succeeds"
end

-- One job: a scenario × variant × adapter. -> the result record of the run model.
function M.run_job(job, ctx)
	local sc, adapter = job.scenario, job.adapter
	local started = clock.now()
	local settings, serr = policy.apply_variant(ctx.base_settings, job.variant, sc.settings)
	local a = settings and M.attempt(sc, settings, adapter, ctx) or { problem = serr }
	local control
	local p = a.probe
	if a.expected == "refused" and p and not a.happened and not a.problem
		and (p.outcome == "refused" or p.outcome == "inconclusive") then
		control = M.control(sc, settings, ctx)
	end
	local status, reason = M.judge(a, control)
	local rec = { id = job.id, area = sc.area, title = sc.title, adapter = adapter.name,
		policy = policy.variant_name(job.variant), expected = a.expected or "refused",
		status = status, reason = reason, probe = a.probe, control = control and control.probe,
		duration = clock.now() - started }
	if a.oracle_name then
		rec.oracle = { name = a.oracle_name, evidence = a.evidence,
			ok = a.happened == (a.expected == "succeeded") }
	end
	return rec
end

-- ---------------------------------------------------------------------------------------
-- The scheduler: up to n jobs at once, each a coroutine that yields when it waits for a
-- process or sleeps. A job marked serial runs alone (limits and timing must not be disturbed
-- by other jobs). on_done(job, record) is called as each job ends.
local Sched = {}
Sched.__index = Sched

local function error_record(job, msg)
	return { id = job.id, area = job.scenario.area, title = job.scenario.title,
		adapter = job.adapter.name, policy = policy.variant_name(job.variant), expected = "refused",
		status = "error", reason = "harness error: " .. tostring(msg), duration = 0 }
end

function Sched:finish(job, rec)
	self.running = self.running - 1
	if job.serial then self.serial_running = false end
	self.on_done(job, rec)
end

-- Resume a job; record what it waits for next, or finish it.
function Sched:step(co, job, ...)
	local ok, what, a, b = coroutine.resume(co, ...)
	if not ok then return self:finish(job, error_record(job, what)) end
	if coroutine.status(co) == "dead" then return self:finish(job, what) end
	if what == "wait" then
		self.waits[#self.waits + 1] = { co = co, job = job, h = a, deadline = b and clock.now() + b }
	else
		self.sleeps[#self.sleeps + 1] = { co = co, job = job, wake = clock.now() + (a or 0) }
	end
end

-- Start queued jobs while there is room; a serial job waits for an empty runner, then runs alone.
function Sched:start_ready()
	while self.qi <= #self.jobs and not self.serial_running do
		local job = self.jobs[self.qi]
		if (job.serial and self.running > 0) or self.running >= self.n then return end
		self.qi = self.qi + 1
		self.running = self.running + 1
		if job.serial then self.serial_running = true end
		local ctx = self.ctx
		self:step(coroutine.create(function() return M.run_job(job, ctx) end), job)
	end
end

-- Seconds until the next deadline or wake-up (at most 1).
function Sched:next_timeout()
	local now, tmo = clock.now(), 1.0
	for _, w in ipairs(self.waits) do
		if w.deadline then tmo = math.min(tmo, w.deadline - now) end
	end
	for _, s in ipairs(self.sleeps) do tmo = math.min(tmo, s.wake - now) end
	return math.max(tmo, 0)
end

-- Wait for one process to end (or the timeout) and resume its job.
function Sched:wait_events(tmo)
	if #self.waits == 0 then
		if tmo > 0 then clock.sleep(tmo) end
		return
	end
	local hs = {}
	for i, w in ipairs(self.waits) do hs[i] = w.h end
	local idx, res = proc.wait_any(hs, tmo)
	if idx then
		local w = table.remove(self.waits, idx)
		self:step(w.co, w.job, res)
	end
end

-- Resume the jobs whose wait timed out or whose sleep is over (newly queued ones, appended at
-- the end, are left for the next round).
function Sched:fire_due()
	local now = clock.now()
	for i = #self.waits, 1, -1 do
		local w = self.waits[i]
		if w.deadline and w.deadline <= now then
			table.remove(self.waits, i)
			self:step(w.co, w.job, nil, "timeout")
		end
	end
	for i = #self.sleeps, 1, -1 do
		local s = self.sleeps[i]
		if s.wake <= now then
			table.remove(self.sleeps, i)
			self:step(s.co, s.job)
		end
	end
end

function M.schedule(jobs, n, ctx, on_done)
	local self = setmetatable({ jobs = jobs, n = n, ctx = ctx, on_done = on_done, waits = {},
		sleeps = {}, qi = 1, running = 0, serial_running = false }, Sched)
	M._scheduling = true
	while true do
		self:start_ready()
		if self.running == 0 and self.qi > #jobs then break end
		self:wait_events(self:next_timeout())
		self:fire_due()
	end
	M._scheduling = false
end

return M
