#!/usr/bin/env python3
"""Draw the benchmark's charts with matplotlib and time it, to compare with our renderer.

`cargo bench --bench charts` writes each chart's model as JSON (`<kind>.json`: title, labels, values,
the texts it draws, colours, sizes). For each file this script draws the same chart with matplotlib
(same kind of marks, same texts in the project's embedded CJK font, same size in pixels, title, axis
title, legend, gridlines) to SVG and to PNG in memory, and times a full render per iteration: figure
creation, drawing and savefig, as the Rust benchmark times a full render from the model. Start-up,
imports and font registration are not timed.

Prints one line per chart to stdout: `kind<TAB>median SVG ms<TAB>median PNG ms`.
Usage: bench/charts_matplotlib.py [DATA_DIR] [--repeat N] [--out DIR] [--svg-fonttype none|path]
"""

import argparse
import io
import json
import statistics
import struct
import sys
import timeit
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager, rcParams  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator, StrMethodFormatter  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FONT_FILE = ROOT / "assets" / "fonts" / "wqy-microhei.ttc"
DPI = 100
PT = 72 / DPI  # our sizes are pixels; matplotlib's are points
# plotters takes a font size as the line height: the em it writes into the SVG is size / 1.24.
EM = PT / 1.24


def setup(svg_fonttype):
    font_manager.fontManager.addfont(str(FONT_FILE))
    family = font_manager.FontProperties(fname=str(FONT_FILE)).get_name()
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [family]
    rcParams["axes.unicode_minus"] = False
    # `none` writes <text> elements as our SVG does; `path` (matplotlib's default) outlines every glyph.
    rcParams["svg.fonttype"] = svg_fonttype
    rcParams["svg.hashsalt"] = "zhibiao"


def title_size(spec):
    """As draw.rs: shrink a title that would not fit on one line."""
    available = spec["width"] - 2 * spec["margin"]
    chars = max(len(spec["title"]), 1)
    return max(min(spec["sizes"]["title"], available // chars), 14)


def axis_max(values, headroom):
    finite = [v for v in values if v is not None]
    top = max([0.0, *finite])
    return top * headroom if top > 0 else 1.0


def figure(spec, left, bottom, right=0):
    """A figure of the chart's pixel size with its title, and one axes placed as plotters places it."""
    w, h, m = spec["width"], spec["height"], spec["margin"]
    fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, facecolor="white")
    size = title_size(spec)
    # Ours asks for bold, but the embedded font has no bold face, so both draw the regular one.
    fig.text(0.5, 1 - m / h, spec["title"], ha="center", va="top", fontsize=size * EM, color=spec["palette"]["text"])
    top = m + size + 26
    ax = fig.add_axes(((m + left) / w, (m + bottom) / h, (w - 2 * m - left - right) / w, (h - top - m - bottom) / h))
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=spec["sizes"]["label"] * EM, colors=spec["palette"]["text"])
    # plotters puts up to ten labels on a value axis
    ax.xaxis.set_major_locator(MaxNLocator(10))
    ax.yaxis.set_major_locator(MaxNLocator(10))
    return fig, ax


def legend(ax, spec, handles=None):
    kwargs = {"handles": handles} if handles is not None else {}
    ax.legend(loc="upper right", fontsize=spec["sizes"]["note"] * EM, framealpha=0.9,
              edgecolor=spec["palette"]["grid"], fancybox=False, **kwargs)


def value_label(ax, spec, x, y, text, size, dx=0, dy=0, ha="center", va="bottom"):
    ax.annotate(text, (x, y), xytext=(dx * PT, dy * PT), textcoords="offset points", ha=ha, va=va,
                fontsize=spec["sizes"][size] * EM, color=spec["palette"]["text"])


