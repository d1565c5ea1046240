-- `cordon-harness bench`: spawn overhead of each sandbox against bare exec (issue 5).
--
-- Every spawn is timed by the C side from before fork to the reaped exit (proc.run's `wall`),
-- so what is measured is what an agent pays per command. Adapters are interleaved run by run
-- (a different rotation each round) so that drift — a cron job, frequency scaling — hits all
-- of them alike. Nothing here asserts a time: the numbers go to perf.json and the report.
local policy = require("harness.policy")
local runner = require("harness.runner")
local stats = require("harness.stats")

local M = {}

M.DEFAULT_RUNS = 200
M.DEFAULT_CONCURRENCY = { 1, 2, 4 }
M.DEFAULT_SCALING = { 1, 10, 100, 1000 }
-- Scaling is measured for these only: cordon's claim is against bubblewrap's bind-mount cost
-- (containers/bubblewrap#384); the npm peers take hundreds of ms and would drown the curve.
M.SCALING_ADAPTERS = { cordon = true, bwrap = true }

local DIMENSIONS = {
	{ name = "writable roots", key = "writable", make = "dir" },
	{ name = "protected paths", key = "protect", make = "file" },
	{ name = "deny-read paths", key = "deny-read", make = "dir" },
}

-- The command each adapter runs: the noop probe, and /bin/true as a second baseline that
-- does not depend on our own probe.
local function targets()
	return {
		{ name = "noop", argv = { runner.probe_path("core.noop") } },
		{ name = "true", argv = { "/bin/true" } },
	}
end

local function concat(a, b)
	local out = {}
	for _, x in ipairs(a) do out[#out + 1] = x end
	for _, x in ipairs(b) do out[#out + 1] = x end
	return out
end

-- The environment a sandbox's command gets: the runner's small clean one plus what the
-- adapter needs of its own (codex: a private CODEX_HOME).
local function adapter_env(adapter, pol, tree)
	local env = { PATH = "/usr/local/bin:/usr/bin:/bin", HOME = tree.home or "/", LANG = "C" }
	if adapter.env then
		for k, v in pairs(adapter.env(pol, tree) or {}) do env[k] = v end
	end
	return env
end

-- One timed spawn. -> sample table | nil, reason
local function spawn_once(prefix, target, cwd, env)
	local r, err = proc.run({ argv = concat(prefix, target.argv), cwd = cwd, env = env, timeout = 60 })
	if not r then return nil, tostring(err) end
	if r.timed_out or r.status ~= 0 then
		return nil, ("exit %s%s: %s"):format(tostring(r.status), r.signal and (" signal " .. r.signal) or "",
			(r.stderr or ""):sub(1, 300))
	end
	return { wall = r.wall, cpu = (r.utime or 0) + (r.stime or 0), rss = r.maxrss_kb or 0 }
end

-- Run `runs` rounds; in each round every adapter spawns once, in a rotated order.
local function latency(entries, target, runs, cwd, progress)
	for round = 1, runs do
		for k = 0, #entries - 1 do
			local e = entries[(round + k - 1) % #entries + 1]
			if not e.error then
				local s, err = spawn_once(e.prefix, target, cwd, e.env)
				if s then
					local acc = e.acc[target.name]
					acc.wall[#acc.wall + 1] = s.wall
					acc.cpu = acc.cpu + s.cpu
					acc.rss = math.max(acc.rss, s.rss)
				else
					e.error = target.name .. ": " .. err
				end
			end
		end
		if progress and round % 50 == 0 then progress(("%s: %d/%d rounds"):format(target.name, round, runs)) end
	end
end

-- Spawns per second with `c` at a time, over `total` spawns.
local function throughput(prefix, target, c, total, cwd, env)
	local t0, running, started, done = clock.now(), {}, 0, 0
	while done < total do
		while #running < c and started < total do
			local h = proc.start({ argv = concat(prefix, target.argv), cwd = cwd, env = env, timeout = 60 })
			if not h then return nil end
			running[#running + 1] = h
			started = started + 1
		end
		local i = proc.wait_any(running, 60)
		if not i then return nil end
		table.remove(running, i)
		done = done + 1
	end
	return total / (clock.now() - t0)
end

-- Make n directories or files under base for one scaling dimension. -> list of paths
local function make_paths(base, dim, n)
	local out = {}
	assert(fs.mkdir(base))
	for i = 1, n do
		local p = ("%s/%s%04d"):format(base, dim.key:gsub("%-", "_"), i)
		if dim.make == "dir" then assert(fs.mkdir(p)) else assert(fs.write(p, "x\n")) end
		out[#out + 1] = p
	end
	return out
end

local function scaling_curve(adapter, tree, dim, points, runs, target)
	local curve = { adapter = adapter.name, dimension = dim.name, points = {} }
	for _, n in ipairs(points) do
		local base = ("%s/scale-%s-%d"):format(tree.root, dim.key, n)
		local settings = policy.default_settings()
		-- Protected paths must lie in a writable root to mean anything: put them in the
		-- workspace; the others get their own folder.
		if dim.key == "protect" then base = tree.workspace .. "/scale-" .. n end
		settings[dim.key] = make_paths(base, dim, n)
		local pol = policy.bind(settings, tree)
		local prefix = adapter.prefix(pol, tree)
		local env = adapter_env(adapter, pol, tree)
		local walls = {}
		for _ = 1, runs do
			local s = spawn_once(prefix, target, tree.workspace, env)
			if not s then break end
			walls[#walls + 1] = s.wall
		end
		if #walls == 0 then break end
		curve.points[#curve.points + 1] = { n = n, p50 = stats.percentile(walls, 50), runs = #walls }
		fs.rm_rf(base)
	end
	return curve
end

local function summarize_entry(e, runs)
	local noop, tru = e.acc.noop, e.acc["true"]
	local out = { name = e.name, version = e.version, command = e.command, samples = noop.wall,
		stats = #noop.wall > 0 and stats.summary(noop.wall) or nil,
		cpu = #noop.wall > 0 and noop.cpu / #noop.wall or nil,
		peak_rss_kb = noop.rss > 0 and noop.rss or nil,
		true_stats = #tru.wall > 0 and stats.summary(tru.wall) or nil,
		throughput = e.throughput, error = e.error }
	return out
end

local function add_overheads(list)
	local base
	for _, a in ipairs(list) do
		if a.name == "none" then base = a.stats end
	end
	if not base or not base.p50 then return end
	for _, a in ipairs(list) do
		if a.stats and a.stats.p50 then
			a.overhead = { diff = a.stats.p50 - base.p50, ratio = a.stats.p50 / base.p50 }
		end
	end
end

-- opts: adapter list (names), runs, concurrency list, scaling list; env: { load_adapter,
-- progress } from main. -> perf table, tree (caller cleans up) | nil, message
function M.measure(opts, env)
	local names = opts.adapter or { "none", "floor", "cordon", "cordon-warm", "bwrap" }
	local runs = opts.runs or M.DEFAULT_RUNS
	local tree = runner.make_tree({ run_id = "bench", home = os.getenv("HOME") })
	-- --policy FILE (e.g. network = on): the spawns' policy; the scaling curves keep the default.
	local pol = policy.bind(opts.settings or policy.default_settings(), tree)
	local entries = {}
	for _, name in ipairs(names) do
		local mod, err = env.load_adapter(name)
		if not mod then return nil, "unknown adapter '" .. name .. "': " .. tostring(err) end
		local d = mod.detect()
		if d.installed then
			local prefix, why = mod.prefix(pol, tree)
			entries[#entries + 1] = { name = name, mod = mod, version = d.version,
				command = d.command, prefix = prefix or {}, error = not prefix and why or nil,
				env = adapter_env(mod, pol, tree),
				acc = { noop = { wall = {}, cpu = 0, rss = 0 }, ["true"] = { wall = {}, cpu = 0, rss = 0 } } }
		else
			env.progress(name .. " not installed: " .. tostring(d.why_missing))
		end
	end
	if #entries == 0 then return nil, "no adapter to benchmark is installed" end
	local noop, tru = targets()[1], targets()[2]
	if not fs.exists(noop.argv[1]) then return nil, "probe not built: " .. noop.argv[1] end
	-- Warm the page cache and each sandbox's first-run costs out of the samples.
	latency(entries, noop, 3, tree.workspace)
	for _, e in ipairs(entries) do e.acc.noop = { wall = {}, cpu = 0, rss = 0 } end
	latency(entries, noop, runs, tree.workspace, env.progress)
	latency(entries, tru, math.max(10, runs // 4), tree.workspace)
	for _, e in ipairs(entries) do
		e.throughput = {}
		if not e.error then
			for _, c in ipairs(opts.concurrency or M.DEFAULT_CONCURRENCY) do
				local ps = throughput(e.prefix, noop, c, math.max(20, runs // 2), tree.workspace, e.env)
				if ps then e.throughput[#e.throughput + 1] = { concurrency = c, per_second = ps } end
			end
		end
		env.progress(e.name .. ": latency and throughput done")
	end
	local perf = { runs = runs, probe = "noop", adapters = {}, scaling = {} }
	for _, e in ipairs(entries) do perf.adapters[#perf.adapters + 1] = summarize_entry(e, runs) end
	add_overheads(perf.adapters)
	local scale_runs = math.max(5, math.min(30, runs // 10))
	for _, e in ipairs(entries) do
		if M.SCALING_ADAPTERS[e.name] and not e.error then
			for _, dim in ipairs(DIMENSIONS) do
				local curve = scaling_curve(e.mod, tree, dim, opts.scaling or M.DEFAULT_SCALING, scale_runs, noop)
				perf.scaling[#perf.scaling + 1] = curve
				env.progress(("%s: scaling over %s done"):format(e.name, dim.name))
			end
		end
	end
	return perf, tree
end

-- Lines for the terminal: one per adapter.
function M.lines(perf)
	local out = {}
	local function ms(v) return v and ("%.3f"):format(v * 1e3) or "-" end
	out[#out + 1] = ("%-11s %8s %8s %8s %8s %8s %9s %7s %9s %8s"):format("adapter", "min", "p50", "p90",
		"p99", "max", "ovh p50", "ratio", "cpu", "rss MiB")
	for _, a in ipairs(perf.adapters) do
		local st = a.stats or {}
		local ov = a.overhead or {}
		out[#out + 1] = ("%-11s %8s %8s %8s %8s %8s %9s %7s %9s %8s%s"):format(a.name, ms(st.min), ms(st.p50),
			ms(st.p90), ms(st.p99), ms(st.max), ms(ov.diff), ov.ratio and ("%.2fx"):format(ov.ratio) or "-",
			ms(a.cpu), a.peak_rss_kb and ("%.2f"):format(a.peak_rss_kb / 1024) or "-",
			a.error and ("  error: " .. a.error) or "")
	end
	for _, c in ipairs(perf.scaling) do
		local pts = {}
		for _, p in ipairs(c.points) do pts[#pts + 1] = ("%d:%sms"):format(p.n, ms(p.p50)) end
		out[#out + 1] = ("scaling %-7s %-16s %s"):format(c.adapter, c.dimension, table.concat(pts, " "))
	end
	return out
end

return M
