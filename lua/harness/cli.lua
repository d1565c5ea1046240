-- Command-line parsing, apart from main so it can be tested on its own.
-- parse(args) -> options | nil, one-line message (the caller prints it and exits 2).
local M = {}

M.USAGE = [=[usage: cordon-harness COMMAND [OPTIONS]
  check [--adapter A[,B...]|all] [--area fs,net,...] [--scenario PATTERN] [--policy FILE]
        [--out DIR] [--jobs N] [--as-user NAME] [--gate A[,B...]] [--best-effort]
        [--require profile=P,network=N]
                                                   run the battery, TAP on stdout; --gate: the
                                                   exit status judges only these adapters (each
                                                   must run); --best-effort: certify cordon as
                                                   it runs where this host lacks a mechanism;
                                                   --require: fail when the policy under test
                                                   is weaker
  list                                             areas, scenarios and their policy variants
  adapters                                         the sandboxes this harness knows, installed or not
  report merge RESULTS.json... [--out DIR]         one report from several runs or hosts
  bench [--adapter A,B...] [--runs N] [--concurrency 1,2,4] [--scaling 1,10,100,1000]
        [--out DIR] [--as-user NAME] [--policy FILE]
                                                   spawn overhead: perf.json and report.html
                                                   (adapter floor: the namespaces alone;
                                                   --policy FILE: the spawns' policy)
  mutate [--only NAME,...] [--ci] [--mutants DIR] [--area A,...] [--scenario PATTERN]
         [--out DIR] [--as-user NAME]              build each mutant of cordon (tests/mutants) and
                                                   run the battery against it: every one must fail it
  help]=]

local function split(s)
	local out = {}
	for part in s:gmatch("[^,]+") do out[#out + 1] = part end
	return out
end

-- Flags each command takes: name -> kind ("list", "string", "int").
local FLAGS = {
	check = { adapter = "list", area = "list", scenario = "string", policy = "string",
		out = "string", jobs = "int", ["as-user"] = "string", gate = "list",
		require = "list", ["best-effort"] = "bool" },
	list = { area = "list", scenario = "string" },
	adapters = {},
	merge = { out = "string" },
	bench = { adapter = "list", runs = "int", concurrency = "ints", scaling = "ints",
		out = "string", ["as-user"] = "string", policy = "string" },
	mutate = { only = "list", ci = "bool", mutants = "string", area = "list", scenario = "string",
		out = "string", ["as-user"] = "string" },
	help = {},
}

local function take_flag(opts, flags, args, i)
	local a = args[i]
	local name, value = a:match("^%-%-([%w-]+)=(.*)$")
	if not name then
		name = a:match("^%-%-([%w-]+)$")
		if not name then return nil, "unexpected argument '" .. a .. "'" end
		if not flags[name] then return nil, "unknown option '--" .. name .. "'" end
		if flags[name] == "bool" then
			opts[name] = true
			return i + 1
		end
		i = i + 1
		value = args[i]
		if value == nil then return nil, "--" .. name .. " needs a value" end
	elseif not flags[name] then
		return nil, "unknown option '--" .. name .. "'"
	end
	local kind = flags[name]
	if kind == "bool" then return nil, "--" .. name .. " takes no value" end
	if kind == "list" then
		local l = split(value)
		if #l == 0 then return nil, "--" .. name .. " needs a value" end
		opts[name] = l
	elseif kind == "ints" then
		local l = {}
		for _, v in ipairs(split(value)) do
			local n = math.tointeger(tonumber(v))
			if not n or n < 1 then return nil, "--" .. name .. ": expected positive integers, got '" .. value .. "'" end
			l[#l + 1] = n
		end
		if #l == 0 then return nil, "--" .. name .. " needs a value" end
		opts[name] = l
	elseif kind == "int" then
		local n = tonumber(value)
		if not n or n < 1 or n ~= math.floor(n) then
			return nil, "--" .. name .. ": expected a positive integer, got '" .. value .. "'"
		end
		opts[name] = math.tointeger(n)
	else
		opts[name] = value
	end
	return i + 1
end

function M.parse(args)
	local cmd = args[1]
	if cmd == nil or cmd == "help" or cmd == "--help" or cmd == "-h" then
		return { command = "help" }
	end
	local first = 2
	if cmd == "report" then
		if args[2] ~= "merge" then return nil, "report: expected 'report merge RESULTS.json...'" end
		cmd, first = "merge", 3
	end
	local flags = FLAGS[cmd]
	if not flags then return nil, "unknown command '" .. cmd .. "' (try: check, list, adapters, report merge, bench, mutate)" end
	local opts = { command = cmd, files = {} }
	local i = first
	while i <= #args do
		local a = args[i]
		if a:sub(1, 2) == "--" then
			local nexti, err = take_flag(opts, flags, args, i)
			if not nexti then return nil, err end
			i = nexti
		elseif cmd == "merge" then
			opts.files[#opts.files + 1] = a
			i = i + 1
		else
			return nil, "unexpected argument '" .. a .. "'"
		end
	end
	if cmd == "merge" and #opts.files == 0 then return nil, "report merge: no RESULTS.json given" end
	return opts
end

return M
