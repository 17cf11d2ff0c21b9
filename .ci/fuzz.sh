#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis (SPEC §10): a debug server on a fresh demo database, an
# admin token, every operation of /api/openapi.json. Any 5xx, any status the document does not
# list, any answer whose body or content type breaks the document fails the run (and CI).
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

seed=()
[[ -n "${FUZZ_SEED:-}" ]] && seed=(--seed "$FUZZ_SEED")
status=0
# One worker: CPython 3.11's ast module is not thread-safe ("AST constructor recursion depth
# mismatch" inside hypothesis). From $WORK, so that schemathesis's cache stays out of the tree.
SCHEMATHESIS=$(cd "$VENV/bin" && pwd)/schemathesis
(cd "$WORK" && timeout "$TIME_LIMIT" "$SCHEMATHESIS" run "$BASE/api/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,ignored_auth \
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
