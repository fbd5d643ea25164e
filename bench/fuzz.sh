#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 30s) and
# prints one line per target; exits 1 if any found a failure.
#   bash bench/fuzz.sh            # ~8 minutes on the 2-core VM
#   FUZZTIME=10s bash bench/fuzz.sh
set -uo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-30s}
fail=0
while read -r dir name; do
  out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" -fuzzminimizetime 5s "./$dir" 2>&1)
  rc=$?
  execs=$(grep -o 'execs: [0-9]*' <<<"$out" | tail -1 | awk '{print $2}')
  if [[ $rc -eq 0 ]]; then echo "ok   $dir $name ($t, ${execs:-?} execs)"; else echo "FAIL $dir $name"; echo "$out" | tail -20; fail=1; fi
done < <(grep -rn '^func Fuzz' --include='*_test.go' internal | sed -E 's#^(.*)/[^/]*_test.go:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u)
exit $fail
