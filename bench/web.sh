#!/usr/bin/env bash
# Does the web inspector slow the receiver? Issue 12's gate: `lcwh listen
# --quiet --save F --web` with a page open is within 5% of `lcwh listen
# --quiet --save F`, the ratio taken in one run.
#
# One run measures both, alternating: each round starts a fresh listener
# without --web and one with --web (the order swaps every round: A B, B A,
# A B…, so a drift of the machine favours neither), drives it with wrk
# exactly as the shared harness's recv.sh does (payload.json, post.lua, the
# same thread and connection counts), and stops it with SIGTERM. With
# --web, before wrk starts, a client opens the inspector, follows its live
# feed for the whole run, and is given time to settle (a page that is
# open, not a browser still starting):
#   CLIENT=chromium  headless Chromium on the printed URL: the real page
#                    (token cookie, list, the server-sent events feed)
#   CLIENT=sse       curl on GET /api/stream (Authorization: Bearer):
#                    the feed the page reads, without a browser's CPU
# Every run checks that no acknowledged event is missing from --save, and
# every --web run that its client still read the feed at the end. Each line
# also gives the listener's CPU per request and the client's CPU.
#
#   bash bench/web.sh                      # from the repository root
#   ROUNDS=3 CLIENT=sse bash bench/web.sh
# env: ROUNDS=3 DURATION=10 CONNS=64 THREADS=2 CLIENT=chromium
#      PORT=18090 WEB_PORT=14040 (loopback ports), KEEP_LOGS=1
#      HARNESS (default ../shared/bench): lib.sh, post.lua, payload.json
# Last line: web: <median req/s> req/s (ratio X.XX vs no-web)
# Exit: 0 measured, 2 setup error, 3 an event was lost or the page stopped reading.
# Figures: bench/web-results.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${HARNESS:-$root/../shared/bench}
[[ -d $HARNESS ]] || HARNESS=/work/shared/bench
# shellcheck source=/dev/null
source "$HARNESS/lib.sh"

ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-10}; CONNS=${CONNS:-64}; THREADS=${THREADS:-2}
CLIENT=${CLIENT:-chromium}; PORT=${PORT:-18090}; WEB_PORT=${WEB_PORT:-14040}
(( ROUNDS >= 1 && ROUNDS <= 10 && DURATION >= 1 && DURATION <= 120 )) || die "ROUNDS must be 1..10 and DURATION 1..120"
case $CLIENT in
chromium) need chromium ;;
sse) ;;
*) die "CLIENT must be chromium or sse (got '$CLIENT')" ;;
esac
need wrk curl awk
make -C "$root" -s build
bin="$root/bin/lcwh"
make_workdir
url="http://127.0.0.1:$PORT/webhooks"
save="$WORK/save.jsonl"
common="--host 127.0.0.1 --port $PORT --path /webhooks --quiet --save $save"

machine_line
log "web: $ROUNDS round(s) x 2 x ${DURATION}s, wrk -t$THREADS -c$CONNS, client $CLIENT, load $(cut -d' ' -f1-3 /proc/loadavg)"

lines_in() { if [[ -f "$1" ]]; then wc -l <"$1"; else echo 0; fi; }

# page_url LOG PID : the inspector's URL from the banner (bounded wait).
page_url() {
  local tries=200 u
  while (( tries-- > 0 )); do
    u=$(grep -oE "http://127\.0\.0\.1:$WEB_PORT/\?token=[A-Za-z0-9_-]+" "$1" | head -n 1 || true)
    [[ -n $u ]] && { printf '%s' "$u"; return 0; }
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# open_client URL : start the stand-in for an open page; sets CLIENT_PID.
open_client() {
  local u="$1" tok="${1#*token=}"
  case $CLIENT in
  chromium)
    start_bg "$WORK/chromium.log" /dev/null "chromium --headless --no-sandbox --disable-gpu --no-first-run \
      --user-data-dir=$WORK/chromium-profile --window-size=1400,900 '$u'"
    ;;
  sse)
    start_bg "$WORK/sse.log" "$WORK/sse.out" "curl -sSN --max-time $((DURATION + 60)) \
      -H 'Authorization: Bearer $tok' http://127.0.0.1:$WEB_PORT/api/stream"
    ;;
  esac
  CLIENT_PID=$BG_PID
}

# info URL FIELD : a number from the inspector's GET /api/info.
info() {
  curl -fsS --max-time 5 -H "Authorization: Bearer ${1#*token=}" "http://127.0.0.1:$WEB_PORT/api/info" |
    grep -oE "\"$2\":[0-9]+" | cut -d: -f2
}

# client_ready URL : wait (bounded, 15 s) until the client reads the live
# feed: the inspector counts it in live_feeds.
client_ready() {
  local tries=300
  while (( tries-- > 0 )); do
    (( $(info "$1" live_feeds || echo 0) >= 1 )) && return 0
    kill -0 "$CLIENT_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# ticks PID... : CPU time (user + system, clock ticks) of the processes.
ticks() {
  local t=0 p
  for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) )); done
  echo "$t"
}
# client_pids : the client's processes (Chromium runs several).
client_pids() {
  case $CLIENT in
  chromium) pgrep -f -- "--user-data-dir=$WORK/chromium-profile" || true ;;
  sse) echo "$CLIENT_PID" ;;
  esac
}
HZ=$(getconf CLK_TCK)

