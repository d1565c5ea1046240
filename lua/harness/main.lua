-- cordon-harness's entry point: parse the command line, dispatch, return the exit status
-- (0 every expectation holds, 1 something failed, 2 the harness could not run).
local cli = require("harness.cli")
local policy = require("harness.policy")
local dsl = require("harness.dsl")
local runner = require("harness.runner")
local tap = require("harness.tap")

local M = {}

M.VERSION = "0.1.0"
M.ADAPTERS = { "none", "cordon", "cordon-warm", "bwrap", "firejail", "codex", "srt" }

-- The C side gives Lua no io; sys.stderr is used when harness-c provides it, else Lua's
-- warning channel (which writes to stderr).
function M.eprint(s)
	local w = type(sys) == "table" and rawget(sys, "stderr")
	if type(w) == "function" then
		w(s .. "\n")
	else
		warn("@on")
		warn(s)
	end
end

local function fail2(msg)
	M.eprint("cordon-harness: " .. msg)
	return 2
end

local function load_adapter(name)
	local ok, a = pcall(require, "adapters." .. name)
	if not ok then return nil, a end
	return a
end

function M.run_id()
	local stamp = clock.iso8601():gsub("[-:]", "")
	local salt = host.hash(tostring(clock.now()) .. tostring(proc.getpid())):sub(1, 4)
	return stamp .. "-" .. salt
end

