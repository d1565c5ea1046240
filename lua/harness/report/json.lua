-- results.json: the run model, encoded by the harness's C `json` module (pretty printed).
--
-- The C encoder turns a table with keys 1..n into an array and anything else into an object,
-- so an empty list would come out as {}. The fields the schema declares as arrays are marked
-- with json.array() first so that an empty list stays [] (e.g. an adapter with nothing
-- unsupported, or a run with no results).
local util = require("harness.report.util")

local M = {}

local function cjson()
	local j = rawget(_G, "json")
	if type(j) ~= "table" or type(j.encode) ~= "function" then
		error("harness.report.json: the C json module is not registered", 3)
	end
	return j
end

local function as_array(t)
	if type(t) == "table" and next(t) == nil then
		return cjson().array(t) or t
	end
	return t
end

local function mark_probe(p)
	if type(p) == "table" then
		p.argv = as_array(p.argv)
	end
end

-- Mark every list field of the model (in place: marking only sets a metatable).
function M.normalize(run)
	run.adapters = as_array(run.adapters or {})
	run.results = as_array(run.results or {})
	for _, a in ipairs(run.adapters) do
		a.unsupported = as_array(a.unsupported or {})
	end
	for _, r in ipairs(run.results) do
		mark_probe(r.probe)
		mark_probe(r.control)
	end
	if run.hosts then
		run.hosts = as_array(run.hosts)
	end
	if run.merged_from then
		run.merged_from = as_array(run.merged_from)
	end
	return run
end

function M.render(run)
	if not run.summary then
		run.summary = util.summarize(run.results)
	end
	return cjson().encode(M.normalize(run), true) .. "\n"
end

-- JSON null means "absent" in the model: drop it so that writers only ever see nil.
local function strip_nulls(v, null)
	if null == nil then
		return
	end
	if type(v) ~= "table" then
		return
	end
	for k, x in pairs(v) do
		if x == null then
			v[k] = nil
		else
			strip_nulls(x, null)
		end
	end
end

-- Drop json.null values from a decoded run (in place).
function M.strip_nulls(run)
	local j = rawget(_G, "json")
	strip_nulls(run, type(j) == "table" and j.null or nil)
	return run
end

-- Parse the text of a results.json. nil, message when it is not JSON or not a run.
function M.parse(text, name)
	name = name or "results.json"
	local run, err = cjson().decode(text)
	if run == nil then
		return nil, name .. ": not JSON: " .. tostring(err)
	end
	strip_nulls(run, cjson().null)
	if type(run) ~= "table" or type(run.schema) ~= "string" or not run.schema:match("^cordon%-results/") then
		return nil, name .. ": not a cordon results file (no schema \"cordon-results/1\")"
	end
	if type(run.results) ~= "table" then
		return nil, name .. ": has no results list"
	end
	return run
end

-- Read and parse a results.json from disk (through the harness's `fs`).
function M.load(path)
	local text, err = fs.read(path)
	if text == nil then
		return nil, path .. ": " .. tostring(err)
	end
	return M.parse(text, path)
end

return M
