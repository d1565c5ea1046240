-- Reaching processes outside the sandbox: a victim the harness forked (outside any sandbox)
-- records every signal it gets; its limits, nice value and affinity are read back from /proc.
-- /proc/PID/{environ,mem,root} and ptrace need a target that exec'd (the harness itself is not
-- dumpable after dropping root, nor are its forks): a shell waiting in `sleep`, with the
-- marker in its environment and command line.
local function victim(t) t.victim = proc.victim("cv-" .. key(t)) end
local function pid(t) return tostring(t.victim:pid()) end

local function sleeper(t)
	local m = "cv-" .. key(t)
	t.sleeper = proc.start({ argv = { "/bin/sh", "-c", "sleep 30; : " .. m },
		env = { PATH = "/usr/bin:/bin", CORDON_VICTIM = m }, timeout = 60 })
end
local function spid(t) return tostring(t.sleeper:pid()) end

-- A field of /proc/PID/<file> matched by pattern, read from outside.
local function proc_field(p, file, pattern)
	local text = fs.read("/proc/" .. p .. "/" .. file) or ""
	return text:match(pattern)
end

local function nice_of(p)
	local stat = fs.read("/proc/" .. p .. "/stat") or ""
	local rest = stat:match("%)%s+(.*)$") or ""
	local fields = {}
	for f in rest:gmatch("%S+") do fields[#fields + 1] = f end
	return fields[17] -- field 19 of stat: nice
end

-- The harness's pty as the probe's terminal, and its size and mode before the run.
local function tty_setup(t)
	t.pty = oracle.pty()
	t.tty_before = t.pty:state()
end

local function tty_changed(t, res)
	local a, b = t.tty_before, t.pty:state()
	for _, f in ipairs({ "rows", "cols", "iflag", "oflag", "lflag", "cflag" }) do
		if a[f] ~= b[f] then
			return true, ("the user's terminal changed: %s %s -> %s"):format(f, tostring(a[f]), tostring(b[f]))
		end
	end
	return false, ("size %dx%d and mode unchanged"):format(b.rows, b.cols)
end

return {
	{ id = "proc.kill.victim", area = "proc", title = "signal a process outside the sandbox",
		probe = "proc.kill", setup = victim, args = function(t) return { pid(t), "USR1" } end,
		oracle = "victim", expect = always("refused") },
	{ id = "proc.pidfd_signal.victim", area = "proc", title = "signal a process outside through a pidfd",
		probe = "proc.pidfd_signal", setup = victim, args = function(t) return { pid(t), "USR1" } end,
		oracle = "victim", expect = always("refused") },
	-- A pidfd handed in (--keep-fd): no PID namespace hides what it names; only Landlock's
	-- signal scope (ABI 6, Linux 6.12) refuses. Where that is missing cordon refuses this plan;
	-- with --best-effort this check fails: what is weaker there (issue 19).
	{ id = "proc.pidfd_signal.kept", area = "proc", title = "signal a process outside through a kept pidfd",
		probe = "proc.pidfd_signal", needs = { "keep-fd" },
		keep_pidfd = function(t) victim(t); return t.victim:pid() end,
		args = function(t) return { "fd:" .. tostring(t._kept_fd), "USR1" } end,
		-- cordon refuses to pass a pidfd at all (keepfd.c): that refusal is the answer.
		refused_start = "pidfd.* is not passed",
		oracle = "victim", expect = always("refused") },
	{ id = "proc.fsetown.victim", area = "proc", title = "deliver SIGURG outside through F_SETOWN",
		probe = "proc.fsetown", setup = victim, args = function(t) return { pid(t), "URG" } end,
		oracle = "victim", verdict = "oracle", expect = always("refused") },
	{ id = "proc.prlimit.victim", area = "proc", title = "change the open-files limit of a process outside",
		probe = "proc.prlimit", setup = victim, args = function(t) return { pid(t), "77" } end,
		oracle = function(t)
			local soft = proc_field(pid(t), "limits", "Max open files%s+(%d+)")
			return soft == "77", "victim's soft RLIMIT_NOFILE is " .. tostring(soft)
		end, oracle_name = "proc-limits", expect = always("refused") },
	{ id = "proc.setpriority.victim", area = "proc", title = "renice a process outside",
		probe = "proc.setpriority", setup = victim, args = function(t) return { pid(t), "7" } end,
		oracle = function(t)
			local n = nice_of(pid(t))
			return n == "7", "victim's nice is " .. tostring(n)
		end, oracle_name = "proc-stat-nice", expect = always("refused") },
	{ id = "proc.setaffinity.victim", area = "proc", title = "pin a process outside to one CPU",
		probe = "proc.setaffinity", args = function(t) return { pid(t), "0" } end,
		setup = function(t)
			victim(t)
			t.cpus = proc_field(pid(t), "status", "Cpus_allowed_list:%s+(%S+)")
		end,
		oracle = function(t)
			local now = proc_field(pid(t), "status", "Cpus_allowed_list:%s+(%S+)")
			return now ~= t.cpus, ("victim's CPUs %s -> %s"):format(tostring(t.cpus), tostring(now))
		end, oracle_name = "proc-status-cpus", expect = always("refused") },
	{ id = "proc.ptrace.victim", area = "proc", title = "ptrace-attach a process outside",
		probe = "proc.ptrace", setup = sleeper, args = function(t) return { spid(t) } end,
		oracle = "self", expect = always("refused") },
	{ id = "proc.vm_readv.victim", area = "proc", title = "read the memory of a process outside",
		probe = "proc.vm_readv", setup = sleeper, args = function(t) return { spid(t) } end,
		oracle = "self", expect = always("refused") },
	{ id = "proc.environ.victim", area = "proc", title = "read the environment of a process outside",
		probe = "proc.environ", setup = sleeper,
		args = function(t) return { spid(t), "cv-" .. key(t) } end, oracle = "self",
		classify = function(v) if v.found ~= true then return "refused", "marker not found" end end,
		expect = always("refused") },
	{ id = "proc.cmdline.victim", area = "proc", title = "read the command line of a process outside",
		probe = "proc.cmdline", setup = sleeper,
		args = function(t) return { spid(t), "cv-" .. key(t) } end, oracle = "self",
		classify = function(v) if v.found ~= true then return "refused", "marker not found" end end,
		expect = always("refused") },
	{ id = "proc.proc_root_write.victim", area = "proc", title = "write a canary through /proc/PID/root of a process outside",
		probe = "proc.proc_root_write", setup = sleeper,
		args = function(t) return { spid(t), t.out_canary } end,
		watch = function(t) return { t.out_canary } end,
		expect = writable(function(t) return t.out_canary end) },
	{ id = "proc.count.visible", area = "proc", title = "see processes outside the sandbox's own tree",
		probe = "proc.count", setup = victim, args = function() return {} end, oracle = "self",
		-- Outside there is at least the harness, the victim and the probe; inside a fresh PID
		-- namespace only the sandbox's own few.
		classify = function(v, t)
			if (v.count or 0) > 4 then return "succeeded", v.count .. " processes visible" end
			return "refused", "own tree only (" .. tostring(v.count) .. ")"
		end,
		needs = { "pid-namespace" }, expect = always("refused") },
	{ id = "proc.tiocsti.pty", area = "proc", title = "inject input into the controlling terminal (TIOCSTI)",
		probe = "proc.tiocsti", pty = true, setup = function(t) t.pty = oracle.pty() end,
		args = function() return { "#" } end, oracle = "pty", needs = { "tiocsti" },
		expect = always("refused") },
	-- The user's terminal (issue 18): what the command does to its terminal's size or mode
	-- must not outlast the run or reach the host's foreground group (SIGWINCH). The probe's
	-- ioctl succeeds on a sandbox's own pty: only the terminal's state outside decides.
	{ id = "proc.tty_winsize.pty", area = "proc", title = "resize the user's terminal (TIOCSWINSZ)",
		probe = "proc.tty_winsize", pty = true, setup = tty_setup,
		args = function() return {} end, oracle = tty_changed, oracle_name = "tty-state",
		verdict = "oracle", expect = always("refused") },
	{ id = "proc.tty_termios.pty", area = "proc", title = "leave the user's terminal without echo (TCSETS)",
		probe = "proc.tty_termios", pty = true, setup = tty_setup,
		args = function() return {} end, oracle = tty_changed, oracle_name = "tty-state",
		verdict = "oracle", expect = always("refused") },
	{ id = "proc.exe_write.self", area = "proc", title = "open /proc/self/exe for writing (runc CVE-2019-5736)",
		probe = "proc.exe_write", args = function() return {} end, oracle = "self",
		expect = always("refused") },
	{ id = "proc.keyctl.user", area = "proc", title = "read the user keyring (not namespaced)",
		probe = "proc.keyctl", args = function() return {} end, oracle = "self",
		expect = always("refused") },
}
