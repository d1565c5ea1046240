-- Inline SVG plots for report.html, drawn by the harness itself (the page must work offline,
-- with no plotting library). Each function takes one table of options and returns an <svg>
-- element as a string; every piece of text in it is escaped.
--
--   svg.histogram{samples=, title=, unit="ms", scale=1e3, bins=, width=, height=}
--       distribution of one sample (seconds, shown in unit after multiplying by scale),
--       with p50 and p99 marked.
--   svg.boxplot{series={{name=, samples=} | {name=, stats={min,p25,p50,p75,p90,p99,max}}},
--               title=, unit=, scale=, log=true}
--       one row per series: whisker min..p99, box p25..p75, median bar, p90 tick, max dot.
--       A log axis by default: spawn latencies of peers differ by 100x or more.
--   svg.line_chart{series={{name=, points={{x=,y=},...}}}, title=, xlabel=, ylabel=,
--                  logx=, logy=, width=, height=}
--       scaling curves (latency vs number of roots) and throughput vs concurrency.
local stats = require("harness.stats")
local util = require("harness.report.util")

local M = {}

local esc = util.xml

local PALETTE = { "#2563eb", "#ea580c", "#16a34a", "#9333ea", "#a16207", "#db2777", "#0891b2", "#4b5563" }
local KNOWN = { none = "#6b7280", cordon = "#2563eb", bwrap = "#ea580c", firejail = "#16a34a", codex = "#9333ea", srt = "#a16207" }

