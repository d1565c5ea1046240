-- report.merge(runs): one run model, hence one matrix, from several results.json (the same
-- battery on several hosts, or several runs on one host).
--
-- Columns are keyed by adapter; when the runs come from different hosts every column is
-- "adapter@host" (a host being hostname + kernel + arch: two kernels on one hostname are two
-- hosts), and if one host still contributes the same adapter twice the later column gets
-- "@<run id>" (and "#<run number>" only when even that repeats). The merged run lists its hosts and the run ids it came from; the inputs are
-- not modified.
local util = require("harness.report.util")

local M = {}

local function host_key(h)
	h = h or {}
	return table.concat({ tostring(h.hostname or "?"), tostring(h.kernel or "?"), tostring(h.arch or "?") }, "|")
end

local function shallow(t)
	local c = {}
	for k, v in pairs(t) do
		c[k] = v
	end
	return c
end

-- Distinct hosts in order of first appearance, each with a short unique label.
local function hosts_of(runs)
	local hosts, by_key, name_uses = {}, {}, {}
	for i, run in ipairs(runs) do
		local key = host_key(run.host)
		local h = by_key[key]
		if not h then
			local name = tostring((run.host or {}).hostname or "host")
			name_uses[name] = (name_uses[name] or 0) + 1
			local label = name_uses[name] == 1 and name or (name .. "-" .. name_uses[name])
			h = { label = label, fingerprint = run.host or {}, run_ids = {} }
			by_key[key] = h
			hosts[#hosts + 1] = h
		end
		h.run_ids[#h.run_ids + 1] = tostring(run.run_id or ("#" .. i))
	end
	return hosts, by_key
end

local function adapter_names(run)
	local names, seen = {}, {}
	local function add(n)
		if n and not seen[n] then
			seen[n] = true
			names[#names + 1] = n
		end
	end
	for _, a in ipairs(run.adapters or {}) do
		add(a.name)
	end
	for _, r in ipairs(run.results or {}) do
		add(r.adapter)
	end
	return names
end

local function merged_policy(runs)
	local first, same = runs[1].policy or {}, true
	local names, hashes = {}, {}
	for _, run in ipairs(runs) do
		local p = run.policy or {}
		same = same and p.hash == first.hash
		names[#names + 1] = tostring(p.name or "?")
		hashes[#hashes + 1] = tostring(p.hash or "?")
	end
	if same then
		return first
	end
	return { name = "several: " .. table.concat(names, ", "), hash = table.concat(hashes, ","), settings = {},
		text = "The merged runs used different policies; see each run's results.json." }
end

local function time_bounds(runs)
	local started, finished
	for _, run in ipairs(runs) do
		if run.started and (not started or run.started < started) then
			started = run.started
		end
		if run.finished and (not finished or run.finished > finished) then
			finished = run.finished
		end
	end
	return started, finished
end

function M.merge(runs)
	if type(runs) ~= "table" or #runs == 0 then
		return nil, "report merge: no runs to merge"
	end
	-- Runs decoded by the caller may hold json.null where the model has nil.
	local js = require("harness.report.json")
	for _, run in ipairs(runs) do
		js.strip_nulls(run)
	end
	local hosts, by_key = hosts_of(runs)
	local multi = #hosts > 1
	local out = { adapters = {}, results = {}, merged_from = {} }
	local taken = {}
	for i, run in ipairs(runs) do
		local host = by_key[host_key(run.host)]
		out.merged_from[#out.merged_from + 1] = tostring(run.run_id or ("#" .. i))
		local label = {}
		for _, name in ipairs(adapter_names(run)) do
			local l = multi and (name .. "@" .. host.label) or name
			-- The same adapter twice on one host: name the later column by its run, so a
			-- reader can find its results.json (a plain "#2" says nothing).
			if taken[l] and run.run_id then
				l = l .. "@" .. tostring(run.run_id)
			end
			if taken[l] then
				l = l .. "#" .. i
			end
			taken[l] = true
			label[name] = l
		end
		for _, a in ipairs(run.adapters or {}) do
			local c = shallow(a)
			c.name, c.base, c.host = label[a.name], a.name, host.label
			out.adapters[#out.adapters + 1] = c
		end
		for _, r in ipairs(run.results or {}) do
			local c = shallow(r)
			c.adapter, c.host = label[r.adapter], host.label
			out.results[#out.results + 1] = c
		end
	end
	out.schema = "cordon-results/1"
	out.run_id = os.date("!%Y%m%dT%H%M%SZ") .. "-merge"
	out.started, out.finished = time_bounds(runs)
	out.harness = shallow(runs[1].harness or {})
	out.harness.command = "report merge " .. table.concat(out.merged_from, " ")
	out.host = runs[1].host or {}
	out.hosts = {}
	for _, h in ipairs(hosts) do
		out.hosts[#out.hosts + 1] = { label = h.label, fingerprint = h.fingerprint, run_ids = h.run_ids }
	end
	out.policy = merged_policy(runs)
	out.summary = util.summarize(out.results)
	local duration = 0
	for _, run in ipairs(runs) do
		duration = duration + (tonumber(run.duration) or 0)
	end
	out.duration = duration
	return out
end

return M
