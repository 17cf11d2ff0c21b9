#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis: a debug server on a fresh demo database, an
# admin token, every operation of /api/openapi.json. Any 5xx, any status the document does not
# list, any answer whose body or content type breaks the document, any request the document
# forbids that is not refused, and any it allows that is refused as malformed (400/422) fails the
# run (and CI).
#
# Usage: .ci/fuzz.sh            (from anywhere; builds target/debug/zhibiao first)
# Env:   FUZZ_EXAMPLES  test cases per operation and phase (default 200)
#        FUZZ_TIME_LIMIT  seconds the run may take (default 270); longer fails
#        FUZZ_SEED      replay a run: the seed is printed at the end of every run
# Runs as root on a fresh machine: schemathesis comes from PyPI into a venv under target/.
# Debug build only: the run is about answers, not speed.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${FUZZ_EXAMPLES:-200}
# A hard bound on the run itself (it takes about a minute with the default examples).
TIME_LIMIT=${FUZZ_TIME_LIMIT:-270}
TARGET=${CARGO_TARGET_DIR:-target}
VENV=$TARGET/fuzz-venv
WORK=$(mktemp -d)
export RUST_LOG=${RUST_LOG:-warn}
SERVER_PID=

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap stop_server EXIT

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "== installing schemathesis $SCHEMATHESIS_VERSION"
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        # Debian's python3 keeps venv (ensurepip) in a package of its own.
        rm -rf "$VENV"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

echo "== building the server (debug)"
cargo build --locked -q
BIN=$TARGET/debug/zhibiao
DB="$WORK/fuzz.db"
"$BIN" demo --db "$DB" >/dev/null
TOKEN=$("$BIN" user add --db "$DB" --name fuzzer --role admin | tail -n 1)

