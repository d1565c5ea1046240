-- Protection that must not depend on what a path looks like at the start (issue 11, classes
-- 4, 6 and 7): protected names that are symlinks, a gitdir reached through a symlink, the
-- directories on the way to a protected path, a .git the user makes while the command runs,
-- and a workspace that is a symlink planted by an earlier run.
local function ws(t, name) return t.workspace .. "/" .. name end

-- .git -> repo.git (a directory in the workspace), plus a directory evil/ to point it at.
local function git_as_link(t)
	fs.mkdir(ws(t, "repo.git"))
	fs.write(ws(t, "repo.git/config"), "[core]\n")
	fs.rm_rf(t.git)
	fs.symlink("repo.git", t.git)
	fs.mkdir(ws(t, "evil"))
end

-- Every protected name present, so that no creation rule is needed for them (on the unfixed
-- build the supervisor's rename rules were loaded only when one was absent).
local function all_names(t)
	for _, n in ipairs({ ".cordon", ".codex", ".agents" }) do fs.mkdir(ws(t, n)) end
end

local function refused_unless_full(pol)
	return pol.settings.profile == "full-access" and "succeeded" or "refused"
end

return {
	{ id = "fs.write.git_symlink", area = "fs", title = "write .git/config where .git is a symlink to a directory",
		probe = "fs.write", args = function(t) return { t.git_config } end,
		setup = git_as_link, watch = function(t) return { ws(t, "repo.git") } end,
		expect = writable(function(t) return t.git_config end) },
	{ id = "fs.unlink.git_symlink", area = "fs", title = "remove .git where it is a symlink",
		probe = "fs.unlink", args = function(t) return { t.git } end,
		setup = git_as_link, watch = function(t) return { t.git } end,
		expect = writable(function(t) return t.git end) },
	{ id = "fs.link_swap.git_symlink", area = "fs", title = "point the .git symlink at another directory (ln -sfn)",
		probe = "fs.link_swap", args = function(t) return { t.git, "evil" } end,
		setup = git_as_link, watch = function(t) return { t.git } end,
		expect = writable(function(t) return t.git end) },
	{ id = "fs.link_swap.gitdir_link", area = "fs", title = "repoint a symlink that a .git file's gitdir goes through",
		probe = "fs.link_swap", args = function(t) return { ws(t, "lnk"), "evil" } end,
		setup = function(t)
			all_names(t)
			fs.mkdir(ws(t, "real")); fs.mkdir(ws(t, "real/wt")); fs.mkdir(ws(t, "evil"))
			fs.write(ws(t, "real/wt/HEAD"), "ref: refs/heads/main\n")
			fs.symlink("real", ws(t, "lnk"))
			fs.rm_rf(t.git)
			fs.write(t.git, "gitdir: lnk/wt\n")
		end,
		watch = function(t) return { ws(t, "lnk") } end,
		expect = refused_unless_full },
	{ id = "fs.rename_away.protect_parent", area = "fs", title = "rename the directory above a nested --protect path",
		probe = "fs.rename_away", args = function(t) return { ws(t, "sub"), ws(t, "sub-moved") } end,
		setup = function(t)
			all_names(t)
			fs.mkdir(ws(t, "sub"))
			fs.write(ws(t, "sub/file"), "protected canary\n")
		end,
		watch = function(t) return { ws(t, "sub"), ws(t, "sub-moved") } end,
		expect = refused_unless_full,
		policies = { { name = "protect-nested", protect = { "<workspace>/sub/file" } } } },
	{ id = "fs.rename_away.deny_read_parent", area = "fs", title = "rename the directory above a nested --deny-read path",
		probe = "fs.rename_away", args = function(t) return { ws(t, "hid"), ws(t, "hid-moved") } end,
		setup = function(t)
			all_names(t)
			fs.mkdir(ws(t, "hid"))
			fs.write(ws(t, "hid/key"), "secret canary\n")
		end,
		watch = function(t) return { ws(t, "hid"), ws(t, "hid-moved") } end,
		expect = refused_unless_full,
		policies = { { name = "deny-read-nested", ["deny-read"] = { "<workspace>/hid/key" } } } },
	{ id = "fs.write_appeared.git", area = "fs", title = "write .git/config of a .git the user makes while the command runs",
		probe = "fs.write_appeared", args = function(t) return { t.git_config, "500" } end,
		setup = function(t) fs.rm_rf(t.git) end,
		background = true, settle = 0.3,
		during = function(t)
			fs.mkdir(t.git)
			fs.write(t.git_config, "[core]\n")
		end,
		oracle = function(t)
			local now = fs.read(t.git_config) or ""
			return now ~= "[core]\n", "after the run .git/config holds " .. ("%q"):format(now)
		end, oracle_name = "git-config-content",
		expect = writable(function(t) return t.git_config end), needs = { "protect-absent" } },
	{ id = "fs.write_appeared.git_remade", area = "fs", title = "write .git/config of a .git the user removes and makes anew while the command runs",
		probe = "fs.write_appeared", args = function(t) return { t.git_config, "1500" } end,
		background = true, settle = 0.3,
		during = function(t)
			fs.rm_rf(t.git)
			fs.mkdir(t.git)
			fs.write(t.git_config, "[core]\n")
		end,
		oracle = function(t)
			local now = fs.read(t.git_config) or ""
			return now ~= "[core]\n", "after the run .git/config holds " .. ("%q"):format(now)
		end, oracle_name = "git-config-content",
		expect = writable(function(t) return t.git_config end) },
	{ id = "fs.write.workspace_link", area = "fs", title = "a workspace given as a symlink a previous run planted",
		probe = "fs.write", args = function(t) return { t.out_canary } end,
		setup = function(t) fs.symlink(t.outside, ws(t, "pkg")) end,
		watch = function(t) return { t.out_canary } end,
		expect = always("refused"), refused_start = "goes through the symlink",
		policies = { { name = "workspace-link", workspace = "<workspace>/pkg" } } },
}
