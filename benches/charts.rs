//! Chart rendering: each kind to SVG and to PNG, on the demo data.
//! Run with `cargo bench --bench charts`, or `bench/charts.sh` to compare with matplotlib.
//!
//! Each chart's model is also written as JSON (labels, values, the texts drawn, colours, sizes) to
//! `$ZHIBIAO_CHART_DATA` (default `target/bench-charts/`), one `<kind>.json` each, so that
//! `bench/charts_matplotlib.py` draws exactly the same numbers; our SVG and PNG go beside them.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use plotters::style::RGBColor;
use serde_json::{Value, json};
use zhibiao::charts::model::{Body, Chart};
use zhibiao::charts::style::*;
use zhibiao::charts::{ChartSpec, Format, Kind, render, spec};
use zhibiao::domain::number::{fixed, share_percent};

fn charts(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let pool = zhibiao::store::open(&dir.path().join("bench.db")).unwrap();
    let conn = pool.get().unwrap();
    zhibiao::demo::load(&conn).unwrap();
    let cases: [(Kind, &[(&str, &str)]); 5] = [
        (Kind::TargetVsActual, &[("indicator", "rd_expenditure"), ("period", "2023Q4"), ("parent", "district")]),
        (
            Kind::Trend,
            &[("region", "district"), ("indicator", "patent_applications"), ("from", "2022Q1"), ("to", "2023Q4")],
        ),
        (Kind::Benchmarks, &[("region", "district"), ("indicator", "rd_share"), ("period", "2023")]),
        (Kind::Assessment, &[("year", "2023")]),
        (Kind::Progress, &[("region", "town-jia"), ("period", "2023Q3")]),
    ];
    zhibiao::charts::fonts::ensure().unwrap();
    let data_dir =
        std::env::var_os("ZHIBIAO_CHART_DATA").map_or_else(|| PathBuf::from("target/bench-charts"), PathBuf::from);
    std::fs::create_dir_all(&data_dir).unwrap();
    for (kind, params) in cases {
        let params = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let chart_spec: ChartSpec = spec::parse(kind, &params).unwrap();
        let chart = zhibiao::engine::charts::chart(&conn, &chart_spec, None).unwrap();
        let file = data_dir.join(kind.as_str());
        std::fs::write(file.with_extension("json"), serde_json::to_vec_pretty(&chart_json(kind, &chart)).unwrap())
            .unwrap();
        // Our pictures beside the numbers, to compare with matplotlib's by eye.
        std::fs::write(file.with_extension("svg"), render(&chart, Format::Svg).unwrap()).unwrap();
        std::fs::write(file.with_extension("png"), render(&chart, Format::Png).unwrap()).unwrap();
        let mut group = c.benchmark_group(kind.as_str());
        group.bench_function("svg", |b| b.iter(|| render(&chart, Format::Svg).unwrap()));
        group.bench_function("png", |b| b.iter(|| render(&chart, Format::Png).unwrap()));
        group.finish();
    }
}

fn hex(colour: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", colour.0, colour.1, colour.2)
}

/// The chart model as JSON, with the texts and colours `draw.rs` derives from it, so that another
/// plotting library draws the same picture without re-deriving anything.
fn chart_json(kind: Kind, chart: &Chart) -> Value {
    let body = match &chart.body {
        Body::NoData => json!({ "type": "no_data" }),
        Body::TargetVsActual(c) => json!({
            "type": "target_vs_actual",
            "axis": c.axis,
            "decimals": c.decimals,
            "groups": c.groups.iter().map(|g| json!({
                "name": g.name,
                "target": g.target,
                "actual": g.actual,
                "pace": g.pace,
                "completion": g.completion,
                "completion_text": g.completion.map(share_percent),
            })).collect::<Vec<_>>(),
        }),
        Body::Trend(c) => json!({
            "type": "trend",
            "axis": c.axis,
            "decimals": c.decimals,
            "labels": c.labels,
            "year_starts": c.year_starts,
            "actual": c.actual,
            "actual_text": c.actual.iter().map(|v| v.map(|v| fixed(v, c.decimals))).collect::<Vec<_>>(),
            "target_path": c.target_path,
            "last_year": c.last_year,
        }),
        Body::Bars(c) => json!({
            "type": "bars",
            "axis": c.axis,
            "decimals": c.decimals,
            "rows": c.rows.iter().map(|r| json!({
                "name": r.name,
                "value": r.value,
                "highlight": r.highlight,
                "colour": hex(if r.highlight { OURS } else { OTHERS }),
                "text": r.value.map_or_else(|| NO_DATA.to_string(), |v| fixed(v, c.decimals)),
            })).collect::<Vec<_>>(),
        }),
        Body::Scores(c) => json!({
            "type": "scores",
            "axis": "总分（分）",
            "grades": c.grades.iter().enumerate().map(|(i, name)| json!({
                "name": name,
                "colour": hex(grade_colour(i)),
            })).collect::<Vec<_>>(),
            "rows": c.rows.iter().map(|r| json!({
                "name": r.name,
                "total": r.total,
                "grade": r.grade,
                "colour": hex(r.grade.map_or(MUTED, grade_colour)),
                "text": format!("{:.2}", r.total),
            })).collect::<Vec<_>>(),
        }),
        Body::Progress(c) => json!({
            "type": "progress",
            "axis": "完成率（%）　红线：序时进度",
            "rows": c.rows.iter().map(|r| json!({
                "name": r.name,
                "completion": r.completion,
                "expected": r.expected,
                "status": r.status.as_str(),
                "colour": hex(status_colour(r.status)),
                "text": match r.completion {
                    Some(v) => format!("{}  {}", share_percent(v), r.status.label()),
                    None => r.status.label().to_string(),
                },
            })).collect::<Vec<_>>(),
        }),
        // drawn only inside the rectification report, never one of the compared kinds
        Body::TaskLights(_) => unreachable!("no chart kind draws tasks by light"),
        // drawn only on the three zeros board, never one of the compared kinds
        Body::ThreeZeros(_) => unreachable!("no chart kind draws the three zeros"),
    };
    json!({
        "kind": kind.as_str(),
        "title": chart.title,
        "width": WIDTH,
        "height": HEIGHT,
        "margin": MARGIN,
        "no_data": NO_DATA,
        "sizes": { "title": TITLE_SIZE, "label": LABEL_SIZE, "value": VALUE_SIZE, "note": NOTE_SIZE },
        "palette": {
            "text": hex(TEXT),
            "grid": hex(GRID),
            "target": hex(TARGET),
            "actual": hex(ACTUAL),
            "pace": hex(PACE),
            "last_year": hex(LAST_YEAR),
            "muted": hex(MUTED),
        },
        "body": body,
    })
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = charts
}
criterion_main!(benches);
