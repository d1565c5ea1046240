-- cordon's warm path (issue 5): the same flags as the cordon adapter, plus --warm, so every
-- run is handed to a server holding sandboxes prepared for its plan (the first run of a plan
-- starts one). The whole battery runs through it; a run that could not go warm fails rather
-- than falling back unseen, because --warm starts the server it needs.
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
