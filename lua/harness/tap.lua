-- TAP version 14 on stdout: one test point per scenario × variant × adapter, numbered in the
-- order they finish; a YAML block for everything that is not a plain pass.
local M = {}

function M.header(n)
	print("TAP version 14")
	print("1.." .. n)
end

-- JSON strings are valid YAML double-quoted scalars.
local function q(v)
	return json.encode(tostring(v))
end

function M.name(rec)
	local n = rec.adapter .. " " .. rec.id
	return (n:gsub("#", "\\#"))
end

function M.point(i, rec)
	local name, st = M.name(rec), rec.status
	local reason = (rec.reason or ""):gsub("\n", " ")
	if st == "pass" then
		print(("ok %d - %s"):format(i, name))
		return
	elseif st == "not-applicable" then
		print(("ok %d - %s # SKIP %s"):format(i, name, reason))
		return
	elseif st == "not-live" then
		print(("not ok %d - %s # TODO not-live: %s"):format(i, name, reason))
		return
	end
	print(("not ok %d - %s"):format(i, name))
	print("  ---")
	print("  status: " .. q(st))
	print("  policy: " .. q(rec.policy or "default"))
	print("  expected: " .. q(rec.expected))
	print("  got: " .. q(rec.probe and rec.probe.outcome or "nothing"))
	print("  reason: " .. q(reason))
	if rec.probe and rec.probe.line then print("  probe: " .. q(rec.probe.line)) end
	if rec.probe and rec.probe.stderr and rec.probe.stderr ~= "" then
		print("  stderr: " .. q(rec.probe.stderr:sub(1, 300)))
	end
	if rec.oracle then print("  oracle: " .. q(rec.oracle.name .. ": " .. rec.oracle.evidence)) end
	print("  ...")
end

function M.comment(s)
	print("# " .. s)
end

return M