-- The scenarios the options select. -> list, load errors | nil, message
local function select_scenarios(opts)
	local all, errors = dsl.load_all(sys.paths().source .. "/scenarios")
	local areas
	if opts.area then
		areas = {}
		for _, a in ipairs(opts.area) do areas[a] = true end
	end
	local rx
	if opts.scenario then
		local err, off
		rx, err, off = re.compile(opts.scenario)
		if not rx then return nil, ("--scenario: bad pattern at %s: %s"):format(tostring(off), err) end
	end
	local out, known = {}, {}
	for _, sc in ipairs(all) do
		known[sc.area] = true
		if (not areas or areas[sc.area]) and (not rx or rx:find(sc.id)) then out[#out + 1] = sc end
	end
	-- A selection that names nothing certifies nothing: say so instead of a green `1..0`.
	for a in pairs(areas or {}) do
		if not known[a] then
			local names = {}
			for k in pairs(known) do names[#names + 1] = k end
			table.sort(names)
			return nil, ("--area: no area '%s' (known: %s)"):format(a, table.concat(names, ", "))
		end
	end
	if #all == 0 and #errors == 0 then
		return nil, "no scenarios in " .. sys.paths().source .. "/scenarios"
	end
	if #out == 0 and #errors == 0 then
		return nil, "no scenario matches " .. (opts.scenario and ("--scenario '" .. opts.scenario .. "'")
			or "the selection")
	end
	return out, errors
end

local function variant_list(sc)
	local names = {}
	for _, v in ipairs(sc.policies) do names[#names + 1] = policy.variant_name(v) end
	return names
end

-- The base policy: cordon's default, or --policy FILE with the canary substitution.
local function base_policy(opts)
	if not opts.policy then
		local s = policy.default_settings()
		local text = policy.canonical(s)
		return { name = "default", text = text, hash = host.hash(text), settings = s }
	end
	local text, err = fs.read(opts.policy)
	if not text then return nil, opts.policy .. ": " .. tostring(err) end
	local s, perr = policy.from_file_text(text)
	if not s then return nil, opts.policy .. ": " .. perr end
	local canon = policy.canonical(s)
	return { name = opts.policy:match("([^/]+)$"), text = canon, hash = host.hash(canon),
		settings = s, source_text = text }
end

-- As root, drop to the unprivileged user before anything runs; the out dir is made first
-- and given to that user. -> user name or nil | nil, message
local function drop_privileges(opts, out)
	local name = opts["as-user"] or "cordon-test"
	if host.getuid() ~= 0 or name == "root" then return nil end
	local ok, err = fs.mkdir(out)
	if not ok and not fs.exists(out) then return false, "cannot create " .. out .. ": " .. tostring(err) end
	local u = host.user(name)
	if u then
		-- Only the folder itself: never hand over whatever an existing --out already holds.
		fs.chown(out, u.uid, u.gid)
	else
		-- The user does not exist yet: become_user creates it, but only while dropping, so
		-- the folder cannot be chowned first; make it writable by anyone (sticky) instead.
		fs.chmod(out, tonumber("1777", 8))
	end
	local uid, uerr = sys.become_user(name, true)
	if not uid then return false, "cannot become " .. name .. ": " .. tostring(uerr) end
	return name
end

local function adapter_entries(names, best_effort)
	local list, mods = {}, {}
	for _, name in ipairs(names) do
		local mod, err = load_adapter(name)
		if not mod then return nil, "unknown adapter '" .. name .. "' (" .. tostring(err):match("[^\n]+") .. ")" end
		if best_effort ~= nil and mod.best_effort ~= nil then mod.best_effort = best_effort end
		local d = mod.detect()
		-- What exactly was certified: the binary's digest beside its version.
		local entry = { name = name, installed = d.installed and true or false, version = d.version,
			path = d.path, command = d.command, unsupported = mod.unsupported or {},
			why_missing = d.why_missing, sha256 = d.installed and d.path and fs.hash(d.path) or nil }
		-- A sandbox that refuses to run on this host at all: said once, not once per check.
		if entry.installed and mod.preflight then
			entry.refused = mod.preflight()
			if entry.refused then entry.installed = false end
		end
		if best_effort and mod.best_effort ~= nil then entry.best_effort = true end
		list[#list + 1] = entry
		mods[#mods + 1] = { mod = mod, entry = entry }
	end
	return list, mods
end

local function summarize(results)
	local s = {}
	for _, r in ipairs(results) do
		s[r.adapter] = s[r.adapter] or { pass = 0, fail = 0, ["not-live"] = 0,
			["not-applicable"] = 0, error = 0 }
		s[r.adapter][r.status] = (s[r.adapter][r.status] or 0) + 1
	end
	return s
end

local function write_report(run, out)
	local ok, report = pcall(require, "harness.report")
	if ok and type(report) == "table" and report.write then
		-- report.write returns nil, message when it cannot write: that is a failure too.
		local wok, paths, werr = pcall(report.write, run, out)
		if wok and paths then return true, paths end
		return false, tostring(wok and werr or paths)
	end
	-- Fallback when the report writers are not there: results.json alone.
	fs.mkdir(out)
	local wok, err = fs.write(out .. "/results.json", json.encode(run, true))
	return wok, err
end

local function build_jobs(scenarios, mods)
	local jobs = {}
	for _, sc in ipairs(scenarios) do
		for _, v in ipairs(sc.policies) do
			for _, m in ipairs(mods) do
				if m.entry.installed then
					local vname = policy.variant_name(v)
					jobs[#jobs + 1] = { scenario = sc, variant = v, adapter = m.mod,
						id = vname == "default" and sc.id or (sc.id .. "@" .. vname),
						serial = sc.serial or sc.area == "limits" or sc.area == "perf" }
				end
			end
		end
	end
	return jobs
end

-- Default --jobs: the host's CPU count (a battery is mostly waiting on short processes);
-- scenarios marked serial (limits, perf, timing) still run alone.
local function default_jobs()
	local ok, fp = pcall(host.fingerprint)
	return math.max(1, math.min(4, ok and fp.nproc or 1))
end

-- The adapter names --adapter asks for ("all": every adapter but the `none` control).
local function adapter_names(opts)
	local names = opts.adapter or { "cordon" }
	if #names == 1 and names[1] == "all" then return { table.unpack(M.ADAPTERS, 2) } end
	for _, n in ipairs(names) do
		local known = false
		for _, k in ipairs(M.ADAPTERS) do known = known or k == n end
		if n == "floor" then
			return nil, "floor confines nothing (the namespaces alone): it is for bench --adapter floor"
		end
		if not known then
			return nil, "unknown adapter '" .. n .. "' (known: " .. table.concat(M.ADAPTERS, ", ") .. ", all)"
		end
	end
	return names
end

local function new_run(run_id, opts, base, as_user, adapters)
	return { schema = "cordon-results/1", run_id = run_id, started = clock.iso8601(),
		harness = { version = M.VERSION, command = "check " .. table.concat(opts._argv or {}, " ") },
		host = host.fingerprint(), as_user = as_user or nil,
		policy = { name = base.name, text = base.text, hash = base.hash,
			settings = policy.for_json(base.settings) },
		adapters = adapters, results = {}, best_effort = opts["best-effort"] or nil }
end

-- A scenario file that does not load is an error of the run (exit 1), not of the harness.
local function load_error_record(e)
	return { id = "load:" .. (e:match("([%w_%-]+/[%w_%-]+%.lua)") or "scenario"), area = "harness",
		title = "load a scenario file", adapter = "-", expected = "succeeded", status = "error",
		reason = e, duration = 0 }
end

-- Sort, summarize, write the report, print the summary. -> exit status
local function finish_run(run, out, t0, gate_list)
	table.sort(run.results, function(a, b)
		if a.id ~= b.id then return a.id < b.id end
		return a.adapter < b.adapter
	end)
	runner.unstage_probes()
	run.finished = clock.iso8601()
	run.duration = clock.now() - t0
	run.summary = summarize(run.results)
	local wok, werr = write_report(run, out)
	if not wok then return fail2("cannot write the report in " .. out .. ": " .. tostring(werr)) end
	-- --gate: the exit status judges only these adapters (the matrix still shows every one):
	-- the main job certifies cordon and reports its peers' gaps without failing on them.
	local gate = nil
	if gate_list then
		gate = {}
		for _, g in ipairs(gate_list) do gate[g] = true end
	end
	local bad = 0
	for _, r in ipairs(run.results) do
		if (r.status == "fail" or r.status == "error") and (not gate or gate[r.adapter] or r.adapter == "-") then
			bad = bad + 1
		end
	end
	for name, s in pairs(run.summary) do
		tap.comment(("%s: %d pass, %d fail, %d not-live, %d not-applicable, %d error"):format(name,
			s.pass, s.fail, s["not-live"], s["not-applicable"], s.error))
	end
	tap.comment("report: " .. out)
	M.eprint("cordon-harness: report in " .. out)
	return bad == 0 and 0 or 1
end

-- --gate names adapters whose results decide the exit status: each must be one of those run,
-- and installed, or the run would be green for a sandbox that never ran.
local function check_gate(gate, adapters)
	for _, g in ipairs(gate or {}) do
		local found
		for _, a in ipairs(adapters) do found = found or (a.name == g and a) end
		if not found then return nil, "--gate " .. g .. ": not among the adapters run (--adapter)" end
		-- A sandbox that refuses to run on this host is reported (host:sandbox-runs), and fails.
		if not found.installed and not found.refused then
			return nil, "--gate " .. g .. ": " .. tostring(found.why_missing)
		end
	end
	return true
end

-- The report folder must be writable by whoever runs the battery, before it runs: a battery
-- that cannot be written up is a battery run for nothing.
local function check_out(out)
	if not fs.exists(out) then
		local ok, err = fs.mkdir(out)
		if not ok then return nil, "--out: cannot create " .. out .. ": " .. tostring(err) end
	end
	local probe = out .. "/.cordon-harness-write-test"
	local ok, err = fs.write(probe, "")
	if not ok then return nil, "--out: cannot write in " .. out .. ": " .. tostring(err) end
	fs.rm_rf(probe)
	return true
end

-- A policy file under test must be one cordon itself accepts: ask cordon's own parser
-- (`cordon explain --policy FILE`), so the report never certifies a policy cordon refuses.
local function validate_policy_file(file)
	local bin = sys.paths().cordon
	if not fs.exists(bin) then return true end -- no cordon here: the peers' checks still run
	-- --best-effort: whether this host can enforce it is the preflight's question, not this one.
	local r, err = proc.run({ argv = { bin, "explain", "--best-effort", "--policy", file }, timeout = 30 })
	if not r then return nil, "cannot run " .. bin .. ": " .. tostring(err) end
	if r.status == 125 then
		local line = (r.stderr or ""):match("[^\n]+") or "refused"
		return nil, "--policy " .. file .. ": cordon refuses it: " .. line
	end
	return true
end

-- --require KEY=VALUE,...: what a certifier demands of the policy under test. Each unmet
-- requirement is a failed check of the run, in the report like any other.
local REQUIRE_ORDER = {
	profile = { ["read-only"] = 1, ["workspace-write"] = 2, ["full-access"] = 3 },
	network = { off = 1, on = 2 },
}
local function require_records(reqs, settings)
	local out = {}
	for _, req in ipairs(reqs or {}) do
		local key, want = req:match("^([%w-]+)=(.+)$")
		local order = key and REQUIRE_ORDER[key]
		local have = key and settings[key]
		local rec = { id = "require:" .. (key or req), area = "harness", adapter = "-",
			title = "the policy meets --require " .. req, expected = req,
			outcome = (key or req) .. "=" .. tostring(have), duration = 0 }
		if not order or not order[want] then
			rec.status, rec.reason = "error", "--require " .. req .. ": expected profile=" ..
				"read-only|workspace-write|full-access or network=off|on"
		elseif (order[have] or math.huge) > order[want] then
			rec.status, rec.reason = "fail", ("the policy's %s is %s, weaker than the required %s")
				:format(key, tostring(have), want)
		else
			rec.status = "pass"
		end
		out[#out + 1] = rec
	end
	return out
end

local function check(opts)
	local names, nerr = adapter_names(opts)
	if not names then return fail2(nerr) end
	local base, perr = base_policy(opts)
	if not base then return fail2(perr) end
	if opts.policy then
		local vok, verr = validate_policy_file(opts.policy)
		if not vok then return fail2(verr) end
	end
	local run_id = M.run_id()
	local out = opts.out or (sys.paths().source .. "/reports/" .. run_id)
	if host.getuid() == 0 and (opts["as-user"] or "cordon-test") ~= "root" then
		local name = opts["as-user"] or "cordon-test"
		sys.ensure_user(name)
		runner.stage_setuid(run_id, host.user(name))
	end
	local scenarios, errors = select_scenarios(opts)
	if not scenarios then return fail2(errors) end
	local as_user, derr = drop_privileges(opts, out)
	if as_user == false then return fail2(derr) end
	local ook, oerr = check_out(out)
	if not ook then return fail2(oerr) end
	-- As the battery's user: a sandbox that refuses to run for it is found here (preflight).
	local adapters, mods = adapter_entries(names, opts["best-effort"] or false)
	if not adapters then return fail2(mods) end
	local gok, gerr = check_gate(opts.gate, adapters)
	if not gok then return fail2(gerr) end
	local sok, serr = runner.stage_probes(run_id)
	if not sok then return fail2(serr) end
	local u = as_user and host.user(as_user)
	local ctx = { run_id = run_id, base_settings = base.settings, none = load_adapter("none"),
		capable = load_adapter("capable"),
		home = (u and u.home) or os.getenv("HOME") }
	local run, t0 = new_run(run_id, opts, base, as_user, adapters), clock.now()
	local jobs = build_jobs(scenarios, mods)
	local total, n = #jobs + #errors, 0
	for _, a in ipairs(adapters) do
		if a.refused then total = total + 1 end
	end
	local function record(rec)
		n = n + 1
		run.results[#run.results + 1] = rec
		tap.point(n, rec)
		M.eprint(("[%d/%d] %s %s %s"):format(n, total, rec.adapter, rec.id, rec.status))
	end
	local reqs = require_records(opts.require, base.settings)
	total = total + #reqs
	tap.header(total)
	for _, e in ipairs(errors) do record(load_error_record(e)) end
	for _, rec in ipairs(reqs) do record(rec) end
	for _, a in ipairs(adapters) do
		if a.refused then
			local msg = a.name .. " refuses to run on this host (" .. tostring(run.host.kernel) ..
				", Landlock ABI " .. tostring(run.host.landlock_abi) .. "): " .. a.refused ..
				" -- no check was run with it; `check --best-effort` certifies the weaker configuration"
			M.eprint("cordon-harness: " .. msg)
			record({ id = "host:sandbox-runs", area = "harness", title = "the sandbox runs on this host",
				adapter = a.name, expected = "succeeded", status = "error", reason = msg, duration = 0 })
		elseif not a.installed then
			tap.comment(a.name .. " not run: " .. tostring(a.why_missing))
		elseif a.best_effort then
			tap.comment(a.name .. " runs with --best-effort: the certified configuration is what " ..
				"this host enforces, which `cordon explain --best-effort` lists")
		end
	end
	runner.schedule(jobs, opts.jobs or default_jobs(), ctx, function(_, rec) record(rec) end)
	return finish_run(run, out, t0, opts.gate)
end

local function list(opts)
	local scenarios, errors = select_scenarios(opts)
	if not scenarios then return fail2(errors) end
	local area
	for _, sc in ipairs(scenarios) do
		if sc.area ~= area then
			area = sc.area
			print(area)
		end
		print(("  %-34s %-60s [%s]"):format(sc.id, sc.title, table.concat(variant_list(sc), ", ")))
	end
	for _, e in ipairs(errors) do M.eprint("cordon-harness: " .. e) end
	return #errors == 0 and 0 or 1
end

local function adapters_cmd()
	local list_, err = adapter_entries(M.ADAPTERS)
	if not list_ then return fail2(err) end
	for _, a in ipairs(list_) do
		if a.installed then
			print(("%-11s installed  %-12s %s"):format(a.name, tostring(a.version), tostring(a.path)))
		else
			print(("%-11s missing    %s"):format(a.name, tostring(a.why_missing)))
		end
		if #a.unsupported > 0 then
			print(("%-11s cannot express: %s"):format("", table.concat(a.unsupported, ", ")))
		end
	end
	return 0
end

local function merge(opts)
	local ok, report = pcall(require, "harness.report")
	if not ok or type(report) ~= "table" or not report.merge then
		return fail2("report merge: the report module is not available")
	end
	local runs = {}
	for _, f in ipairs(opts.files) do
		local text, err = fs.read(f)
		if not text then return fail2(f .. ": " .. tostring(err)) end
		local v, jerr = json.decode(text)
		if type(v) ~= "table" then return fail2(f .. ": not JSON: " .. tostring(jerr)) end
		runs[#runs + 1] = v
	end
	local mok, run = pcall(report.merge, runs)
	if not mok then return fail2("report merge: " .. tostring(run)) end
	local out = opts.out or (sys.paths().source .. "/reports/" .. (run.run_id or M.run_id()))
	local wok, paths, werr = pcall(report.write, run, out)
	if not wok or not paths then return fail2("report merge: " .. tostring(wok and werr or paths)) end
	print(out)
	return 0
end

-- `bench`: spawn overhead per adapter (harness/bench.lua), written as perf.json and as the
-- performance section of report.html. Exit 0 when every adapter measured could spawn.
local function bench_cmd(opts)
	local bench = require("harness.bench")
	local run_id = M.run_id() .. "-bench"
	local out = opts.out or (sys.paths().source .. "/reports/" .. run_id)
	local as_user, derr = drop_privileges(opts, out)
	if as_user == false then return fail2(derr) end
	local sok, serr = runner.stage_probes(run_id)
	if not sok then return fail2(serr) end
	local env = { load_adapter = load_adapter, progress = function(s) M.eprint("bench: " .. s) end }
	local started, t0 = clock.iso8601(), clock.now()
	local base, berr = base_policy(opts)
	if not base then return fail2(berr) end
	local perf, tree = bench.measure({ adapter = opts.adapter, runs = opts.runs,
		concurrency = opts.concurrency, scaling = opts.scaling, settings = base.settings }, env)
	runner.unstage_probes()
	if not perf then return fail2(tree) end
	pcall(runner.cleanup_tree, tree)
	local adapters = {}
	for _, a in ipairs(perf.adapters) do
		adapters[#adapters + 1] = { name = a.name, installed = true, version = a.version,
			command = a.command, unsupported = {} }
	end
	local s, text = base.settings, base.text
	local run = { schema = "cordon-results/1", run_id = run_id, started = started,
		finished = clock.iso8601(), duration = clock.now() - t0, harness = { version = M.VERSION,
		command = "bench " .. table.concat(opts._argv or {}, " ") }, host = host.fingerprint(),
		as_user = as_user or nil, policy = { name = base.name, text = text, hash = host.hash(text),
		settings = policy.for_json(s) }, adapters = adapters, results = {}, summary = {}, perf = perf }
	local wok, werr = write_report(run, out)
	if not wok then return fail2("cannot write the report in " .. out .. ": " .. tostring(werr)) end
	local pok, perr = fs.write(out .. "/perf.json", json.encode(perf, true))
	if not pok then return fail2("cannot write " .. out .. "/perf.json: " .. tostring(perr)) end
	for _, line in ipairs(bench.lines(perf)) do print(line) end
	print("report: " .. out)
	for _, a in ipairs(perf.adapters) do
		if a.error then return 1 end
	end
	return 0
end

function M.main(args)
	local opts, err = cli.parse(args)
	if not opts then return fail2(err) end
	opts._argv = { table.unpack(args, 2) }
	if opts.command == "help" then
		print(cli.USAGE)
		return 0
	elseif opts.command == "check" then
		return check(opts)
	elseif opts.command == "list" then
		return list(opts)
	elseif opts.command == "adapters" then
		return adapters_cmd()
	elseif opts.command == "merge" then
		return merge(opts)
	elseif opts.command == "bench" then
		return bench_cmd(opts)
	elseif opts.command == "mutate" then
		return require("harness.mutate").main(opts, { fail2 = fail2, run_id = M.run_id(),
			progress = function(s) M.eprint("mutate: " .. s) end })
	end
	return fail2("unknown command")
end

return M
