#!/usr/bin/env bash
# loadtest.sh runs the load driver (cmd/canopy-load) against the cluster of cluster.sh: the
# mixed-load benchmark, the soak and the faults under load. Each subcommand brings the cluster up
# when it is not, makes a fresh organisation owner for its run (a random password, handed to the
# driver in CANOPY_LOAD_SETUP_PASSWORD and never printed), builds .bin/canopy-load, and writes its
# reports under test-output/load/. The cluster is left running: the make targets stop it.
#
#   loadtest.sh bench             the mix against one replica (its own URL), then three (haproxy);
#                                 both sections go into docs/performance.md (load-bench markers)
#   loadtest.sh soak [DURATION]   the mix on three replicas for DURATION (default 30m), sampled each
#                                 minute with the replicas' RSS and goroutines, judged by -soak-check;
#                                 the section goes into docs/performance.md (soak markers).
#                                 SOAK_FUNCTIONAL=1: samples every 10s, no verdicts on timing, no doc:
#                                 only the accounting and no 5xx (make soak-smoke, in make test)
#   loadtest.sh fault NAME        NAME: postgres | minio | replica | rolling. The mix on three replicas;
#                                 after ~25 s of it the fault: PostgreSQL stopped 10 s; MinIO killed
#                                 10 s; replica 2 killed 10 s; a rolling restart. Its section goes
#                                 into docs/operations.md (fault-NAME markers)
#
# Exit status: 0 when every run kept its accounting (no lost write, no lost message, no 500, no
# error without Canopy's JSON body), 1 when not, 2 on a usage or setup error.
#
# Settings (environment), with their defaults:
#   LOAD_RATE=40  LOAD_USERS=30      calls a second, and members of the load's organisation
#   LOAD_CHATS                       the driver's -chats (default: the driver's)
#   LOAD_DURATION=2m                 bench: each of the two runs
#   FAULT_DURATION=75s               fault: the whole load (rolling: 60 s more)
#   FAULT_LEAD=25                    fault: seconds of load before the fault
#   FAULT_OUTAGE=10                  fault: seconds PostgreSQL, MinIO or the replica stay down
#   LOAD_OUT=test-output/load        reports (JSON, Markdown, the driver's output)
#   LOAD_WRITE_DOCS=1                0: leave docs/ as it is
# and cluster.sh's (CLUSTER_PORT, CLUSTER_REPLICA_PORTS, CLUSTER_METRICS_PORTS, ...).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CLUSTER=configs/deploy/cluster.sh
DRIVER=.bin/canopy-load
OUT=${LOAD_OUT:-test-output/load}
RATE=${LOAD_RATE:-40}
USERS=${LOAD_USERS:-30}
DURATION=${LOAD_DURATION:-2m}
FAULT_DURATION=${FAULT_DURATION:-75s}
LEAD=${FAULT_LEAD:-25}
OUTAGE=${FAULT_OUTAGE:-10}
WRITE_DOCS=${LOAD_WRITE_DOCS:-1}
PORT=${CLUSTER_PORT:-18090}
read -r -a REPLICA_PORTS <<<"${CLUSTER_REPLICA_PORTS:-18091 18092 18093}"
read -r -a METRICS_PORTS <<<"${CLUSTER_METRICS_PORTS:-18095 18096 18097}"
URL=http://127.0.0.1:$PORT
HAPROXY_LOG=${CLUSTER_LOG_DIR:-test-output/cluster}/haproxy.log

say() { echo "loadtest: $*"; }
die() {
	echo "loadtest: $*" >&2
	exit 2
}

# --- preparation -----------------------------------------------------------------------------

