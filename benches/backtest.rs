//! Where the year will end, checked against history (SPEC §13, issue 17; BENCHMARKS.md): every
//! reporting region's year-to-date and quarterly indicators, every year with a whole-year figure
//! and at least one year before it, projected from its Q1, Q2 and Q3 year to date by the seasonal
//! shares of the up to three years before and by the linear pace (`domain::projection::backtest`),
//! against the year it turned out to be. The figures are the engine's (`World::calculator`, as
//! `/series` and `/progress` give them).
//!
//! `ZHIBIAO_DEMO_DB=file` (made by `zhibiao demo --db file`) and `ZHIBIAO_PROVINCE_DB=file`
//! (`zhibiao demo --scale province --db file`) name the databases; one not named is generated in a
//! temporary directory first (`cargo bench --bench backtest` alone makes both). The files get only their migrations. Prints Markdown tables: MAPE seasonal
//! against linear by quarter, by indicator, by how far the pattern is from linear, and by how many
//! years the pattern had.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{Connection, TransactionBehavior};
use zhibiao::domain::projection::{Backtested, ProjectionMethod, YearOfHistory, backtest, mape};
use zhibiao::domain::{Frequency, Mode, Quarter, Span};
use zhibiao::{demo, engine, store};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc; // as the binary

/// One region's indicator, backtested.
struct Series {
    indicator: String,
    mode: Mode,
    points: Vec<Backtested>,
}

/// The database named by `var`, or a new one in `dir` made by `load`.
fn database(var: &str, dir: &Path, name: &str, load: fn(&Connection)) -> PathBuf {
    if let Some(path) = std::env::var_os(var) {
        return PathBuf::from(path);
    }
    let path = dir.join(name);
    let pool = store::open(&path).unwrap();
    let mut conn = pool.get().unwrap();
    let start = Instant::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
    load(&tx);
    tx.commit().unwrap();
    eprintln!("generated {name} in {:.1} s", start.elapsed().as_secs_f64());
    path
}

/// Every (reporting region, year-to-date or quarterly indicator) of the database, backtested.
fn backtest_all(conn: &Connection) -> (Vec<Series>, i32, i32) {
    let world = engine::world(conn).unwrap();
    let (first, last): (i32, i32) =
        conn.query_row("SELECT min(year), max(year) FROM observations", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    let regions: Vec<&str> = world.tree.reporting_regions().into_iter().map(|r| r.id.as_str()).collect();
    let indicators: Vec<_> = world
        .indicators
        .in_display_order()
        .into_iter()
        .filter(|i| matches!(i.mode, Mode::Ytd | Mode::Quarter) && i.frequency == Frequency::Quarterly)
        .collect();
    let codes: Vec<&str> = indicators.iter().map(|i| i.code.as_str()).collect();
    let observations = world.observations(conn, &regions, &codes, first, last).unwrap();
    let calc = world.calculator(&observations);
    let figure = |r: &str, c: &str, span| calc.figure(r, c, span).value;
    let mut out = Vec::new();
    for region in &regions {
        for ind in indicators.iter().filter(|i| i.reported_by(&world.tree, region)) {
            let code = ind.code.as_str();
            let history: Vec<YearOfHistory> = (first..=last)
                .map(|year| YearOfHistory {
                    year,
                    ytd: [1, 2, 3].map(|q| Quarter::new(year, q).and_then(|q| figure(region, code, Span::Ytd(q)))),
                    annual: figure(region, code, Span::Annual(year)),
                })
                .collect();
            let points = backtest(&history);
            if !points.is_empty() {
                out.push(Series { indicator: code.to_string(), mode: ind.mode, points });
            }
        }
    }
    (out, first, last)
}

fn pct(x: f64) -> String {
    format!("{x:.1}%")
}

/// How many (seasonal, linear) pairs seasonal was closer in, tied, or farther.
fn closer(points: &[&Backtested]) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for pair in points.chunks(2) {
        let (s, l) = (pair[0].error, pair[1].error);
        if (s - l).abs() < 1e-9 {
            counts.1 += 1;
        } else if s < l {
            counts.0 += 1;
        } else {
            counts.2 += 1;
        }
    }
    counts
}

/// One row: projections (pairs), seasonal MAPE, linear MAPE, and which was closer how often.
fn row(what: &str, points: &[&Backtested]) {
    if points.is_empty() {
        return;
    }
    let owned: Vec<Backtested> = points.iter().map(|p| **p).collect();
    let mean = |method| {
        let e: Vec<f64> = owned.iter().filter(|p| p.method == method).map(|p| p.error).collect();
        e.iter().sum::<f64>() / e.len() as f64
    };
    let (s, l) = (mean(ProjectionMethod::Seasonal), mean(ProjectionMethod::Linear));
    let (better, tie, worse) = closer(points);
    let verdict = if s < l {
        "seasonal"
    } else if s > l {
        "**linear**"
    } else {
        "equal"
    };
    println!("| {what} | {} | {} | {} | {verdict} | {better} / {tie} / {worse} |", points.len() / 2, pct(s), pct(l));
}

