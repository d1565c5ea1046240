-- Not a sandbox: the capable control (issue 12). Some attempts (mount, remount, umount,
-- fsmount, mount_setattr, chroot, pivot_root, raw and packet sockets) are refused to a plain
-- unprivileged user by the host itself, so an unconfined control run shows nothing and the
-- check certifies nothing. The threat is the same attempt made by a process that holds
-- capabilities in a user namespace, as a namespace sandbox's command could if the sandbox let
-- it keep them. This control runs the attempt unconfined inside namespaces of the harness's
-- own making, as uid 0 there (every capability), with the tree's `.git` made a read-only bind
-- mount, the shape a sandbox gives it: `cordon-floor --as-root --ro GIT -- PROBE`. A scenario
-- asks for it with `control = "capable"`; where the host cannot make those namespaces the
-- control run fails and the check is not-live, saying why.
local floor = require("adapters.floor")

local M = { name = "capable", unsupported = {} }

M.features = setmetatable({}, { __index = function() return true end })

function M.detect()
	local d = floor.detect()
	d.command = "cordon-floor --as-root --ro GIT -- (capabilities in namespaces of its own)"
	return d
end

function M.prefix(pol, tree)
	return { floor.path(), "--as-root", "--ro", tree.git, "--" }
end

return M
