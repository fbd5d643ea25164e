#!/usr/bin/env bash
# Receiver throughput of `lcwh listen` against refsink (a bare Go handler),
# side by side in one run by the shared harness (issue 5 targets):
#   save   --quiet --save F --secret S, CHECK_LINES=F: ratio >= 0.8, 0 lost
#   json   --json --save F:                           ratio >= 0.7, p99 <= 2x refsink
# then the resident set (VmHWM) of one listener after 200k events at full
# speed (target < 64 MiB).
#   bash bench/recv.sh            # from the repository root; ~2 min
#   WHICH=save bash bench/recv.sh # one of: save json mem fsync (fsync is not in the default set)
# HARNESS points at the shared bench directory (default ../shared/bench).
# Figures and what they say: bench/recv-results.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${HARNESS:-$root/../shared/bench}
[[ -d $HARNESS ]] || HARNESS=/work/shared/bench
make -C "$root" -s build
bin="$root/bin/lcwh"
data=${BENCH_DATA:-/tmp/lcwh-bench}
mkdir -p "$data"
url=http://127.0.0.1:18080/webhooks
common="--host 127.0.0.1 --port 18080 --path /webhooks"
which=${WHICH:-save json mem}

for w in $which; do
  case $w in
  save)
    rm -f "$data/save.jsonl"
    CHECK_LINES="$data/save.jsonl" NAME=recv-save bash "$HARNESS/recv.sh" \
      "$bin listen $common --quiet --save $data/save.jsonl --secret k3Jd8sLq0vXz4NwP7rTy2uBm" "$url" | tail -n 3
    ;;
  fsync)
    # The cost of --fsync (one fsync per batch of answers), for the docs.
    rm -f "$data/fsync.jsonl"
    CHECK_LINES="$data/fsync.jsonl" NAME=recv-fsync bash "$HARNESS/recv.sh" \
      "$bin listen $common --quiet --save $data/fsync.jsonl --fsync --secret k3Jd8sLq0vXz4NwP7rTy2uBm" "$url" | tail -n 3
    ;;
  json)
    rm -f "$data/json-save.jsonl"
    CHECK_LINES="$data/json-save.jsonl" NAME=recv-json bash "$HARNESS/recv.sh" "$bin listen $common --json --save $data/json-save.jsonl" "$url" | tail -n 3
    ;;
  mem)
    rm -f "$data/mem.jsonl"
    "$bin" listen $common --quiet --save "$data/mem.jsonl" --secret k3Jd8sLq0vXz4NwP7rTy2uBm 2>/dev/null &
    pid=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:18080/" && break; sleep 0.1; done
    # wrk runs until at least 200k requests are answered.
    (cd "$HARNESS" && PAYLOAD=payload.json wrk -t2 -c64 -d30s -s post.lua "$url" >/dev/null) &
    wrkpid=$!
    while kill -0 $wrkpid 2>/dev/null && (( $(wc -l <"$data/mem.jsonl") < 200000 )); do sleep 0.5; done
    kill $wrkpid 2>/dev/null || true; wait $wrkpid 2>/dev/null || true
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    kill -TERM $pid; wait $pid || true
    lines=$(wc -l <"$data/mem.jsonl")
    echo "mem: VmHWM $((hwm / 1024)) MiB after $lines events (target < 64 MiB)"
    ;;
  esac
done
