//! Province scale (BENCHMARKS.md), each figure beside its baseline from the same run:
//! - a 100,000-value CSV import (parse, check, write with audit, commit) against raw prepared-statement
//!   inserts of the same rows into the same SQLite file in one transaction;
//! - progress and series as the engine answers them (the HTTP figures are `bench/http.sh`'s);
//! - the 2025 assessment report of 1,449 counties × 30 indicators, HTML and XLSX.
//! - the assessment what-if of a county (SPEC §13) over the same year (`ONLY=what-if`).
//!
//! `cargo bench --bench province` generates the province (`zhibiao demo --scale province`) in a
//! temporary directory first; `ZHIBIAO_PROVINCE_DB=file` uses one made before (imports go into
//! copies; the file itself only gets its migrations and new data versions). `RUNS=n` sets the
//! repetitions (default 7), `ONLY=text` runs only what is named so. Prints a Markdown table of medians.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior, params};
use zhibiao::demo::province::{self, PROVINCE};
use zhibiao::domain::access::{Role, User};
use zhibiao::domain::{Period, Quarter, View};
use zhibiao::engine::cache::Answers;
use zhibiao::engine::progress::Scope;
use zhibiao::reports::Report;
use zhibiao::{engine, reports, store, transfer};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc; // as the binary

const IMPORT_VALUES: usize = 100_000;

struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
}

fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> Stats {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    Stats { median: times[times.len() / 2], min: times[0], max: times[times.len() - 1] }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// `ONLY=text` runs only the measurements whose name contains it (for profiling one of them).
fn wanted(what: &str) -> bool {
    std::env::var("ONLY").map_or(true, |only| what.contains(&only))
}

fn row(what: &str, s: &Stats, note: &str) {
    println!("| {what} | {} | {} | {} | {note} |", ms(s.median), ms(s.min), ms(s.max));
}

/// The province database: the given one, or a new one in `dir`.
fn province_db(dir: &Path) -> PathBuf {
    if let Some(path) = std::env::var_os("ZHIBIAO_PROVINCE_DB") {
        return PathBuf::from(path);
    }
    let path = dir.join("province.db");
    let pool = store::open(&path).unwrap();
    let mut conn = pool.get().unwrap();
    let start = Instant::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
    let figures = province::load(&tx).unwrap();
    tx.commit().unwrap();
    eprintln!("generated the province ({figures} figures) in {:.1} s", start.elapsed().as_secs_f64());
    path
}

/// A fresh copy of the province for a run that writes.
fn copy_of(source: &Path, dir: &Path) -> PathBuf {
    let path = dir.join("copy.db");
    let _ = std::fs::remove_file(&path);
    store::backup::backup(source, &path, true).unwrap();
    // on disk before the clock starts, so that no run pays for writing out the copy
    std::fs::File::open(&path).unwrap().sync_all().unwrap();
    path
}

/// 100,000 new figures of the counties for the first quarters of 2026, as a CSV file would bring them.
fn import_rows(conn: &Connection) -> Vec<(String, String, String, f64)> {
    let mut stmt = conn
        .prepare("SELECT region, indicator, value FROM observations WHERE year = ?1 AND quarter = ?2 ORDER BY region")
        .unwrap();
    let mut rows = Vec::with_capacity(IMPORT_VALUES);
    'quarters: for q in 1..=4 {
        let last_year: Vec<(String, String, f64)> = stmt
            .query_map(params![province::LAST_YEAR, q], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (region, indicator, value) in last_year {
            if rows.len() == IMPORT_VALUES {
                break 'quarters;
            }
            rows.push((region, indicator, format!("{}Q{q}", province::LAST_YEAR + 1), (value * 1.07).round()));
        }
    }
    assert_eq!(rows.len(), IMPORT_VALUES);
    rows
}

fn csv_of(rows: &[(String, String, String, f64)]) -> Vec<u8> {
    let mut out = String::from("region,indicator,period,value,comment\n");
    for (region, indicator, period, value) in rows {
        out.push_str(&format!("{region},{indicator},{period},{value},\n"));
    }
    out.into_bytes()
}

/// The baseline: the rows inserted with one prepared statement in one transaction, nothing else.
fn raw_insert(path: &Path, rows: &[(String, String, String, f64)]) {
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO observations (region, indicator, year, quarter, value, comment, submitted_by, submitted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, 'raw', '2026-11-26T00:00:00.000Z')",
            )
            .unwrap();
        for (region, indicator, period, value) in rows {
            let (year, quarter) = period.split_once('Q').unwrap();
            insert.execute(params![region, indicator, year.parse::<i32>().unwrap(), quarter, value]).unwrap();
        }
    }
    tx.commit().unwrap();
}