# prepare builds the binaries, brings the cluster up when /readyz through haproxy does not
# answer 200, and makes the run's owner (OWNER_EMAIL, ORG_ID, CANOPY_LOAD_SETUP_PASSWORD) and an
# API token of theirs for the recovery probes (PROBE_TOKEN).
prepare() {
	mkdir -p "$OUT" .bin
	test -f web/ui/dist/index.html || die "the UI is not built: make ui (make cluster does)"
	go build -o .bin/canopy ./cmd/canopy
	go build -o "$DRIVER" ./cmd/canopy-load
	if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$URL/readyz" || true)" != 200 ]; then
		"$CLUSTER" up
	fi
	local run
	run=$(date -u +%Y%m%d%H%M%S)-$RANDOM
	OWNER_EMAIL="owner-$run@load.canopy.test"
	CANOPY_LOAD_SETUP_PASSWORD="Load-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
	export CANOPY_LOAD_SETUP_PASSWORD
	# The password goes in on standard input (printf is the shell's own): never on a command line.
	ORG_ID=$(printf '%s\n' "$CANOPY_LOAD_SETUP_PASSWORD" |
		"$CLUSTER" admin create-org --name "Load $run" --owner-email "$OWNER_EMAIL" --owner-password-file -) ||
		die "could not create the load's organisation"
	PROBE_TOKEN=$("$CLUSTER" admin create-token --org "$ORG_ID" --email "$OWNER_EMAIL" --name "loadtest probe" --days 1) ||
		die "could not create the probe's token"
	say "organisation $ORG_ID, owner $OWNER_EMAIL"
}

# has_flag reports whether the driver knows -NAME (flags another change adds may be missing).
has_flag() {
	[ -n "${DRIVER_HELP:-}" ] || DRIVER_HELP=$("$DRIVER" -h 2>&1 || true)
	grep -q -- "^  -$1[ =]\|^  -$1\$" <<<"$DRIVER_HELP"
}

