#!/usr/bin/env bash
# json-render.sh — time internal/render's JSON colouriser (the renderer of
# `listen -v` / `inspect -v`) against `jq -C .` on the shared 100k-event
# JSONL file, using ../shared/bench/render.sh. Prints its last line:
#   render: <median ms> ms (ratio X vs jq-C)      target: ratio <= 0.33
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${BENCH_DIR:-$repo/../../shared/bench}"
[[ -f "$bench/render.sh" ]] || bench=/work/shared/bench
bin="$(mktemp -d)/jsonrender"
(cd "$repo" && go build -o "$bin" ./bench/jsonrender)
cd "$bench"
bash render.sh "$bin {file}"