/// Ours: the bytes of a CSV file parsed, checked and written with audit entries, as `zhibiao import` does.
fn import(path: &Path, csv: &[u8]) -> usize {
    let pool = store::open(path).unwrap();
    let mut conn = pool.get().unwrap();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
    let parsed = transfer::parse(transfer::Format::Csv, csv).unwrap();
    let admin = User { id: 0, name: "bench".into(), role: Role::Admin, regions: vec![], departments: vec![] };
    let outcome =
        engine::imports::import(&tx, &admin, parsed, false, None, engine::current_quarter(), &mut |_| {}).unwrap();
    assert!(outcome.errors.is_empty(), "{:?}", &outcome.errors[..3.min(outcome.errors.len())]);
    tx.commit().unwrap();
    outcome.created
}

/// The import and its baseline, each run on a fresh copy of the province (copies not timed).
fn import_against_raw(source: &Path, dir: &Path, runs: usize) {
    let rows = import_rows(&Connection::open(source).unwrap());
    let csv = csv_of(&rows);
    let mut raw_times = Vec::new();
    let mut import_times = Vec::new();
    for _ in 0..runs.min(5) {
        let copy = copy_of(source, dir);
        raw_times.push(measure(1, || raw_insert(&copy, &rows)).median);
        let copy = copy_of(source, dir);
        import_times.push(measure(1, || assert_eq!(import(&copy, &csv), IMPORT_VALUES)).median);
    }
    let stats = |mut t: Vec<Duration>| {
        t.sort();
        Stats { median: t[t.len() / 2], min: t[0], max: t[t.len() - 1] }
    };
    let (raw, ours) = (stats(raw_times), stats(import_times));
    let rate = |d: Duration| IMPORT_VALUES as f64 / d.as_secs_f64();
    row("raw prepared inserts, 100,000 values, one transaction", &raw, &format!("{:.0} values/s", rate(raw.median)));
    row(
        "CSV import, 100,000 values (parse, check, write, audit, commit)",
        &ours,
        &format!("{:.0} values/s = {:.0}% of raw", rate(ours.median), 100.0 * rate(ours.median) / rate(raw.median)),
    );
}

fn main() {
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(7);
    let dir = tempfile::tempdir().unwrap();
    let source = province_db(dir.path());
    zhibiao::charts::fonts::ensure().unwrap();

    println!("| what | median ms | min ms | max ms | note |");
    println!("|---|---|---|---|---|");

    // Import against raw inserts: each run on a fresh copy, copies not timed.
    if wanted("import") {
        import_against_raw(&source, dir.path(), runs);
    }
    let pool = store::open(&source).unwrap();
    let conn = pool.get().unwrap();
    // Kept answers, as the server keeps them: lent to the engine while it answers.
    Arc::new(Answers::default()).lend(|| queries(&conn, runs));
}

