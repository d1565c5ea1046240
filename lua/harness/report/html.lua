-- report.html: one self-contained page (inline CSS and JS, nothing fetched from the network).
--
-- Header with the host fingerprint and the policy (name + hash), a summary line per adapter,
-- then the matrix: rows are scenarios grouped by area, columns are adapters, each cell
-- coloured by status. A cell is a <details>: one click shows everything behind the verdict
-- (expected, got, reason, probe line, control line, oracle evidence) in a panel, and the page
-- works without JS (the script only closes other panels, handles Escape and #links).
-- Everything that comes from a run is escaped: probe lines and stderr are untrusted text.
local util = require("harness.report.util")
local perf = require("harness.report.perf")

local M = {}

local esc = util.html

local CSS = [[
:root{--pass:#15803d;--pass-bg:#dcfce7;--fail:#b91c1c;--fail-bg:#fee2e2;--nl:#a16207;--nl-bg:#fef3c7;
--na:#6b7280;--na-bg:#f3f4f6;--err:#7e22ce;--err-bg:#f3e8ff;--line:#e5e7eb;--ink:#111827;--mute:#6b7280}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f8fafc}
main{max-width:1400px;margin:0 auto;padding:20px 28px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}h3{font-size:13px;margin:0 0 8px;
text-transform:uppercase;letter-spacing:.05em;color:var(--mute)}h4{margin:12px 0 4px;font-size:12px;color:var(--mute);
text-transform:uppercase;letter-spacing:.04em}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:#0f172a;color:#e2e8f0;padding:8px 10px;border-radius:6px;white-space:pre-wrap;word-break:break-all;margin:0}
.meta{color:var(--mute);margin:0 0 16px}.meta code{color:var(--ink)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:14px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
dl.kv dt{color:var(--mute)}.host dl.kv{grid-template-columns:max-content minmax(0,1fr) max-content minmax(0,1fr)}
.card.hosts{grid-column:1/-1}.hosts table{border:0;width:100%}.hosts tr.differs td{background:var(--nl-bg)}dl.kv dd{margin:0;overflow-wrap:break-word;min-width:0}
.hash{font-family:ui-monospace,monospace;font-size:12px;background:#f1f5f9;padding:1px 5px;border-radius:4px}
.sumline{display:flex;flex-wrap:wrap;align-items:center;gap:8px;background:#fff;border:1px solid var(--line);
border-left:6px solid var(--pass);border-radius:8px;padding:9px 14px;margin:0 0 8px}
.sumline.bad{border-left-color:var(--fail)}.sumline.baseline{border-left-color:var(--na)}
.sumline.baseline .verdict{color:var(--mute);font-weight:400}
.sumline .name{font-weight:700;font-size:15px;min-width:110px}.sumline .ver{color:var(--mute);min-width:70px}
.sumline .verdict{margin-left:auto;font-weight:600}.sumline.bad .verdict{color:var(--fail)}.sumline .verdict{color:var(--pass)}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-weight:600;font-size:12.5px;white-space:nowrap}
.zero{opacity:.45}
.s-pass{--c:var(--pass);--bg:var(--pass-bg)}.s-fail{--c:var(--fail);--bg:var(--fail-bg)}
.s-not-live{--c:var(--nl);--bg:var(--nl-bg)}.s-not-applicable{--c:var(--na);--bg:var(--na-bg)}
.s-error{--c:var(--err);--bg:var(--err-bg)}.badge{color:var(--c);background:var(--bg)}
.missing{color:var(--mute);margin:6px 0 0}
.toolbar{display:flex;flex-wrap:wrap;gap:14px;align-items:center;margin:0 0 10px;color:var(--mute)}
.legend .badge{margin-right:4px}
table{border-collapse:separate;border-spacing:0;background:#fff;border:1px solid var(--line);border-radius:10px}
table.matrix{width:100%}
.matrix th,.matrix td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
.matrix thead th{position:sticky;top:0;background:#fff;z-index:2;font-size:13px;border-bottom:2px solid #cbd5e1}
.matrix thead th.ad{text-align:center;min-width:110px}
.matrix tr.area th{background:#f1f5f9;font-size:13px;text-transform:uppercase;letter-spacing:.05em;padding-top:9px}
.matrix tr.area small{text-transform:none;letter-spacing:0;color:var(--mute);font-weight:400;margin-left:8px}
.matrix th[scope=row]{font-weight:400;width:55%}
.matrix th[scope=row] code{font-weight:600}
.matrix .title{color:var(--mute);font-size:12.5px}
.matrix tbody tr.sc:hover{background:#f8fafc}
td.cell{text-align:center;padding:4px 8px}
td.cell.none{color:var(--mute)}
td.cell summary{list-style:none;cursor:pointer;display:block;max-width:170px;margin:0 auto;border-radius:6px;padding:3px 6px;font-weight:600;
color:var(--c);background:var(--bg);outline-offset:2px}
td.cell summary::-webkit-details-marker{display:none}
td.cell summary:hover{filter:brightness(.95);text-decoration:underline}
details[open]>summary::before{content:"";position:fixed;inset:0;background:rgba(15,23,42,.45);z-index:20;cursor:default}
.pop{position:fixed;z-index:21;top:6vh;left:50%;transform:translateX(-50%);width:min(820px,94vw);max-height:86vh;
overflow:auto;background:#fff;border-radius:12px;box-shadow:0 20px 50px rgba(0,0,0,.35);padding:16px 20px;text-align:left;
border-top:6px solid var(--c)}
.pop .head{display:flex;gap:10px;align-items:center;margin-bottom:10px;font-size:15px}
.pop .head .close{margin-left:auto;border:0;background:#f1f5f9;border-radius:6px;font-size:18px;line-height:1;
padding:4px 9px;cursor:pointer}
.pop dl.kv{font-size:13.5px}
body.only-problems tr.sc.all-pass{display:none}
.fails article{background:#fff;border:1px solid var(--line);border-left:6px solid var(--c);border-radius:8px;
padding:12px 16px;margin:0 0 12px}
.fails article h3{text-transform:none;letter-spacing:0;color:var(--ink);font-size:15px}
table.plain th,table.plain td,table.perf th,table.perf td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
table.perf td{text-align:right;font-variant-numeric:tabular-nums}
.plots{display:flex;flex-wrap:wrap;gap:14px;margin-top:14px}.plots svg{border:1px solid var(--line);border-radius:8px;max-width:100%;height:auto}
footer{margin-top:40px;color:var(--mute);font-size:12.5px}
]]

local JS = [[
(function(){
  // One panel at a time: opening a cell closes the others.
  document.addEventListener('toggle', function(e){
    var d = e.target;
    if (!d.open || d.tagName !== 'DETAILS' || !d.closest('td.cell')) return;
    document.querySelectorAll('td.cell details[open]').forEach(function(o){ if (o !== d) o.open = false; });
  }, true);
  document.addEventListener('keydown', function(e){
    if (e.key === 'Escape') document.querySelectorAll('td.cell details[open]').forEach(function(o){ o.open = false; });
  });
  document.addEventListener('click', function(e){
    var b = e.target.closest('button.close');
    if (b) { b.closest('details').open = false; e.preventDefault(); }
  });
  // #c<row>-<col> scrolls to that cell and opens it (links from the failure list);
  // #open=c<row>-<col> opens it without scrolling (a shared URL, a screenshot).
  function openHash(){
    var id = decodeURIComponent(location.hash.slice(1)).replace(/^open=/, '');
    var el = id && document.getElementById(id);
    if (el && el.matches('td.cell')) { var d = el.querySelector('details'); if (d) d.open = true; }
  }
  window.addEventListener('hashchange', openHash);
  openHash();
  var only = document.getElementById('only-problems');
  if (only) only.addEventListener('change', function(){ document.body.classList.toggle('only-problems', only.checked); });
})();
]]

local function kv(out, pairs_list)
	out[#out + 1] = '<dl class="kv">'
	for _, p in ipairs(pairs_list) do
		if p[2] ~= nil and p[2] ~= "" then
			out[#out + 1] = "<dt>" .. esc(p[1]) .. "</dt><dd>" .. (p.raw and p[2] or esc(p[2])) .. "</dd>"
		end
	end
	out[#out + 1] = "</dl>"
end

local function map_pairs(t)
	local list = {}
	for _, k in ipairs(util.sorted_keys(t)) do
		list[#list + 1] = { k, util.flat(t[k]) }
	end
	return list
end

local function badge(status, text)
	return string.format('<span class="badge s-%s">%s</span>', esc(status), esc(text))
end

-- Several hosts (a merged run): one table, a column per host, differing rows marked.
local function hosts_table(out, hosts)
	local keys, seen = {}, {}
	for _, h in ipairs(hosts) do
		for _, k in ipairs(util.sorted_keys(h.fingerprint)) do
			if not seen[k] then
				seen[k] = true
				keys[#keys + 1] = k
			end
		end
	end
	table.sort(keys)
	out[#out + 1] = '<div class="card hosts"><h3>Hosts</h3><table class="plain"><thead><tr><th></th>'
	for _, h in ipairs(hosts) do
		out[#out + 1] = "<th>" .. esc(h.label) .. "</th>"
	end
	out[#out + 1] = "</tr></thead><tbody>"
	for _, k in ipairs(keys) do
		local vals, differ = {}, false
		for i, h in ipairs(hosts) do
			local v = (h.fingerprint or {})[k]
			vals[i] = v == nil and "" or util.flat(v)
			differ = differ or vals[i] ~= vals[1]
		end
		out[#out + 1] = string.format('<tr%s><th>%s</th>', differ and ' class="differs"' or "", esc(k))
		for _, v in ipairs(vals) do
			out[#out + 1] = "<td>" .. esc(v) .. "</td>"
		end
		out[#out + 1] = "</tr>"
	end
	out[#out + 1] = "</tbody></table></div>"
end

local perf_only = util.perf_only

local function header(out, run)
	local h = run.harness or {}
	out[#out + 1] = "<header><h1>cordon-harness " .. (perf_only(run) and "performance" or "conformance") .. " report</h1>"
	out[#out + 1] = string.format('<p class="meta">run <code>%s</code> · started %s · %s · harness %s <code>%s</code>%s</p>',
		esc(run.run_id), esc(run.started), esc(util.seconds(run.duration)), esc(h.version), esc(h.command),
		(run.as_user and (" · as user <code>" .. esc(run.as_user) .. "</code>") or "") ..
		(run.best_effort and " · <strong>certified with --best-effort</strong> (a degraded configuration, by choice)" or ""))
	out[#out + 1] = '<div class="cards">'
	if run.hosts and #run.hosts > 1 then
		hosts_table(out, run.hosts)
	else
		out[#out + 1] = '<div class="card host"><h3>Host</h3>'
		kv(out, map_pairs(run.host))
		out[#out + 1] = "</div>"
	end
	local p = run.policy or {}
	out[#out + 1] = '<div class="card policy"><h3>Policy</h3>'
	local list = { { "name", p.name }, { "sha256", '<span class="hash">' .. esc(p.hash or "?") .. "</span>", raw = true } }
	for _, kvp in ipairs(map_pairs(p.settings)) do
		list[#list + 1] = kvp
	end
	kv(out, list)
	if p.text and p.text ~= "" then
		out[#out + 1] = "<details><summary>policy text</summary><pre>" .. esc(p.text) .. "</pre></details>"
	end
	out[#out + 1] = "</div></div></header>"
end

local ORDER = { "pass", "fail", "not-live", "not-applicable", "error" }

-- The verdict of one column. `none` is the unconfined baseline: it must fail the refusals
-- (a battery that an unconfined run passes is broken), so its failures are not alarming.
function M.verdict(name, bad)
	local base = name:match("^[^@#]+")
	if base == "none" then
		return bad > 0 and ("unconfined baseline: " .. bad .. " refusals not enforced, as expected")
			or "unconfined baseline: nothing failed — the battery checks nothing?"
	end
	return bad == 0 and "all expectations hold" or (bad .. " expectation" .. (bad > 1 and "s" or "") .. " not met")
end

local function summary(out, run)
	local cols, by_name = util.adapter_columns(run)
	local sum = run.summary or util.summarize(run.results)
	out[#out + 1] = '<section id="summary"><h2>Summary</h2>'
	for _, name in ipairs(cols) do
		local s, a = sum[name] or {}, by_name[name] or {}
		local bad = (s.fail or 0) + (s.error or 0)
		local cls = (name:match("^[^@#]+") == "none") and " baseline" or (bad > 0 and " bad" or "")
		out[#out + 1] = string.format('<div class="sumline%s" data-adapter="%s"><span class="name">%s</span><span class="ver">%s</span>',
			cls, esc(name), esc(name), esc(a.version or ""))
		for _, st in ipairs(ORDER) do
			local n = s[st] or 0
			out[#out + 1] = string.format('<span class="badge s-%s%s">%d %s</span>', st, n == 0 and " zero" or "", n, esc(st))
		end
		local live, total = util.live_counts(s)
		out[#out + 1] = string.format('<span class="live">%d of %d live here</span>', live, total)
		out[#out + 1] = string.format('<span class="verdict">%s</span></div>', M.verdict(name, bad))
	end
	local missing = {}
	for _, a in ipairs(run.adapters or {}) do
		if a.refused then
			missing[#missing + 1] = "<b>" .. esc(a.name) .. "</b>: refuses to run on this host: " .. esc(a.refused)
		elseif a.installed == false or a.why_missing then
			missing[#missing + 1] = "<b>" .. esc(a.name) .. "</b>: " .. esc(a.why_missing or "not installed")
		end
	end
	if #missing > 0 then
		out[#out + 1] = '<p class="missing">Not run here — ' .. table.concat(missing, "; ") .. "</p>"
	end
	out[#out + 1] = "</section>"
end

-- Everything behind one verdict, as the inside of a panel or a failure card.
local function evidence(out, r)
	kv(out, {
		{ "scenario", r.title },
		{ "policy variant", r.policy },
		{ "expected", r.expected },
		{ "got", util.got(r.probe) },
		{ "problem", r.probe and r.probe.problem },
		{ "reason", r.reason },
		{ "control", r.control and (util.got(r.control) .. " (unconfined)") },
		{ "oracle", r.oracle and string.format("%s: %s", tostring(r.oracle.name), r.oracle.ok and "ok" or "NOT ok") },
		{ "oracle evidence", r.oracle and r.oracle.evidence },
		{ "probe exit", r.probe and r.probe.exit },
		{ "duration", util.seconds(r.duration) },
	})
	local function block(title, text)
		if text ~= nil and text ~= "" then
			out[#out + 1] = "<h4>" .. esc(title) .. "</h4><pre>" .. esc(text) .. "</pre>"
		end
	end
	if r.probe then
		block("probe line", r.probe.line)
		block("probe argv", r.probe.argv and util.shell_join(r.probe.argv))
		block("probe stderr", r.probe.stderr)
	end
	if r.control then
		block("control line (unconfined)", r.control.line)
	end
end

local function cell(out, r, id)
	if not r then
		out[#out + 1] = '<td class="cell none">—</td>'
		return
	end
	local st = esc(r.status)
	out[#out + 1] = string.format('<td class="cell s-%s" id="%s" data-status="%s"><details><summary title="%s">%s</summary>',
		st, id, st, esc(r.reason or r.status), esc(util.STATUS_LABEL[r.status] or r.status))
	out[#out + 1] = string.format('<div class="pop" role="dialog"><div class="head"><code>%s</code> under <b>%s</b> %s<button class="close" aria-label="close">×</button></div>',
		esc(r.id), esc(r.adapter), badge(r.status, r.status))
	evidence(out, r)
	out[#out + 1] = "</div></details></td>"
end

local function area_counts(area, cols)
	local bad = 0
	for _, row in ipairs(area.rows) do
		for _, name in ipairs(cols) do
			local r = row.cells[name]
			if r and (r.status == "fail" or r.status == "error") then
				bad = bad + 1
			end
		end
	end
	local s = #area.rows .. " scenario" .. (#area.rows == 1 and "" or "s")
	return bad > 0 and (s .. ", " .. bad .. " not met") or s
end

-- Cell ids ("c<row>-<col>") for every result, so that the failure list can link to them.
local function matrix(out, run, ids)
	local cols = util.adapter_columns(run)
	out[#out + 1] = '<section id="matrix"><h2>Matrix</h2><div class="toolbar"><label><input type="checkbox" id="only-problems"> only scenarios that are not all pass</label><span class="legend">'
	for _, st in ipairs(ORDER) do
		out[#out + 1] = badge(st, util.STATUS_LABEL[st])
	end
	out[#out + 1] = "</span><span>click a cell for its evidence</span></div>"
	out[#out + 1] = '<table class="matrix"><thead><tr><th>scenario</th>'
	for _, name in ipairs(cols) do
		out[#out + 1] = '<th class="ad">' .. esc(name) .. "</th>"
	end
	out[#out + 1] = "</tr></thead>"
	local n = 0
	for _, area in ipairs(util.matrix(run)) do
		out[#out + 1] = string.format('<tbody class="area-%s"><tr class="area"><th colspan="%d">%s<small>%s</small></th></tr>',
			esc(util.slug(area.name)), #cols + 1, esc(area.name), esc(area_counts(area, cols)))
		for _, row in ipairs(area.rows) do
			n = n + 1
			-- "not all pass" ignores the unconfined baseline, which fails by design.
			local all_pass = true
			for _, name in ipairs(cols) do
				local r = row.cells[name]
				all_pass = all_pass and (r == nil or r.status == "pass" or name:match("^[^@#]+") == "none")
			end
			out[#out + 1] = string.format('<tr class="sc%s" data-id="%s"><th scope="row"><code>%s</code><div class="title">%s</div></th>',
				all_pass and " all-pass" or "", esc(row.id), esc(row.id), esc(row.title))
			for j, name in ipairs(cols) do
				local id = string.format("c%d-%d", n, j)
				if row.cells[name] then
					ids[row.cells[name]] = id
				end
				cell(out, row.cells[name], id)
			end
			out[#out + 1] = "</tr>"
		end
		out[#out + 1] = "</tbody>"
	end
	out[#out + 1] = "</table></section>"
end

local function failures(out, run, ids)
	local bad = {}
	for _, r in ipairs(run.results or {}) do
		if r.status == "fail" or r.status == "error" then
			bad[#bad + 1] = r
		end
	end
	out[#out + 1] = '<section id="failures" class="fails"><h2>Failures</h2>'
	if #bad == 0 then
		out[#out + 1] = "<p>None: every expectation held.</p>"
	end
	for _, r in ipairs(bad) do
		out[#out + 1] = string.format('<article class="s-%s"><h3><a href="#%s"><code>%s</code></a> under %s %s</h3>',
			esc(r.status), esc(ids[r] or ""), esc(r.id), esc(r.adapter), badge(r.status, r.status))
		evidence(out, r)
		out[#out + 1] = "</article>"
	end
	out[#out + 1] = "</section>"
end

local function adapters(out, run)
	out[#out + 1] = '<section id="adapters"><h2>Adapters</h2><table class="plain"><thead><tr><th>adapter</th><th>installed</th><th>version</th><th>sha256</th><th>command</th><th>cannot express</th></tr></thead><tbody>'
	for _, a in ipairs(run.adapters or {}) do
		local inst = a.installed == false and ("no — " .. (a.why_missing or "")) or "yes"
		out[#out + 1] = string.format("<tr><th>%s</th><td>%s</td><td>%s</td><td><code>%s</code></td><td><code>%s</code></td><td>%s</td></tr>",
			esc(a.name), esc(inst), esc(a.version or ""), esc(a.sha256 or ""), esc(a.command or a.path or ""),
			esc(util.flat(a.unsupported or {})))
	end
	out[#out + 1] = "</tbody></table></section>"
end

function M.render(run)
	local out = {
		'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
		'<meta name="viewport" content="width=device-width, initial-scale=1">',
		"<title>cordon-harness report " .. esc(run.run_id) .. "</title>",
		"<style>" .. CSS .. "</style></head><body><main>",
	}
	local ids = {}
	header(out, run)
	if not perf_only(run) then
		summary(out, run)
		matrix(out, run, ids)
		failures(out, run, ids)
	end
	if run.perf then
		out[#out + 1] = perf.html(run.perf)
	end
	adapters(out, run)
	out[#out + 1] = string.format('<footer>Written by cordon-harness %s. Alongside this page: <a href="results.json">results.json</a>, <a href="junit.xml">junit.xml</a>, <a href="report.md">report.md</a>.</footer>',
		esc((run.harness or {}).version))
	out[#out + 1] = "</main><script>" .. JS .. "</script></body></html>\n"
	return table.concat(out, "\n")
end

return M
