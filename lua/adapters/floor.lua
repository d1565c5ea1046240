-- Not a sandbox: the bench's lower bound for one (issue 5). `cordon-floor -- CMD` makes the
-- namespaces cordon's default policy makes (user, mount, PID, IPC, UTS, network with its
-- loopback up) and runs CMD under a pid 1 that reaps it, with nothing else: no mounts,
-- Landlock, seccomp, supervisor or limits. What a namespace sandbox costs above it is its own
-- work; what it costs up to it is the kernel's. `check` does not know it (it confines nothing);
-- `bench --adapter floor` does.
local M = { name = "floor", unsupported = {}, features = {} }

function M.path()
	return sys.paths().binary .. "/harness/cordon-floor"
end

function M.detect()
	local path = M.path()
	if not fs.exists(path) then
		return { installed = false, path = path,
			why_missing = "not built: cmake --build build --target cordon-floor" }
	end
	return { installed = true, path = path, version = "-", command = "cordon-floor -- (namespaces only)" }
end

function M.prefix(pol, tree)
	return { M.path(), "--" }
end

return M
