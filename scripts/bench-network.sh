#!/bin/bash
# What --network on costs per connection: a TCP server on an address of its own in a network
# namespace made here (no traffic leaves the machine), and a client that connects N times and
# echoes one byte, run in that namespace bare, under the unfixed build (BASE, the host's
# namespace shared) and under cordon --network on (pasta). As root (it makes the namespace).
#   scripts/bench-network.sh [CORDON [BASE_CORDON [N]]]
set -euo pipefail
cordon=${1:-build/src/cordon}
base=${2:-}
n=${3:-1000}
[ "$(id -u)" -eq 0 ] || { echo "bench-network.sh: run as root (it makes a network namespace)" >&2; exit 2; }
cordon=$(readlink -f "$cordon")
lab=cordon-bench-$$
ws=$(mktemp -d /tmp/cordon-bench-net.XXXXXX)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	ip netns del "$lab" 2>/dev/null || true
	rm -rf "$ws"
}
trap cleanup EXIT

cat >"$ws/server.py" <<'PY'
import socket
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("198.51.100.1", 8080)); l.listen(128)
while True:
    s, _ = l.accept(); d = s.recv(1)
    if d: s.sendall(d)
    s.close()
PY
cat >"$ws/client.py" <<'PY'
import socket, sys, time
n = int(sys.argv[1]); c = []; rt = []
for _ in range(n):
    t = time.perf_counter(); s = socket.create_connection(("198.51.100.1", 8080))
    t1 = time.perf_counter(); s.sendall(b"x"); s.recv(1); t2 = time.perf_counter(); s.close()
    c.append((t1 - t) * 1e6); rt.append((t2 - t1) * 1e6)
c.sort(); rt.sort()
print("connect p50 %.0f us p90 %.0f us; one-byte round trip p50 %.0f us p90 %.0f us"
      % (c[n // 2], c[int(n * .9)], rt[n // 2], rt[int(n * .9)]))
PY
chmod -R a+rX "$ws"

# The namespace: a veth pair with the default route (pasta copies it) and the server's
# address on lo, so that pasta's sockets reach it locally.
ip netns add "$lab"
ip -n "$lab" link set lo up
ip -n "$lab" link add v0 type veth peer name v1
ip -n "$lab" addr add 192.0.2.10/24 dev v0
ip -n "$lab" link set v0 up
ip -n "$lab" link set v1 up
ip -n "$lab" route add default via 192.0.2.1 dev v0
ip -n "$lab" addr add 198.51.100.1/32 dev lo
ip netns exec "$lab" python3 "$ws/server.py" >/dev/null 2>&1 &
server_pid=$!
sleep 0.5

cd "$ws"
echo "bare:          $(ip netns exec "$lab" python3 "$ws/client.py" "$n")"
if [ -n "$base" ]; then
	echo "host netns:    $(ip netns exec "$lab" "$(readlink -f "$base")" run --network on --workspace "$ws" -- python3 "$ws/client.py" "$n")"
fi
echo "pasta:         $(ip netns exec "$lab" "$cordon" run --network on --workspace "$ws" -- python3 "$ws/client.py" "$n")"
