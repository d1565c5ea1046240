-- Helpers shared by the report writers: escaping untrusted text (probe lines, stderr, reasons
-- come from programs that may have been trying to escape a sandbox), ordering results into
-- areas and adapters, and the status vocabulary.
local M = {}

M.STATUSES = { "pass", "fail", "not-live", "not-applicable", "error" }

-- A bench run has no scenarios: it is a performance report, without the conformance sections
-- (an empty matrix and "every expectation held" would claim a check that never ran).
function M.perf_only(run)
	return run.perf ~= nil and #(run.results or {}) == 0
end

M.STATUS_LABEL = {
	pass = "pass",
	fail = "FAIL",
	["not-live"] = "not live",
	["not-applicable"] = "n/a",
	error = "ERROR",
}

-- Replace every byte sequence that is not valid UTF-8 with U+FFFD, so that XML parsers and
-- browsers never see broken text (stderr of a probe may hold anything).
function M.utf8_clean(s)
	s = tostring(s)
	if utf8.len(s) then
		return s
	end
	local out, pos = {}, 1
	while pos <= #s do
		local ok, bad = utf8.len(s, pos)
		if ok then
			out[#out + 1] = s:sub(pos)
			break
		end
		out[#out + 1] = s:sub(pos, bad - 1)
		out[#out + 1] = "\u{FFFD}"
		pos = bad + 1
	end
	return table.concat(out)
end

local ENTITIES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

-- XML 1.0 forbids C0 controls other than TAB, LF and CR even as character references, and the
-- non-characters U+FFFE/U+FFFF; show them as visible \xNN text instead of dropping them.
local function visible_controls(s)
	s = s:gsub("[\0-\8\11\12\14-\31\127]", function(c)
		return string.format("\\x%02X", c:byte())
	end)
	return (s:gsub("\239\191[\190\191]", "\u{FFFD}"))
end

-- Valid UTF-8 with control characters shown as \xNN (for text shown verbatim, e.g. in a
-- Markdown code fence, where escaping does not apply).
function M.visible(s)
	return visible_controls(M.utf8_clean(s or ""))
end

-- Only what HTML needs (& < >): for Markdown, where quotes are harmless and &#39; is noise.
function M.html_text(s)
	return (M.visible(s):gsub("[&<>]", ENTITIES))
end

-- Text safe in XML/HTML element content and in double- or single-quoted attributes.
function M.xml(s)
	if s == nil then
		return ""
	end
	return (visible_controls(M.utf8_clean(s)):gsub("[&<>\"']", ENTITIES))
end

-- Like xml(), but keeps TAB/LF/CR as character references: attribute values are otherwise
-- normalised to spaces by XML parsers.
function M.xml_attr(s)
	local t = M.xml(s)
	return (t:gsub("[\t\n\r]", function(c)
		return string.format("&#%d;", c:byte())
	end))
end

M.html = M.xml

-- A string usable in an HTML id / CSS class: letters, digits, '-' and '_' only.
function M.slug(s)
	return (tostring(s):gsub("[^%w_-]", "-"))
end

-- Truncate long text for tables; keeps whole UTF-8 characters.
function M.shorten(s, n)
	s = M.utf8_clean(s or "")
	if utf8.len(s) <= n then
		return s
	end
	return s:sub(1, utf8.offset(s, n) - 1) .. "…"
end

-- Compact human number: seconds as "12 ms" / "1.23 s".
function M.seconds(x)
	if type(x) ~= "number" then
		return ""
	end
	if x < 1e-3 then
		return string.format("%.0f µs", x * 1e6)
	elseif x < 1 then
		return string.format("%.1f ms", x * 1e3)
	end
	return string.format("%.2f s", x)
end

-- Adapters in display order: those listed in run.adapters that have results, then any other
-- adapter named by a result. Returns the list of names and a name -> adapter-entry map.
function M.adapter_columns(run)
	local seen, cols, by_name = {}, {}, {}
	local has_result = {}
	for _, r in ipairs(run.results or {}) do
		has_result[r.adapter] = true
	end
	for _, a in ipairs(run.adapters or {}) do
		by_name[a.name] = a
		if has_result[a.name] and not seen[a.name] then
			seen[a.name] = true
			cols[#cols + 1] = a.name
		end
	end
	for _, r in ipairs(run.results or {}) do
		if not seen[r.adapter] then
			seen[r.adapter] = true
			cols[#cols + 1] = r.adapter
		end
	end
	return cols, by_name
end

-- Results grouped for a matrix: a list of areas in order of first appearance, each
-- {name=, rows={ {id=, title=, cells={[adapter]=result}} }} with rows in order of first appearance.
function M.matrix(run)
	local areas, by_area = {}, {}
	for _, r in ipairs(run.results or {}) do
		local area = r.area or (tostring(r.id):match("^([^.]+)")) or "other"
		local a = by_area[area]
		if not a then
			a = { name = area, rows = {}, by_id = {} }
			by_area[area] = a
			areas[#areas + 1] = a
		end
		local row = a.by_id[r.id]
		if not row then
			row = { id = r.id, title = r.title, cells = {} }
			a.by_id[r.id] = row
			a.rows[#a.rows + 1] = row
		end
		row.title = row.title or r.title
		row.cells[r.adapter] = r
	end
	return areas
end

-- Per-adapter counts of each status, every status present (0 when none).
function M.summarize(results)
	local summary = {}
	for _, r in ipairs(results or {}) do
		local s = summary[r.adapter]
		if not s then
			s = {}
			for _, st in ipairs(M.STATUSES) do
				s[st] = 0
			end
			summary[r.adapter] = s
		end
		if s[r.status] then
			s[r.status] = s[r.status] + 1
		end
	end
	return summary
end

-- "refused EROFS (open)", "refused, signal 31", "succeeded": what a probe record says happened.
function M.got(probe)
	if type(probe) ~= "table" then
		return ""
	end
	local parts = { probe.outcome or "?" }
	if probe.errno and probe.errno ~= "" then
		parts[#parts + 1] = " " .. tostring(probe.errno)
	end
	if probe.detail and probe.detail ~= "" then
		parts[#parts + 1] = " (" .. tostring(probe.detail) .. ")"
	end
	if probe.signal then
		parts[#parts + 1] = ", signal " .. tostring(probe.signal)
	end
	return table.concat(parts)
end

-- An argv as one shell-like line: words with spaces or quotes are single-quoted.
function M.shell_join(argv)
	local words = {}
	for i, w in ipairs(argv or {}) do
		w = tostring(w)
		if w == "" or w:find("[%s'\"\\$`]") then
			w = "'" .. w:gsub("'", "'\\''") .. "'"
		end
		words[i] = w
	end
	return table.concat(words, " ")
end

-- Keys of a table, sorted, for stable output of maps (fingerprint, settings).
function M.sorted_keys(t)
	local keys = {}
	for k in pairs(t or {}) do
		keys[#keys + 1] = k
	end
	table.sort(keys, function(a, b)
		return tostring(a) < tostring(b)
	end)
	return keys
end

-- A value of a map as one line of text (lists joined with ", ", nested tables as k=v).
function M.flat(v)
	if type(v) ~= "table" then
		return tostring(v)
	end
	if #v > 0 then
		local parts = {}
		for i = 1, #v do
			parts[i] = M.flat(v[i])
		end
		return table.concat(parts, ", ")
	end
	local parts = {}
	for _, k in ipairs(M.sorted_keys(v)) do
		parts[#parts + 1] = tostring(k) .. "=" .. M.flat(v[k])
	end
	return table.concat(parts, " ")
end

-- The checks of one column that can fail on this host (pass or fail: not not-live,
-- not-applicable or error), and all of them: what a certification on this host is worth.
function M.live_counts(s)
	s = s or {}
	local total = 0
	for _, n in pairs(s) do total = total + n end
	return (s.pass or 0) + (s.fail or 0), total
end

return M
