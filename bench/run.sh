#!/usr/bin/env bash
# govidu benchmarks, run by hand (not by CI): the server pinned to one core,
# the load generator (govidu loadtest) to the other, fixed workloads, and a
# markdown table of the results. See docs/benchmarks.md.
#
#   bench/run.sh [LABEL]            all workloads
#   WORKLOADS="meeting-5x5" bench/run.sh before
#
# Environment:
#   WINDOW=30s       steady window measured after the joins (per workload)
#   WORKLOADS=...    subset, space separated (default: all, in the order below)
#   SERVER_CPU=0     core for the server; LOAD_CPU=1 core for the load
#   PROFILE=meeting-5x5  workload during which a 20 s server CPU profile is taken
#   OUT=bench/out    where binaries, JSON reports, profiles and the table go
#   SERVER_BIN=...   run this server binary instead of the tree's (before/after
#                    comparisons with the same load generator)
#   NICE=-20         scheduling priority of the server and the load (root only;
#                    NICE=0 to share the machine evenly with other work)
#
# Everything stays on 127.0.0.1; the server uses its own ports (24443 HTTP,
# 27882 ICE UDP, 23478 TURN) so that a dev server on the defaults is not disturbed.
set -euo pipefail

cd "$(dirname "$0")/.."
LABEL=${1:-run}
WINDOW=${WINDOW:-30s}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PROFILE=${PROFILE:-meeting-5x5}
OUT=${OUT:-bench/out}
NICE=${NICE:--20}
[ "$(id -u)" = 0 ] || NICE=0
PORT=24443
SECRET=BENCH_SECRET
mkdir -p "$OUT"

declare -A ARGS=(
	[meeting-5x5]="--rooms 1 --publishers 5"
	[meeting-10x10]="--rooms 1 --publishers 10"
	[live-1-50]="--rooms 1 --publishers 1 --subscribers 50"
	[live-1-150]="--rooms 1 --publishers 1 --subscribers 150"
	[audio-10-100]="--rooms 1 --publishers 10 --subscribers 100 --audio-only --join-timeout 300s --concurrency 16"
	[audio-10-30]="--rooms 1 --publishers 10 --subscribers 30 --audio-only --join-timeout 180s"
)
ORDER="meeting-5x5 meeting-10x10 live-1-50 live-1-150 audio-10-100"
# audio-10-30 (390 PeerConnections a side) is the audio workload scaled to
# what a busy 2-core machine can set up: WORKLOADS=audio-10-30 bench/run.sh
WORKLOADS=${WORKLOADS:-$ORDER}

command -v taskset >/dev/null || { echo "taskset (util-linux) is required" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "two cores are needed (server and load on separate cores)" >&2; exit 1; }

echo "building..." >&2
go build -o "$OUT/govidu" ./cmd/govidu
BIN=$OUT/govidu
SRV_BIN=${SERVER_BIN:-$BIN}

SERVER_PID=
stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}
trap stop_server EXIT

start_server() {
	env OPENVIDU_SECRET=$SECRET SERVER_PORT=$PORT GOVIDU_LISTEN_ADDRESS=127.0.0.1 DOMAIN_OR_PUBLIC_IP=127.0.0.1 \
		GOVIDU_RTC_UDP_PORT=27882 GOVIDU_RTC_TCP_PORT=27881 COTURN_PORT=23478 GOVIDU_TURN_TLS_PORT=25349 \
		GOVIDU_LOG_LEVEL=warn GOVIDU_PPROF=true \
		nice -n "$NICE" taskset -c "$SERVER_CPU" "$SRV_BIN" >"$OUT/server-$1.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		curl -sf -o /dev/null -u OPENVIDUAPP:$SECRET "http://127.0.0.1:$PORT/openvidu/api/config" && return 0
		sleep 0.1
	done
	echo "server did not start, see $OUT/server-$1.log" >&2
	exit 1
}

{
	echo "# $LABEL: $(date -u +%FT%TZ), $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- internal/media internal/server || echo '+dirty'), server ${SERVER_BIN:-built from the tree}"
	echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB, $(uname -r)"
	echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); window $WINDOW; server on core $SERVER_CPU, load on core $LOAD_CPU, nice $NICE"
} >"$OUT/$LABEL.meta"

for w in $WORKLOADS; do
	[ -n "${ARGS[$w]:-}" ] || { echo "unknown workload $w" >&2; exit 1; }
	echo "== $w: ${ARGS[$w]}" >&2
	start_server "$w"
	PROF_PID=
	if [ "$w" = "$PROFILE" ]; then
		# The ramp of a 5×5 meeting takes a few seconds: profile 20 s of the window.
		(sleep 6; curl -sf -u OPENVIDUAPP:$SECRET -o "$OUT/$LABEL-$w.pprof" \
			"http://127.0.0.1:$PORT/debug/pprof/profile?seconds=20") &
		PROF_PID=$!
	fi
	# shellcheck disable=SC2086
	nice -n "$NICE" taskset -c "$LOAD_CPU" "$BIN" loadtest --url "http://127.0.0.1:$PORT" --secret $SECRET \
		--server-pid "$SERVER_PID" --duration "$WINDOW" --video-bitrate 500 --json --quiet ${ARGS[$w]} \
		>"$OUT/$LABEL-$w.json" || echo "loadtest $w exited with $?" >&2
	[ -z "$PROF_PID" ] || wait "$PROF_PID" || true
	stop_server
	echo "   load now: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/$LABEL.meta"

# The table (markdown), one row per workload.
{
	cat "$OUT/$LABEL.meta"
	echo
	echo "| workload | participants / subscriptions | forwarded pkt/s | server CPU | CPU µs / fwd packet | loss | added latency p50 / p99 (video) | audio p99 | RSS / participant | join p50 / p99 | first keyframe p50 / p99 | load CPU |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	for w in $WORKLOADS; do
		f=$OUT/$LABEL-$w.json
		[ -s "$f" ] || { echo "| $w | (no report) |||||||||||"; continue; }
		jq -r --arg w "$w" '
			def r1: (. * 10 | round) / 10;
			def r2: (. * 100 | round) / 100;
			"| \($w) | \(.participants) / \(.subscriptions)"
			+ " | \(.server.forwardedPerSec | round)"
			+ " | \(.server.cpuPercent | r1) %"
			+ " | **\(.server.cpuMicrosPerForwardedPacket | r1)**"
			+ " | \(.received.lost) (\(.received.lossPercent | r2) %)"
			+ " | \(if .video.tracks > 0 then "\(.video.latencyMs.p50 | r2) / \(.video.latencyMs.p99 | r2) ms" else "—" end)"
			+ " | \(.audio.latencyMs.p99 | r2) ms"
			+ " | \((.server.rssPerParticipantKB / 1024) | r2) MB"
			+ " | \(.joinMs.p50 | r1) / \(.joinMs.p99 | r1) ms"
			+ " | \(.firstKeyframeMs.p50 | round) / \(.firstKeyframeMs.p99 | round) ms"
			+ " | \(.loadCpuPercent | round) %"
			+ (if .errorCount > 0 then " (\(.errorCount) errors)" else "" end) + " |"' "$f"
	done
	if [ -s "$OUT/$LABEL-$PROFILE.pprof" ]; then
		echo
		echo "Server CPU profile during $PROFILE (go tool pprof -top):"
		echo
		echo '```'
		go tool pprof -top -nodecount=25 "$SRV_BIN" "$OUT/$LABEL-$PROFILE.pprof" 2>/dev/null | sed -n '1,35p'
		echo '```'
	fi
} | tee "$OUT/$LABEL.md"
