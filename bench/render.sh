#!/usr/bin/env bash
# Renderer speed: `lcwh inspect -v --color always` on 100k events against
# `jq -C .`, side by side in one run by the shared harness.
# Target (issue 5): ratio <= 0.33.
#   bash bench/render.sh          # from the repository root; ~40 s
# HARNESS points at the shared bench directory (default ../shared/bench).
# Measured 2026-11-25 (loaded 2-core VM): ratio 0.13, 0.10, 0.13.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/harness.sh"
make -C "$root" -s build
bash "$HARNESS/render.sh" "$root/bin/lcwh inspect -v --color always {file}"