-- A stable colour per series: known adapters keep theirs across plots ("cordon@host2" too).
function M.color(name, i)
	local base = tostring(name or ""):match("^[^@#]+")
	return KNOWN[base] or PALETTE[((i or 1) - 1) % #PALETTE + 1]
end

-- Short, readable numbers for axis labels: 0.62, 3.1, 12, 350, 1200.
function M.fmt(v)
	local a = math.abs(v)
	local s
	if v == 0 then
		return "0"
	elseif a >= 100 then
		s = string.format("%.0f", v)
	elseif a >= 10 then
		s = string.format("%.1f", v)
	elseif a >= 1 then
		s = string.format("%.2f", v)
	else
		s = string.format("%.3g", v)
	end
	if s:find("%.") and not s:find("e") then
		s = s:gsub("0+$", ""):gsub("%.$", "")
	end
	return s
end

-- About n "nice" ticks (1, 2, 5 x 10^k steps) covering [lo, hi].
function M.ticks(lo, hi, n)
	n = n or 5
	if hi <= lo then
		return { lo }
	end
	local raw = (hi - lo) / n
	local mag = 10 ^ math.floor(math.log(raw, 10))
	local step = mag
	for _, f in ipairs({ 1, 2, 5, 10 }) do
		step = f * mag
		if raw <= step then
			break
		end
	end
	local t, v = {}, math.ceil(lo / step - 1e-9) * step
	while v <= hi + step * 1e-9 do
		t[#t + 1] = math.abs(v) < step * 1e-9 and 0 or v
		v = v + step
	end
	return t
end

-- Ticks for a log axis: 1, 2, 5 in every decade that [lo, hi] touches (lo > 0).
function M.log_ticks(lo, hi)
	local t = {}
	local e0, e1 = math.floor(math.log(lo, 10)), math.ceil(math.log(hi, 10))
	-- Over more than two decades 2 and 5 crowd the axis: powers of ten only.
	local mults = (e1 - e0 > 2) and { 1 } or { 1, 2, 5 }
	for e = e0, e1 do
		for _, m in ipairs(mults) do
			local v = m * 10 ^ e
			if v >= lo * 0.999 and v <= hi * 1.001 then
				t[#t + 1] = v
			end
		end
	end
	if #t < 2 then
		t = { lo, hi }
	end
	return t
end

-- Map [lo, hi] onto [a, b] pixels, linearly or logarithmically.
local function scaler(lo, hi, a, b, log)
	if log then
		local llo, lhi = math.log(lo, 10), math.log(hi, 10)
		if lhi <= llo then
			lhi = llo + 1
		end
		return function(v)
			return a + (math.log(math.max(v, lo), 10) - llo) / (lhi - llo) * (b - a)
		end
	end
	if hi <= lo then
		hi = lo + 1
	end
	return function(v)
		return a + (v - lo) / (hi - lo) * (b - a)
	end
end

local function open_svg(w, h, title)
	return {
		string.format('<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-family="system-ui, sans-serif" font-size="11">',
			w, h, w, h, esc(title or "plot")),
		string.format('<title>%s</title>', esc(title or "plot")),
		string.format('<rect x="0" y="0" width="%d" height="%d" fill="#fff"/>', w, h),
		title and string.format('<text x="%d" y="16" font-size="13" font-weight="600" fill="#111">%s</text>', 8, esc(title)) or "",
	}
end

local function text(out, x, y, s, anchor, extra)
	out[#out + 1] = string.format('<text x="%.1f" y="%.1f" text-anchor="%s" fill="#374151"%s>%s</text>', x, y,
		anchor or "start", extra or "", esc(s))
end

local function line(out, x1, y1, x2, y2, stroke, width, extra)
	out[#out + 1] = string.format('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%s"%s/>',
		x1, y1, x2, y2, stroke, width or 1, extra or "")
end

-- Vertical grid and labels of an x axis at pixel row y0 .. y1.
local function x_axis(out, tk, sx, y0, y1, label)
	for _, v in ipairs(tk) do
		local x = sx(v)
		line(out, x, y0, x, y1, "#e5e7eb", 1)
		text(out, x, y1 + 13, M.fmt(v), "middle")
	end
	line(out, sx(tk[1]), y1, sx(tk[#tk]), y1, "#9ca3af", 1)
	if label then
		text(out, (sx(tk[1]) + sx(tk[#tk])) / 2, y1 + 28, label, "middle")
	end
end

local function y_axis(out, tk, sy, x0, x1, label)
	for _, v in ipairs(tk) do
		local y = sy(v)
		line(out, x0, y, x1, y, "#e5e7eb", 1)
		text(out, x0 - 5, y + 4, M.fmt(v), "end")
	end
	if label then
		out[#out + 1] = string.format('<text transform="translate(12 %.1f) rotate(-90)" text-anchor="middle" fill="#374151">%s</text>',
			(sy(tk[1]) + sy(tk[#tk])) / 2, esc(label))
	end
end

local function empty(o, w, h)
	local out = open_svg(w, h, o.title)
	text(out, w / 2, h / 2, "no data", "middle")
	out[#out + 1] = "</svg>"
	return table.concat(out, "\n")
end

function M.histogram(o)
	local w, h = o.width or 520, o.height or 220
	local scale, unit = o.scale or 1e3, o.unit or "ms"
	local xs = {}
	for i, v in ipairs(o.samples or {}) do
		xs[i] = v * scale
	end
	if #xs == 0 then
		return empty(o, w, h)
	end
	local sm = stats.summary(xs)
	local hist = stats.histogram(xs, o.bins or math.min(40, math.max(8, math.floor(math.sqrt(#xs)))))
	local peak = math.max(table.unpack(hist.counts))
	local ml, mr, mt, mb = 48, 14, 28, 40
	local sx = scaler(hist.lo, hist.hi, ml, w - mr)
	local ytk = M.ticks(0, peak, 4)
	local sy = scaler(0, math.max(peak * 1.15, ytk[#ytk]), h - mb, mt)
	local out = open_svg(w, h, o.title)
	y_axis(out, ytk, sy, ml, w - mr, "spawns")
	local color = o.color or M.color(o.name, 1)
	for i, c in ipairs(hist.counts) do
		local x0, x1 = sx(hist.lo + (i - 1) * hist.width), sx(hist.lo + i * hist.width)
		if c > 0 then
			out[#out + 1] = string.format('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.8"><title>%s–%s %s: %d</title></rect>',
				x0 + 0.5, sy(c), math.max(0.5, x1 - x0 - 1), sy(0) - sy(c), color, M.fmt(hist.lo + (i - 1) * hist.width),
				M.fmt(hist.lo + i * hist.width), esc(unit), c)
		end
	end
	x_axis(out, M.ticks(hist.lo, hist.hi, 6), sx, mt, h - mb, unit)
	for _, q in ipairs({ { "p50", sm.p50 }, { "p99", sm.p99 } }) do
		local x = sx(q[2])
		line(out, x, mt, x, h - mb, "#111827", 1, ' stroke-dasharray="3 3"')
		local right = x > w - mr - 70 -- label on the left of the line near the right edge
		text(out, right and x - 3 or x + 3, mt + 10, q[1] .. " " .. M.fmt(q[2]), right and "end" or "start")
	end
	out[#out + 1] = "</svg>"
	return table.concat(out, "\n")
end

-- Quantiles of one box-plot row, from samples or given stats (seconds).
local function box_stats(s)
	if s.samples and #s.samples > 0 then
		return stats.summary(s.samples)
	end
	local st = s.stats
	if not st or not st.p50 then
		return nil
	end
	return {
		min = st.min or st.p50, p25 = st.p25 or st.p50, p50 = st.p50, p75 = st.p75 or st.p90 or st.p50,
		p90 = st.p90 or st.p50, p99 = st.p99 or st.max or st.p50, max = st.max or st.p99 or st.p50,
	}
end

function M.boxplot(o)
	local rows = {}
	for i, s in ipairs(o.series or {}) do
		local b = box_stats(s)
		if b then
			rows[#rows + 1] = { name = s.name, b = b, color = s.color or M.color(s.name, i) }
		end
	end
	local w = o.width or 720
	local rowh, ml, mr, mt, mb = 30, 110, 150, 28, 40
	local h = mt + mb + rowh * math.max(1, #rows)
	if #rows == 0 then
		return empty(o, w, h)
	end
	local scale, unit = o.scale or 1e3, o.unit or "ms"
	local lo, hi = math.huge, -math.huge
	for _, r in ipairs(rows) do
		lo, hi = math.min(lo, r.b.min * scale), math.max(hi, r.b.max * scale)
	end
	local log = o.log ~= false and lo > 0
	local tk
	if log then
		lo, hi = lo / 1.25, hi * 1.25
		tk = M.log_ticks(lo, hi)
		lo, hi = math.min(lo, tk[1]), math.max(hi, tk[#tk])
	else
		tk = M.ticks(math.min(0, lo), hi, 6)
		lo, hi = tk[1], math.max(hi, tk[#tk])
	end
	local sx = scaler(lo, hi, ml, w - mr, log)
	local out = open_svg(w, h, o.title)
	x_axis(out, tk, sx, mt, h - mb, unit .. (log and " (log scale)" or ""))
	for i, r in ipairs(rows) do
		local b, y = r.b, mt + (i - 0.5) * rowh
		local function X(v)
			return sx(v * scale)
		end
		text(out, ml - 8, y + 4, r.name, "end", ' font-weight="600"')
		line(out, X(b.min), y, X(b.p99), y, r.color, 1.5)
		line(out, X(b.min), y - 6, X(b.min), y + 6, r.color, 1.5)
		line(out, X(b.p99), y - 6, X(b.p99), y + 6, r.color, 1.5)
		out[#out + 1] = string.format('<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s" fill-opacity="0.25" stroke="%s"/>',
			X(b.p25), y - 9, math.max(1, X(b.p75) - X(b.p25)), 18, r.color, r.color)
		line(out, X(b.p50), y - 10, X(b.p50), y + 10, r.color, 3)
		line(out, X(b.p90), y - 5, X(b.p90), y + 5, "#111827", 1)
		out[#out + 1] = string.format('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>', X(b.max), y, r.color)
		text(out, w - mr + 8, y + 4, string.format("p50 %s  p99 %s %s", M.fmt(b.p50 * scale), M.fmt(b.p99 * scale), unit))
	end
	out[#out + 1] = "</svg>"
	return table.concat(out, "\n")
end

local function point_xy(p)
	return p.x or p[1], p.y or p[2]
end

function M.line_chart(o)
	local w, h = o.width or 520, o.height or 260
	local ml, mr, mt, mb = 56, 120, 28, 44
	local lo_x, hi_x, lo_y, hi_y = math.huge, -math.huge, math.huge, -math.huge
	local n = 0
	for _, s in ipairs(o.series or {}) do
		for _, p in ipairs(s.points or {}) do
			local x, y = point_xy(p)
			lo_x, hi_x = math.min(lo_x, x), math.max(hi_x, x)
			lo_y, hi_y = math.min(lo_y, y), math.max(hi_y, y)
			n = n + 1
		end
	end
	if n == 0 then
		return empty(o, w, h)
	end
	local logx, logy = o.logx and lo_x > 0, o.logy and lo_y > 0
	local xtk = logx and M.log_ticks(lo_x, hi_x) or M.ticks(lo_x, hi_x, 6)
	local ytk = logy and M.log_ticks(lo_y / 1.2, hi_y * 1.2) or M.ticks(math.min(0, lo_y), hi_y * 1.05, 5)
	local sx = scaler(math.min(lo_x, xtk[1]), math.max(hi_x, xtk[#xtk]), ml, w - mr, logx)
	local sy = scaler(math.min(lo_y, ytk[1]), math.max(hi_y, ytk[#ytk]), h - mb, mt, logy)
	local out = open_svg(w, h, o.title)
	y_axis(out, ytk, sy, ml, w - mr, o.ylabel)
	x_axis(out, xtk, sx, mt, h - mb, o.xlabel)
	for i, s in ipairs(o.series or {}) do
		local color = s.color or M.color(s.name, i)
		local pts = {}
		for _, p in ipairs(s.points or {}) do
			local x, y = point_xy(p)
			pts[#pts + 1] = string.format("%.1f,%.1f", sx(x), sy(y))
		end
		out[#out + 1] = string.format('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>', table.concat(pts, " "), color)
		for _, p in ipairs(s.points or {}) do
			local x, y = point_xy(p)
			out[#out + 1] = string.format('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %s → %s</title></circle>',
				sx(x), sy(y), color, esc(s.name), M.fmt(x), M.fmt(y))
		end
		local ly = mt + 6 + (i - 1) * 16
		line(out, w - mr + 10, ly, w - mr + 26, ly, color, 2)
		text(out, w - mr + 30, ly + 4, s.name or ("series " .. i))
	end
	out[#out + 1] = "</svg>"
	return table.concat(out, "\n")
end

return M