def target_vs_actual(spec):
    c, p = spec["body"], spec["palette"]
    groups = c["groups"]
    fig, ax = figure(spec, left=72, bottom=36)
    width = 0.38
    targets = [(i, g["target"]) for i, g in enumerate(groups) if g["target"] is not None]
    actuals = [(i, g["actual"]) for i, g in enumerate(groups) if g["actual"] is not None]
    handles = [
        ax.bar([i - width / 2 for i, _ in targets], [v for _, v in targets], width, color=p["target"],
               label="年度目标"),
        ax.bar([i + width / 2 for i, _ in actuals], [v for _, v in actuals], width, color=p["actual"],
               label="累计完成"),
    ]
    paces = [(i, g["pace"]) for i, g in enumerate(groups) if g["pace"] is not None]
    pace = ax.hlines([v for _, v in paces], [i - 0.5 for i, _ in paces], [i + 0.5 for i, _ in paces], colors=p["pace"],
                     linewidth=2 * PT, label="序时进度目标")
    handles.append(pace)
    for i, g in enumerate(groups):
        if g["completion_text"] is not None:
            top = max(v for v in (0.0, g["target"], g["actual"], g["pace"]) if v is not None)
            value_label(ax, spec, i, top, g["completion_text"], "value", dy=6)
    top = axis_max([v for g in groups for v in (g["target"], g["actual"], g["pace"])], 1.3)
    ax.set_xlim(-0.5, len(groups) - 0.5)
    ax.set_ylim(0, top)
    ax.set_xticks(range(len(groups)), [g["name"] for g in groups])
    ax.yaxis.set_major_formatter(StrMethodFormatter(f"{{x:.{min(c['decimals'], 2)}f}}"))
    ax.set_ylabel(c["axis"], fontsize=spec["sizes"]["label"] * EM)
    ax.grid(axis="y", color=p["grid"])
    legend(ax, spec, handles)
    return fig


def runs(values, year_starts):
    """As draw.rs: a missing quarter or a new year breaks the line."""
    out = [[]]
    for i, (v, starts) in enumerate(zip(values, year_starts)):
        if (starts or v is None) and out[-1]:
            out.append([])
        if v is not None:
            out[-1].append((i, v))
    return [r for r in out if r]


def trend(spec):
    c, p = spec["body"], spec["palette"]
    labels = c["labels"]
    fig, ax = figure(spec, left=72, bottom=36)
    series = [
        (c["last_year"], "上年同期累计", p["last_year"], 1, None),
        (c["target_path"], "目标进度", p["pace"], 2, (8 / 2, 6 / 2)),
        (c["actual"], "累计完成", p["actual"], 3, None),
    ]
    for values, name, colour, width, dashes in series:
        for k, run in enumerate(runs(values, c["year_starts"])):
            line = ax.plot([x for x, _ in run], [y for _, y in run], color=colour, linewidth=width * PT, marker="o",
                           markersize=6 * PT, label=name if k == 0 else None)[0]
            if dashes:
                line.set_dashes(dashes)
    for i, text in enumerate(c["actual_text"]):
        if text is not None:
            value_label(ax, spec, i, c["actual"][i], text, "note", dy=8)
    step = max(len(labels) // 12, 1)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.set_ylim(0, axis_max(c["actual"] + c["target_path"] + c["last_year"], 1.2))
    ax.set_xticks(range(len(labels)), [lab if i % step == 0 else "" for i, lab in enumerate(labels)])
    ax.yaxis.set_major_formatter(StrMethodFormatter(f"{{x:.{min(c['decimals'], 2)}f}}"))
    ax.set_ylabel(c["axis"], fontsize=spec["sizes"]["label"] * EM)
    ax.grid(axis="y", color=p["grid"])
    legend(ax, spec)
    return fig


def horizontal(spec, axis, names, bars, top, marks):
    """Horizontal bars, first row on top, a text right of each bar, optional red marks per row."""
    p = spec["palette"]
    longest = max([len(n) for n in names] or [2])
    fig, ax = figure(spec, left=min(longest * spec["sizes"]["label"] + 24, 260), bottom=40, right=30)
    n = len(names)
    rows = [n - 1 - i for i in range(n)]
    present = [(rows[i], v, colour) for i, (v, colour, _) in enumerate(bars) if v is not None]
    ax.barh([r for r, _, _ in present], [v for _, v, _ in present], height=0.6, color=[c for _, _, c in present])
    marked = [(rows[i], m) for i, m in enumerate(marks) if m is not None]
    if marked:
        ax.vlines([m for _, m in marked], [r - 0.5 for r, _ in marked], [r + 0.5 for r, _ in marked],
                  colors=p["pace"], linewidth=2 * PT)
    for i, (v, _, text) in enumerate(bars):
        value_label(ax, spec, v or 0.0, rows[i], text, "value", dx=6, ha="left", va="center")
    ax.set_ylim(-0.5, n - 0.5)
    ax.set_xlim(0, top)
    ax.set_yticks(rows, names)
    ax.set_xlabel(axis, fontsize=spec["sizes"]["label"] * EM)
    ax.grid(axis="x", color=p["grid"])
    return fig


def bars(spec):
    c = spec["body"]
    rows = c["rows"]
    top = axis_max([r["value"] for r in rows], 1.2)
    return horizontal(spec, c["axis"], [r["name"] for r in rows], [(r["value"], r["colour"], r["text"]) for r in rows],
                      top, [])


def progress(spec):
    c = spec["body"]
    rows = c["rows"]
    shares = [None if r["completion"] is None else 100 * r["completion"] for r in rows]
    top = axis_max(shares + [100.0], 1.3)
    return horizontal(spec, c["axis"], [r["name"] for r in rows],
                      [(s, r["colour"], r["text"]) for s, r in zip(shares, rows)], top,
                      [100 * r["expected"] for r in rows])


def scores(spec):
    c, p = spec["body"], spec["palette"]
    rows = c["rows"]
    fig, ax = figure(spec, left=60, bottom=36)
    x = range(len(rows))
    ax.bar(x, [r["total"] for r in rows], 0.64, color=[r["colour"] for r in rows])
    for i, r in enumerate(rows):
        value_label(ax, spec, i, max(r["total"], 0.0), r["text"], "value", dy=6)
    ax.set_xlim(-0.5, len(rows) - 0.5)
    ax.set_ylim(0, axis_max([r["total"] for r in rows], 1.2))
    ax.set_xticks(x, [r["name"] for r in rows])
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    ax.set_ylabel(c["axis"], fontsize=spec["sizes"]["label"] * EM)
    ax.grid(axis="y", color=p["grid"])
    used = {r["grade"] for r in rows}
    legend(ax, spec, [Patch(color=g["colour"], label=g["name"]) for i, g in enumerate(c["grades"]) if i in used])
    return fig


def no_data(spec):
    w, h = spec["width"], spec["height"]
    fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, facecolor="white")
    fig.text(0.5, 1 - spec["margin"] / h, spec["title"], ha="center", va="top", fontsize=title_size(spec) * EM)
    fig.text(0.5, 0.5, spec["no_data"], ha="center", va="center", fontsize=40 * EM, color=spec["palette"]["muted"])
    return fig