# driver_args prints the common flags, one a line, for a run against TARGET labelled LABEL
# writing NAME.json and NAME.md, then any extra flags the driver knows.
driver_args() {
	local target=$1 label=$2 name=$3
	shift 3
	printf '%s\n' -target "$target" -setup-email "$OWNER_EMAIL" -org "$ORG_ID" -rate "$RATE" -users "$USERS" \
		-out "$OUT/$name.json"
	if [ -n "${LOAD_CHATS:-}" ]; then printf '%s\n' -chats "$LOAD_CHATS"; fi
	if has_flag md; then printf '%s\n' -md "$OUT/$name.md"; fi
	if has_flag label; then printf '%s\n' -label "$label"; fi
	while [ $# -gt 0 ]; do
		# "-flag value" or "-flag" (a boolean): passed only when the driver knows it.
		local f=$1 v=
		shift
		if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
			v=$1
			shift
		fi
		if has_flag "${f#-}"; then
			printf '%s\n' "$f"
			[ -z "$v" ] || printf '%s\n' "$v"
		else
			say "the driver has no $f yet: running without it" >&2
		fi
	done
}

# run_driver NAME ARGS...: runs the driver in the foreground; its output goes to NAME.txt.
run_driver() {
	local name=$1 rc=0
	shift
	say "canopy-load $name: $(printf '%s ' "$@" | sed 's/-setup-email [^ ]* //')"
	"$DRIVER" "$@" >"$OUT/$name.txt" 2>&1 || rc=$?
	cat "$OUT/$name.txt"
	return "$rc"
}

metrics_urls() {
	local p urls=()
	for p in "${METRICS_PORTS[@]}"; do urls+=("http://127.0.0.1:$p/metrics"); done
	(
		IFS=,
		echo "${urls[*]}"
	)
}

# replace_block FILE NAME CONTENT: puts the file CONTENT between <!-- NAME:begin --> and
# <!-- NAME:end --> in FILE.
replace_block() {
	local file=$1 name=$2 content=$3
	if [ "$WRITE_DOCS" = 0 ]; then
		say "LOAD_WRITE_DOCS=0: $file left as it is"
		return
	fi
	grep -qx "<!-- $name:begin -->" "$file" && grep -qx "<!-- $name:end -->" "$file" ||
		die "$file has no <!-- $name:begin --> and <!-- $name:end --> markers"
	awk -v b="<!-- $name:begin -->" -v e="<!-- $name:end -->" -v f="$content" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip { print }' "$file" >"$file.tmp"
	mv "$file.tmp" "$file"
	say "$file: $name updated"
}

# md_of NAME [TITLE]: the driver's Markdown of the run (headed by its -label), or one made from
# its JSON, headed by TITLE, when it wrote none.
md_of() {
	local name=$1 title=${2:-}
	if [ -s "$OUT/$name.md" ]; then
		cat "$OUT/$name.md"
		return
	fi
	[ -z "$title" ] || printf '### %s\n\n' "$title"
	jq -r '
		"Targets: " + (.targets | join(", ")) + "; " + (.requests | tostring) + " calls at " + (.rate * 10 | round / 10 | tostring) + "/s, " +
		"throughput " + (.throughput * 10 | round / 10 | tostring) + "/s; 5xx: " + (."5xx_total" | tostring) + ".\n",
		"| call | calls | p50 ms | p95 ms | p99 ms | statuses |", "|---|---|---|---|---|---|",
		(.calls | to_entries[] | "| \(.key) | \(.value.requests) | \(.value.p50_ms) | \(.value.p95_ms) | \(.value.p99_ms) | \(.value.status_codes | to_entries | map("\(.key): \(.value)") | join(", ")) |"),
		"",
		"WebSocket: \(.ws.receivers) receivers, \(.ws.deliveries_expected) deliveries expected, \(.ws.delivered) delivered (\(.ws.delivered_via_catch_up) by catch-up), p50/p95/p99 \(.ws.latency_p50_ms)/\(.ws.latency_p95_ms)/\(.ws.latency_p99_ms) ms, \(.ws.reconnects) reconnects; lost writes \(.lost_writes), lost messages \(.lost_messages)."
	' "$OUT/$name.json"
}

# accounting_ok NAME: the run's report shows no lost write or message and no 500.
accounting_ok() {
	local f=$OUT/$1.json
	[ -s "$f" ] || return 1
	jq -e '.lost_writes == 0 and .lost_messages == 0 and ([.calls[].status_codes["500"] // 0] | add // 0) == 0' "$f" >/dev/null
}

# --- bench -----------------------------------------------------------------------------------

bench() {
	prepare
	local fail=0 one=http://127.0.0.1:${REPLICA_PORTS[0]}
	mapfile -t a < <(driver_args "$one" "One replica" bench-one -duration "$DURATION")
	run_driver bench-one "${a[@]}" || fail=1
	accounting_ok bench-one || fail=1
	mapfile -t a < <(driver_args "$URL" "Three replicas behind haproxy" bench-three -duration "$DURATION")
	run_driver bench-three "${a[@]}" || fail=1
	accounting_ok bench-three || fail=1
	{
		md_of bench-one "One replica"
		echo
		md_of bench-three "Three replicas behind haproxy"
	} >"$OUT/bench.md"
	replace_block docs/performance.md load-bench "$OUT/bench.md"
	[ "$fail" = 0 ] || {
		say "bench: a run failed its accounting (reports in $OUT)"
		exit 1
	}
	say "bench: both runs kept their accounting"
}

# --- soak ------------------------------------------------------------------------------------

soak() {
	local duration=${1:-30m} fail=0
	prepare
	if [ "${SOAK_FUNCTIONAL:-0}" = 1 ]; then
		mapfile -t a < <(driver_args "$URL" "Soak (functional), $duration" soak-smoke -duration "$duration" -sample 10s -metrics "$(metrics_urls)")
		run_driver soak-smoke "${a[@]}" || fail=1
		accounting_ok soak-smoke || fail=1
		jq -e '."5xx_total" == 0' "$OUT/soak-smoke.json" >/dev/null || fail=1
		[ "$fail" = 0 ] || {
			say "soak (functional): failed (report in $OUT/soak-smoke.json)"
			exit 1
		}
		say "soak (functional): accounting kept, no 5xx"
		return
	fi
	mapfile -t a < <(driver_args "$URL" "Soak, $duration" soak -duration "$duration" -sample 1m -metrics "$(metrics_urls)" -soak-check)
	run_driver soak "${a[@]}" || fail=1
	accounting_ok soak || fail=1
	md_of soak "Soak, $duration" >"$OUT/soak-section.md"
	replace_block docs/performance.md soak "$OUT/soak-section.md"
	[ "$fail" = 0 ] || {
		say "soak: failed (report in $OUT/soak.json)"
		exit 1
	}
	say "soak: passed"
}

# --- faults ----------------------------------------------------------------------------------

# wait_load_started waits until the driver (process PID) makes its first "My tasks" call in the
# run's organisation through haproxy (the mix's; setup never makes one): the load has begun.
# haproxy's log is searched for the organisation's id, not from a line count: a restarted haproxy
# was seen to write its log over the file from its start.
wait_load_started() {
	local pid=$1 i
	for ((i = 0; i < 3000; i++)); do
		# awk reads the file itself: grep -q at the end of a pipe would cut it (SIGPIPE).
		if awk -v m="/orgs/$ORG_ID/me/tasks?view=assigned" 'index($0, m) { found = 1; exit } END { exit !found }' "$HAPROXY_LOG" 2>/dev/null; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# probe KIND: /readyz through haproxy answers 200 and a real call succeeds: "My tasks" (needs
# PostgreSQL) or, for minio, an upload (needs both).
probe() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$URL/readyz" || true)" = 200 ] || return 1
	local code
	if [ "$1" = minio ]; then
		code=$(head -c 2048 /dev/urandom | curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
			-H "Authorization: Bearer $PROBE_TOKEN" -H 'Content-Type: application/octet-stream' --data-binary @- \
			"$URL/api/v1/orgs/$ORG_ID/files?name=probe-$(date +%s%N).bin" || true)
		[ "$code" = 201 ]
	else
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $PROBE_TOKEN" \
			"$URL/api/v1/orgs/$ORG_ID/me/tasks?view=assigned&limit=1" || true)
		[ "$code" = 200 ]
	fi
}