/// Progress, series and the assessment, each computed and then kept.
fn queries(conn: &Connection, runs: usize) {
    let q4 = Quarter::new(province::LAST_YEAR, 4).unwrap();
    let q3 = Quarter::new(province::LAST_YEAR, 3).unwrap();
    let city = province::city_id(0);
    let progress_cases = [
        // Q3 carries the projection (three more years of figures, and the parents'); Q4 none
        ("progress: gdp, the 50 cities, 2025Q3", "gdp", q3, Scope::ChildrenOf(PROVINCE)),
        ("progress: gdp, the 50 cities, 2025Q4", "gdp", q4, Scope::ChildrenOf(PROVINCE)),
        ("progress: rd_share (derived), the 50 cities, 2025Q3", "rd_share", q3, Scope::ChildrenOf(PROVINCE)),
        ("progress: rd_share (derived), the 50 cities, 2025Q4", "rd_share", q4, Scope::ChildrenOf(PROVINCE)),
        ("progress: rd_expenditure, the 28 counties of a city", "rd_expenditure", q4, Scope::ChildrenOf(&city)),
        ("progress: rd_expenditure, the province", "rd_expenditure", q4, Scope::Region(PROVINCE)),
    ];
    for (what, indicator, quarter, scope) in progress_cases {
        let scope = || match scope {
            Scope::Region(r) => Scope::Region(r),
            Scope::ChildrenOf(p) => Scope::ChildrenOf(p),
        };
        if !wanted(what) {
            continue;
        }
        let cold =
            measure(runs * 3, || engine::progress::compute_for_indicator(conn, indicator, quarter, scope()).unwrap());
        row(what, &cold, "computed (as after any write)");
        let warm = measure(runs * 3, || engine::progress::for_indicator(conn, indicator, quarter, scope()).unwrap());
        row(what, &warm, "kept answer (no write since)");
    }
    let first = Period::Quarter(Quarter::new(province::FIRST_YEAR, 1).unwrap());
    let last = Period::Quarter(q4);
    let county = province::county_id(0, 0);
    let series_cases = [
        ("series: province rd_share ytd, 40 quarters", PROVINCE, "rd_share", View::Ytd),
        ("series: province gdp quarterly, 40 quarters", PROVINCE, "gdp", View::Quarter),
        ("series: a county's rd_share ytd, 40 quarters", county.as_str(), "rd_share", View::Ytd),
    ];
    for (what, region, indicator, view) in series_cases {
        if !wanted(what) {
            continue;
        }
        let cold = measure(runs * 3, || engine::series::compute(conn, region, indicator, view, first, last).unwrap());
        row(what, &cold, "computed (as after any write)");
        let warm = measure(runs * 3, || engine::series::series(conn, region, indicator, view, first, last).unwrap());
        row(what, &warm, "kept answer (no write since)");
    }
    register(conn, runs, q4);
    let year = province::LAST_YEAR;
    if wanted("assessment scores") {
        let s = measure(runs, || engine::assessments::compute(conn, year).unwrap());
        row("assessment scores (part of the reports below)", &s, "computed");
    }
    // What it takes for one county (SPEC §13): the inputs loaded and scored once, then each of the
    // 30 items searched, every candidate re-scoring only its item and recombining the totals.
    let county = province::county_id(0, 0);
    if wanted("what-if: ") {
        // the baseline: what every what-if starts from, the year loaded and scored once
        let s = measure(runs, || engine::assessments::compute(conn, year).unwrap());
        row("what-if: baseline, the assessment scored once", &s, "computed");
    }
    for goal in ["total:78", "grade:良好"] {
        let what = format!("what-if: {county} to {goal}, {year}, all counties × 30 items");
        if !wanted(&what) {
            continue;
        }
        let answer = engine::what_if::assessment(conn, year, &county, goal).unwrap();
        let reachable = answer.items.iter().filter(|i| i.reachable).count();
        let s = measure(runs, || engine::what_if::assessment(conn, year, &county, goal).unwrap());
        row(&what, &s, &format!("{reachable} of {} items reach it, each searched", answer.items.len()));
    }
    if wanted("assessment chart") {
        let spec = zhibiao::charts::ChartSpec::Assessment { year };
        let s = measure(runs, || {
            zhibiao::charts::render(&engine::charts::chart(conn, &spec, None).unwrap(), zhibiao::charts::Format::Svg)
        });
        row("assessment chart SVG, all counties (part of the reports below)", &s, "computed and drawn");
    }
    let report = || reports::assessment::build(conn, year).unwrap();
    // As after a write: the data version changes, so nothing kept in memory is used.
    let forget = || conn.execute_batch("UPDATE data_version SET version = random()").unwrap();
    for (what, format) in [("HTML", reports::Format::Html), ("XLSX", reports::Format::Xlsx)] {
        if !wanted(&format!("assessment report {what}")) {
            continue;
        }
        let regions = report().regions.len();
        let what = format!("assessment report {what}, {year}, {regions} counties × 30 indicators");
        let cold = measure(runs, || {
            forget();
            report().render(format).unwrap()
        });
        row(&what, &cold, "scored, built and rendered (as after any write)");
        let warm = measure(runs, || report().render(format).unwrap());
        row(&what, &warm, "built and rendered from the kept scores");
    }
}

/// Register indicators and the three zeros over the province's ~29,000 enterprises.
fn register(conn: &Connection, runs: usize, q4: Quarter) {
    let enterprises: i64 = conn.query_row("SELECT count(*) FROM enterprises", [], |r| r.get(0)).unwrap();
    let admin = User { id: 0, name: "bench".into(), role: Role::Admin, regions: vec![], departments: vec![] };
    let scope = || Scope::ChildrenOf(PROVINCE);
    let what = format!("register: scale_zero_patents progress, the 50 cities, 2025Q4 ({enterprises} enterprises)");
    if wanted(&what) {
        // As after a write to the register: its figures are counted again from every enterprise.
        let changed = || conn.execute_batch("UPDATE register_version SET version = random()").unwrap();
        let recounted = measure(runs, || {
            changed();
            engine::progress::compute_for_indicator(conn, "scale_zero_patents", q4, scope()).unwrap()
        });
        row(&what, &recounted, "register counted again (as after a change of an enterprise)");
        let computed = measure(runs * 3, || {
            engine::progress::compute_for_indicator(conn, "scale_zero_patents", q4, scope()).unwrap()
        });
        row(&what, &computed, "computed, the register's counts kept (as after any other write)");
        let warm =
            measure(runs * 3, || engine::progress::for_indicator(conn, "scale_zero_patents", q4, scope()).unwrap());
        row(&what, &warm, "kept answer (no write since)");
    }
    let what = format!("register: three zeros board, the province, 2025Q4 vs 2025Q3 ({enterprises} enterprises)");
    if wanted(&what) {
        let board =
            measure(runs, || engine::enterprises::three_zeros(conn, &admin, Period::Quarter(q4), None).unwrap());
        row(&what, &board, "read and checked against the three rules, every enterprise named");
    }
}
