-- Reaching the host's network: TCP and UDP to a loopback listener the harness holds, through
-- every syscall path a filter might forget (io_uring, int 0x80, x32, high argument bits).
-- The listener counts what arrives: the witness is outside the sandbox. The host's loopback
-- is not the network: with the network on too, a sandbox in a namespace of its own (cordon's,
-- connected by pasta) does not reach the host's 127.0.0.1 services (issue 18).
local function tcp(t) t.listener = oracle.tcp_listen("127.0.0.1") end
local function host_port(t) return { "127.0.0.1", tostring(t.listener:port()) } end

local function connect_scenario(id, probe, title, policies, expect)
	return { id = id, area = "net", title = title, probe = probe, setup = tcp, args = host_port,
		oracle = "listener", expect = expect or network(), policies = policies or { "default" } }
end

return {
	connect_scenario("net.tcp_connect.loopback", "net.tcp_connect",
		"connect to a TCP listener on the host's loopback", { "default", "network-on" },
		always("refused")),
	{ id = "net.tcp_connect.ipv6", area = "net", title = "connect to a TCP listener on the host's ::1",
		probe = "net.tcp_connect", oracle = "listener", expect = network(),
		setup = function(t) t.listener = oracle.tcp_listen("::1") end,
		args = function(t) return { "::1", tostring(t.listener:port()) } end },
	{ id = "net.udp_send.loopback", area = "net", title = "send a UDP datagram to the host's loopback",
		probe = "net.udp_send", oracle = "listener", verdict = "oracle", expect = always("refused"),
		setup = function(t) t.listener = oracle.udp_listen("127.0.0.1") end, args = host_port,
		policies = { "default", "network-on" } },
	-- io_uring and the odd syscall entries are refused outright by cordon, whatever the network.
	{ id = "net.io_uring_connect.loopback", area = "net", title = "connect through io_uring (no connect syscall)",
		probe = "net.io_uring_connect", setup = tcp, args = host_port, oracle = "listener",
		expect = network() },
	connect_scenario("net.int80_socket.loopback", "net.int80_socket", "socket+connect through the 32-bit int 0x80 entry"),
	connect_scenario("net.int80_socketcall.loopback", "net.int80_socketcall", "socket+connect through i386 socketcall"),
	connect_scenario("net.x32_socket.loopback", "net.x32_socket", "socket+connect with the x32 syscall bit"),
	connect_scenario("net.socket_hibits.loopback", "net.socket_hibits", "socket with high bits set in the domain argument"),
	{ id = "net.dns.resolve", area = "net", title = "resolve a public name (DNS exfiltration path)",
		probe = "net.dns", args = function() return { "example.com" } end, oracle = "self",
		classify = function(v)
			if type(v.addresses) == "table" and #v.addresses == 0 then return "refused", "no address" end
		end,
		expect = network() },
}
