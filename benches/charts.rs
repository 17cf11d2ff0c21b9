//! Chart rendering: each kind to SVG and to PNG, on the demo data.
//! Run with `cargo bench --bench charts`; figures are in the README.

use criterion::{Criterion, criterion_group, criterion_main};
use zhibiao::charts::{ChartSpec, Format, Kind, render, spec};

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
    for (kind, params) in cases {
        let params = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let chart_spec: ChartSpec = spec::parse(kind, &params).unwrap();
        let chart = zhibiao::engine::charts::chart(&conn, &chart_spec, None).unwrap();
        c.bench_function(&format!("{}/svg", kind.as_str()), |b| b.iter(|| render(&chart, Format::Svg).unwrap()));
        c.bench_function(&format!("{}/png", kind.as_str()), |b| b.iter(|| render(&chart, Format::Png).unwrap()));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = charts
}
criterion_main!(benches);
