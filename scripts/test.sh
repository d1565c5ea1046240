#!/bin/bash
# Build cordon and run every test: the README's test command, and what CI runs.
#   scripts/test.sh            -Werror build + ctest, then an ASan+UBSan build + ctest
#   CORDON_TEST_QUICK=1 ...    skip the sanitizer pass and the mutants
# Last, the battery's own test: the mutants marked `ci: yes` (tests/mutants), each cordon with
# one protection taken out, must each make the battery fail (`cordon-harness mutate --ci`;
# the areas fs, net, priv and proc, for the time budget). `cordon-harness mutate` runs all.
# As root it installs what is missing and creates the unprivileged test user; the sandbox
# tests then run cordon as that user as well as root, because root hides many failures.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
test_user=${CORDON_TEST_USER:-cordon-test}
export CORDON_TEST_USER=$test_user
jobs=$(nproc 2>/dev/null || echo 2)

bash "$src/scripts/deps.sh" build test

if [ "$(id -u)" -eq 0 ]; then
	id "$test_user" >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /usr/sbin/nologin "$test_user"
	# The test user must be able to reach the built programs and the Lua sources. A clone
	# under a private directory (e.g. /root) is not reachable: work on a copy in /tmp.
	if ! runuser -u "$test_user" -- test -r "$src/CMakeLists.txt" 2>/dev/null; then
		copy=$(mktemp -d /tmp/cordon-src.XXXXXX)
		echo "==> $src is not readable by $test_user: testing a copy in $copy" >&2
		cp -a "$src/." "$copy/"
		rm -rf "$copy"/build*
		chmod -R a+rX "$copy"
		exec bash "$copy/scripts/test.sh" "$@"
	fi
fi

run_suite() { # build-dir cmake-args...
	local dir=$1
	shift
	echo "==> configure $dir $*" >&2
	cmake -S "$src" -B "$dir" -DCORDON_WERROR=ON "$@" >/dev/null
	echo "==> build $dir" >&2
	cmake --build "$dir" -j"$jobs" >/dev/null
	[ "$(id -u)" -ne 0 ] || chmod -R a+rX "$dir"
	echo "==> ctest $dir" >&2
	ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600
}

if command -v clang-format >/dev/null 2>&1; then
	echo "==> clang-format check" >&2
	find "$src/src" "$src/harness" "$src/probes" "$src/tests" -name '*.[ch]' -print0 |
		xargs -0 clang-format --dry-run --Werror
fi

run_suite "$src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ -z "${CORDON_TEST_QUICK:-}" ]; then
	run_suite "$src/build-sanitize" -DCORDON_SANITIZE=ON
	echo "==> mutants (cordon-harness mutate --ci)" >&2
	"$src/build/harness/cordon-harness" mutate --ci --area fs,net,priv,proc
fi
echo "==> all tests passed" >&2
