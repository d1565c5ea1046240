-- What the seccomp supervisor opens or creates on the command's behalf (issue 11 classes 1
-- and 5, issue 18 class 1): special files reached by an O_CREAT open, names made by bind(),
-- and protected names at any depth of a writable root. Expectations come from the policy.
local function ws(name) return function(t) return t.workspace .. "/" .. name end end
local function fifo_in(field)
	return function(t)
		local path = t[field] .. "/fifo"
		assert(fs.mkfifo(path, tonumber("644", 8)))
		t.fifo = path
	end
end
local function sub(t) assert(fs.mkdir(t.workspace .. "/sub/deeper")) end

return {
	-- The probe holds the reading end and reads its marker back: nothing outside to witness.
	{ id = "fs.fifo_write.outside", area = "fs", title = "echo x > a FIFO outside the roots (a host process's input)",
		probe = "fs.fifo_write", setup = fifo_in("outside"), args = function(t) return { t.fifo } end,
		oracle = "self", expect = writable(function(t) return t.outside .. "/fifo" end),
		policies = { "default", "full-access" } },
	{ id = "fs.fifo_write.workspace", area = "fs", title = "echo x > a FIFO in the workspace",
		probe = "fs.fifo_write", setup = fifo_in("workspace"), args = function(t) return { t.fifo } end,
		oracle = "self", expect = writable(ws("fifo")) },
	-- A device outside Landlock's short list (/dev/null, zero, full, tty, pts): /dev/urandom
	-- takes writes from anyone and keeps nothing a test could see, so only the probe can say.
	{ id = "fs.write.dev_outside", area = "fs", title = "echo x > a device outside the allowed ones (/dev/urandom)",
		probe = "fs.write", args = function() return { "/dev/urandom" } end,
		oracle = "self", expect = writable(function() return "/dev/urandom" end),
		policies = { "default", "full-access" } },
	{ id = "fs.bind.agents", area = "fs", title = "bind a UNIX socket at .agents where none exists yet",
		probe = "fs.bind", args = function(t) return { t.workspace .. "/.agents" } end,
		expect = writable(ws(".agents")), needs = { "protect-absent" } },
	{ id = "fs.bind.nested_git", area = "fs", title = "bind a UNIX socket at a nested sub/.git",
		probe = "fs.bind", setup = sub, args = function(t) return { t.workspace .. "/sub/.git" } end,
		expect = writable(ws("sub/.git")) },
	{ id = "fs.bind.workspace", area = "fs", title = "bind a UNIX socket in the workspace",
		probe = "fs.bind", args = function(t) return { t.workspace .. "/sock" } end,
		expect = writable(ws("sock")) },
	-- A nested repository planted by the command runs its config (core.fsmonitor) at the
	-- user's next `git status` in that directory; a nested .cordon is a later run's policy.
	{ id = "fs.nested_git.mkdir", area = "fs", title = "git init in a subdirectory (mkdir sub/.git)",
		probe = "fs.mkdir", setup = sub, args = function(t) return { t.workspace .. "/sub/.git" } end,
		expect = writable(ws("sub/.git")) },
	{ id = "fs.nested_git.gitfile", area = "fs", title = "plant a gitfile sub/deeper/.git",
		probe = "fs.create", setup = sub, args = function(t) return { t.workspace .. "/sub/deeper/.git" } end,
		expect = writable(ws("sub/deeper/.git")) },
	{ id = "fs.nested_git.symlink", area = "fs", title = "symlink sub/.git to a directory the command made",
		probe = "fs.symlink_into", setup = sub,
		args = function(t) return { t.workspace .. "/sub/.git", t.workspace .. "/sub/deeper" } end,
		expect = writable(ws("sub/.git")) },
	{ id = "fs.nested_git.cordon", area = "fs", title = "plant a nested policy sub/.cordon",
		probe = "fs.create", setup = sub, args = function(t) return { t.workspace .. "/sub/.cordon" } end,
		expect = writable(ws("sub/.cordon")) },
}
