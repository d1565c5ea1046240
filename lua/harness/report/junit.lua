-- junit.xml: what CI systems (GitLab, Jenkins, GitHub test reporters) show.
--
-- One <testsuite> per adapter x area (name and classname "adapter.area"), one <testcase> per
-- scenario result (name = scenario id). fail -> <failure>, error -> <error>, not-live and
-- not-applicable -> <skipped>: neither is a failure of the sandbox, and CI should show why.
-- The document validates against reports/schema/junit.xsd.
local util = require("harness.report.util")

local M = {}

local x, xa = util.xml, util.xml_attr

local function num(v)
	return string.format("%.6f", tonumber(v) or 0)
end

local function attrs(list)
	local out = {}
	for i = 1, #list, 2 do
		if list[i + 1] ~= nil then
			out[#out + 1] = string.format(' %s="%s"', list[i], xa(list[i + 1]))
		end
	end
	return table.concat(out)
end

-- The evidence a reviewer needs to judge a failure, as plain text lines.
function M.evidence(r)
	local lines = {}
	local function add(label, v)
		if v ~= nil and v ~= "" then
			lines[#lines + 1] = label .. ": " .. tostring(v)
		end
	end
	add("scenario", r.title)
	add("policy variant", r.policy)
	add("expected", r.expected)
	add("got", util.got(r.probe))
	add("problem", r.probe and r.probe.problem)
	add("reason", r.reason)
	if r.probe then
		add("probe line", r.probe.line)
		add("probe exit", r.probe.exit)
		add("probe argv", r.probe.argv and util.shell_join(r.probe.argv))
		add("probe stderr", r.probe.stderr)
	end
	if r.control then
		add("control", util.got(r.control))
		add("control line", r.control.line)
	end
	if r.oracle then
		add("oracle", string.format("%s (%s)", tostring(r.oracle.name), r.oracle.ok and "ok" or "not ok"))
		add("oracle evidence", r.oracle.evidence)
	end
	return table.concat(lines, "\n")
end

local function testcase(out, r, classname)
	out[#out + 1] = string.format("    <testcase%s", attrs({ "name", r.id, "classname", classname, "time", num(r.duration) }))
	local st = r.status
	if st == "pass" then
		out[#out + 1] = "/>\n"
		return
	end
	out[#out + 1] = ">\n"
	if st == "fail" then
		out[#out + 1] = string.format("      <failure%s>%s</failure>\n",
			attrs({ "message", r.reason or "expectation not met", "type", "fail" }), x(M.evidence(r)))
	elseif st == "error" then
		out[#out + 1] = string.format("      <error%s>%s</error>\n",
			attrs({ "message", r.reason or "harness error", "type", "error" }), x(M.evidence(r)))
	else
		out[#out + 1] = string.format("      <skipped%s/>\n", attrs({ "message", (st or "?") .. ": " .. (r.reason or "") }))
	end
	if r.probe and r.probe.line and r.probe.line ~= "" then
		out[#out + 1] = "      <system-out>" .. x(r.probe.line) .. "</system-out>\n"
	end
	out[#out + 1] = "    </testcase>\n"
end

-- The fingerprint of the host a column ran on: in a merged run, the adapter's own host.
local function host_of(run, adapter)
	for _, h in ipairs(run.hosts or {}) do
		if adapter and h.label == adapter.host then
			return h.fingerprint or {}
		end
	end
	return run.host or {}
end

local function properties(out, run, adapter)
	out[#out + 1] = "    <properties>\n"
	local function prop(name, value)
		if value ~= nil then
			out[#out + 1] = string.format("      <property%s/>\n", attrs({ "name", name, "value", util.flat(value) }))
		end
	end
	prop("run_id", run.run_id)
	prop("adapter", adapter and adapter.name)
	prop("adapter.version", adapter and adapter.version)
	prop("adapter.command", adapter and adapter.command)
	prop("as_user", run.as_user)
	local policy = run.policy or {}
	prop("policy.name", policy.name)
	prop("policy.hash", policy.hash)
	local host = host_of(run, adapter)
	for _, k in ipairs(util.sorted_keys(host)) do
		prop("host." .. tostring(k), host[k])
	end
	out[#out + 1] = "    </properties>\n"
end

local function counts(results)
	local c = { tests = #results, failures = 0, errors = 0, skipped = 0, time = 0 }
	for _, r in ipairs(results) do
		if r.status == "fail" then
			c.failures = c.failures + 1
		elseif r.status == "error" then
			c.errors = c.errors + 1
		elseif r.status ~= "pass" then
			c.skipped = c.skipped + 1
		end
		c.time = c.time + (tonumber(r.duration) or 0)
	end
	return c
end

-- Suites in a stable order: adapters as in the matrix, areas in order of first appearance.
local function suites(run)
	local cols, by_name = util.adapter_columns(run)
	local list = {}
	for _, area in ipairs(util.matrix(run)) do
		for _, name in ipairs(cols) do
			local rs = {}
			for _, row in ipairs(area.rows) do
				rs[#rs + 1] = row.cells[name]
			end
			if #rs > 0 then
				list[#list + 1] = { name = name .. "." .. area.name, adapter = by_name[name] or { name = name }, results = rs }
			end
		end
	end
	table.sort(list, function(a, b)
		return a.name < b.name
	end)
	return list
end

function M.render(run)
	local out = { '<?xml version="1.0" encoding="UTF-8"?>\n' }
	local total = counts(run.results or {})
	out[#out + 1] = string.format("<testsuites%s>\n", attrs({ "name", "cordon-harness " .. tostring(run.run_id),
		"tests", total.tests, "failures", total.failures, "errors", total.errors, "skipped", total.skipped,
		"time", num(run.duration or total.time), "timestamp", run.started }))
	for _, s in ipairs(suites(run)) do
		local c = counts(s.results)
		out[#out + 1] = string.format("  <testsuite%s>\n", attrs({ "name", s.name, "tests", c.tests,
			"failures", c.failures, "errors", c.errors, "skipped", c.skipped, "time", num(c.time),
			"timestamp", run.started, "hostname", host_of(run, s.adapter).hostname }))
		properties(out, run, s.adapter)
		for _, r in ipairs(s.results) do
			testcase(out, r, s.name)
		end
		out[#out + 1] = "  </testsuite>\n"
	end
	out[#out + 1] = "</testsuites>\n"
	return table.concat(out)
end

return M
