-- The report writers: report.write(run, outdir) turns one run model (see
-- reports/schema/results.schema.json) into reports/<run-id>/{results.json, junit.xml,
-- report.md, report.html}; report.merge(runs) combines several runs into one.
--
-- Writers are pure functions run -> text (so they can be tested without touching disk); only
-- write() uses the harness's `fs`. An expected failure (cannot create the folder or a file)
-- returns nil, message.
local util = require("harness.report.util")

local M = {}

-- The files of a report, in the order they are written. results.json comes first so that
-- the data survives even if a renderer fails on an unexpected value.
M.FILES = {
	{ key = "json", file = "results.json", module = "harness.report.json" },
	{ key = "junit", file = "junit.xml", module = "harness.report.junit" },
	{ key = "markdown", file = "report.md", module = "harness.report.markdown" },
	{ key = "html", file = "report.html", module = "harness.report.html" },
}

M.summarize = util.summarize

-- Render every format without writing: {json = text, junit = text, markdown = text, html = text}.
function M.render(run)
	if type(run) ~= "table" then
		error("report.render: expected a run table, got " .. type(run), 2)
	end
	require("harness.report.json").strip_nulls(run)
	run.summary = run.summary or util.summarize(run.results)
	local texts = {}
	for _, f in ipairs(M.FILES) do
		texts[f.key] = require(f.module).render(run)
	end
	return texts
end

-- Write the report into outdir (created with parents). Returns {json=path, junit=path,
-- markdown=path, html=path} or nil, message.
function M.write(run, outdir)
	if type(run) ~= "table" or type(outdir) ~= "string" then
		error("report.write(run, outdir): expected a table and a path", 2)
	end
	-- json.null (e.g. "errno":null copied from a probe line) means absent: writers see nil.
	require("harness.report.json").strip_nulls(run)
	run.summary = run.summary or util.summarize(run.results)
	local ok, err = fs.mkdir(outdir)
	if ok == nil and err ~= nil then
		return nil, "report: cannot create " .. outdir .. ": " .. tostring(err)
	end
	local paths = {}
	for _, f in ipairs(M.FILES) do
		local path = outdir .. "/" .. f.file
		local text = require(f.module).render(run)
		local wok, werr = fs.write(path, text)
		if wok == nil and werr ~= nil then
			return nil, "report: cannot write " .. path .. ": " .. tostring(werr)
		end
		paths[f.key] = path
	end
	return paths
end

function M.merge(runs)
	return require("harness.report.merge").merge(runs)
end

-- Read a results.json back into a run model (for `report merge`): run | nil, message.
function M.load(path)
	return require("harness.report.json").load(path)
end

return M
