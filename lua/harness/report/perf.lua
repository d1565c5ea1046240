-- The performance section of report.html and report.md, shown when run.perf is present
-- (filled by `cordon-harness bench`). The shape it reads (every field optional; times in seconds):
--
--   perf = {
--     runs = 200, probe = "noop",
--     adapters = { {
--       name = "cordon",
--       samples = { 0.0011, ... },          -- wall latency of each spawn (concurrency 1)
--       stats = { min=, p50=, p90=, p99=, max=, mean= },   -- computed from samples if absent
--       overhead = { diff = s, ratio = x }, -- vs bare exec; computed vs "none" if absent
--       cpu = s,                            -- user+sys CPU time per spawn
--       peak_rss_kb = n,                    -- the sandbox's own processes
--       throughput = { { concurrency = 1, per_second = 812.5 }, ... },
--     }, ... },
--     scaling = { { adapter = "cordon", dimension = "writable roots",
--                   points = { { n = 1, p50 = s }, { n = 10, p50 = s }, ... } }, ... },
--   }
local stats = require("harness.stats")
local svg = require("harness.report.svg")
local util = require("harness.report.util")

local M = {}

local esc = util.html

-- Fill stats and overhead from samples where the bench left them out (does not modify perf).
function M.rows(perf)
	local rows, base = {}, nil
	for _, a in ipairs(perf.adapters or {}) do
		local st = a.stats
		if (not st or not st.p50) and a.samples and #a.samples > 0 then
			st = stats.summary(a.samples)
		end
		rows[#rows + 1] = { a = a, st = st or {} }
		if a.name == "none" then
			base = st
		end
	end
	for _, r in ipairs(rows) do
		local ov = r.a.overhead
		if not ov and base and base.p50 and r.st.p50 and base.p50 > 0 then
			ov = { diff = r.st.p50 - base.p50, ratio = r.st.p50 / base.p50 }
		end
		r.ov = ov or {}
	end
	return rows
end

local function ms(v)
	return v and svg.fmt(v * 1e3) or ""
end

local function ratio(v)
	return v and string.format("%.2f×", v) or ""
end

local function throughput_line(a)
	local parts = {}
	for _, t in ipairs(a.throughput or {}) do
		parts[#parts + 1] = string.format("%s: %s/s", tostring(t.concurrency), svg.fmt(t.per_second or 0))
	end
	return table.concat(parts, ", ")
end

local HEAD = { "adapter", "min", "p50", "p90", "p99", "max", "overhead p50", "ratio", "CPU/spawn", "peak RSS", "spawns/s by concurrency" }

local function cells(r)
	local st = r.st
	return { r.a.name, ms(st.min), ms(st.p50), ms(st.p90), ms(st.p99), ms(st.max), ms(r.ov.diff), ratio(r.ov.ratio),
		ms(r.a.cpu), r.a.peak_rss_kb and (svg.fmt(r.a.peak_rss_kb / 1024) .. " MiB") or "", throughput_line(r.a) }
end

function M.markdown(perf, cell)
	local out = { "## Performance\n\n" }
	out[#out + 1] = string.format("Spawn latency of the `%s` probe, %s runs per adapter, times in ms.\n\n",
		tostring(perf.probe or "noop"), tostring(perf.runs or "?"))
	out[#out + 1] = "| " .. table.concat(HEAD, " | ") .. " |\n|" .. string.rep(" --- |", #HEAD) .. "\n"
	for _, r in ipairs(M.rows(perf)) do
		local c = cells(r)
		for i = 1, #c do
			c[i] = cell(c[i])
		end
		out[#out + 1] = "| " .. table.concat(c, " | ") .. " |\n"
	end
	for _, s in ipairs(perf.scaling or {}) do
		local pts = {}
		for _, p in ipairs(s.points or {}) do
			pts[#pts + 1] = string.format("%s→%s ms", tostring(p.n), ms(p.p50))
		end
		out[#out + 1] = string.format("\nScaling of %s with %s (p50): %s\n", cell(s.adapter), cell(s.dimension), cell(table.concat(pts, ", ")))
	end
	return table.concat(out) .. "\n"
end

local function scaling_charts(perf)
	local by_dim, dims = {}, {}
	for _, s in ipairs(perf.scaling or {}) do
		local d = s.dimension or "paths"
		if not by_dim[d] then
			by_dim[d] = {}
			dims[#dims + 1] = d
		end
		local pts = {}
		for _, p in ipairs(s.points or {}) do
			pts[#pts + 1] = { x = p.n, y = (p.p50 or 0) * 1e3 }
		end
		table.insert(by_dim[d], { name = s.adapter, points = pts })
	end
	local out = {}
	for _, d in ipairs(dims) do
		out[#out + 1] = svg.line_chart({ title = "p50 latency vs number of " .. d, xlabel = d, ylabel = "ms", logx = true,
			series = by_dim[d] })
	end
	return table.concat(out, "\n")
end

local function throughput_chart(perf)
	local series = {}
	for _, a in ipairs(perf.adapters or {}) do
		if a.throughput and #a.throughput > 0 then
			local pts = {}
			for _, t in ipairs(a.throughput) do
				pts[#pts + 1] = { x = t.concurrency, y = t.per_second or 0 }
			end
			series[#series + 1] = { name = a.name, points = pts }
		end
	end
	if #series == 0 then
		return ""
	end
	return svg.line_chart({ title = "throughput by concurrency", xlabel = "concurrent spawns", ylabel = "spawns per second", series = series })
end

function M.html(perf)
	local rows = M.rows(perf)
	local out = { '<section id="perf"><h2>Performance</h2>' }
	out[#out + 1] = string.format("<p>Spawn latency of the <code>%s</code> probe, %s runs per adapter, interleaved; times in ms.</p>",
		esc(perf.probe or "noop"), esc(perf.runs or "?"))
	out[#out + 1] = '<table class="perf"><thead><tr>'
	for _, h in ipairs(HEAD) do
		out[#out + 1] = "<th>" .. esc(h) .. "</th>"
	end
	out[#out + 1] = "</tr></thead><tbody>"
	for _, r in ipairs(rows) do
		out[#out + 1] = "<tr>"
		for i, c in ipairs(cells(r)) do
			out[#out + 1] = (i == 1 and "<th>" or "<td>") .. esc(c) .. (i == 1 and "</th>" or "</td>")
		end
		out[#out + 1] = "</tr>"
	end
	out[#out + 1] = '</tbody></table><div class="plots">'
	local series = {}
	for _, r in ipairs(rows) do
		series[#series + 1] = { name = r.a.name, samples = r.a.samples, stats = r.st }
	end
	out[#out + 1] = svg.boxplot({ title = "spawn latency per adapter", series = series })
	for i, r in ipairs(rows) do
		if r.a.samples and #r.a.samples > 0 then
			out[#out + 1] = svg.histogram({ title = "latency distribution: " .. tostring(r.a.name), name = r.a.name,
				samples = r.a.samples, color = svg.color(r.a.name, i) })
		end
	end
	out[#out + 1] = scaling_charts(perf)
	out[#out + 1] = throughput_chart(perf)
	out[#out + 1] = "</div></section>"
	return table.concat(out, "\n")
end

return M