# recovery KIND: seconds (to a tenth) from now until probe KIND passes, at most 120.
recovery() {
	local start now
	start=$(date +%s%N)
	for ((i = 0; i < 1200; i++)); do
		if probe "$1"; then
			now=$(date +%s%N)
			echo "$(((now - start) / 100000000))" | sed 's/\(.\)$/.\1/; s/^\./0./'
			return 0
		fi
		sleep 0.1
	done
	echo "more than 120"
}

# shellcheck disable=SC2317 # called by trap
stop_driver() {
	if [ -n "${DRIVER_PID:-}" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then kill -TERM "$DRIVER_PID" 2>/dev/null || true; fi
}

fault() {
	local name=${1:-}
	case $name in
	postgres | minio | replica | rolling) ;;
	*) die "fault postgres|minio|replica|rolling" ;;
	esac
	prepare
	local duration=$FAULT_DURATION extra=()
	if [ "$name" = rolling ]; then duration=$(($(secs "$FAULT_DURATION") + 60))s; fi
	# A replica killed mid-request leaves the calls it was answering without an answer (haproxy
	# retries none that may have been done); those may fail, their writes of unknown outcome.
	case $name in postgres | minio) extra=(-allow-503) ;; replica) extra=(-max-errors 100) ;; esac
	mapfile -t a < <(driver_args "$URL" "fault: $name" "fault-$name" -duration "$duration" -sample 1s \
		-metrics "$(metrics_urls)" "${extra[@]}")
	say "canopy-load fault-$name in the background ($duration of load after its setup)"
	"$DRIVER" "${a[@]}" >"$OUT/fault-$name.txt" 2>&1 &
	DRIVER_PID=$!
	trap stop_driver EXIT
	wait_load_started "$DRIVER_PID" || {
		cat "$OUT/fault-$name.txt"
		die "the driver did not start its load"
	}
	local load_began
	load_began=$(date +%s)
	say "load under way; the fault in ${LEAD}s"
	sleep "$LEAD"
	local fault_at recovered="" ended
	fault_at=$(($(date +%s) - load_began))
	case $name in
	postgres)
		"$CLUSTER" pg-stop
		sleep "$OUTAGE"
		"$CLUSTER" pg-start
		recovered=$(recovery postgres)
		;;
	minio)
		"$CLUSTER" minio-kill
		sleep "$OUTAGE"
		"$CLUSTER" minio-start
		recovered=$(recovery minio)
		;;
	replica)
		"$CLUSTER" kill 2
		sleep "$OUTAGE"
		"$CLUSTER" start 2
		;;
	rolling)
		"$CLUSTER" rolling-restart
		;;
	esac
	ended=$(($(date +%s) - load_began))
	[ -z "$recovered" ] || say "$name: /readyz and a real call answered ${recovered}s after the restart"
	say "fault over ${ended}s into the load; waiting for the driver's checks"
	local rc=0
	wait "$DRIVER_PID" || rc=$?
	trap - EXIT
	cat "$OUT/fault-$name.txt"

	local verify="" verify_rc=0
	if [ "$name" = minio ]; then
		# The sweeper (files.sweep_interval 30s, orphan_grace 1m in the cluster) removes the
		# objects of uploads cut off by the kill; give it a few passes.
		local i
		for ((i = 0; i < 24; i++)); do
			verify_rc=0
			verify=$("$CLUSTER" admin verify-files --fail-on-orphans 2>&1) || verify_rc=$?
			[ "$verify_rc" != 0 ] || break
			sleep 10
		done
		echo "$verify"
	fi

	local fail=0
	[ "$rc" = 0 ] || fail=1
	accounting_ok "fault-$name" || fail=1
	[ "$verify_rc" = 0 ] || fail=1
	fault_section "$name" "$fault_at" "$ended" "$recovered" "$rc" "$verify" >"$OUT/fault-$name.section.md"
	replace_block docs/operations.md "fault-$name" "$OUT/fault-$name.section.md"
	[ "$fail" = 0 ] || {
		say "fault $name: FAILED (driver exit $rc; reports in $OUT)"
		exit 1
	}
	say "fault $name: nothing lost"
}

