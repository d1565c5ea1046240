-- report.md: the report as GitHub-flavoured Markdown (CI job summaries, pull-request comments).
--
-- Order: summary per adapter, host fingerprint, policy, one table per area (scenarios x
-- adapters), then every failure and error with its evidence, then the not-live reasons.
-- Table cells are escaped for Markdown and HTML (GitHub renders inline HTML, and probe lines
-- are untrusted); evidence goes in fenced blocks whose fence is longer than any backtick run
-- in the text, so nothing inside can close it.
local util = require("harness.report.util")
local perf = require("harness.report.perf")

local M = {}

local ICON = { pass = "✅", fail = "❌", ["not-live"] = "⚠️", ["not-applicable"] = "➖", error = "💥" }

-- Text for one table cell: one line, no pipes, no HTML, no Markdown emphasis surprises.
function M.cell(s)
	s = util.html_text(s or "")
	s = s:gsub("[\r\n]+", " ")
	s = s:gsub("([|\\`*_%[%]])", "\\%1")
	return s
end

function M.fence(text, lang)
	text = util.visible(text or "")
	local longest = 2
	for run in text:gmatch("`+") do
		longest = math.max(longest, #run)
	end
	local f = string.rep("`", longest + 1)
	return f .. (lang or "") .. "\n" .. text .. (text:sub(-1) == "\n" and "" or "\n") .. f .. "\n"
end

local function status_cell(r)
	if not r then
		return "—"
	end
	return (ICON[r.status] or "") .. " " .. M.cell(util.STATUS_LABEL[r.status] or r.status)
end

local function header(out, run)
	local kind = util.perf_only(run) and "performance" or "conformance"
	out[#out + 1] = "# cordon-harness " .. kind .. " report — " .. M.cell(run.run_id) .. "\n\n"
	local h = run.harness or {}
	out[#out + 1] = string.format("Started %s, finished %s (%s). Harness %s: `%s`.",
		M.cell(run.started), M.cell(run.finished), util.seconds(run.duration), M.cell(h.version),
		(tostring(h.command or ""):gsub("`", "'")))
	if run.as_user then
		out[#out + 1] = " Run as user `" .. M.cell(run.as_user) .. "`."
	end
	if run.best_effort then
		out[#out + 1] = "\n\n**Certified with `--best-effort`**: cordon ran as weak as this host " ..
			"makes it (`cordon explain --best-effort` lists what is degraded), by explicit choice."
	end
	out[#out + 1] = "\n\n"
end

local function summary(out, run)
	local cols, by_name = util.adapter_columns(run)
	local sum = run.summary or util.summarize(run.results)
	out[#out + 1] = "## Summary\n\n| adapter | version | pass | fail | not-live | not-applicable | error | verdict |\n"
	out[#out + 1] = "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
	for _, name in ipairs(cols) do
		local s, a = sum[name] or {}, by_name[name] or {}
		local bad = (s.fail or 0) + (s.error or 0)
		local version = a.sha256 and ((a.version or "?") .. " (sha256 " .. a.sha256:sub(1, 12) .. "…)") or a.version
		out[#out + 1] = string.format("| %s | %s | %d | %d | %d | %d | %d | %s |\n", M.cell(name), M.cell(version),
			s.pass or 0, s.fail or 0, s["not-live"] or 0, s["not-applicable"] or 0, s.error or 0,
			name:match("^[^@#]+") == "none" and ("unconfined baseline: " .. bad .. " not enforced")
				or (bad == 0 and "✅ all expectations hold" or ("❌ " .. bad .. " not met")))
	end
	local live = {}
	for _, name in ipairs(cols) do
		local n, total = util.live_counts(sum[name])
		live[#live + 1] = ("%s %d of %d"):format(M.cell(name), n, total)
	end
	if #live > 0 then
		out[#out + 1] = "\nLive here (checks that can fail on this host): " .. table.concat(live, "; ") .. ".\n"
	end
	local missing = {}
	for _, a in ipairs(run.adapters or {}) do
		if a.refused then
			missing[#missing + 1] = "- **" .. M.cell(a.name) .. "** refuses to run on this host: " .. M.cell(a.refused) .. "\n"
		elseif a.installed == false or a.why_missing then
			missing[#missing + 1] = "- **" .. M.cell(a.name) .. "** not run: " .. M.cell(a.why_missing or "not installed") .. "\n"
		end
	end
	if #missing > 0 then
		out[#out + 1] = "\nNot run here:\n\n" .. table.concat(missing)
	end
	out[#out + 1] = "\n"
end

local function map_table(out, t, key_title)
	out[#out + 1] = "| " .. key_title .. " | value |\n| --- | --- |\n"
	for _, k in ipairs(util.sorted_keys(t)) do
		out[#out + 1] = "| " .. M.cell(k) .. " | " .. M.cell(util.flat(t[k])) .. " |\n"
	end
	out[#out + 1] = "\n"
end

local function host_and_policy(out, run)
	if run.hosts and #run.hosts > 1 then
		out[#out + 1] = "## Hosts\n\n"
		for _, h in ipairs(run.hosts) do
			out[#out + 1] = "### " .. M.cell(h.label or (h.fingerprint or {}).hostname) .. "\n\n"
			map_table(out, h.fingerprint or {}, "fingerprint")
		end
	else
		out[#out + 1] = "## Host\n\n"
		map_table(out, run.host or {}, "fingerprint")
	end
	local p = run.policy or {}
	out[#out + 1] = "## Policy\n\n**" .. M.cell(p.name or "?") .. "**, sha256 `" .. M.cell(p.hash or "?") .. "`\n\n"
	if p.settings and next(p.settings) then
		map_table(out, p.settings, "setting")
	end
	if p.text and p.text ~= "" then
		out[#out + 1] = "<details><summary>policy text</summary>\n\n" .. M.fence(p.text) .. "\n</details>\n\n"
	end
end

local function matrix(out, run)
	local cols = util.adapter_columns(run)
	out[#out + 1] = "## Results\n\n"
	for _, area in ipairs(util.matrix(run)) do
		out[#out + 1] = "### " .. M.cell(area.name) .. "\n\n| scenario | title |"
		local rule = "| --- | --- |"
		for _, name in ipairs(cols) do
			out[#out + 1] = " " .. M.cell(name) .. " |"
			rule = rule .. " --- |"
		end
		out[#out + 1] = "\n" .. rule .. "\n"
		for _, row in ipairs(area.rows) do
			out[#out + 1] = "| `" .. (tostring(row.id):gsub("[`|]", "?")) .. "` | " .. M.cell(row.title) .. " |"
			for _, name in ipairs(cols) do
				out[#out + 1] = " " .. status_cell(row.cells[name]) .. " |"
			end
			out[#out + 1] = "\n"
		end
		out[#out + 1] = "\n"
	end
end

local function evidence(out, r)
	out[#out + 1] = string.format("### %s %s — %s\n\n", ICON[r.status] or "", M.cell(r.id), M.cell(r.adapter))
	out[#out + 1] = string.format("%s. Expected **%s**, got **%s**.\n\n", M.cell(r.title), M.cell(r.expected),
		M.cell(util.got(r.probe)))
	if r.reason then
		out[#out + 1] = "Reason: " .. M.cell(r.reason) .. "\n\n"
	end
	if r.probe and r.probe.problem then
		out[#out + 1] = "Problem: " .. M.cell(r.probe.problem) .. "\n\n"
	end
	if r.probe and r.probe.line then
		out[#out + 1] = "Probe line:\n\n" .. M.fence(r.probe.line, "json") .. "\n"
	end
	if r.probe and r.probe.stderr and r.probe.stderr ~= "" then
		out[#out + 1] = "Probe stderr:\n\n" .. M.fence(r.probe.stderr) .. "\n"
	end
	if r.control then
		out[#out + 1] = "Control (unconfined): " .. M.cell(util.got(r.control)) .. "\n\n"
		if r.control.line then
			out[#out + 1] = M.fence(r.control.line, "json") .. "\n"
		end
	end
	if r.oracle then
		out[#out + 1] = string.format("Oracle `%s`: %s — %s\n\n", (tostring(r.oracle.name):gsub("`", "'")),
			r.oracle.ok and "ok" or "**not ok**", M.cell(r.oracle.evidence))
	end
end

local function problems(out, run)
	local bad, notlive = {}, {}
	for _, r in ipairs(run.results or {}) do
		if r.status == "fail" or r.status == "error" then
			bad[#bad + 1] = r
		elseif r.status == "not-live" then
			notlive[#notlive + 1] = r
		end
	end
	out[#out + 1] = "## Failures\n\n"
	if #bad == 0 then
		out[#out + 1] = "None: every expectation held.\n\n"
	end
	for _, r in ipairs(bad) do
		evidence(out, r)
	end
	if #notlive > 0 then
		out[#out + 1] = "## Not live on this host\n\nThe unconfined control did not succeed, so these checks prove nothing here.\n\n"
		for _, r in ipairs(notlive) do
			out[#out + 1] = "- `" .. (tostring(r.id):gsub("[`|]", "?")) .. "` (" .. M.cell(r.adapter) .. "): " .. M.cell(r.reason) .. "\n"
		end
		out[#out + 1] = "\n"
	end
end

function M.render(run)
	local out = {}
	header(out, run)
	if not util.perf_only(run) then
		summary(out, run)
	end
	host_and_policy(out, run)
	if not util.perf_only(run) then
		matrix(out, run)
		problems(out, run)
	end
	if run.perf then
		out[#out + 1] = perf.markdown(run.perf, M.cell)
	end
	return table.concat(out)
end

return M
