#!/usr/bin/env bash
# cluster.sh runs Canopy as production does, on this machine: three `canopy serve` replicas on
# one PostgreSQL and one MinIO, behind haproxy (configs/deploy/haproxy.cfg). The services are the
# project-local ones (`canopy local up`) but under a data dir and on ports of their own, so that
# stopping them never disturbs those of `make run` and the tests.
#
#   cluster.sh up                 start what is not running; wait until /readyz answers through haproxy
#   cluster.sh down               stop the replicas (gracefully), haproxy, PostgreSQL, MinIO and mailpit
#   cluster.sh status             each replica's process and haproxy's view of it
#   cluster.sh rolling-restart    restart the replicas one at a time, each back in haproxy before the next
#   cluster.sh kill N             SIGKILL replica N (1-3), as a crash would
#   cluster.sh start N            start replica N and wait until haproxy sends it requests again
#   cluster.sh pg-stop            stop the cluster's PostgreSQL (fast shutdown), as an outage would
#   cluster.sh pg-start           start it again (canopy local up: only what is not running)
#   cluster.sh minio-kill         SIGKILL the cluster's MinIO, as a crash would
#   cluster.sh minio-start        start it again
#   cluster.sh admin ARGS...      canopy admin ARGS against the cluster's database and bucket
#                                 (e.g. admin create-org --name Load --owner-email ... --owner-password-file -)
#
# Settings (environment), with their defaults:
#   CLUSTER_DATA_DIR=.data/cluster        PostgreSQL, MinIO and mailpit data, and the pid files
#   CLUSTER_LOG_DIR=test-output/cluster   one log per replica, haproxy's, the services'
#   CLUSTER_PORT=18090                    haproxy: the URL to use is http://127.0.0.1:$CLUSTER_PORT
#   CLUSTER_REPLICA_PORTS="18091 18092 18093"
#   CLUSTER_STATS_PORT=18094              haproxy's stats page
#   CLUSTER_METRICS_PORTS="18095 18096 18097"  each replica's metrics listener (metrics.address)
#   CLUSTER_POSTGRES_PORT=54339  CLUSTER_MINIO_PORT=9139
#   CLUSTER_MAILPIT_SMTP_PORT=10035  CLUSTER_MAILPIT_HTTP_PORT=10036
#   CLUSTER_DRAIN_DELAY=3s                server.drain_delay: above haproxy's inter 1s x fall 2
#   CLUSTER_SHUTDOWN_TIMEOUT=30s          server.shutdown_timeout
#   CLUSTER_SWEEP_INTERVAL=30s            files.sweep_interval: short, so a fault run sees the sweeper
#   CLUSTER_ORPHAN_GRACE=1m               files.orphan_grace   tidy up within a couple of minutes
#   CLUSTER_BIN=.bin/canopy
# Everything listens on 127.0.0.1 only.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
BIN=${CLUSTER_BIN:-.bin/canopy}
DATA=${CLUSTER_DATA_DIR:-.data/cluster}
LOGS=${CLUSTER_LOG_DIR:-test-output/cluster}
PORT=${CLUSTER_PORT:-18090}
read -r -a REPLICA_PORTS <<<"${CLUSTER_REPLICA_PORTS:-18091 18092 18093}"
STATS_PORT=${CLUSTER_STATS_PORT:-18094}
read -r -a METRICS_PORTS <<<"${CLUSTER_METRICS_PORTS:-18095 18096 18097}"
PG_PORT=${CLUSTER_POSTGRES_PORT:-54339}
MINIO_PORT=${CLUSTER_MINIO_PORT:-9139}
SMTP_PORT=${CLUSTER_MAILPIT_SMTP_PORT:-10035}
MAILPIT_PORT=${CLUSTER_MAILPIT_HTTP_PORT:-10036}
DRAIN_DELAY=${CLUSTER_DRAIN_DELAY:-3s}
SHUTDOWN_TIMEOUT=${CLUSTER_SHUTDOWN_TIMEOUT:-30s}
SWEEP_INTERVAL=${CLUSTER_SWEEP_INTERVAL:-30s}
ORPHAN_GRACE=${CLUSTER_ORPHAN_GRACE:-1m}
URL=http://127.0.0.1:$PORT
CFG=configs/deploy/haproxy.cfg

