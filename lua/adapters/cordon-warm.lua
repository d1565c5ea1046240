-- cordon's warm path (issue 5): the same flags as the cordon adapter, plus --warm-only, so every
-- run is handed to a server holding sandboxes prepared for its plan (the first run of a plan
-- starts one, which leaves when the canary tree holding its socket is removed). --warm-only
-- and not --warm: a run no prepared sandbox takes fails (exit 125) instead of going cold, so a
-- battery that passes here passed through the warm path, every run of it;
-- tests/test_run_warm.c checks that such runs really start in prepared sandboxes.
local cordon = require("adapters.cordon")

local M = { name = "cordon-warm", unsupported = cordon.unsupported, features = cordon.features,
	path = cordon.path, env = cordon.env, preflight = cordon.preflight,
	-- A run whose stdio is a terminal gets a pty of cordon's own, made before the sandbox: a
	-- prepared sandbox cannot have one, so such a run is never warm (--warm-only: exit 125).
	no_pty = "a run on a terminal is never warm: it gets a pty of its own, made with its sandbox" }

function M.detect()
	local d = cordon.detect()
	if d.installed then d.command = "cordon run --warm-only --workspace WS ... --" end
	return d
end

function M.prefix(pol, tree)
	local argv = cordon.prefix(pol, tree)
	table.insert(argv, 3, "--warm-only")
	return argv
end

return M
