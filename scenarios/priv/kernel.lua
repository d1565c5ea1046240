-- Kernel attack surface and privilege: each probe makes one call with harmless or invalid
-- arguments; "succeeded" means the call got past every filter and reached the kernel. Nothing
-- outside can witness a syscall being reached, so the oracle is the probe's line
-- cross-checked with its exit status ("self"); the control still proves the call is reachable
-- unconfined on this host, else the check is not-live.
local function none() return {} end

local function simple(id, probe, title, args)
	return { id = id, area = "priv", title = title, probe = probe, oracle = "self",
		args = args or none, expect = always("refused") }
end

-- What the host refuses to a plain user but grants to one with capabilities in a user
-- namespace: the control holds them (control = "capable"), or it would certify nothing.
local function capable(sc)
	sc.control = "capable"
	return sc
end

local list = {
	simple("priv.caps.initial_userns", "priv.caps", "hold a capability in the initial user namespace"),
	capable(simple("priv.chroot.root", "priv.chroot", "chroot (classic double-chroot escape)",
		function(t) return { t.workspace } end)),
	capable(simple("priv.pivot_root.reach", "priv.pivot_root", "reach pivot_root")),
	simple("priv.bpf.load", "priv.bpf", "load an eBPF socket filter"),
	simple("priv.perf_event_open.self", "priv.perf_event_open", "open a perf counter"),
	simple("priv.userfaultfd.kernel", "priv.userfaultfd", "create a userfaultfd"),
	simple("priv.init_module.garbage", "priv.init_module", "reach init_module"),
	simple("priv.kexec_load.invalid", "priv.kexec_load", "reach kexec_load"),
	simple("priv.personality.exec", "priv.personality", "set READ_IMPLIES_EXEC"),
	simple("priv.nnp_clear.prctl", "priv.nnp_clear", "clear no_new_privs"),
	simple("priv.seccomp_mode.strict", "priv.seccomp_mode", "switch to seccomp strict mode"),
	simple("priv.seccomp_listener.nested", "priv.seccomp_listener",
		"load a seccomp filter with a listener of its own (to answer for the supervisor)"),
	simple("priv.ptrace_rewrite.keyctl", "priv.ptrace_rewrite", "rewrite a syscall through ptrace",
		function() return { "keyctl" } end),
	-- fd 0 is /dev/null here: unconfined the ioctl reaches the tty layer (ENOTTY = reached).
	simple("priv.tioclinux.fd0", "priv.tioclinux", "reach TIOCLINUX (console paste, CVE-2023-1523)"),
	simple("priv.sysctl_write.core_pattern", "priv.sysctl_write", "open core_pattern for writing",
		function() return { "/proc/sys/kernel/core_pattern" } end),
	simple("priv.sysctl_write.sysrq", "priv.sysctl_write", "open /proc/sysrq-trigger for writing",
		function() return { "/proc/sysrq-trigger" } end),
}

-- The same call through every entry a seccomp filter might forget.
for _, name in ipairs({ "keyctl", "unshare", "bpf", "userfaultfd", "personality" }) do
	for _, entry in ipairs({ "syscall", "x32", "int80", "highbits" }) do
		if not (entry == "highbits" and name == "unshare") then
			list[#list + 1] = simple("priv." .. entry .. "." .. name, "priv." .. entry,
				name .. " through the " .. entry .. " entry", function() return { name } end)
		end
	end
end
return list
