#!/bin/bash
# The tests and the conformance battery on the kernels cordon's users run: Debian 12's stock
# 6.1 (Landlock ABI 2) and Debian's 6.12 (ABI 6), booted under qemu (TCG, no KVM) by
# ../shared/tools/kernel-matrix/run.sh. What CI runs after scripts/test.sh.
#   scripts/kernel-matrix.sh                 every kernel in CORDON_KERNELS (default "6.1 6.12")
#   scripts/kernel-matrix.sh 6.1             one kernel (any spec run.sh takes)
# Each kernel: a plain build's ctest (-j2, as root, with a test user created inside the guest)
# and `cordon-harness check` (the battery, as that user). Fails when either fails on any
# kernel. A clone without ../shared (a user's) has no such tool: it says so and exits 0.
# Needs root (qemu, apt-get download of the kernels); as root it installs qemu and e2fsprogs.
# Results: reports/kernel-matrix/<kernel>/ (ctest.log, battery.tap, report.md, results.json)
# and reports/kernel-matrix/summary.md, one row per kernel.
set -euo pipefail

# Everything is in main, parsed whole before it runs: editing this file cannot derail a run.
main() {

src=$(cd "$(dirname "$0")/.." && pwd)
tool=${CORDON_KERNEL_MATRIX_TOOL:-$src/../shared/tools/kernel-matrix/run.sh}
local kernels=${*:-${CORDON_KERNELS:-6.1 6.12}}

if [ ! -f "$tool" ]; then
	echo "kernel-matrix: skipped: no kernel-matrix tool at $tool (it comes with ../shared" \
		"beside the clone, as in CI); the tests ran on this kernel only" >&2
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "kernel-matrix: skipped: booting other kernels needs root (qemu, apt-get download)" >&2
	exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null 2>&1 || ! command -v mkfs.ext4 >/dev/null 2>&1; then
	echo "==> kernel-matrix: installing qemu-system-x86 and e2fsprogs" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		qemu-system-x86 e2fsprogs >&2
fi

# A copy under /tmp (the guest sees /tmp only through KM_TMP_COPY), readable by the test user.
work=$(mktemp -d /tmp/cordon-km.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
tar -C "$src" --exclude='./build*' --exclude=./.git --exclude=./.peers --exclude=./reports \
	-cf - . | tar -C "$work/src" -xf -
mkdir -p "$work/src/reports"
cp -a "$src/reports/schema" "$work/src/reports/" # the schemas the report tests validate against
build=$work/src/build-km
echo "==> kernel-matrix: plain build in $build" >&2
cmake -S "$work/src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
chmod -R a+rX "$work"
chmod 1777 "$work/src/reports"

out=$src/reports/kernel-matrix
rm -rf "$out"
mkdir -p "$out"

# Runs inside the guest as root: a fresh user (the guest's /etc is a throw-away overlay), the
# tests, the battery; what to keep goes to $KM_OUT. Exit: 0 both passed, else 1.
cat >"$work/guest.sh" <<'EOF'
#!/bin/sh
build=$1 dest=$2
user=cordon-km
id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
export CORDON_TEST_USER=$user
# TCG runs several times slower than the host: the tests' hang guards stretch (testutil.c).
export CORDON_TEST_TIMEOUT_SCALE=${CORDON_TEST_TIMEOUT_SCALE:-3}
mkdir -p "$dest"
echo "kernel $(uname -r); landlock: $(grep -o 'landlock' /sys/kernel/security/lsm || echo absent)"
"$build/src/cordon" explain --workspace "$build" >"$dest/explain.txt" 2>&1
echo "explain exit $?" >>"$dest/explain.txt"
cd "$build" && ctest --output-on-failure --timeout 1800 -j2 >"$dest/ctest.log" 2>&1
tests=$?
tail -n 40 "$dest/ctest.log"
battery_out=$(mktemp -d /tmp/km-battery.XXXXXX)
chown "$user" "$battery_out" # the harness drops to $user before it writes the report
"$build/harness/cordon-harness" check --as-user "$user" --out "$battery_out/r" \
	>"$dest/battery.tap" 2>"$dest/battery.err"
battery=$?
cp "$battery_out/r/report.md" "$battery_out/r/results.json" "$dest/" 2>/dev/null
grep '^# ' "$dest/battery.tap"
echo "tests exit $tests, battery exit $battery"
[ "$tests" -eq 0 ] && [ "$battery" -eq 0 ]
EOF
chmod 755 "$work/guest.sh"

row() { # kernel-dir status -> one markdown row from what the guest left
	local d=$1 status=$2 abi tests battery
	abi=$(grep -o 'Landlock ABI [0-9]*' "$d/explain.txt" 2>/dev/null | head -n 1 || true)
	tests=$(grep -o '[0-9]*% tests passed, [0-9]* tests failed out of [0-9]*' "$d/ctest.log" \
		2>/dev/null || echo "no result")
	battery=$(grep -o 'cordon: .* error' "$d/battery.tap" 2>/dev/null | head -n 1 || echo "no result")
	printf '| %s | %s | %s | %s | %s |\n' "$(cat "$d/kernel" 2>/dev/null || echo "?")" \
		"${abi:-no Landlock}" "$tests" "${battery#cordon: }" "$status"
}

failed=""
{
	echo "| kernel | Landlock | ctest | battery (cordon) | result |"
	echo "| --- | --- | --- | --- | --- |"
} >"$out/summary.md"
for k in $kernels; do
	d=$out/$k
	mkdir -p "$d"
	echo "==> kernel-matrix: $k (qemu TCG: several minutes)" >&2
	status=0
	KM_TMP_COPY=$work KM_OUT=$out KM_CPUS=${KM_CPUS:-2} KM_TIMEOUT=${KM_TIMEOUT:-2700} \
		"$tool" "$k" sh -c "uname -r >'$d/kernel'; '$work/guest.sh' '$build' '$d'" || status=$?
	case $status in
	0) verdict="pass" ;;
	124) verdict="timed out" ;;
	255) verdict="the guest did not report (boot failure?)" ;;
	*) verdict="FAIL" ;;
	esac
	row "$d" "$verdict" >>"$out/summary.md"
	[ "$status" -eq 0 ] || failed="$failed $k"
done
cat "$out/summary.md"
if [ -n "$failed" ]; then
	echo "kernel-matrix: failed on:$failed (logs in $out)" >&2
	exit 1
fi
echo "==> kernel-matrix: every kernel passed ($out/summary.md)" >&2
}

main "$@"