# client_settle : wait (bounded, 10 s) until the client is idle: under 2%
# of a core over half a second. A page that is open is measured, not a
# browser still starting (Chromium spends its first seconds on itself).
client_settle() {
  local tries=20 a b
  while (( tries-- > 0 )); do
    a=$(ticks $(client_pids)); sleep 0.5; b=$(ticks $(client_pids))
    (( (b - a) * 100 <= HZ )) && return 0
  done
  log "web: the $CLIENT client did not settle within 10 s; measuring anyway"
}

FAILED=0
# measure LABEL WEB(0|1) : one wrk run against a fresh listener; sets M_RPS.
measure() {
  local label="$1" web="$2" logf="$WORK/$1.log" cmd="$bin listen $common" before stat pid u="" note=""
  port_open 127.0.0.1 "$PORT" && die "port $PORT is already in use (PORT=...)"
  if (( web )); then
    port_open 127.0.0.1 "$WEB_PORT" && die "port $WEB_PORT is already in use (WEB_PORT=...)"
    cmd+=" --web --web-addr 127.0.0.1:$WEB_PORT"
  fi
  before=$(lines_in "$save")
  start_bg "$logf" /dev/null "$cmd"
  pid=$BG_PID
  wait_port 127.0.0.1 "$PORT" "$pid" 15 || { tail -n 20 "$logf" >&2; stop_pid "$pid" 2; die "$label: the listener did not start"; }
  if (( web )); then
    u=$(page_url "$logf" "$pid") || { tail -n 20 "$logf" >&2; stop_pid "$pid" 2; die "$label: no inspector URL in the banner"; }
    open_client "$u"
    client_ready "$u" || { stop_pid "$CLIENT_PID" 2; stop_pid "$pid" 2; die "$label: the $CLIENT client never opened the feed"; }
    client_settle
  fi
  local l0 c0=0 l1 c1=0
  l0=$(ticks "$pid"); if (( web )); then c0=$(ticks $(client_pids)); fi
  stat=$(cd "$HARNESS" && PAYLOAD="$PAYLOAD" timeout $((DURATION + 30)) \
    wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$HARNESS/post.lua" "$url" | grep '^WRKSTAT') ||
    { stop_pid "$pid" 2; die "wrk failed against $label"; }
  l1=$(ticks "$pid"); if (( web )); then c1=$(ticks $(client_pids)); fi
  if (( web )); then
    # The page was still following at the end, and the feed carried the
    # run's events (curl's copy says so for sse).
    local feeds shown
    feeds=$(info "$u" live_feeds || echo 0); shown=$(info "$u" last_event_id || echo 0)
    stop_pid "$CLIENT_PID" 10
    if (( feeds >= 1 && shown > 0 )) && { [[ $CLIENT != sse ]] || grep -q '^event: ' "$WORK/sse.out"; }; then
      note=" feed=$shown changes, $feeds reader(s) at the end"
    else
      note=" feed=$shown changes, $feeds reader(s) at the end: PAGE NOT FOLLOWING"; FAILED=1
    fi
  fi
  stop_pid "$pid" 10
  local -A f=()
  local kv
  for kv in ${stat#WRKSTAT }; do f[${kv%%=*}]=${kv#*=}; done
  M_RPS=$(awk -v r="${f[requests]}" -v d="${f[duration_us]}" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  local p50 p99 acked=$(( f[requests] - f[non2xx] )) n
  p50=$(awk -v x="${f[p50_us]}" 'BEGIN { printf "%.2f", x / 1000 }')
  p99=$(awk -v x="${f[p99_us]}" 'BEGIN { printf "%.2f", x / 1000 }')
  n=$(( $(lines_in "$save") - before ))
  # CPU per request: the listener's own, and (with --web) the client's.
  local cpu
  cpu=" cpu $(awk -v t=$((l1 - l0)) -v hz="$HZ" -v r="${f[requests]}" 'BEGIN { printf "%.1f", t / hz * 1e6 / r }') us/req"
  if (( web )); then
    cpu+=$(awk -v t=$((c1 - c0)) -v hz="$HZ" -v d="$DURATION" 'BEGIN { printf ", client %.0f%% of a core", 100 * t / hz / d }')
  fi
  note="$cpu$note"
  if (( n >= acked )); then note+=" saved=$n>=acked ok"; else note+=" saved=$n<acked=$acked LOST=$((acked - n))"; FAILED=1; fi
  printf '%-9s %8s req/s  p50 %6s ms  p99 %7s ms  non2xx %s  exit %s%s\n' \
    "$label" "$M_RPS" "$p50" "$p99" "${f[non2xx]}" "$STOP_RC" "$note"
  rm -f "$save"
}

A=(); B=()
for (( r = 1; r <= ROUNDS; r++ )); do
  order="0 1"; (( r % 2 )) || order="1 0"
  for web in $order; do
    if (( web )); then measure "web#$r" 1; B+=("$M_RPS"); else measure "no-web#$r" 0; A+=("$M_RPS"); fi
  done
done

a=$(median "${A[@]}"); b=$(median "${B[@]}")
printf 'no-web: median %s req/s, spread %s\n' "$(fmt0 "$a")" "$(spread "${A[@]}")"
printf 'web:    median %s req/s, spread %s (client %s)\n' "$(fmt0 "$b")" "$(spread "${B[@]}")" "$CLIENT"
printf 'web: %s req/s (ratio %s vs no-web)\n' "$(fmt0 "$b")" "$(ratio "$b" "$a")"
if (( FAILED )); then exit 3; fi
