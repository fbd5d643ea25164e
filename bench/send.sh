#!/usr/bin/env bash
# send.sh — lcwh send-sample burst throughput against hey, through the shared
# harness (../shared/bench/send.sh, or $BENCH_DIR): N=50000 requests at C=50,
# A B A B, each lcwh request a freshly generated 1-4 KiB incoming_event.
# Builds lcwh into $LCWH_BIN (default /tmp/lcwh-bench/lcwh) first.
# The last line is the harness's: send: <req/s> req/s (ratio X vs hey).
# Gate (issue #11): bash bench/send.sh | bash "$BENCH_DIR/gate.sh" '>=' 1.2
# Figures (before/after the per-worker connection rework): bench/send-results.md.
# PORT=… picks another refsink port when 18081 is taken (the harness reads it).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root=$repo
HARNESS=${BENCH_DIR:-}
source "$repo/bench/harness.sh"
BENCH_DIR=$HARNESS
[[ -f "$BENCH_DIR/send.sh" ]] || { echo "send.sh: shared bench harness not found; set BENCH_DIR" >&2; exit 2; }
LCWH_BIN="${LCWH_BIN:-/tmp/lcwh-bench/lcwh}"
mkdir -p "$(dirname "$LCWH_BIN")"
(cd "$repo" && CGO_ENABLED=0 go build -o "$LCWH_BIN" ./cmd/lcwh) >&2
cd "$BENCH_DIR"
bash send.sh "$LCWH_BIN send-sample incoming_event --url {url} --count {n} --concurrency {c}"