secs() {
	case $1 in
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}

# fault_section NAME FAULT_AT ENDED RECOVERED RC VERIFY prints the Markdown of a fault run.
fault_section() {
	local name=$1 at=$2 ended=$3 recovered=$4 rc=$5 verify=$6 f=$OUT/fault-$1.json
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores (load average $(cut -d" " -f1-3 /proc/loadavg) when written), $RATE calls/s, $USERS members${LOAD_CHATS:+, $LOAD_CHATS chats}; fault at ${at}s, over at ${ended}s into the load."
	echo
	if [ ! -s "$f" ]; then
		echo "The driver wrote no report (exit $rc)."
		return
	fi
	jq -r --argjson at "$at" --argjson fin "$ended" --arg rec "$recovered" --arg rc "$rc" '
		def win: [.samples // [] | .[] | select(.start_s >= $at - 1 and .start_s <= $fin + 5)];
		def sum(f): (map(f) | add) // 0;
		(win) as $w |
		"| figure | value |", "|---|---|",
		"| calls | \(.requests) (\(.rate * 10 | round / 10)/s) |",
		(if $rec != "" then "| seconds from the service back up (its start command returned) to /readyz 200 through haproxy and a real call succeeding | \($rec) |" else empty end),
		(if ($w | length) > 0 then
			"| during the fault (\($at)–\($fin + 5) s): 2xx / 4xx / 429 / 5xx / no answer | \($w | sum(."2xx")) / \($w | sum(."4xx")) / \($w | sum(."429")) / \($w | sum(."5xx")) / \($w | sum(.transport_errors)) |"
		else empty end),
		"| whole run, answers other than 2xx | \([.calls[].status_codes | to_entries[] | select(.key | startswith("2") | not)] | group_by(.key) | map("\(.[0].key): \(map(.value) | add)") | join(", ") | if . == "" then "none" else . end) |",
		"| 5xx: 503 with the JSON body / other | \(."503_json") / \(."5xx_other") |",
		"| writes checked (task updates, card moves, messages, uploads) | \(.accounting.task_updates_committed + .accounting.card_moves_committed + .accounting.messages_committed + .accounting.uploads_committed) (\(.accounting.task_updates_committed), \(.accounting.card_moves_committed), \(.accounting.messages_committed), \(.accounting.uploads_committed)); \(.accounting.unknown_outcome_writes) of unknown outcome |",
		"| lost writes | \(.lost_writes) |",
		"| messages: deliveries expected / delivered (by catch-up) / lost or doubled | \(.ws.deliveries_expected) / \(.ws.delivered) (\(.ws.delivered_via_catch_up)) / \(.lost_messages) |",
		"| WebSocket reconnects | \(.ws.reconnects) |",
		"| driver verdict | \(if .pass then "pass" else "fail: " + (.failures | join("; ")) end) |"
	' "$f"
	if [ -n "$verify" ]; then
		echo
		echo '`canopy admin verify-files` after the sweeper:'
		echo
		echo '```'
		echo "$verify"
		echo '```'
	fi
}

case ${1:-} in
bench) bench ;;
soak) soak "${2:-30m}" ;;
fault) fault "${2:-}" ;;
*)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
	;;
esac
