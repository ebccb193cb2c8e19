#!/usr/bin/env bash
# Runs every Go fuzz target briefly (FUZZTIME each, default 3s): in CI this
# guards the network-input parsers against regressions; run longer by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-3s}"
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		echo "fuzz $pkg $target ($fuzztime)"
		go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 0 >/dev/null
	done
done
