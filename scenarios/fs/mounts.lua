-- The mount calls are refused to a plain user by the host itself: their controls hold
-- capabilities in namespaces of the harness's own, with .git a read-only bind mount there
-- (control = "capable"), so that a sandbox which let its command keep them would fail here.
-- Undoing the view: mount over it, remount a read-only bind read-write, detach it, do either
-- from a nested user namespace, or pivot away and replace a protected file through a held
-- descriptor (the bypass found against bubblewrap, issue 2).
return {
	{ id = "fs.mount.workspace", area = "fs", title = "mount a tmpfs in the workspace",
		probe = "fs.mount", args = function(t) return { t.workspace .. "/mnt" } end,
		setup = function(t) fs.mkdir(t.workspace .. "/mnt") end,
		oracle = "self", control = "capable", expect = always("refused") },
	{ id = "fs.remount.git", area = "fs", title = "remount the .git bind read-write",
		probe = "fs.remount", args = function(t) return { t.git } end,
		oracle = "self", control = "capable", expect = always("refused") },
	{ id = "fs.umount.git", area = "fs", title = "detach the read-only mount on .git",
		probe = "fs.umount", args = function(t) return { t.git } end,
		oracle = "self", control = "capable", expect = always("refused") },
	{ id = "fs.userns_remount.git", area = "fs", title = "unlock .git/config from a nested user namespace and write it",
		probe = "fs.userns_remount", args = function(t) return { t.git_config } end,
		expect = writable(function(t) return t.git_config end) },
	{ id = "fs.pivot_escape.git", area = "fs", title = "pivot away and replace .git/config through a held descriptor",
		probe = "fs.pivot_escape", args = function(t) return { t.git, "config" } end,
		watch = function(t) return { t.git_config } end,
		expect = writable(function(t) return t.git_config end) },
	{ id = "fs.pivot_escape.protect", area = "fs", title = "pivot away and replace a protected single file",
		probe = "fs.pivot_escape", args = function(t) return { t.workspace, "protected" } end,
		watch = function(t) return { t.protected } end,
		expect = writable(function(t) return t.protected end), policies = { "protect" } },
}
