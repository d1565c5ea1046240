-- Sockets that are not plain TCP/UDP: raw, packet, vsock, netlink, UNIX (abstract and
-- pathname), socketpair, and a listener the host must not be able to reach.
return {
	{ id = "net.raw_socket.open", area = "net", title = "open a raw ICMP socket",
		probe = "net.raw_socket", args = function() return {} end, oracle = "self",
		control = "capable", expect = always("refused") },
	{ id = "net.packet_socket.open", area = "net", title = "open a packet socket",
		probe = "net.packet_socket", args = function() return {} end, oracle = "self",
		control = "capable", expect = always("refused") },
	{ id = "net.vsock.host", area = "net", title = "open a vsock socket towards the host (CID 2)",
		probe = "net.vsock", args = function() return { "9999", "2" } end, oracle = "self",
		-- Reaching connect() means the socket family was available: that is what must not be.
		classify = function(v)
			if v.detail == "connect" then return "succeeded", "socket made, connect tried" end
		end,
		expect = always("refused") },
	{ id = "net.netlink_route.interfaces", area = "net", title = "list the host's network interfaces",
		probe = "net.netlink_route", args = function() return {} end, oracle = "self",
		classify = function(v)
			local names = type(v.interfaces) == "table" and v.interfaces or {}
			for _, n in ipairs(names) do
				if n ~= "lo" then return "succeeded", "host interface " .. tostring(n) .. " visible" end
			end
			return "refused", "only lo visible"
		end,
		expect = network(), policies = { "default", "network-on" } },
	{ id = "net.unix_abstract.host", area = "net", title = "connect to a host abstract UNIX socket",
		probe = "net.unix_abstract", oracle = "listener", expect = always("refused"),
		setup = function(t)
			t.abstract = "cordon-h-" .. t.marker
			t.listener = oracle.abstract_listen(t.abstract)
		end,
		args = function(t) return { t.abstract } end, policies = { "default", "network-on" } },
	-- The other direction (issue 18): the command binds a name first, and a host client that
	-- looks for that name (an X11, D-Bus or IDE socket) talks to the sandbox. Only a network
	-- namespace of the sandbox's own keeps its names apart, with the network on as well.
	{ id = "net.unix_abstract_bind_hijack.host_client", area = "net",
		title = "bind an abstract UNIX name that a host client then connects to",
		probe = "net.unix_abstract_bind_hijack", background = true, settle = 0.5,
		args = function(t)
			t.squatted = "cordon-h-x11-" .. t.marker
			return { t.squatted, "2" }
		end,
		during = function(t)
			local ok, msg = oracle.abstract_connect(t.squatted)
			t.client = ok and "connected" or tostring(msg)
		end,
		oracle = function(t)
			return t.client == "connected", "a host client of @" .. tostring(t.squatted) .. ": "
				.. tostring(t.client)
		end,
		oracle_name = "host client", verdict = "oracle", expect = always("refused"),
		policies = { "default", "network-on" } },
	{ id = "net.unix_connect.outside", area = "net", title = "connect to a pathname UNIX socket outside the roots",
		probe = "net.unix_connect", oracle = "listener",
		setup = function(t) t.listener = oracle.unix_listen(t.outside .. "/service.sock") end,
		args = function(t) return { t.outside .. "/service.sock" } end,
		expect = writable(function(t) return t.outside .. "/service.sock" end) },
	{ id = "net.unix_connect.workspace", area = "net", title = "connect to a pathname UNIX socket in the workspace",
		probe = "net.unix_connect", oracle = "listener",
		setup = function(t) t.listener = oracle.unix_listen(t.workspace .. "/own.sock") end,
		args = function(t) return { t.workspace .. "/own.sock" } end,
		expect = always("succeeded") },
	-- A datagram named in sendmsg's (or sendmmsg's) msghdr: the address is in memory, where a
	-- filter on connect() and sendto() does not look (journald, /dev/log, sd_notify sockets).
	{ id = "net.unix_sendmsg.outside", area = "net", title = "sendmsg a datagram to a pathname UNIX socket outside the roots",
		probe = "net.unix_sendmsg", oracle = "listener",
		setup = function(t) t.listener = oracle.unix_dgram_listen(t.outside .. "/journal.sock") end,
		args = function(t) return { t.outside .. "/journal.sock", "sendmsg" } end,
		expect = writable(function(t) return t.outside .. "/journal.sock" end) },
	{ id = "net.unix_sendmmsg.outside", area = "net", title = "sendmmsg a datagram to a pathname UNIX socket outside the roots",
		probe = "net.unix_sendmsg", oracle = "listener",
		setup = function(t) t.listener = oracle.unix_dgram_listen(t.outside .. "/notify.sock") end,
		args = function(t) return { t.outside .. "/notify.sock", "sendmmsg" } end,
		expect = writable(function(t) return t.outside .. "/notify.sock" end) },
	{ id = "net.unix_sendto.outside", area = "net", title = "sendto a datagram to a pathname UNIX socket outside the roots",
		probe = "net.unix_sendmsg", oracle = "listener",
		setup = function(t) t.listener = oracle.unix_dgram_listen(t.outside .. "/log.sock") end,
		args = function(t) return { t.outside .. "/log.sock", "sendto" } end,
		expect = writable(function(t) return t.outside .. "/log.sock" end) },
	{ id = "net.unix_sendmsg.workspace", area = "net", title = "sendmsg a datagram to a pathname UNIX socket in the workspace",
		probe = "net.unix_sendmsg", oracle = "listener",
		setup = function(t) t.listener = oracle.unix_dgram_listen(t.workspace .. "/own.dgram") end,
		args = function(t) return { t.workspace .. "/own.dgram", "sendmsg" } end,
		expect = always("succeeded") },
	-- A socket the command makes itself must keep working (a connect filter must not break it).
	{ id = "net.unix_self.workspace", area = "net", title = "a UNIX socket made in the workspace works",
		probe = "net.unix_self", args = function(t) return { t.workspace .. "/self.sock" } end,
		oracle = "self", expect = always("succeeded") },
	{ id = "net.unix_self.tmp", area = "net", title = "a UNIX socket made in /tmp works",
		probe = "net.unix_self", args = function(t) return { "/tmp/cordon-h-" .. key(t) .. ".sock" } end,
		oracle = "self", expect = always("succeeded") },
	{ id = "net.socketpair.works", area = "net", title = "a UNIX socketpair still works",
		probe = "net.socketpair", args = function() return {} end, oracle = "self",
		expect = always("succeeded") },
	-- The probe listens inside; the harness tries to reach it from outside while it waits. With
	-- the network on as well: nothing the sandbox listens on is forwarded to the host.
	{ id = "net.listen.reachable", area = "net", title = "a listener inside is unreachable from the host",
		probe = "net.listen", oracle = function(t) return t.reached == true, t.reach_evidence end,
		oracle_name = "tcp-connect-from-host", verdict = "oracle",
		setup = function(t) t.port = free_port() end,
		args = function(t) return { tostring(t.port), "2" } end,
		background = true, settle = 0.8,
		during = function(t)
			local ok, msg = oracle.tcp_connect("127.0.0.1", t.port, 1)
			t.reached = ok == true
			t.reach_evidence = ok and ("the host connected to 127.0.0.1:" .. t.port)
				or ("the host could not connect to 127.0.0.1:" .. t.port .. ": " .. tostring(msg))
		end,
		expect = always("refused"), policies = { "default", "network-on" } },
}