if [ "${#REPLICA_PORTS[@]}" -ne 3 ] || [ "${#METRICS_PORTS[@]}" -ne 3 ]; then
	echo "cluster: CLUSTER_REPLICA_PORTS and CLUSTER_METRICS_PORTS must name three ports each" >&2
	exit 2
fi

say() { echo "cluster: $*"; }
die() {
	echo "cluster: $*" >&2
	exit 1
}

# seconds turns a Go duration of whole seconds or minutes (30s, 2m) into seconds.
seconds() {
	case $1 in
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}

# CANOPY_ENV is the environment the cluster's canopy commands run with: the cluster's settings
# and none of the caller's CANOPY_* (they may point at another database). database.url and
# objectstore.endpoint stay empty, so canopy uses the local services under $DATA.
CANOPY_ENV=()
for v in $(env | sed -n 's/^\(CANOPY_[A-Z0-9_]*\)=.*/\1/p'); do CANOPY_ENV+=(-u "$v"); done
CANOPY_ENV+=(CANOPY_LOCAL_DATA_DIR="$DATA" CANOPY_LOCAL_POSTGRES_PORT="$PG_PORT" CANOPY_LOCAL_MINIO_PORT="$MINIO_PORT"
	CANOPY_LOCAL_MAILPIT_SMTP_PORT="$SMTP_PORT" CANOPY_LOCAL_MAILPIT_HTTP_PORT="$MAILPIT_PORT"
	CANOPY_SERVER_PUBLIC_URL="$URL" CANOPY_SERVER_TRUSTED_PROXIES=127.0.0.1/32 CANOPY_METRICS_ADDRESS=
	CANOPY_SERVER_DRAIN_DELAY="$DRAIN_DELAY" CANOPY_SERVER_SHUTDOWN_TIMEOUT="$SHUTDOWN_TIMEOUT"
	CANOPY_FILES_SWEEP_INTERVAL="$SWEEP_INTERVAL" CANOPY_FILES_ORPHAN_GRACE="$ORPHAN_GRACE"
	CANOPY_INSTALLATION_ALLOW_ORG_CREATION="${CLUSTER_ALLOW_ORG_CREATION:-true}")

# canopy runs the binary in the cluster's environment; NAME=VALUE arguments before the command
# add to it.
canopy() { env "${CANOPY_ENV[@]}" "$@"; }

HAPROXY_ENV=(CLUSTER_BIND="127.0.0.1:$PORT" CLUSTER_STATS_BIND="127.0.0.1:$STATS_PORT"
	CLUSTER_REPLICA_1="127.0.0.1:${REPLICA_PORTS[0]}" CLUSTER_REPLICA_2="127.0.0.1:${REPLICA_PORTS[1]}"
	CLUSTER_REPLICA_3="127.0.0.1:${REPLICA_PORTS[2]}")

# alive reports whether the pid file names a running process whose command is $2.
alive() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

replica_pidfile() { echo "$DATA/replica-$1.pid"; }
replica_port() { echo "${REPLICA_PORTS[$(($1 - 1))]}"; }
metrics_port() { echo "${METRICS_PORTS[$(($1 - 1))]}"; }

check_n() {
	case ${1:-} in
	1 | 2 | 3) ;;
	*) die "name a replica: 1, 2 or 3" ;;
	esac
}

# haproxy_state prints haproxy's status of replica N (UP, DOWN, MAINT, "UP 1/2", ...), or "-".
haproxy_state() {
	curl -fsS --max-time 2 "http://127.0.0.1:$STATS_PORT/stats;csv" 2>/dev/null |
		awk -F, -v s="r$1" '$1 == "canopy" && $2 == s { print $18; found = 1 } END { if (!found) print "-" }'
}

