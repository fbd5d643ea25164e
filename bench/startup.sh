#!/usr/bin/env bash
# Start-up cost of `lcwh version` against stackhello (a binary that links
# cobra, viper and lipgloss and does nothing), measured side by side in one
# run by the shared harness. Target (issue 3): ratio <= 1.3.
#   bash bench/startup.sh            # from the repository root
# HARNESS points at the shared bench directory (default ../shared/bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/harness.sh"
make -C "$root" -s build
REF=stackhello bash "$HARNESS/startup.sh" "$root/bin/lcwh version"
