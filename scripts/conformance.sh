#!/bin/bash
# The main job: build cordon and its harness, then run the conformance battery against cordon
# and every peer sandbox installed here, and print where the report is.
#   scripts/conformance.sh [extra `cordon-harness check` options]
# As root it installs what is missing (Debian packages; the npm peers into .peers/) and the
# battery runs as the unprivileged user cordon-test; otherwise it names what to install.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

bash "$src/scripts/deps.sh" build
if ! bash "$src/scripts/deps.sh" peers; then
	echo "cordon: continuing without the missing peers (they are reported as not installed)" >&2
fi
if [ "$(id -u)" -eq 0 ] && command -v npm >/dev/null 2>&1 && [ ! -d "$src/.peers/node_modules" ]; then
	echo "==> installing the npm peers into $src/.peers" >&2
	npm install --prefix "$src/.peers" --no-audit --no-fund --loglevel=error \
		@openai/codex @anthropic-ai/sandbox-runtime >&2 ||
		echo "cordon: npm peers could not be installed; they are reported as not installed" >&2
fi

# Its own build directory: the test command's (build/) is configured for -Werror debugging.
build="$src/build-release"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null
# The battery runs as cordon-test: everything it executes or reads must be reachable.
[ "$(id -u)" -ne 0 ] || chmod -R a+rX "$build" "$src/lua" "$src/scenarios" "$src/reports" \
	$( [ -d "$src/.peers" ] && echo "$src/.peers")

# Every installed peer runs for the matrix; the exit status certifies cordon, cold and warm.
exec "$build/harness/cordon-harness" check --adapter all --gate cordon,cordon-warm "$@"
