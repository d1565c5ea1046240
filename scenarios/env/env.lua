-- The environment and what the sandbox can learn about the host.
local SECRETS = { MY_API_TOKEN = "cordon-canary-token", AWS_SECRET_ACCESS_KEY = "cordon-canary-key",
	DB_PASSWORD = "cordon-canary-password" }

local function secret_env() return SECRETS end

-- The host's name, from the harness's own uname outside the sandbox (once per attempt: the
-- fingerprint forks a child to test user namespaces).
local function host_name(t)
	t._host_name = t._host_name or host.fingerprint().hostname
	return t._host_name
end

return {
	{ id = "env.vars.secrets", area = "env", title = "inherit secret-looking environment variables",
		probe = "env.vars", env = secret_env, oracle = "self", needs = { "env-filter" },
		args = function() return { "MY_API_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD" } end,
		expect = always("refused") },
	{ id = "env.vars.kept", area = "env", title = "a secret-looking variable kept explicitly is inherited",
		probe = "env.vars", env = secret_env, oracle = "self", needs = { "env-filter" },
		args = function() return { "MY_API_TOKEN" } end,
		policies = { { name = "env-keep", ["env-keep"] = { "MY_API_TOKEN" } } },
		expect = function(pol)
			for _, k in ipairs(pol.settings["env-keep"]) do
				if k == "MY_API_TOKEN" then return "succeeded" end
			end
			return "refused"
		end },
	{ id = "env.proc_net_unix.host", area = "env", title = "see the host's abstract UNIX sockets in /proc/net/unix",
		probe = "env.proc_net_unix", oracle = "self",
		setup = function(t)
			t.abstract = "cordon-h-" .. key(t)
			t.listener = oracle.abstract_listen(t.abstract)
		end,
		args = function(t) return { "@" .. t.abstract } end,
		classify = function(v)
			if type(v.found) == "table" and #v.found > 0 then return "succeeded", "host socket listed" end
			return "refused", "host socket not listed"
		end,
		-- /proc/net/unix lists the reader's network namespace: with the network on too the
		-- sandbox has its own (issue 18), so the host's sockets are not in it.
		expect = always("refused"), policies = { "default", "network-on" } },
	-- The mount table must be readable (tools such as df and findmnt rely on it).
	{ id = "env.mounts.view", area = "env", title = "the sandbox sees a mount table (its own view)",
		probe = "env.mounts", args = function() return {} end, oracle = "self",
		expect = always("succeeded") },
	-- The sandbox has its own UTS namespace (cordon names it "cordon"): the name seen inside
	-- must differ from the host's. The witness is the harness's own uname, taken outside.
	{ id = "env.hostname.uts", area = "env", title = "see the host's hostname (no private UTS namespace)",
		probe = "env.hostname", args = function() return {} end,
		classify = function(v, t)
			local outside = host_name(t)
			if v.hostname == outside then return "succeeded", "the host's name" end
			return "refused", "its own name " .. tostring(v.hostname)
		end,
		oracle = function(t)
			local inside = (t._probe and t._probe.value or {}).hostname
			local outside = host_name(t)
			return inside == outside, ("inside %q, outside (harness's uname) %q"):format(
				tostring(inside), tostring(outside))
		end, oracle_name = "uname",
		expect = always("refused") },
	{ id = "env.kallsyms.kaslr", area = "env", title = "read kernel addresses from /proc/kallsyms",
		probe = "env.kallsyms", args = function() return {} end, oracle = "self",
		expect = always("refused") },
}
