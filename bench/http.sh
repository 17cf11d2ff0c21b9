#!/usr/bin/env bash
# The query and memory targets (BENCHMARKS.md) over real HTTP:
#   GET /progress and GET /series < 20 ms p50 server-side; the JSON API ≥ 50% of the requests/s of a
#   trivial handler (GET /healthz) of the same server under the same load; < 50 MB resident idle,
#   < 200 MB under load.
#
# usage: bench/http.sh DB        (DB made beforehand, e.g. `zhibiao demo --scale province --db DB`)
#
# Builds the release binary, adds an API token to DB (`zhibiao user add`), starts `zhibiao serve`
# on DB, then loads each endpoint in turn with wrk and bench/timing.lua, which reads the server's
# own time of every response from its `Server-Timing: app;dur=<ms>` header. Prints a Markdown
# table (medians over RUNS runs) and the memory figures. Fails when any answer is not 200.
#
# Environment (defaults in brackets):
#   RUNS [1]  WRK_THREADS [1]  WRK_CONNECTIONS [16]  WRK_DURATION [10s]  PORT [18787]
#   ALONE_DURATION [5s]: each endpoint is also timed one request at a time (wrk -t1 -c1)
#   REGION [the root of the tree]  YTD_INDICATOR [rd_expenditure]  RATIO_INDICATOR [rd_share]
#   PERIOD [the latest quarter with a figure of YTD_INDICATOR at REGION]
#   FROM/TO [the ten years of quarters up to PERIOD]
#   CARGO_TARGET_DIR [target]
set -euo pipefail

if [[ $# -ne 1 || ! -f $1 ]]; then
  echo "usage: $0 DB   (an existing zhibiao database file)" >&2
  exit 2
fi
DB=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-1}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-16}
WRK_DURATION=${WRK_DURATION:-10s}
ALONE_DURATION=${ALONE_DURATION:-5s}
PORT=${PORT:-18787}
YTD_INDICATOR=${YTD_INDICATOR:-rd_expenditure}
RATIO_INDICATOR=${RATIO_INDICATOR:-rd_share}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BASE=http://127.0.0.1:$PORT

for tool in wrk curl jq; do
  if ! command -v $tool >/dev/null; then
    echo "installing $tool (Debian)…" >&2
    apt-get install -y $tool >/dev/null || { apt-get update >/dev/null && apt-get install -y $tool >/dev/null; }
  fi
done

(cd "$ROOT" && cargo build --release --quiet)
BIN=$CARGO_TARGET_DIR/release/zhibiao
# what was built, read now: the tree may change while the runs go on
BUILT="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src migrations || echo ' + local changes')"

LOADAVG=$(cut -d" " -f1-3 /proc/loadavg)
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if curl -fs "$BASE/healthz" >/dev/null 2>&1; then
  echo "something already answers on port $PORT; set PORT" >&2
  exit 2
fi

# A fresh admin token; the name is unique so that repeated runs on one file do not collide.
TOKEN=$("$BIN" user add --db "$DB" --name "bench-$(date +%s)-$$" --role admin | tail -n 1)

"$BIN" serve --db "$DB" --addr "127.0.0.1:$PORT" --charts "$ROOT/charts" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 1200); do # up to two minutes
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fs "$BASE/healthz" >/dev/null || { echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }
sleep 1
STARTED_KB=$(status_kb VmRSS)

api() { curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/$1"; }

# The arguments: the root of the tree, the latest quarter with a figure, ten years of quarters.
REGION=${REGION:-$(api regions | jq -r '[.[] | select(.parent == null and .kind != "benchmark")][0].id')}
for code in "$YTD_INDICATOR" "$RATIO_INDICATOR"; do
  api "indicators/$code" >/dev/null || { echo "no indicator '$code' in $DB; set YTD_INDICATOR/RATIO_INDICATOR" >&2; exit 2; }
done
if [[ -z ${PERIOD:-} ]]; then
  year=$(date +%Y)
  PERIOD=$(api "series?region=$REGION&indicator=$YTD_INDICATOR&from=$((year - 20))Q1&to=${year}Q4&view=quarter" |
    jq -r '[.points[] | select(.value != null)] | last | .period // empty')
  [[ -n $PERIOD ]] || { echo "no figures of $YTD_INDICATOR at $REGION; set PERIOD" >&2; exit 2; }
fi
FROM=${FROM:-$((${PERIOD:0:4} - 9))Q1}
TO=${TO:-$PERIOD}

# name|path: the trivial handler first, the ratio column divides by its requests/s
ENDPOINTS=(
  "healthz|/healthz"
  "progress $YTD_INDICATOR|/api/v1/progress?indicator=$YTD_INDICATOR&period=$PERIOD&parent=$REGION"
  "progress $RATIO_INDICATOR|/api/v1/progress?indicator=$RATIO_INDICATOR&period=$PERIOD&parent=$REGION"
  "series $YTD_INDICATOR|/api/v1/series?region=$REGION&indicator=$YTD_INDICATOR&from=$FROM&to=$TO&view=ytd"
  "series $RATIO_INDICATOR|/api/v1/series?region=$REGION&indicator=$RATIO_INDICATOR&from=$FROM&to=$TO&view=ytd"
)

# Waits until the server has finished what the last load left behind (wrk stops waiting, the
# server does not): at most 1 CPU tick (10 ms) in 200 ms, waiting a minute at most.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
settle() {
  local before after
  for _ in $(seq 1 300); do
    before=$(cpu_ticks)
    sleep 0.2
    after=$(cpu_ticks)
    ((after - before <= 1)) && return 0
  done
  echo "the server is still busy after a minute" >&2
}

# Warm up: every endpoint answers 200, a few times, before memory is read.
for e in "${ENDPOINTS[@]}"; do
  path=${e#*|}
  for _ in 1 2 3 4 5; do
    code=$(curl -s -o "$WORK/answer" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$path")
    [[ $code == 200 ]] || { echo "GET $path answered $code: $(head -c 500 "$WORK/answer")" >&2; exit 1; }
  done
done
sleep 1
settle
IDLE_KB=$(status_kb VmRSS)
STARTUP_HWM_KB=$(status_kb VmHWM)
# Reset the peak so that VmHWM after the runs is the peak under load (Linux ≥ 4.0).
RESET_HWM=yes
echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null || RESET_HWM=no

# load NAME PATH KIND WRK-ARGS…: one wrk run with bench/timing.lua; appends
# "NAME KIND rps server_p50 server_p99 latency_p50 latency_p99 socket_errors" to the results.
load() {
  local name=$1 path=$2 kind=$3 result kv
  shift 3
  wrk "$@" --timeout 10s -s "$ROOT/bench/timing.lua" -H "Authorization: Bearer $TOKEN" "$BASE$path" \
    >"$WORK/wrk.out" 2>&1 || { cat "$WORK/wrk.out" >&2; exit 1; }
  result=$(grep '^RESULT ' "$WORK/wrk.out" || true)
  [[ -n $result ]] || { cat "$WORK/wrk.out" >&2; exit 1; }
  declare -A r=()
  for kv in ${result#RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  echo "run $run, $kind: $name: ${result#RESULT }" >&2
  if [[ ${r[non200]} != 0 || ${r[wrk_status_errors]} != 0 || ${r[untimed]} != 0 ]]; then
    echo "GET $path: ${r[non200]} answers not 200, ${r[untimed]} without Server-Timing" >&2
    cat "$WORK/wrk.out" >&2
    exit 1
  fi
  if [[ ${r[requests]} == 0 ]]; then
    echo "GET $path: no answer within $WRK_DURATION" >&2
    r[latency_p50]=nan r[latency_p99]=nan
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "${r[rps]}" "${r[server_p50]}" "${r[server_p99]}" \
    "${r[latency_p50]}" "${r[latency_p99]}" "${r[socket_errors]}" >>"$WORK/results"
  settle
}

WRK_ARGS=(-t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION")
ALONE_ARGS=(-t1 -c1 -d"$ALONE_DURATION")
echo "wrk ${WRK_ARGS[*]} (and ${ALONE_ARGS[*]}, one request at a time) --timeout 10s -s bench/timing.lua" \
  "-H 'Authorization: Bearer …' URL; $RUNS run(s) of every endpoint" >&2
: >"$WORK/results"
for run in $(seq 1 "$RUNS"); do
  for e in "${ENDPOINTS[@]}"; do
    load "${e%%|*}" "${e#*|}" alone "${ALONE_ARGS[@]}"
    load "${e%%|*}" "${e#*|}" loaded "${WRK_ARGS[@]}"
  done
done
PEAK_KB=$(status_kb VmHWM)
AFTER_KB=$(status_kb VmRSS)

# The median over the runs of column $3 (1-based, after name and kind) of endpoint $1's $2 rows,
# "nan" when no run had a figure.
median() {
  awk -F'\t' -v n="$1" -v k="$2" -v c="$(($3 + 2))" '$1 == n && $2 == k && $c != "nan" { print $c }' "$WORK/results" |
    sort -g | awk '{ v[NR] = $1 }
      END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ms() { if [[ $1 == nan ]]; then echo "–"; else printf '%.3f' "$1"; fi; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

HEALTHZ_RPS=$(median healthz loaded 1)
echo
echo "## zhibiao HTTP benchmark"
echo
echo "- database: \`$DB\` ($(du -h "$DB" | cut -f1)); region \`$REGION\`, period $PERIOD, series $FROM–$TO (view=ytd)"
echo "- built from: $BUILT"
echo "- load: \`wrk ${WRK_ARGS[*]}\`; alone: \`wrk ${ALONE_ARGS[*]}\`, one request at a time;" \
  "$RUNS run(s), medians; server time from the \`Server-Timing\` header"
echo "- machine: $(nproc) cores, load average $LOADAVG when the script started. wrk runs on this machine and"
echo "  competes with the server for CPU, so requests/s are lower than with a separate load generator,"
echo "  /healthz's the most (it is the cheapest), which flatters the ratio. Under load, server time"
echo "  includes waiting for a core and for one of the 8 database connections."
echo
echo "| endpoint | req/s | ratio to /healthz | server p50 alone (ms) | server p99 alone (ms) | server p50 loaded (ms) | server p99 loaded (ms) | wrk p50 (ms) | wrk p99 (ms) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for e in "${ENDPOINTS[@]}"; do
  name=${e%%|*}
  rps=$(median "$name" loaded 1)
  ratio=$(awk -v a="$rps" -v b="$HEALTHZ_RPS" 'BEGIN { printf "%.3f", a / b }')
  printf '| %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$rps" "$ratio" \
    "$(ms "$(median "$name" alone 2)")" "$(ms "$(median "$name" alone 3)")" \
    "$(ms "$(median "$name" loaded 2)")" "$(ms "$(median "$name" loaded 3)")" \
    "$(ms "$(median "$name" loaded 4)")" "$(ms "$(median "$name" loaded 5)")"
done
SOCKET_ERRORS=$(awk -F'\t' '{ s += $8 } END { print s + 0 }' "$WORK/results")
echo
echo "- memory: $(mb "$STARTED_KB") MB resident idle after start-up, before any API request (target < 50 MB)"
echo "- memory: $(mb "$IDLE_KB") MB resident idle after the warm-up requests, settled (the answers kept in memory included)"
if [[ $RESET_HWM == yes ]]; then
  echo "- memory: $(mb "$PEAK_KB") MB peak resident under load (VmHWM, reset after the idle reading; target < 200 MB);" \
    "start-up peak $(mb "$STARTUP_HWM_KB") MB; $(mb "$AFTER_KB") MB resident after the load"
else
  echo "- memory: $(mb "$PEAK_KB") MB peak resident since start (VmHWM; target < 200 MB); $(mb "$AFTER_KB") MB after the load"
fi
echo "- every answer was 200; socket errors (timeouts over 10 s included): $SOCKET_ERRORS"
