-- Limits: each runs under a policy that sets the limit and asks for more than it allows.
-- Expectations come from the policy (limit below the request: refused). These are timing- and
-- load-sensitive, so the runner runs the limits area serially (one job at a time).
local function limit_below(name, request)
	return function(pol)
		local l = tonumber(pol:limit(name) or "")
		return (l and l < request) and "refused" or "succeeded"
	end
end

local MIB = 1024 * 1024

return {
	{ id = "limits.pids.fork_bomb", area = "limits", title = "a fork bomb stops at --pids",
		probe = "res.fork_bomb", args = function() return { "200" } end, oracle = "self",
		classify = function(v) if (v.count or 0) < 200 then return "refused", "stopped at " .. tostring(v.count) end end,
		policies = { { name = "pids-32", pids = "32" } }, expect = limit_below("pids", 200) },
	{ id = "limits.memory.allocate", area = "limits", title = "allocating past --memory fails",
		probe = "res.memory", args = function() return { "256" } end, oracle = "self",
		policies = { { name = "memory-64M", memory = "64M" } },
		expect = function(pol) return pol:limit("memory") and "refused" or "succeeded" end },
	{ id = "limits.cpu.spin", area = "limits", title = "spinning past --cpu is stopped",
		probe = "res.cpu", args = function() return { "3" } end, oracle = "self",
		policies = { { name = "cpu-1", cpu = "1" } }, expect = limit_below("cpu", 3), timeout = 30 },
	{ id = "limits.timeout.spin", area = "limits", title = "--timeout ends a command that runs too long",
		probe = "res.cpu", args = function() return { "4" } end,
		oracle = function(t, res)
			local full = (res.wall or 0) >= 3.5
			return full, ("the run took %.1f s of a 4 s spin"):format(res.wall or 0)
		end, oracle_name = "wall-time",
		policies = { { name = "timeout-1", timeout = "1" } }, expect = limit_below("timeout", 4),
		timeout = 30 },
	{ id = "limits.file_size.write", area = "limits", title = "a file cannot grow past --file-size",
		probe = "res.file_size", args = function(t) return { t.workspace .. "/big", "4" } end,
		oracle = function(t)
			local st = fs.stat(t.workspace .. "/big")
			local size = st and st.size or 0
			return size >= 4 * MIB, ("the file has %d bytes of %d asked"):format(size, 4 * MIB)
		end, oracle_name = "file-size",
		policies = { { name = "file-size-1M", ["file-size"] = "1M" } },
		expect = function(pol) return pol:limit("file-size") and "refused" or "succeeded" end },
	{ id = "limits.file_size.fallocate", area = "limits", title = "fallocate cannot grow a file past --file-size",
		probe = "res.fallocate", args = function(t) return { t.workspace .. "/big", "4" } end,
		oracle = function(t)
			local st = fs.stat(t.workspace .. "/big")
			local size = st and st.size or 0
			return size >= 4 * MIB, ("the file has %d bytes of %d asked"):format(size, 4 * MIB)
		end, oracle_name = "file-size",
		policies = { { name = "file-size-1M", ["file-size"] = "1M" } },
		expect = function(pol) return pol:limit("file-size") and "refused" or "succeeded" end },
	{ id = "limits.open_files.exhaust", area = "limits", title = "opening files stops at --open-files",
		probe = "res.open_files", args = function() return { "256" } end, oracle = "self",
		classify = function(v) if (v.count or 0) < 256 then return "refused", "stopped at " .. tostring(v.count) end end,
		policies = { { name = "open-files-64", ["open-files"] = "64" } },
		expect = function(pol) return pol:limit("open-files") and "refused" or "succeeded" end },
	-- inotify instances are counted per user and shared with the host's processes (editors, file
	-- watchers); no policy setting bounds them, but each is a descriptor: --open-files stops them.
	-- A bounded request (the host's max_user_instances is usually 128) that the probe's exit frees.
	{ id = "limits.inotify.bounded", area = "limits", title = "create a bounded number of inotify instances",
		probe = "res.inotify", args = function() return { "32" } end, oracle = "self",
		classify = function(v) if (v.count or 0) < 32 then return "refused", "stopped at " .. tostring(v.count) end end,
		policies = { "default", { name = "open-files-16", ["open-files"] = "16" } },
		expect = limit_below("open-files", 32 + 3) },
	-- No inode quota applies: filling a directory of the workspace with a bounded number of files
	-- works under the sandbox, and the probe removes them again. Witnessed outside: the
	-- directory was modified (its mtime moved) and nothing was left behind.
	{ id = "limits.dir_fill.bounded", area = "limits", title = "fill a workspace directory with 200 files, then clean up",
		probe = "res.dir_fill",
		setup = function(t)
			t.fill = t.workspace .. "/fill"
			assert(fs.mkdir(t.fill))
			-- Let the coarse filesystem clock tick past the directory's creation, so a change
			-- made by the probe shows in its mtime even unconfined.
			clock.sleep(0.05)
			t.fill_mtime = fs.stat(t.fill).mtime
		end,
		args = function(t) return { t.fill, "200" } end,
		oracle = function(t)
			local st = fs.stat(t.fill)
			if not st then return true, "the fill directory disappeared" end
			local left = #(fs.list(t.fill) or {})
			local moved = st.mtime ~= t.fill_mtime
			if left > 0 then
				-- Files were made but not removed: a failure whatever was expected.
				local said = (t._probe or {}).outcome
				return said ~= "succeeded", ("%d file(s) left behind in fill/ (the probe said %s)"):format(
					left, tostring(said))
			end
			return moved, moved and "fill/ was modified (mtime moved), 0 files left behind"
				or "fill/ untouched (mtime unchanged), 0 files left"
		end, oracle_name = "fill-dir",
		policies = { "default", "read-only" },
		expect = writable(function(t) return t.workspace .. "/fill" end) },
}
