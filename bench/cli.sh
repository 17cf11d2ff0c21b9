#!/usr/bin/env bash
# Whole commands at province scale, timed with hyperfine (each run a new process: start-up, opening
# the database and computing everything from scratch included):
#   - generating the province (`zhibiao demo --scale province`), once;
#   - the year-end assessment report of 1,449 counties × 30 indicators, HTML and XLSX (< 1 s);
#   - `zhibiao import` of 100,000 values from CSV into a fresh copy of the province each run.
# The in-process figures with their baselines are `cargo bench --bench province`'s.
#
# usage: bench/cli.sh [DB]   (DB: a province made before; otherwise one is generated into a temporary directory)
# Environment: RUNS [10]  CARGO_TARGET_DIR [target]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
for tool in hyperfine sqlite3; do
  if ! command -v $tool >/dev/null; then
    echo "installing $tool (Debian)…" >&2
    apt-get install -y $tool >/dev/null || { apt-get update >/dev/null && apt-get install -y $tool >/dev/null; }
  fi
done

(cd "$ROOT" && cargo build --release --quiet)
BIN=$CARGO_TARGET_DIR/release/zhibiao
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [[ $# -ge 1 ]]; then
  cp "$1" "$WORK/province.db"
else
  hyperfine --runs 1 --export-markdown "$WORK/generate.md" \
    -n "zhibiao demo --scale province" "$BIN demo --scale province --db $WORK/province.db"
  cat "$WORK/generate.md"
fi
DB=$WORK/province.db
# the database is migrated once here, not in the first timed run
"$BIN" export --db "$DB" --format csv --region c01-001 --from 2025Q1 --to 2025Q1 >/dev/null

hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$WORK/report.md" \
  -n "assessment report 2025, HTML" "$BIN report assessment 2025 --db $DB --format html -o $WORK/a.html" \
  -n "assessment report 2025, XLSX" "$BIN report assessment 2025 --db $DB --format xlsx -o $WORK/a.xlsx"

# 100,000 new figures: the counties' 2025 quarters moved to 2026, grown by 7%
sqlite3 -csv "$DB" "SELECT region, indicator, (year + 1) || 'Q' || quarter, round(value * 1.07), ''
                    FROM observations WHERE year = 2025 ORDER BY quarter, region, indicator LIMIT 100000" \
  | sed '1i region,indicator,period,value,comment' >"$WORK/import.csv"
[[ $(wc -l <"$WORK/import.csv") -eq 100001 ]] || { echo "expected 100,000 rows" >&2; exit 1; }
hyperfine --runs "$(( RUNS < 5 ? RUNS : 5 ))" --export-markdown "$WORK/import.md" \
  --prepare "cp $DB $WORK/copy.db && rm -f $WORK/copy.db-wal $WORK/copy.db-shm && sync" \
  -n "zhibiao import, 100,000 values (CSV)" "$BIN import --db $WORK/copy.db $WORK/import.csv"

echo
echo "## zhibiao commands at province scale ($(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
cat "$WORK/report.md" "$WORK/import.md"