DRAW = {
    "target_vs_actual": target_vs_actual,
    "trend": trend,
    "bars": bars,
    "scores": scores,
    "progress": progress,
    "no_data": no_data,
}


def render(spec, fmt):
    """One full render, as timed: a new figure, drawn, saved into memory."""
    fig = DRAW[spec["body"]["type"]](spec)
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=DPI)
    return out.getvalue()


def median_ms(spec, fmt, repeat, warmup):
    for _ in range(warmup):
        render(spec, fmt)
    times = timeit.Timer(lambda: render(spec, fmt)).repeat(repeat=repeat, number=1)
    return 1000 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default="target/bench-charts", type=Path,
                        help="directory of <kind>.json written by `cargo bench --bench charts`")
    parser.add_argument("--repeat", type=int, default=30, help="timed renders per chart and format")
    parser.add_argument("--warmup", type=int, default=3, help="untimed renders first")
    parser.add_argument("--out", type=Path, help="also write each matplotlib picture here, to look at")
    parser.add_argument("--svg-fonttype", choices=["none", "path"], default="none")
    args = parser.parse_args()

    files = sorted(args.data.glob("*.json"))
    if not files:
        sys.exit(f"no chart data in {args.data}: run `cargo bench --bench charts` first")
    setup(args.svg_fonttype)
    for file in files:
        spec = json.loads(file.read_text(encoding="utf-8"))
        png = render(spec, "png")
        size = struct.unpack(">II", png[16:24])
        if size != (spec["width"], spec["height"]):
            sys.exit(f"{file.name}: matplotlib drew {size}, ours is {spec['width']}x{spec['height']}")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{spec['kind']}.mpl.png").write_bytes(png)
            (args.out / f"{spec['kind']}.mpl.svg").write_bytes(render(spec, "svg"))
        svg_ms = median_ms(spec, "svg", args.repeat, args.warmup)
        png_ms = median_ms(spec, "png", args.repeat, args.warmup)
        print(f"{spec['kind']}\t{svg_ms:.3f}\t{png_ms:.3f}", flush=True)


if __name__ == "__main__":
    main()
