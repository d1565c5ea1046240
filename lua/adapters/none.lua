-- No sandbox at all: the control. Every attempt that must be refused is also run here and must
-- succeed, or the check is not live on this host. It claims every feature so that
-- `check --adapter none` runs the whole battery and shows what an unconfined run looks like
-- (it must fail: a harness that passes an unconfined run is broken).
local M = { name = "none", unsupported = {} }

M.features = setmetatable({}, { __index = function() return true end })

function M.detect()
	return { installed = true, version = "-", path = "", command = "(no prefix)" }
end

function M.prefix(pol, tree)
	return {}
end

return M
