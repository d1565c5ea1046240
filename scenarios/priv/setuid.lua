-- Setuid binaries must give no privilege inside the sandbox (no_new_privs). The harness, as
-- root, stages a copy of the probe setuid to `nobody` before it drops to the battery's user
-- (runner.stage_setuid): unconfined, exec makes the euid nobody's (the control); confined,
-- the euid must stay. Run as a non-root user, no copy can be made and the control shows the
-- check is not live. Nothing outside sees an euid, so the probe's line is the witness.
return {
	{ id = "priv.setuid_exec.nnp", area = "priv",
		title = "exec a setuid binary and gain its owner's euid",
		probe = "priv.setuid_exec", oracle = "self",
		args = function(t) return { t.setuid_probe } end,
		expect = always("refused") },
}
