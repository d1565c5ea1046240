#!/bin/bash
# Make sure the Debian packages a task needs are installed.
#   scripts/deps.sh build|test|peers...
# As root: installs what is missing (apt-get). Otherwise: names what is missing and how to
# install it, and exits 1. Nothing is downloaded from anywhere but Debian's and npm's registries.
set -euo pipefail

declare -A PKGS=(
	# passt: pasta, which connects a --network on sandbox's own network namespace (src/netns.c).
	[build]="build-essential cmake pkg-config libcmocka-dev libpcre2-dev liblua5.4-dev libseccomp-dev passt"
	[test]="libxml2-utils chromium python3-jsonschema passwd util-linux clang-format iproute2 bubblewrap"
	[peers]="bubblewrap firejail nodejs npm socat ripgrep"
)

missing_pkgs() {
	local p
	for p in "$@"; do
		# Node.js may come from elsewhere than Debian (this image ships its own): a working
		# command is as good as the package.
		case "$p" in
		nodejs) command -v node >/dev/null 2>&1 && continue ;;
		npm) command -v npm >/dev/null 2>&1 && continue ;;
		esac
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || echo "$p"
	done
}

want=()
for task in "$@"; do
	[ -n "${PKGS[$task]:-}" ] || { echo "deps.sh: unknown task '$task' (build, test, peers)" >&2; exit 2; }
	read -r -a list <<<"${PKGS[$task]}"
	want+=("${list[@]}")
done

# pasta makes a --network on sandbox's interface from /dev/net/tun as the calling user: Debian's
# udev rules make it 0666; some containers leave it 0600, and --network on is then refused
# for everyone but root.
tun_open() {
	[ -c /dev/net/tun ] || return 0
	[ "$(stat -c %a /dev/net/tun)" = 666 ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		echo "==> chmod 0666 /dev/net/tun (Debian's default; pasta needs it for --network on)" >&2
		chmod 0666 /dev/net/tun || true
	else
		echo "cordon: /dev/net/tun is not usable by every user: --network on needs" \
			"'sudo chmod 0666 /dev/net/tun' (Debian's default)" >&2
	fi
}
tun_open

mapfile -t missing < <(missing_pkgs "${want[@]}")
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "cordon: missing Debian packages: ${missing[*]}" >&2
	echo "cordon: install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "==> installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# apt-get update is needed once on a fresh machine (the package lists may be empty).
log=$(mktemp)
apt-get update -qq >"$log" 2>&1 || true
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
	cat "$log" >&2
	echo "cordon: apt-get install failed for: ${missing[*]}" >&2
	exit 1
fi
rm -f "$log"
