-- cordon's warm path (issue 5): the same flags as the cordon adapter, plus --warm, so every
-- run is handed to a server holding sandboxes prepared for its plan (the first run of a plan
-- starts one, which leaves when the canary tree holding its socket is removed). A run goes
-- cold only when its server stops or its prepared sandbox dies while the run is on its way;
-- tests/test_run_warm.c checks that runs really start in prepared sandboxes.
local cordon = require("adapters.cordon")

local M = { name = "cordon-warm", unsupported = cordon.unsupported, features = cordon.features,
	path = cordon.path, env = cordon.env }

function M.detect()
	local d = cordon.detect()
	if d.installed then d.command = "cordon run --warm --workspace WS ... --" end
	return d
end

function M.prefix(pol, tree)
	local argv = cordon.prefix(pol, tree)
	table.insert(argv, 3, "--warm")
	return argv
end

return M