# Port 0: the server picks a free port and prints it.
"$BIN" serve --db "$DB" --addr 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE=
for _ in $(seq 1 100); do
    BASE=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.log" | head -n 1 || true)
    [[ -n "$BASE" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "the server did not start"; exit 1; }
    sleep 0.1
done
[[ -n "$BASE" ]] || { cat "$WORK/server.log"; echo "the server did not say where it listens"; exit 1; }
echo "== fuzzing $BASE/api/openapi.json ($EXAMPLES examples per operation)"

# Both directions of "the document says exactly what is accepted": every request the document
# allows must be answered as allowed (positive_data_acceptance: 2xx, or 401/403/404/409 — never
# 400/422), and every request it forbids must be refused (negative_data_rejection: 4xx). A few
# operations are refused for reasons no OpenAPI schema can state; for those alone the positive
# check is off (schemathesis reads schemathesis.toml from the directory it runs in). The negative
# check stays on everywhere but for the CSV body of imports (see below).
cat >"$WORK/schemathesis.toml" <<'TOML'
# The checks (here, not on the command line, where they would override the operations' below):
# no 5xx; statuses, content types and bodies as documented; no answer without a valid token; and
# the document's promises both ways.
[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
ignored_auth.enabled = true
positive_data_acceptance.enabled = true
negative_data_rejection.enabled = true

# A rule between parameters (`to` not before `from`; the annual view takes years, the others
# quarters; the benchmarks compared with a region are benchmark regions other than itself, and a
# what-if asks a derived ratio both have a figure of; the assessment's what-if asks a region the
# year's scheme assesses and a grade that scheme has; each chart kind takes its own parameters,
# and the kind is in the path).
[[operations]]
include-name = [
    "GET /api/v1/series", "GET /api/v1/exports", "GET /api/v1/benchmarks", "GET /api/v1/what-if/benchmark",
    "GET /api/v1/what-if/assessment", "GET /charts/{file}",
]
checks.positive_data_acceptance.enabled = false

# A file whose rows are checked against the stored regions and indicators (a CSV body is any
# string to the schema; `indicator` is for World Bank WDI files only), and batches of figures whose
# rules (the indicator exists and the region reports it, bounds, the quarter is open) are the
# data's: such refusals are 422 naming the row or field, as the document says.
[[operations]]
include-name = ["POST /api/v1/imports", "PUT /api/v1/values"]
checks.positive_data_acceptance.enabled = false

# Bodies that name other records or must agree with the path: a parent region that exists and may
# have children, an `id`/`code` equal to the path's, a formula over existing codes without cycles,
# a scheme whose weights add up, milestones that do not fall, weights only for method `weights`,
# regions that are reporting regions, a comment to return a quarter (the action is in the path).
[[operations]]
include-name = [
    "POST /api/v1/regions", "PUT /api/v1/regions/{id}",
    "POST /api/v1/indicators", "PUT /api/v1/indicators/{code}",
    "PUT /api/v1/assessments/{year}/scheme", "PUT /api/v1/targets", "POST /api/v1/targets/decompose",
    "POST /api/v1/workflow/approve", "POST /api/v1/workflow/{region}/{period}/{action}",
]
checks.positive_data_acceptance.enabled = false

# Rectification plans: a plan's text is any string to the schema but must be written as the bureau
# writes its plans (otherwise 422 with the lines); problems and tasks name a plan, a problem,
# registered departments and existing indicators and regions; titles and texts hold no control
# characters. Such refusals are 422 naming the line or field, as the document says.
[[operations]]
include-name = [
    "POST /api/v1/plans", "PUT /api/v1/plans/{id}", "POST /api/v1/plans/import", "POST /api/v1/problems",
    "PUT /api/v1/problems/{id}",
    "POST /api/v1/tasks", "PUT /api/v1/tasks/{id}", "POST /api/v1/tasks/{id}/done", "POST /api/v1/tasks/{id}/reopen",
    "PUT /api/v1/tasks/{id}/reports/{period}",
]
checks.positive_data_acceptance.enabled = false

# The enterprise register: a 统一社会信用代码 has a check character no pattern can state (a code of
# the right characters may still be refused, 422 naming it); an enterprise belongs to an existing
# reporting region and lists each year once; patent counts are whole numbers.
[[operations]]
include-name = [
    "GET /api/v1/enterprises/{code}", "PUT /api/v1/enterprises/{code}", "DELETE /api/v1/enterprises/{code}",
    "GET /api/v1/enterprises/{code}/values", "PUT /api/v1/enterprises/{code}/values",
]
checks.positive_data_acceptance.enabled = false

# Publishing a report: the period's form depends on the kind (a year for an assessment, a quarter
# for a rectification report) and only a bulletin is of a region; such refusals are 422 naming
# `period` or `region`, as the document says.
[[operations]]
include-name = "POST /api/v1/publications"
checks.positive_data_acceptance.enabled = false

# Enterprise imports: rows must name registered enterprises, regions, measures and codes with a right check character (422 by row).
[[operations]]
include-name = "POST /api/v1/enterprises/import"
checks.positive_data_acceptance.enabled = false

# A CSV body is any text. Schemathesis's "negative" CSV bodies (`{}`, numbers) go on the wire as
# text, i.e. as a CSV file, which a dry run rightly answers 200 with its row errors; it counts
# only text/plain as such a stringifying type (a false positive of 4.32.5 for text/csv).
[[operations]]
include-name = ["POST /api/v1/imports", "POST /api/v1/enterprises/import"]
checks.negative_data_rejection.enabled = false
TOML

seed=()
[[ -n "${FUZZ_SEED:-}" ]] && seed=(--seed "$FUZZ_SEED")
status=0
# One worker: CPython 3.11's ast module is not thread-safe ("AST constructor recursion depth
# mismatch" inside hypothesis). From $WORK, so that schemathesis's cache stays out of the tree.
SCHEMATHESIS=$(cd "$VENV/bin" && pwd)/schemathesis
(cd "$WORK" && timeout "$TIME_LIMIT" "$SCHEMATHESIS" run "$BASE/api/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --max-examples "$EXAMPLES" \
    --workers 1 \
    --request-timeout 20 \
    --wait-for-schema 30 \
    --generation-database none \
    --no-color \
    --report har --report-har-path "$WORK/requests.har" \
    "${seed[@]}") || status=$?
if [[ $status -eq 124 ]]; then
    echo "schemathesis did not finish within ${TIME_LIMIT}s"
fi

if [[ -f "$WORK/requests.har" ]]; then
    python3 - "$WORK/requests.har" <<'EOF'
import collections, json, sys
entries = json.load(open(sys.argv[1]))["log"]["entries"]
statuses = collections.Counter(e["response"]["status"] // 100 for e in entries)
print(f"== {len(entries)} requests: " + ", ".join(f"{k}xx {v}" for k, v in sorted(statuses.items())))
EOF
fi
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server died during the run:"
    tail -n 50 "$WORK/server.log"
    status=1
fi
if grep -q 'panicked' "$WORK/server.log"; then
    echo "the server panicked:"
    grep -A5 'panicked' "$WORK/server.log" | head -n 40
    status=1
fi
exit "$status"
