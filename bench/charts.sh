#!/usr/bin/env bash
# Our charts against matplotlib drawing the same numbers (an SVG in < 5 ms, a PNG in < 50 ms,
# at least 10× faster than matplotlib). Times the five chart kinds with criterion (`cargo bench --bench
# charts`, which also writes each chart's numbers as JSON), then matplotlib on those numbers
# (bench/charts_matplotlib.py), in the same run, and prints a Markdown table of medians and ratios.
#
#   bench/charts.sh                 # criterion arguments may follow, e.g. `-- --quick`
#   env: CARGO_TARGET_DIR (default target), PYTHON (default python3), MPL_REPEAT (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
PYTHON=${PYTHON:-python3}
data=$CARGO_TARGET_DIR/bench-charts
criterion=$CARGO_TARGET_DIR/criterion

# matplotlib: the one already installed, else into a venv of our own (system Pythons refuse pip).
if ! "$PYTHON" -c 'import matplotlib' 2>/dev/null; then
    venv=$CARGO_TARGET_DIR/charts-venv
    [[ -x $venv/bin/python ]] || "$PYTHON" -m venv "$venv"
    PYTHON=$venv/bin/python
    "$PYTHON" -c 'import matplotlib' 2>/dev/null || "$PYTHON" -m pip install --quiet matplotlib
fi

started=$(mktemp)
trap 'rm -f "$started"' EXIT
rm -rf "$data"
ZHIBIAO_CHART_DATA=$data cargo bench --bench charts "$@" >&2
mpl=$("$PYTHON" bench/charts_matplotlib.py "$data" --repeat "${MPL_REPEAT:-30}" --out "$data")

# criterion's median in ms, or `-` when this run did not measure it (a filter left it out).
ours() {
    local file=$criterion/$1/$2/new/estimates.json
    if [[ -f $file && $file -nt $started ]]; then
        "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["median"]["point_estimate"] / 1e6)' "$file"
    else
        echo -
    fi
}

echo
echo "| chart | ours SVG ms | ours PNG ms | matplotlib SVG ms | matplotlib PNG ms | ratio SVG | ratio PNG |"
echo "|---|--:|--:|--:|--:|--:|--:|"
while IFS=$'\t' read -r kind mpl_svg mpl_png; do
    awk -v kind="$kind" -v svg="$(ours "$kind" svg)" -v png="$(ours "$kind" png)" \
        -v msvg="$mpl_svg" -v mpng="$mpl_png" '
        function ms(x) { return x == "-" ? "-" : sprintf(x < 1 ? "%.3f" : "%.2f", x) }
        function ratio(m, o) { return o == "-" ? "-" : sprintf("%.1f×", m / o) }
        BEGIN { printf "| %s | %s | %s | %s | %s | %s | %s |\n",
                kind, ms(svg), ms(png), ms(msvg), ms(mpng), ratio(msvg, svg), ratio(mpng, png) }'
done <<<"$mpl"
