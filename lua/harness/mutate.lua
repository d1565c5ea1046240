-- `cordon-harness mutate`: mutation testing of the battery (issue 12). A conformance battery is
-- worth what it can fail: each mutant is cordon with one protection taken out (a one-line edit
-- of src/, tests/mutants/*.mutant), built, and run through the battery; the battery must fail
-- on it ("killed"). A mutant the battery passes ("survived") fails the run, unless its file
-- says why it is equivalent (it changes nothing a command could observe).
--
-- A mutant file, one `key: value` per line (`#` comments):
--   why: what protection is gone and which check should see it
--   file: src/landlock.c         the file to edit, relative to the source tree
--   find: <text>                 one exact line of that file (leading tabs count); it must
--                                occur exactly once, or the mutant no longer applies (error)
--   replace: <text>              the line put in its place (several `replace:` lines: several)
--   adapters: cordon,cordon-warm the adapters the battery runs it through (default cordon)
--   ci: yes                      in the subset `--ci` runs (the CI budget cannot take them all)
--   equivalent: <reason>         allowed to survive, and why
--
-- The mutants are built in a scratch copy of the source tree, one incremental build (only the
-- edited file recompiles), and never installed: nothing of them reaches a release binary.
local M = {}

local function trim(s)
	return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- Parse one mutant file. -> mutant | nil, message
function M.parse(text, name)
	local m = { name = name, replace = {}, adapters = { "cordon" } }
	local n = 0
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		n = n + 1
		if line ~= "" and not line:match("^%s*#") then
			local key, value = line:match("^([%w_-]+):%s?(.*)$")
			if not key then return nil, ("%s:%d: expected 'key: value'"):format(name, n) end
			if key == "replace" then
				m.replace[#m.replace + 1] = value
			elseif key == "adapters" then
				m.adapters = {}
				for a in value:gmatch("[^,%s]+") do m.adapters[#m.adapters + 1] = a end
			elseif key == "ci" then
				m.ci = trim(value) == "yes"
			elseif key == "why" or key == "file" or key == "find" or key == "equivalent" then
				m[key] = key == "find" and value or trim(value)
			else
				return nil, ("%s:%d: unknown key '%s'"):format(name, n, key)
			end
		end
	end
	for _, k in ipairs({ "why", "file", "find" }) do
		if not m[k] or m[k] == "" then return nil, ("%s: missing '%s:'"):format(name, k) end
	end
	if #m.replace == 0 then return nil, name .. ": missing 'replace:'" end
	return m
end

-- Every mutant in dir, sorted by name. -> list | nil, message
function M.load(dir)
	local names = fs.list(dir)
	if not names then return nil, "no mutants in " .. dir end
	table.sort(names)
	local list = {}
	for _, f in ipairs(names) do
		if f:match("%.mutant$") then
			local text, err = fs.read(dir .. "/" .. f)
			if not text then return nil, dir .. "/" .. f .. ": " .. tostring(err) end
			local m, perr = M.parse(text, f:gsub("%.mutant$", ""))
			if not m then return nil, perr end
			list[#list + 1] = m
		end
	end
	if #list == 0 then return nil, "no *.mutant files in " .. dir end
	return list
end

-- The mutants --only / --ci select. -> list | nil, message
function M.select(list, only, ci)
	local want
	if only then
		want = {}
		for _, n in ipairs(only) do want[n] = true end
	end
	local out = {}
	for _, m in ipairs(list) do
		if (not want or want[m.name]) and (not ci or m.ci) then out[#out + 1] = m end
		if want then want[m.name] = nil end
	end
	for n in pairs(want or {}) do return nil, "--only: no mutant '" .. n .. "'" end
	if #out == 0 then return nil, "no mutant selected" end
	return out
end

-- The file's text with the mutant's edit. -> text | nil, message
function M.apply(m, text)
	local lines, at = {}, nil
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		lines[#lines + 1] = line
		if line == m.find then
			if at then return nil, m.name .. ": the line occurs more than once in " .. m.file end
			at = #lines
		end
	end
	if not at then return nil, m.name .. ": the line is no longer in " .. m.file .. " (update the mutant)" end
	if lines[#lines] == "" then lines[#lines] = nil end
	local out = {}
	for i, line in ipairs(lines) do
		if i == at then
			for _, r in ipairs(m.replace) do out[#out + 1] = r end
		else
			out[#out + 1] = line
		end
	end
	return table.concat(out, "\n") .. "\n"
end

local function run(argv, env, timeout)
	local r, err = proc.run({ argv = argv, env = env, timeout = timeout or 1800 })
	if not r then return nil, table.concat(argv, " ") .. ": " .. tostring(err) end
	return r
end

local function first_line(s)
	return (s or ""):match("[^\n]+") or ""
end

-- A scratch copy of the source tree and a configured build of it. -> work | nil, message
function M.prepare(src, progress)
	local dir = fs.tmpdir("cordon-mutants")
	local copy = dir .. "/src"
	assert(fs.mkdir(copy))
	for _, name in ipairs(fs.list(src) or {}) do
		if not name:match("^build") and name ~= "reports" and name ~= ".git" and name ~= ".peers" then
			local r, err = run({ "cp", "-a", src .. "/" .. name, copy .. "/" })
			if not r or r.status ~= 0 then return nil, err or ("cp " .. name .. ": " .. first_line(r.stderr)) end
		end
	end
	progress("configuring the mutant build in " .. dir)
	local build = dir .. "/build"
	local r, err = run({ "cmake", "-S", copy, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo" })
	if not r or r.status ~= 0 then return nil, err or ("cmake: " .. first_line(r.stderr)) end
	return { dir = dir, src = copy, build = build, cordon = build .. "/src/cordon" }
end

local function build(work)
	local r, err = run({ "cmake", "--build", work.build, "--target", "cordon", "-j2" })
	if not r then return nil, err end
	if r.status ~= 0 then return nil, "build failed: " .. first_line(r.stdout:match("[^\n]*error[^\n]*") or r.stderr) end
	-- The battery runs as the unprivileged test user when started as root.
	run({ "chmod", "-R", "a+rX", work.dir })
	return true
end

-- The battery against the built mutant. -> outcome record
local function battery(work, m, opts, out)
	local argv = { sys.paths().binary .. "/harness/cordon-harness", "check", "--adapter",
		table.concat(m.adapters, ","), "--out", out }
	for _, a in ipairs(opts.area and { "--area", table.concat(opts.area, ",") } or {}) do argv[#argv + 1] = a end
	for _, a in ipairs(opts.scenario and { "--scenario", opts.scenario } or {}) do argv[#argv + 1] = a end
	if opts["as-user"] then
		argv[#argv + 1] = "--as-user"
		argv[#argv + 1] = opts["as-user"]
	end
	local env = { CORDON_BIN = work.cordon }
	for _, k in ipairs({ "PATH", "HOME", "LANG", "TMPDIR", "CORDON_HARNESS_TMPDIR", "XDG_RUNTIME_DIR" }) do
		env[k] = os.getenv(k)
	end
	local r, err = run(argv, env)
	if not r then return { status = "error", reason = err } end
	local results = fs.read(out .. "/results.json")
	local killers = {}
	local ok, v = pcall(json.decode, results or "")
	if ok and type(v) == "table" then
		for _, rec in ipairs(v.results or {}) do
			-- A check that fails, or a sandbox that no longer starts (an error of its own,
			-- such as refusing to run at all): either way the battery is not green.
			if (rec.status == "fail" or rec.status == "error") and rec.adapter ~= "-" then
				killers[#killers + 1] = rec.adapter .. " " .. rec.id
			end
		end
	end
	if r.status == 1 and #killers > 0 then
		return { status = "killed", killers = killers }
	elseif r.status == 0 then
		return { status = m.equivalent and "equivalent" or "survived",
			reason = m.equivalent or "every check of the battery passed against it" }
	end
	return { status = "error", reason = "the battery could not run (exit " .. tostring(r.status) .. "): " ..
		first_line(r.stderr:match("cordon%-harness: [^\n]*") or r.stderr), killers = killers }
end

-- Apply, build, run the battery, undo. -> outcome record
function M.one(work, m, opts, out)
	local path = work.src .. "/" .. m.file
	local orig, rerr = fs.read(path)
	if not orig then return { status = "error", reason = path .. ": " .. tostring(rerr) } end
	local text, aerr = M.apply(m, orig)
	if not text then return { status = "error", reason = aerr } end
	assert(fs.write(path, text))
	local bok, berr = build(work)
	local rec = bok and battery(work, m, opts, out) or { status = "error", reason = berr }
	assert(fs.write(path, orig))
	return rec
end

local function count(results)
	local n = { killed = 0, survived = 0, equivalent = 0, error = 0 }
	for _, r in ipairs(results) do n[r.status] = (n[r.status] or 0) + 1 end
	return n
end

-- mutation.md: a table, then each survivor and error with its reason.
function M.markdown(run)
	local n = run.summary
	local out = { "# Mutation report\n\n",
		("Run `%s` on %s (kernel %s): %d mutants, **%d killed**, %d survived, %d equivalent, %d errors. "):format(
			run.run_id, tostring(run.host.hostname), tostring(run.host.kernel), #run.mutants, n.killed,
			n.survived, n.equivalent, n.error),
		("Kill rate %.0f%% (killed of the non-equivalent).\n\n"):format(run.kill_rate * 100),
		"| mutant | what it takes out | result | killed by |\n| --- | --- | --- | --- |\n" }
	for _, r in ipairs(run.mutants) do
		local by = r.killers and #r.killers > 0 and (r.killers[1] .. (#r.killers > 1
			and (" and " .. (#r.killers - 1) .. " more") or "")) or (r.reason or "")
		out[#out + 1] = ("| `%s` | %s | %s | %s |\n"):format(r.name, r.why:gsub("|", "\\|"), r.status,
			by:gsub("|", "\\|"))
	end
	out[#out + 1] = "\nA survivor is a protection the battery does not see: add the probe and scenario that fail "
		.. "without it (see scenarios/README.md), or, if no command could observe the change, mark the mutant "
		.. "`equivalent:` with the reason.\n"
	return table.concat(out)
end

-- junit.xml: one testcase per mutant; a survivor is a failure, an error an error.
function M.junit(run)
	local util = require("harness.report.util")
	local x = util.xml_attr
	local n = run.summary
	local out = { '<?xml version="1.0" encoding="UTF-8"?>\n',
		('<testsuites name="cordon mutation" tests="%d" failures="%d" errors="%d">\n'):format(#run.mutants,
			n.survived, n.error),
		('  <testsuite name="mutants" tests="%d" failures="%d" errors="%d" skipped="%d">\n'):format(#run.mutants,
			n.survived, n.error, n.equivalent) }
	for _, r in ipairs(run.mutants) do
		out[#out + 1] = ('    <testcase name="%s" classname="mutants" time="%.3f"'):format(x(r.name), r.duration or 0)
		if r.status == "survived" then
			out[#out + 1] = ('><failure message="%s"/></testcase>\n'):format(x(r.why .. ": " .. (r.reason or "")))
		elseif r.status == "error" then
			out[#out + 1] = ('><error message="%s"/></testcase>\n'):format(x(r.reason or "error"))
		elseif r.status == "equivalent" then
			out[#out + 1] = ('><skipped message="%s"/></testcase>\n'):format(x(r.reason or ""))
		else
			out[#out + 1] = "/>\n"
		end
	end
	out[#out + 1] = "  </testsuite>\n</testsuites>\n"
	return table.concat(out)
end

-- The whole run. -> exit status (0 every mutant killed or equivalent, 1 otherwise, 2 could not run)
function M.main(opts, env)
	local dir = opts.mutants or (sys.paths().source .. "/tests/mutants")
	local all, err = M.load(dir)
	if not all then return env.fail2(err) end
	local list, serr = M.select(all, opts.only, opts.ci)
	if not list then return env.fail2(serr) end
	local out = opts.out or (sys.paths().source .. "/reports/" .. env.run_id .. "-mutation")
	if not fs.exists(out) and not fs.mkdir(out) then return env.fail2("--out: cannot create " .. out) end
	fs.chmod(out, tonumber("755", 8)) -- each battery, as its own user, writes a folder in it
	local work, werr = M.prepare(sys.paths().source, env.progress)
	if not work then return env.fail2(werr) end
	local run = { schema = "cordon-mutation/1", run_id = env.run_id, started = clock.iso8601(),
		host = host.fingerprint(), mutants = {} }
	for i, m in ipairs(list) do
		local t0 = clock.now()
		env.progress(("[%d/%d] %s: %s"):format(i, #list, m.name, m.why))
		local rec = M.one(work, m, opts, out .. "/" .. m.name)
		rec.name, rec.why, rec.file, rec.duration = m.name, m.why, m.file, clock.now() - t0
		env.progress(("[%d/%d] %s %s%s"):format(i, #list, m.name, rec.status,
			rec.reason and (": " .. rec.reason) or ""))
		run.mutants[#run.mutants + 1] = rec
	end
	fs.rm_rf(work.dir)
	run.finished = clock.iso8601()
	run.summary = count(run.mutants)
	local judged = run.summary.killed + run.summary.survived
	run.kill_rate = judged > 0 and run.summary.killed / judged or 0
	local ok = fs.write(out .. "/mutation.json", json.encode(run, true))
		and fs.write(out .. "/mutation.md", M.markdown(run)) and fs.write(out .. "/junit.xml", M.junit(run))
	if not ok then return env.fail2("cannot write the mutation report in " .. out) end
	print(("mutants: %d killed, %d survived, %d equivalent, %d errors; report: %s/mutation.md"):format(
		run.summary.killed, run.summary.survived, run.summary.equivalent, run.summary.error, out))
	return (run.summary.survived == 0 and run.summary.error == 0) and 0 or 1
end

return M