# wait_for runs "$@" every 0.2 s until it succeeds, for at most $limit seconds.
wait_for() {
	local limit=$1 what=$2
	shift 2
	local i
	for ((i = 0; i < limit * 5; i++)); do
		if "$@"; then return 0; fi
		sleep 0.2
	done
	die "$what: not after ${limit}s (logs under $LOGS)"
}

ready() { curl -fs --max-time 3 -o /dev/null "$1/readyz"; }
in_haproxy() { [ "$(haproxy_state "$1")" = UP ]; }

start_replica() {
	local n=$1 port pidfile metrics
	port=$(replica_port "$n")
	metrics=$(metrics_port "$n")
	pidfile=$(replica_pidfile "$n")
	if alive "$pidfile" "serve"; then
		say "replica $n already runs (pid $(cat "$pidfile"))"
		return
	fi
	echo "--- $(date -u +%FT%TZ) start" >>"$LOGS/replica-$n.log"
	# exec: the pid recorded is canopy's own, which SIGTERM and SIGKILL reach.
	(exec env "${CANOPY_ENV[@]}" CANOPY_SERVER_ADDRESS="127.0.0.1:$port" CANOPY_METRICS_ADDRESS="127.0.0.1:$metrics" \
		"$BIN" serve) >>"$LOGS/replica-$n.log" 2>&1 &
	echo $! >"$pidfile"
	say "replica $n started on 127.0.0.1:$port, metrics on 127.0.0.1:$metrics (pid $!)"
}

