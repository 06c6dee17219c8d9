#!/usr/bin/env bash
# digest.sh LOG SERVER_LOG prints, after a failed or flaky browser run, the server's own last warnings, then
# what failed and where: each failed test's error, call log, locator, expected and received values and
# the spec's line. The reports above it hold the same, at length.
set -uo pipefail
log=$1 server=$2
strip() { sed -e 's/\x1b\[[0-9;]*m//g' "$1"; }
echo
# A CI log keeps about its last 35 lines: the server's warnings come first and the failures last, the
# latest try's last, so the tail holds what the final try of a failing test ran into.
echo "=== the server's warnings and errors (last 5, without cancelled requests; all: ${server#../../}) ==="
grep -v 'context canceled' "$server" 2>/dev/null | tail -n 5 | cut -c1-300
echo "=== browser tests: what failed (the last 22 lines; all: ${log#../../}) ==="
strip "$log" | grep -E '^ +[0-9]+\) |^ +Retry #|^ +(Error|Locator|Expected|Received|Call log|Timeout)|^ +> +[0-9]+ \||^ +(- |\+ |[0-9]+ × )|^ +at .*/e2e/' | cut -c1-300 | tail -n 22
# A digest is for reading: it never changes the run's outcome.
exit 0
