-- Two sessions: a sandbox in session B leaves an object (a file in /tmp or /dev/shm, a SysV or
-- POSIX shared memory segment), then a sandbox in session A tries to reach it; runs of one
-- session must still share them. Unconfined (the control) everything is shared.
local function tmp_name(t, dir) return dir .. "/cordon-h-" .. key(t) end

local function file_pair(dir, what)
	local function path(t) return tmp_name(t, dir) end
	local function make(session)
		return function(t)
			return { { probe = "fs.write", args = { path(t) }, settings = { session = session } } }
		end
	end
	local function clean(session)
		return function(t)
			return { { probe = "fs.unlink", args = { path(t) }, settings = { session = session } } }
		end
	end
	return {
		{ id = "proc.session." .. what .. ".other", area = "proc",
			title = "read another session's file in " .. dir,
			probe = "fs.read", args = function(t) return { path(t) } end,
			before = make("B"), after = clean("B"), settings = { session = "A" },
			oracle = "self", classify = function(v) if (v.bytes or 0) == 0 then return "refused", "read nothing" end end,
			expect = always("refused") },
		{ id = "proc.session." .. what .. ".same", area = "proc",
			title = "read the same session's file in " .. dir,
			probe = "fs.read", args = function(t) return { path(t) } end,
			before = make("A"), after = clean("A"), settings = { session = "A" },
			oracle = "self", expect = always("succeeded") },
	}
end

local function ipc_pair(probe, what, name)
	local function make(session)
		return function(t)
			return { { probe = probe, args = { "--create", name(t) }, settings = { session = session } } }
		end
	end
	local function clean(session)
		return function(t)
			return { { probe = probe, args = { "--remove", name(t) }, settings = { session = session } } }
		end
	end
	return {
		{ id = "proc.session." .. what .. ".other", area = "proc",
			title = "attach another session's " .. what .. " segment",
			probe = probe, args = function(t) return { name(t) } end,
			before = make("B"), after = clean("B"), settings = { session = "A" },
			oracle = "self", expect = always("refused") },
		{ id = "proc.session." .. what .. ".same", area = "proc",
			title = "attach the same session's " .. what .. " segment",
			probe = probe, args = function(t) return { name(t) } end,
			before = make("A"), after = clean("A"), settings = { session = "A" },
			oracle = "self", expect = always("succeeded") },
	}
end

-- A holder kept running in session B (a listener on the sandbox's loopback), reached from A:
-- by connecting to its port, and by signalling its process (signal 0: existence only).
local function holder(t)
	t.port = t.port or free_port()
	return { { probe = "net.listen", args = { tostring(t.port), "3" }, settings = { session = "B" },
		background = true, settle = 0.8 } }
end

local live = {
	{ id = "proc.session.listener.other", area = "proc",
		title = "connect to a listener another session holds",
		probe = "net.tcp_connect", before = holder, settings = { session = "A" },
		args = function(t) return { "127.0.0.1", tostring(t.port) } end,
		oracle = "self", expect = network(), serial = true },
	{ id = "proc.session.process.other", area = "proc",
		title = "signal (0) a process another session holds",
		probe = "proc.kill", before = holder, settings = { session = "A" },
		args = function(t) return { tostring(t.holder_pid), "0" } end,
		oracle = "self", needs = { "pid-namespace" }, expect = always("refused"), serial = true },
}

-- An abstract UNIX socket held in session B, reached from A by name. Abstract sockets belong to
-- the network namespace (each run has its own) and Landlock scopes them. The holder listens
-- inside B's sandbox, out of the harness's reach: the witness is the holder's own count of
-- accepted connections (its stderr at exit), the word of B's sandbox, not of the probe in A.
local function abstract_name(t) return "cordon-h-abs-" .. key(t) end

local function abstract_holder(t)
	local h = (t._handles or {})[1]
	local res = h and h:wait(10)
	if not res then h:kill(9); error("the holder in session B did not end in time") end
	if not (res.stdout or ""):match('"outcome":"succeeded"') then
		error("the holder in session B is not listening: " .. tostring(res.stdout) .. tostring(res.stderr))
	end
	local n = tonumber((res.stderr or ""):match("accepted (%d+) connection"))
	local p = t._probe or {}
	if not n then
		return p.outcome == "succeeded", ("no outside witness (the holder reported no count): "
			.. "the probe said %s (exit %s)"):format(tostring(p.outcome), tostring(p.exit))
	end
	return n > 0, ("the holder in session B (its own word) accepted %d connection%s; the probe "
		.. "said %s"):format(n, n == 1 and "" or "s", tostring(p.outcome))
end

live[#live + 1] = { id = "proc.session.abstract.other", area = "proc",
	title = "connect to an abstract UNIX socket another session holds",
	probe = "net.unix_abstract", settings = { session = "A" }, serial = true,
	before = function(t)
		return { { probe = "net.unix_abstract_listen", args = { abstract_name(t), "2" },
			settings = { session = "B" }, background = true, settle = 0.8 } }
	end,
	args = function(t) return { abstract_name(t) } end,
	oracle = abstract_holder, oracle_name = "holder", expect = always("refused") }

-- The same, between two runs of ONE session (issue 19): they share /tmp, but an abstract socket
-- is the run's own. The supervisor performs every connect outside Landlock's abstract-socket
-- scope, so a network namespace shared by the session's runs let them reach each other on
-- every kernel; each run now has its own.
live[#live + 1] = { id = "proc.session.abstract.same", area = "proc",
	title = "connect to an abstract UNIX socket another run of the same session holds",
	probe = "net.unix_abstract", settings = { session = "A" }, serial = true,
	before = function(t)
		return { { probe = "net.unix_abstract_listen", args = { abstract_name(t), "2" },
			settings = { session = "A" }, background = true, settle = 0.8 } }
	end,
	args = function(t) return { abstract_name(t) } end,
	oracle = abstract_holder, oracle_name = "holder", expect = always("refused") }

local list = { table.unpack(live) }
for _, pair in ipairs({
	file_pair("/tmp", "tmp"),
	file_pair("/dev/shm", "devshm"),
	ipc_pair("proc.sysv_shm", "sysv_shm", function(t) return key(t) end),
	ipc_pair("proc.posix_shm", "posix_shm", function(t) return "/cordon-h-" .. key(t) end),
}) do
	for _, sc in ipairs(pair) do list[#list + 1] = sc end
end
return list