# stop_replica sends SIGTERM and waits for the process to exit (shutdown_timeout and a margin,
# then SIGKILL).
stop_replica() {
	local n=$1 pidfile pid limit i
	pidfile=$(replica_pidfile "$n")
	if ! alive "$pidfile" "serve"; then
		rm -f "$pidfile"
		return
	fi
	pid=$(cat "$pidfile")
	kill -TERM "$pid"
	limit=$(($(seconds "$SHUTDOWN_TIMEOUT") + 10))
	for ((i = 0; i < limit * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "replica $n (pid $pid) still runs after ${limit}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
	say "replica $n stopped"
}

start_haproxy() {
	command -v haproxy >/dev/null || die "haproxy is missing: apt-get install haproxy (make cluster installs it)"
	if alive "$DATA/haproxy.pid" haproxy; then
		return
	fi
	env "${HAPROXY_ENV[@]}" haproxy -q -c -f "$CFG" || die "$CFG does not parse"
	(exec env "${HAPROXY_ENV[@]}" haproxy -f "$CFG") >>"$LOGS/haproxy.log" 2>&1 &
	echo $! >"$DATA/haproxy.pid"
	say "haproxy on $URL (stats at http://127.0.0.1:$STATS_PORT/stats)"
}

up() {
	test -x "$BIN" || die "$BIN is missing: make cluster builds it"
	mkdir -p "$DATA" "$LOGS"
	canopy "$BIN" local up >>"$LOGS/services.log" 2>&1 || die "the services did not start; see $LOGS/services.log"
	say "PostgreSQL on 127.0.0.1:$PG_PORT, MinIO on 127.0.0.1:$MINIO_PORT, mailpit on http://127.0.0.1:$MAILPIT_PORT (data in $DATA)"
	# Once, before the replicas: they would otherwise take turns at the migrations' lock.
	canopy "$BIN" migrate >>"$LOGS/services.log" 2>&1 || die "migrations failed; see $LOGS/services.log"
	for n in 1 2 3; do start_replica "$n"; done
	start_haproxy
	for n in 1 2 3; do wait_for 120 "replica $n in haproxy" in_haproxy "$n"; done
	wait_for 30 "/readyz through haproxy" ready "$URL"
	say "ready: $URL"
}

down() {
	# All at once: each drains and finishes on its own.
	for n in 1 2 3; do stop_replica "$n" & done
	wait
	if alive "$DATA/haproxy.pid" haproxy; then
		kill -TERM "$(cat "$DATA/haproxy.pid")"
		say "haproxy stopped"
	fi
	rm -f "$DATA/haproxy.pid"
	if [ -d "$DATA" ]; then
		canopy "$BIN" local down >>"$LOGS/services.log" 2>&1 || true
		say "PostgreSQL, MinIO and mailpit of $DATA stopped"
	fi
}

status() {
	local n pidfile state
	for n in 1 2 3; do
		pidfile=$(replica_pidfile "$n")
		if alive "$pidfile" "serve"; then state="running (pid $(cat "$pidfile"))"; else state="stopped"; fi
		printf 'replica %s  127.0.0.1:%s  %-22s  haproxy: %s\n' "$n" "$(replica_port "$n")" "$state" "$(haproxy_state "$n")"
	done
	if alive "$DATA/haproxy.pid" haproxy; then state=running; else state=stopped; fi
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$URL/readyz" || true)
	printf 'haproxy    %s  %s  /readyz through it: %s\n' "$URL" "$state" "$code"
}

# pg_stop stops the cluster's PostgreSQL with a fast shutdown (SIGINT to the postmaster: sessions
# are cut, nothing committed is lost) and waits until it is gone; its replicas stay up.
pg_stop() {
	local pidfile=$DATA/postgres/data/postmaster.pid pid i
	pid=$(head -n 1 "$pidfile" 2>/dev/null) || die "the cluster's PostgreSQL is not running"
	kill -INT "$pid" 2>/dev/null || die "the cluster's PostgreSQL (pid $pid) is not running"
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -0 "$pid" 2>/dev/null && die "PostgreSQL (pid $pid) still runs after 30s"
	say "PostgreSQL on 127.0.0.1:$PG_PORT stopped"
}

# minio_kill SIGKILLs the cluster's MinIO, as a crash would; canopy local up starts it again.
minio_kill() {
	local pidfile=$DATA/minio/minio.pid pid
	pid=$(cat "$pidfile" 2>/dev/null) || die "the cluster's MinIO is not running"
	alive "$pidfile" minio || die "the cluster's MinIO (pid $pid) is not running"
	kill -KILL "$pid"
	say "MinIO on 127.0.0.1:$MINIO_PORT killed (SIGKILL)"
}

# services_start starts the cluster's services that are not running (PostgreSQL, MinIO, mailpit).
services_start() {
	canopy "$BIN" local up >>"$LOGS/services.log" 2>&1 || die "the services did not start; see $LOGS/services.log"
	say "services running: PostgreSQL on 127.0.0.1:$PG_PORT, MinIO on 127.0.0.1:$MINIO_PORT"
}

rolling_restart() {
	local n
	for n in 1 2 3; do
		alive "$DATA/haproxy.pid" haproxy || die "haproxy is not running: cluster.sh up first"
		say "restarting replica $n"
		stop_replica "$n"
		start_replica "$n"
		wait_for 120 "replica $n ready" ready "http://127.0.0.1:$(replica_port "$n")"
		wait_for 60 "replica $n back in haproxy" in_haproxy "$n"
		say "replica $n is back in haproxy"
	done
	say "rolling restart done"
}

mkdir -p "$DATA" "$LOGS"
case ${1:-} in
up) up ;;
down) down ;;
status) status ;;
rolling-restart) rolling_restart ;;
kill)
	check_n "${2:-}"
	pidfile=$(replica_pidfile "$2")
	alive "$pidfile" "serve" || die "replica $2 is not running"
	kill -KILL "$(cat "$pidfile")"
	rm -f "$pidfile"
	say "replica $2 killed (SIGKILL)"
	;;
pg-stop) pg_stop ;;
minio-kill) minio_kill ;;
pg-start | minio-start) services_start ;;
admin)
	shift
	test -x "$BIN" || die "$BIN is missing: make cluster builds it"
	canopy "$BIN" admin "$@"
	;;
start)
	check_n "${2:-}"
	start_replica "$2"
	wait_for 120 "replica $2 ready" ready "http://127.0.0.1:$(replica_port "$2")"
	if alive "$DATA/haproxy.pid" haproxy; then wait_for 60 "replica $2 back in haproxy" in_haproxy "$2"; fi
	say "replica $2 is serving"
	;;
*)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
	;;
esac
