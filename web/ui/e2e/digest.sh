#!/usr/bin/env bash
# digest.sh LOG SERVER_LOG prints, after a failed or flaky browser run, what failed and where: each failed
# test's error, locator, expected and received values and the spec's line, then the server's own
# warnings. A CI log keeps only its tail; the reports above it hold the same, at length.
set -uo pipefail
log=$1 server=$2
strip() { sed -e 's/\x1b\[[0-9;]*m//g' "$1"; }
echo
echo "=== browser tests: what failed (the whole run: ${log#../../}) ==="
strip "$log" | grep -E '^ +[0-9]+\) |^ +(Error|Locator|Expected|Received|Call log|Timeout)|^ +> +[0-9]+ \||^ +(- |[0-9]+ × )|^ +at .*/e2e/' | head -80
echo "=== the server's warnings and errors (last 30 lines of ${server#../../}) ==="
tail -n 30 "$server" 2>/dev/null || true
