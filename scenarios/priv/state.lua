-- The command's own privilege state, read from /proc/self/status (priv.caps reports it): what
-- cordon's init sets before the exec must hold in the command, each bit a check of its own,
-- so that a sandbox that forgets one of them fails by name. The probe's line is the oracle
-- ("self"); classify turns the reported field into the outcome ("succeeded" = the privilege
-- is there). A capability set is only non-empty for a plain user when it holds capabilities
-- in a user namespace: those controls hold them (control = "capable").
local ZERO = "0000000000000000"

local function state(id, title, held, capable)
	return { id = "priv.state." .. id, area = "priv", title = title, probe = "priv.caps",
		args = function() return {} end, oracle = "self",
		classify = function(v)
			local yes, why = held(v)
			return yes and "succeeded" or "refused", why
		end,
		control = capable and "capable" or nil, expect = always("refused") }
end

return {
	state("no_new_privs", "run without no_new_privs (a setuid binary would gain privileges)",
		function(v) return v.nnp ~= true, "NoNewPrivs " .. tostring(v.nnp) end),
	state("bounding_set", "keep a non-empty capability bounding set",
		function(v) return v.bnd ~= ZERO, "CapBnd " .. tostring(v.bnd) end),
	state("permitted", "hold permitted or effective capabilities (even in a user namespace)",
		function(v) return v.prm ~= ZERO or v.eff ~= ZERO, "CapPrm " .. tostring(v.prm) .. ", CapEff " .. tostring(v.eff) end,
		true),
	state("seccomp", "run without a seccomp filter",
		function(v) return v.seccomp ~= 2, "Seccomp " .. tostring(v.seccomp) end),
}