fn header(first: &str) {
    println!(
        "| {first} | projections | seasonal MAPE | linear MAPE | better | seasonal closer / tie / linear closer |"
    );
    println!("|---|---|---|---|---|---|");
}

fn report(name: &str, path: &Path) {
    let pool = store::open(path).unwrap();
    let conn = pool.get().unwrap();
    let start = Instant::now();
    let (series, first, last) = backtest_all(&conn);
    let took = start.elapsed();
    let all: Vec<&Backtested> = series.iter().flat_map(|s| &s.points).collect();
    let years: Vec<i32> = {
        let mut y: Vec<i32> = all.iter().map(|p| p.year).collect();
        y.sort();
        y.dedup();
        y
    };
    println!("\n## {name}: {}\n", path.display());
    println!(
        "Figures {first}–{last}; {} series (reporting region × year-to-date or quarterly indicator) with a \
         testable year; years tested: {}; read and backtested in {:.2} s.\n",
        series.len(),
        years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "),
        took.as_secs_f64()
    );
    let summary = mape(&all.iter().map(|p| **p).collect::<Vec<_>>());
    println!("MAPE by quarter (`domain::projection::mape`):\n");
    header("quarter");
    for q in 1..=3u8 {
        let at: Vec<&Backtested> = all.iter().copied().filter(|p| p.q == q).collect();
        let m = |method| summary.iter().find(|m| m.q == q && m.method == method).expect("both methods at each quarter");
        let (s, l) = (m(ProjectionMethod::Seasonal), m(ProjectionMethod::Linear));
        assert_eq!(s.count, l.count);
        assert_eq!(s.count, at.len() / 2);
        row(&format!("Q{q}"), &at);
    }
    row("all", &all);

    println!("\nBy indicator, all quarters:\n");
    header("indicator (mode)");
    let mut codes: Vec<(&str, Mode)> = Vec::new();
    for s in &series {
        if !codes.iter().any(|(c, _)| *c == s.indicator) {
            codes.push((&s.indicator, s.mode));
        }
    }
    for (code, mode) in &codes {
        let of: Vec<&Backtested> = series.iter().filter(|s| s.indicator == *code).flat_map(|s| &s.points).collect();
        row(&format!("{code} ({})", mode.as_str()), &of);
        for q in 1..=3u8 {
            let at: Vec<&Backtested> = of.iter().copied().filter(|p| p.q == q).collect();
            row(&format!("… Q{q}"), &at);
        }
    }

    println!("\nBy how far the seasonal share is from q/4 (|s̄ ÷ (q/4) − 1|), all quarters:\n");
    header("pattern off linear by");
    let bands = [(0.0, 0.02, "< 2%"), (0.02, 0.05, "2–5%"), (0.05, 0.10, "5–10%"), (0.10, f64::MAX, "≥ 10%")];
    for (lo, hi, label) in bands {
        let in_band: Vec<&Backtested> = all
            .chunks(2)
            .filter(|pair| {
                let off = (pair[0].share / pair[1].share - 1.0).abs();
                off >= lo && off < hi
            })
            .flatten()
            .copied()
            .collect();
        row(label, &in_band);
    }

    println!("\nBy how many years before gave the pattern, all quarters:\n");
    header("years of pattern");
    for n in 1..=3 {
        let with: Vec<&Backtested> = all.iter().copied().filter(|p| p.years == n).collect();
        row(&n.to_string(), &with);
    }

    let losing: Vec<&Series> = series
        .iter()
        .filter(|s| {
            let e = |m| s.points.iter().filter(|p| p.method == m).map(|p| p.error).sum::<f64>();
            e(ProjectionMethod::Seasonal) > e(ProjectionMethod::Linear) + 1e-9
        })
        .collect();
    println!(
        "\nSeries (region × indicator) where seasonal's MAPE over all its tested quarters is above linear's: {} of {}.",
        losing.len(),
        series.len()
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let demo_db = database("ZHIBIAO_DEMO_DB", dir.path(), "demo.db", |conn| demo::load(conn).unwrap());
    let province_db = database("ZHIBIAO_PROVINCE_DB", dir.path(), "province.db", |conn| {
        demo::province::load(conn).unwrap();
    });
    println!("# Backtest of the projection: seasonal (up to three years before) against linear (q/4)");
    report("demo", &demo_db);
    report("province", &province_db);
}
