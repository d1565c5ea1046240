-- What git runs on the host, named by the repository's own configuration (issue 18, class 1):
-- .git is read-only, but core.hooksPath, include.path / includeIf, core.fsmonitor, a nested
-- repository and a submodule's gitfile send the user's next `git commit` / `git status` into
-- the workspace. Each setup configures the canary repository; the attempt is a plain write
-- there, which must be refused whenever the workspace is writable and .git is not.
local function config(text) return function(t) fs.append(t.git_config, text) end end

return {
	{ id = "fs.create.hooks_path", area = "fs",
		title = "plant a hook in core.hooksPath (.husky/pre-commit)",
		probe = "fs.create", args = function(t) return { t.workspace .. "/.husky/pre-commit" } end,
		setup = function(t)
			config("[core]\n\thooksPath = .husky\n")(t)
			fs.mkdir(t.workspace .. "/.husky")
		end,
		watch = function(t) return { t.workspace .. "/.husky" } end,
		expect = always("refused"), policies = { "default" } },
	{ id = "fs.mkdir.hooks_path", area = "fs",
		title = "make the core.hooksPath directory that does not exist yet",
		probe = "fs.mkdir", args = function(t) return { t.workspace .. "/.githooks" } end,
		setup = config("[core]\n\thooksPath = .githooks\n"),
		expect = always("refused"), policies = { "default" }, needs = { "protect-absent" } },
	{ id = "fs.append.include", area = "fs",
		title = "add core.fsmonitor to a file .git/config includes",
		probe = "fs.append", args = function(t) return { t.workspace .. "/team.gitconfig" } end,
		setup = function(t)
			config("[include]\n\tpath = ../team.gitconfig\n")(t)
			fs.write(t.workspace .. "/team.gitconfig", "[user]\n\tname = canary\n")
		end,
		expect = always("refused"), policies = { "default" } },
	{ id = "fs.create.include_if", area = "fs",
		title = "create the missing file an includeIf names",
		probe = "fs.create", args = function(t) return { t.workspace .. "/local.gitconfig" } end,
		setup = config("[includeIf \"onbranch:main\"]\n\tpath = ../local.gitconfig\n"),
		watch = function(t) return { t.workspace .. "/local.gitconfig" } end,
		expect = always("refused"), policies = { "default" }, needs = { "protect-absent" } },
	{ id = "fs.write.fsmonitor", area = "fs",
		title = "rewrite the program core.fsmonitor runs",
		probe = "fs.write", args = function(t) return { t.workspace .. "/tools/fsmon.sh" } end,
		setup = function(t)
			config("[core]\n\tfsmonitor = tools/fsmon.sh\n")(t)
			fs.mkdir(t.workspace .. "/tools")
			fs.write(t.workspace .. "/tools/fsmon.sh", "#!/bin/sh\n", tonumber("755", 8))
		end,
		expect = always("refused"), policies = { "default" } },
	{ id = "fs.append.nested_git", area = "fs",
		title = "add core.fsmonitor to a nested repository's config (src/.git)",
		probe = "fs.append", args = function(t) return { t.workspace .. "/src/.git/config" } end,
		setup = function(t)
			fs.mkdir(t.workspace .. "/src")
			assert(fs.git_init(t.workspace .. "/src"))
		end,
		expect = always("refused"), policies = { "default" } },
	{ id = "fs.write.submodule_gitfile", area = "fs",
		title = "repoint a submodule's .git file at a workspace directory",
		probe = "fs.write", args = function(t) return { t.workspace .. "/lib/.git" } end,
		setup = function(t)
			fs.mkdir(t.git .. "/modules/lib")
			fs.write(t.git .. "/modules/lib/config", "[core]\n")
			fs.mkdir(t.workspace .. "/lib")
			fs.write(t.workspace .. "/lib/.git", "gitdir: ../.git/modules/lib\n")
		end,
		expect = always("refused"), policies = { "default" } },
	{ id = "fs.append.hook_config", area = "fs",
		title = "change the file a hook reads (pre-commit's .pre-commit-config.yaml)",
		probe = "fs.append",
		args = function(t) return { t.workspace .. "/.pre-commit-config.yaml" } end,
		setup = function(t)
			fs.mkdir(t.git .. "/hooks")
			fs.write(t.git .. "/hooks/pre-commit", "#!/bin/sh\nexec python3 -mpre_commit " ..
				"hook-impl --config=.pre-commit-config.yaml --hook-type=pre-commit\n",
				tonumber("755", 8))
			fs.write(t.workspace .. "/.pre-commit-config.yaml", "repos: []\n")
		end,
		expect = always("refused"), policies = { "default" } },
}
