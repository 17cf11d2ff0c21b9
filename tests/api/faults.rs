//! Faults (reliability): the real binary killed with SIGKILL in the middle of an
//! import and stopped with SIGTERM in the middle of a request; many writers at once; online
//! backups taken while the server writes, and restored.
//!
//! The figures each test measures are printed on standard error (`cargo test -- --nocapture`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::helpers::{assert_figures, spawn_app};
use zhibiao::app::{AppState, Limits};
use zhibiao::domain::access::{Role, User};
use zhibiao::domain::{Direction, Frequency, Indicator, IndicatorCode, Mode, Region, RegionId, RegionKind};

const BIN: &str = env!("CARGO_BIN_EXE_zhibiao");

// ---------------------------------------------------------------------------------------------
// A generated world, files of figures for it, and what a database file holds
// ---------------------------------------------------------------------------------------------

/// The demo, plus `towns` towns under the district and `indicators` quarterly indicators, so
/// that any file of towns × indicators × quarters is valid. Returns an admin's token.
fn generated_world(db: &Path, towns: usize, indicators: usize) -> String {
    let pool = zhibiao::store::open(db).unwrap();
    let mut conn = pool.get().unwrap();
    let tx = conn.transaction().unwrap();
    zhibiao::demo::load(&tx).unwrap();
    let admin = User { id: 0, name: "test".into(), role: Role::Admin, regions: vec![], departments: vec![] };
    for t in 0..towns {
        let region = Region {
            id: RegionId::parse(&town(t)).unwrap(),
            name: format!("生成镇{t}"),
            kind: RegionKind::Town,
            parent: Some(RegionId::parse("district").unwrap()),
            group: None,
            sort: 100 + t as i64,
            iso3: None,
        };
        zhibiao::engine::regions::create(&tx, &admin, region).unwrap();
    }
    for i in 0..indicators {
        let indicator = Indicator {
            code: IndicatorCode::parse(&indicator(i)).unwrap(),
            name: format!("生成指标{i}"),
            unit: "件".into(),
            decimals: 2,
            direction: Direction::Higher,
            mode: Mode::Quarter,
            formula: None,
            allow_negative: false,
            sort: 100 + i as i64,
            frequency: Frequency::Quarterly,
            regions: None,
            rule: None,
        };
        zhibiao::engine::indicators::create(&tx, &admin, indicator).unwrap();
    }
    let token = zhibiao::engine::users::add(&tx, "test", "importer", Role::Admin, &[]).unwrap();
    tx.commit().unwrap();
    token
}

fn town(t: usize) -> String {
    format!("gen-town-{t:04}")
}

fn indicator(i: usize) -> String {
    format!("gen_{i:02}")
}

/// Quarters 2019Q1 onwards, `n` of them.
fn quarters(n: usize) -> Vec<String> {
    (0..n).map(|k| format!("{}Q{}", 2019 + k / 4, k % 4 + 1)).collect()
}

/// A CSV file of every town × quarter × indicator of the generated world, and the sum of its values.
fn figures_csv(towns: usize, indicators: usize, quarters: &[String]) -> (String, f64) {
    let mut out = String::from("region,indicator,period,value\n");
    let mut sum = 0.0;
    for t in 0..towns {
        for (k, q) in quarters.iter().enumerate() {
            for i in 0..indicators {
                let value = ((t * 7 + i * 13 + k * 3) % 900) as f64 + 1.25;
                sum += value;
                out.push_str(&format!("{},{},{q},{value}\n", town(t), indicator(i)));
            }
        }
    }
    (out, sum)
}

/// `PRAGMA integrity_check` of a database file, opened as a restarted server would.
fn integrity(db: &Path) -> String {
    let conn = Connection::open(db).unwrap();
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.join("; ")
}

/// What a database file holds of the generated towns: (figures, their sum, audit entries),
/// and the figures of the demo's own regions.
#[derive(Debug, PartialEq)]
struct Holdings {
    generated: i64,
    generated_sum: f64,
    generated_audit: i64,
    others: i64,
}

fn holdings(db: &Path) -> Holdings {
    let conn = Connection::open(db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    Holdings {
        generated: count("SELECT count(*) FROM observations WHERE region LIKE 'gen-town-%'"),
        generated_sum: conn
            .query_row("SELECT coalesce(sum(value), 0) FROM observations WHERE region LIKE 'gen-town-%'", [], |r| {
                r.get(0)
            })
            .unwrap(),
        generated_audit: count("SELECT count(*) FROM audit WHERE entity = 'value' AND region LIKE 'gen-town-%'"),
        others: count("SELECT count(*) FROM observations WHERE region NOT LIKE 'gen-town-%'"),
    }
}

fn wal_size(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).map_or(0, |m| m.len())
}

/// How long any wait below may last before the test gives up: a guard against a hang, not a
/// measure of speed (no test asserts how fast anything is; a debug build on a loaded machine is slow).
const HANG: Duration = Duration::from_secs(300);

/// Polls `ready` every few milliseconds until it gives an answer; panics, saying what did not
/// happen, after [`HANG`].
fn wait_until<T>(what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(answer) = ready() {
            return answer;
        }
        assert!(start.elapsed() < HANG, "{what}: not within {HANG:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// [`wait_until`] for the async tests: sleeps without holding up the runtime.
async fn wait_until_async<T>(what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(answer) = ready() {
            return answer;
        }
        assert!(start.elapsed() < HANG, "{what}: not within {HANG:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Waits until `db`'s WAL holds more than `bytes`, or `child` has ended; true in the first case.
fn wait_for_wal(db: &Path, bytes: u64, child: &mut Child) -> bool {
    wait_until(&format!("the WAL of {} passing {bytes} bytes or the process ending", db.display()), || {
        if wal_size(db) > bytes { Some(true) } else { child.try_wait().unwrap().map(|_| false) }
    })
}

fn wait_with_limit(child: &mut Child) -> ExitStatus {
    wait_until("the process ending", || child.try_wait().unwrap())
}

// ---------------------------------------------------------------------------------------------
// kill -9 during an import
// ---------------------------------------------------------------------------------------------

const IMPORT_TOWNS: usize = 100;
const IMPORT_INDICATORS: usize = 50;
const IMPORT_QUARTERS: usize = 20;
const IMPORT_ROWS: i64 = (IMPORT_TOWNS * IMPORT_INDICATORS * IMPORT_QUARTERS) as i64;

fn import_command(db: &Path, file: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.arg("import").arg("--db").arg(db).arg(file).stdout(Stdio::piped()).stderr(Stdio::null());
    command
}

#[test]
fn an_import_killed_with_sigkill_leaves_all_its_rows_or_none_and_a_sound_database() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.db");
    generated_world(&base, IMPORT_TOWNS, IMPORT_INDICATORS);
    let before = holdings(&base);
    assert_eq!((before.generated, before.generated_audit), (0, 0));
    assert!(before.others > 0, "the demo's figures are there");
    let (csv, sum) = figures_csv(IMPORT_TOWNS, IMPORT_INDICATORS, &quarters(IMPORT_QUARTERS));
    let file = dir.path().join("figures.csv");
    std::fs::write(&file, csv).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count() as i64, IMPORT_ROWS + 1);

    // A first import runs to its end on a copy: the rows are valid, and its WAL's peak is how
    // much an import of this file writes before its commit.
    let whole = dir.path().join("whole.db");
    std::fs::copy(&base, &whole).unwrap();
    let start = Instant::now();
    let mut child = import_command(&whole, &file).spawn().unwrap();
    let mut peak = 0;
    let status = wait_until("the whole import ending", || {
        peak = peak.max(wal_size(&whole));
        child.try_wait().unwrap()
    });
    let took = start.elapsed();
    assert!(status.success(), "{status}");
    let done = holdings(&whole);
    eprintln!("a whole import of {IMPORT_ROWS} rows: {took:?}, {peak} bytes of WAL at its peak");
    assert_eq!((done.generated, done.generated_audit, done.others), (IMPORT_ROWS, IMPORT_ROWS, before.others));
    assert!((done.generated_sum - sum).abs() < 1e-6 * sum, "{} vs {sum}", done.generated_sum);

    // Then the same import is killed half-way through its writes: when its uncommitted
    // transaction has spilled half that much into the WAL. Should one finish before that (its
    // WAL grew past half between two looks), the next try waits for a quarter.
    let mut killed = None;
    for (attempt, threshold) in [peak / 2, peak / 4].into_iter().enumerate() {
        let db = dir.path().join(format!("killed-{attempt}.db"));
        std::fs::copy(&base, &db).unwrap();
        assert_eq!(wal_size(&db), 0, "the copy starts without a WAL");
        let start = Instant::now();
        let mut child = import_command(&db, &file).spawn().unwrap();
        if !wait_for_wal(&db, threshold, &mut child) {
            let status = child.wait().unwrap();
            eprintln!("the import ended ({status}) before its WAL passed {threshold} bytes; trying again");
            continue;
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        // A killed process writes nothing more: the WAL's size now is its size at the kill.
        let wal = wal_size(&db);
        killed = Some((db, start.elapsed(), wal, status));
        break;
    }
    let (db, after, wal, status) = killed.expect("an import was killed while writing");
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "killed, not ended: {status}");
    // The kill came after the import had written a quarter of its rows into the WAL, at least:
    // not before it wrote anything, when there is nothing to lose.
    assert!(wal >= peak / 4, "{wal} bytes of WAL at the kill, of {peak} for the whole import");

    // Opening the file is what a restart does: SQLite ignores the WAL's uncommitted frames.
    let check = integrity(&db);
    let now = holdings(&db);
    eprintln!(
        "kill -9 after {after:?}, {wal} bytes of WAL written (of {peak}: about {} rows): {} of {IMPORT_ROWS} rows \
         and {} audit entries remain; integrity_check: {check}",
        IMPORT_ROWS * wal as i64 / peak as i64,
        now.generated,
        now.generated_audit
    );
    assert_eq!(check, "ok");
    assert!(now.generated == 0 || now.generated == IMPORT_ROWS, "{now:?}");
    if wal < peak * 9 / 10 {
        // far from its commit, which is the last thing an import writes
        assert_eq!(now.generated, 0, "an import killed with {wal} of {peak} bytes written left rows behind");
    }
    assert_eq!(now.generated_audit, now.generated, "every figure stored has its audit entry, and no other");
    assert_eq!(now.others, before.others, "nothing committed before is lost");

    // After the restart the file imports whole.
    let output = import_command(&db, &file).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(holdings(&db), done);
    assert_eq!(integrity(&db), "ok");
}

// ---------------------------------------------------------------------------------------------
// The real server as a process
// ---------------------------------------------------------------------------------------------

/// `zhibiao serve` on a database file and a free port; killed when dropped, if still running.
/// Its log says when each request starts (`tower_http` at debug), so that a test can tell that
/// one is in flight.
struct Served {
    child: Child,
    base: String,
    log: PathBuf,
}

fn serve(db: &Path) -> Served {
    let log = db.with_extension("log");
    let charts = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
    let mut child = Command::new(BIN)
        .arg("serve")
        .arg("--db")
        .arg(db)
        .args(["--addr", "127.0.0.1:0", "--charts"])
        .arg(charts)
        .env("RUST_LOG", "info,tower_http=debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("zhibiao listening on ").map(str::to_string))
        .unwrap_or_else(|| panic!("the server did not start: {}", std::fs::read_to_string(&log).unwrap_or_default()));
    // Whatever else it prints is read, so that no write of the server meets a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Served { child, base, log }
}

impl Served {
    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> Value {
    let response = client.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.json().await.unwrap()
}

fn points(series: &Value) -> Vec<Option<f64>> {
    series["points"].as_array().unwrap().iter().map(|p| p["value"].as_f64()).collect()
}

// ---------------------------------------------------------------------------------------------
// SIGTERM during a request
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_import_in_flight_finish_and_the_server_exit_cleanly() {
    const TOWNS: usize = 50;
    const INDICATORS: usize = 50;
    const ROWS: i64 = (TOWNS * INDICATORS * IMPORT_QUARTERS) as i64;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("served.db");
    let token = generated_world(&db, TOWNS, INDICATORS);
    let (csv, sum) = figures_csv(TOWNS, INDICATORS, &quarters(IMPORT_QUARTERS));
    let server = serve(&db);

    // The signal must reach the server while the import is in flight, and not after it has
    // answered: the test holds the write lock from another connection, so that the import, once
    // the server has it, can go no further than waiting for its turn (for up to the busy timeout
    // of 10 s) until the signal has been received.
    let lock = Connection::open(&db).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let url = format!("{}/api/v1/imports", server.base);
    let start = Instant::now();
    let request = tokio::spawn(async move {
        let response = reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json::<Value>().await.unwrap(), start.elapsed())
    });
    let started =
        |log: String| log.lines().any(|l| l.contains("/api/v1/imports") && l.contains("started processing request"));
    wait_until_async("the server starting on the import", || started(server.log()).then_some(())).await;
    assert!(!request.is_finished(), "the import was answered before it could be interrupted");
    let signalled = start.elapsed();
    let kill = Command::new("kill").args(["-TERM", &server.pid()]).status().unwrap();
    assert!(kill.success());
    wait_until_async("the server receiving SIGTERM", || server.log().contains("shutting down").then_some(())).await;
    assert!(!request.is_finished(), "the import is still in flight when the server has the signal");
    assert_eq!(holdings(&db).generated, 0, "nothing of the import is stored yet");
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);

    let (status, body, answered) = request.await.unwrap();
    let mut server = server;
    let exit = tokio::task::spawn_blocking(move || {
        let status = wait_with_limit(&mut server.child);
        (status, start.elapsed(), server.log())
    });
    let (exit, exited, log) = exit.await.unwrap();
    eprintln!(
        "SIGTERM {signalled:?} after the import of {ROWS} rows was sent; answered {status} at {answered:?}; \
         the server exited ({exit}) at {exited:?}"
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], json!(ROWS), "{body}");
    assert!(exit.success(), "{exit}: {log}");
    assert!(log.contains("shutting down"), "{log}");
    assert_eq!(integrity(&db), "ok");
    let held = holdings(&db);
    assert_eq!((held.generated, held.generated_audit), (ROWS, ROWS));
    assert!((held.generated_sum - sum).abs() < 1e-6 * sum);
}

// ---------------------------------------------------------------------------------------------
// Many writers at once
// ---------------------------------------------------------------------------------------------

const SUBMITTERS: usize = 50;
const SUBMITTED_QUARTERS: u8 = 4;
const SUBMITTED_INDICATORS: [&str; 5] =
    ["gdp", "rd_expenditure", "patent_applications", "talents_introduced", "large_enterprises"];

/// The figures submitter `s` writes for one quarter: year-to-date ones grow, and no two
/// submitters write the same number.
fn submitted(s: usize, q: u8) -> Vec<(&'static str, f64)> {
    let base = (s * 1000) as f64;
    let q = f64::from(q);
    vec![
        ("gdp", base + 100.0 * q + 0.25),
        ("rd_expenditure", base + 2.0 * q + 0.5),
        ("patent_applications", base + 10.0 * q),
        ("talents_introduced", base + q),
        ("large_enterprises", base + 7.0),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_submitters_lose_no_figure_and_no_audit_entry() {
    let app = spawn_app().await.with_small_world().await;
    let mut tokens = Vec::new();
    for s in 0..SUBMITTERS {
        let id = format!("sub-{s:02}");
        let region =
            json!({"id": id, "name": format!("第{s}镇"), "kind": "town", "parent": "district", "sort": 10 + s});
        assert_eq!(app.post_region(region).await.status, StatusCode::CREATED);
        tokens.push(app.add_user(&format!("stat-{s:02}"), Role::Statistician, &[&id]));
    }
    let app = std::sync::Arc::new(app);

    let start = Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(s, token)| {
            let app = app.clone();
            tokio::spawn(async move {
                let region = format!("sub-{s:02}");
                let mut statuses = Vec::new();
                for q in 1..=SUBMITTED_QUARTERS {
                    let answer = app.put_values(&token, &region, &format!("2023Q{q}"), &submitted(s, q)).await;
                    statuses.push((answer.status, answer.body["stored"].as_u64()));
                }
                statuses
            })
        })
        .collect();
    let mut requests = 0;
    for task in tasks {
        for (status, stored) in task.await.unwrap() {
            assert_eq!((status, stored), (StatusCode::OK, Some(SUBMITTED_INDICATORS.len() as u64)));
            requests += 1;
        }
    }
    let took = start.elapsed();

    let mut figures = 0;
    let mut entries = 0;
    for s in 0..SUBMITTERS {
        let region = format!("sub-{s:02}");
        for q in 1..=SUBMITTED_QUARTERS {
            let stored = app.get_as_admin(&format!("/api/v1/values?region={region}&period=2023Q{q}")).await;
            assert_eq!(stored.status, StatusCode::OK);
            for (indicator, value) in submitted(s, q) {
                let found = stored.body.as_array().unwrap().iter().find(|v| v["indicator"] == indicator);
                assert_eq!(found.map(|v| v["value"].as_f64()), Some(Some(value)), "{region} {indicator} 2023Q{q}");
                figures += 1;
            }
        }
        let audit = app.get_as_admin(&format!("/api/v1/audit?region={region}&limit=1000")).await;
        let mut logged: Vec<(String, String, f64)> = audit
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entity"] == "value")
            .map(|e| {
                assert_eq!((e["action"].as_str(), &e["old"]), (Some("create"), &Value::Null), "{e}");
                let (period, indicator) = (e["period"].as_str().unwrap(), e["indicator"].as_str().unwrap());
                (period.to_string(), indicator.to_string(), e["new"]["value"].as_f64().unwrap())
            })
            .collect();
        logged.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let mut want: Vec<(String, String, f64)> = (1..=SUBMITTED_QUARTERS)
            .flat_map(|q| submitted(s, q).into_iter().map(move |(i, v)| (format!("2023Q{q}"), i.to_string(), v)))
            .collect();
        want.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        assert_eq!(logged, want, "{region}");
        entries += logged.len();
    }
    eprintln!(
        "{SUBMITTERS} submitters: {requests} concurrent PUT /values of {figures} figures in {took:?}; \
         {figures} figures and {entries} audit entries read back"
    );
    assert_eq!((figures, entries), (SUBMITTERS * 20, SUBMITTERS * 20));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_sent_during_a_large_import_wait_for_it_and_are_all_stored() {
    const TOWNS: usize = 50;
    const INDICATORS: usize = 50;
    const WRITERS: usize = 20;
    let app = spawn_app().await;
    let db = PathBuf::from(app.pool.get().unwrap().path().unwrap());
    let token = generated_world(&db, TOWNS, INDICATORS);
    let (csv, _) = figures_csv(TOWNS, INDICATORS, &quarters(IMPORT_QUARTERS));
    let rows = csv.lines().count() - 1;
    let app = std::sync::Arc::new(app);
    let wal_at_start = wal_size(&db);

    let start = Instant::now();
    let import = {
        let app = app.clone();
        tokio::spawn(async move {
            let response = app
                .client
                .post(format!("{}/api/v1/imports", app.base))
                .bearer_auth(token)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap();
            (response.status(), response.json::<Value>().await.unwrap(), start.elapsed())
        })
    };
    // The writers start once the import holds the write lock and is writing.
    wait_until_async("the import writing a megabyte", || {
        assert!(!import.is_finished(), "the import finished before the writers started");
        (wal_size(&db) >= wal_at_start + (1 << 20)).then_some(())
    })
    .await;
    let writers_start = start.elapsed();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let app = app.clone();
            tokio::spawn(async move {
                let answer = app.put_values(&app.admin, &town(w), "2024Q1", &[(&indicator(0), w as f64 + 0.5)]).await;
                (answer.status, start.elapsed())
            })
        })
        .collect();
    let mut last_write = Duration::ZERO;
    for writer in writers {
        let (status, at) = writer.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        last_write = last_write.max(at);
    }
    let (status, body, imported) = import.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], json!(rows));
    eprintln!(
        "{WRITERS} writes sent {writers_start:?} into an import of {rows} rows that ended at {imported:?}: \
         all stored, the last at {last_write:?}"
    );
    for w in 0..WRITERS {
        let path = format!("/api/v1/values?region={}&period=2024Q1&indicator={}", town(w), indicator(0));
        let stored = app.get_as_admin(&path).await;
        assert_eq!(stored.body[0]["value"].as_f64(), Some(w as f64 + 0.5), "{}", town(w));
    }
    let held = holdings(&db);
    assert_eq!((held.generated, held.generated_audit), (rows as i64 + WRITERS as i64, rows as i64 + WRITERS as i64));
}

const SAME_CELL_WRITERS: usize = 30;
const WRITES_EACH: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_to_one_figure_are_all_audited_in_the_order_they_were_stored() {
    let app = std::sync::Arc::new(spawn_app().await.with_small_world().await);
    let start = Instant::now();
    let tasks: Vec<_> = (0..SAME_CELL_WRITERS)
        .map(|w| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for k in 0..WRITES_EACH {
                    let value = (1000 * (k + 1) + w) as f64;
                    let answer = app.put_values(&app.admin, "town-a", "2023Q1", &[("gdp", value)]).await;
                    statuses.push(answer.status);
                }
                statuses
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), vec![StatusCode::OK; WRITES_EACH]);
    }
    let took = start.elapsed();

    let audit = app.get_as_admin("/api/v1/audit?region=town-a&indicator=gdp&period=2023Q1&limit=1000").await;
    let mut entries: Vec<Value> = audit.body.as_array().unwrap().clone();
    entries.reverse(); // oldest first
    let news: Vec<f64> = entries.iter().map(|e| e["new"]["value"].as_f64().unwrap()).collect();
    let mut written: Vec<f64> = news.clone();
    written.sort_by(f64::total_cmp);
    let mut want: Vec<f64> =
        (0..SAME_CELL_WRITERS).flat_map(|w| (0..WRITES_EACH).map(move |k| (1000 * (k + 1) + w) as f64)).collect();
    want.sort_by(f64::total_cmp);
    assert_eq!(written, want, "every write is in the audit, once");
    assert_eq!((entries[0]["action"].as_str(), &entries[0]["old"]), (Some("create"), &Value::Null));
    for pair in entries.windows(2) {
        assert_eq!(pair[1]["action"], "update");
        assert_eq!(pair[1]["old"]["value"], pair[0]["new"]["value"], "each write replaces the one before it");
    }
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1&indicator=gdp").await;
    assert_eq!(stored.body[0]["value"].as_f64(), news.last().copied(), "the figure is the last write audited");
    eprintln!(
        "{SAME_CELL_WRITERS} writers × {WRITES_EACH} writes to one figure in {took:?}: {} audit entries in one chain",
        entries.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Backup and restore
// ---------------------------------------------------------------------------------------------

fn backup(db: &Path, out: &Path, force: bool) -> std::process::Output {
    let mut command = Command::new(BIN);
    command.arg("backup").arg("--db").arg(db).arg(out);
    if force {
        command.arg("--force");
    }
    command.output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_figures_are_written_is_sound_and_restores_the_same_series() {
    let app = spawn_app().await.with_small_world().await;
    let committed =
        [("2023Q1", 100.25, 50.5), ("2023Q2", 210.5, 101.0), ("2023Q3", 330.75, 160.25), ("2023Q4", 460.0, 222.0)];
    for (q, a, b) in committed {
        app.put_values_as_admin("town-a", q, &[("gdp", a)]).await;
        app.put_values_as_admin("town-b", q, &[("gdp", b)]).await;
    }
    let series = app.series("district", "gdp", "2023Q1", "2023Q4", "quarter").await;
    assert_figures(&series, &[Some(150.75), Some(160.75), Some(179.5), Some(191.0)]);
    let db = PathBuf::from(app.pool.get().unwrap().path().unwrap());
    let app = std::sync::Arc::new(app);

    // One writer updates town-c's talents of 2023Q1 to 1, 2, 3, … while the backup runs.
    let acknowledged = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (app, acknowledged, stop) = (app.clone(), acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            let mut k = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                k += 1;
                app.put_values_as_admin("town-c", "2023Q1", &[("talents_introduced", k as f64)]).await;
                acknowledged.store(k, std::sync::atomic::Ordering::SeqCst);
            }
            k
        })
    };
    let written = |n: usize| {
        assert!(!writer.is_finished(), "the writer stopped");
        (acknowledged.load(std::sync::atomic::Ordering::SeqCst) >= n).then_some(())
    };
    wait_until_async("five writes before the backup", || written(5)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("backup.db");
    let before = acknowledged.load(std::sync::atomic::Ordering::SeqCst);
    let start = Instant::now();
    let output = tokio::task::spawn_blocking({
        let (db, out) = (db.clone(), out.clone());
        move || backup(&db, &out, false)
    })
    .await
    .unwrap();
    let took = start.elapsed();
    let after = acknowledged.load(std::sync::atomic::Ordering::SeqCst);
    // Some writes after the backup, then the writer stops.
    wait_until_async("three writes after the backup", || written(after + 3)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let total = writer.await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{stdout} {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("每页 4096 字节") && stdout.contains("完整性检查通过"), "{stdout}");

    // The copy is sound, and it is one moment of the database: the figure and its audit agree.
    assert_eq!(integrity(&out), "ok");
    let copy = Connection::open(&out).unwrap();
    let gdp = |region: &str| -> Vec<f64> {
        copy.prepare("SELECT value FROM observations WHERE region = ?1 AND indicator = 'gdp' ORDER BY year, quarter")
            .unwrap()
            .query_map([region], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(gdp("town-a"), committed.map(|c| c.1));
    assert_eq!(gdp("town-b"), committed.map(|c| c.2));
    let talents: f64 = copy
        .query_row(
            "SELECT value FROM observations WHERE region = 'town-c' AND indicator = 'talents_introduced'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let audited: Vec<f64> = copy
        .prepare("SELECT new FROM audit WHERE key = 'town-c/talents_introduced/2023Q1' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|new| serde_json::from_str::<Value>(&new.unwrap()).unwrap()["value"].as_f64().unwrap())
        .collect();
    let in_copy = talents as usize;
    eprintln!(
        "backup in {took:?} while {total} writes went on ({before} acknowledged before it began, {after} when it \
         ended): the copy holds {in_copy}; {}",
        stdout.trim()
    );
    assert!((before..=after + 1).contains(&in_copy), "{before} ≤ {in_copy} ≤ {after} + 1");
    assert_eq!(audited, (1..=in_copy).map(|k| k as f64).collect::<Vec<_>>());
    drop(copy);

    // An existing copy is replaced only when asked.
    let again = backup(&db, &out, false);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(integrity(&out), "ok");
    let forced = backup(&db, &out, true);
    assert!(forced.status.success(), "{}", String::from_utf8_lossy(&forced.stderr));
    let latest: f64 = Connection::open(&out)
        .unwrap()
        .query_row(
            "SELECT value FROM observations WHERE region = 'town-c' AND indicator = 'talents_introduced'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(latest as usize, total);

    // Restore: copy the backup to a database file and serve it; the same tokens, the same series.
    let restored = dir.path().join("restored.db");
    let output = backup(&out, &restored, false);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let server = serve(&restored);
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);
    let answer = get_json(
        &client,
        &url("/api/v1/series?region=district&indicator=gdp&from=2023Q1&to=2023Q4&view=quarter"),
        &app.admin,
    )
    .await;
    assert_figures(&points(&answer), &series);
    let values =
        get_json(&client, &url("/api/v1/values?region=town-c&period=2023Q1&indicator=talents_introduced"), &app.admin)
            .await;
    assert_eq!(values[0]["value"].as_f64(), Some(total as f64));
}

/// The figure of the generated town's first indicator in 2024Q1, as a database file holds it
/// (with its WAL, if one is beside it): the figure and how many audit entries it has.
fn figure_in(db: &Path) -> (Option<f64>, i64) {
    let conn = Connection::open(db).unwrap();
    let value = conn
        .query_row(
            "SELECT value FROM observations WHERE region = ?1 AND indicator = ?2",
            [town(0), indicator(0)],
            |r| r.get(0),
        )
        .ok();
    (value, holdings(db).generated_audit)
}

/// Copies a database file, with its WAL when `with_wal`, as `name` beside it.
fn copy_of(db: &Path, name: &str, with_wal: bool) -> PathBuf {
    let copy = db.with_file_name(name);
    std::fs::copy(db, &copy).unwrap();
    if with_wal {
        let (mut from, mut to) = (db.as_os_str().to_owned(), copy.as_os_str().to_owned());
        from.push("-wal");
        to.push("-wal");
        std::fs::copy(from, to).unwrap();
    }
    copy
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restored_over_a_crashed_servers_database_replaces_what_its_leftover_wal_held() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let token = generated_world(&db, 1, 1);
    let server = serve(&db);
    let (status, _, body) = put_one(&server.base, &token, &town(0), &indicator(0), 1.5).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved = dir.path().join("saved.db");
    let output = backup(&db, &saved, false);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (status, _, body) = put_one(&server.base, &token, &town(0), &indicator(0), 2.5).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The server dies without a checkpoint: the later figure is committed in the WAL only.
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let wal = wal_size(&db);
    assert_eq!(figure_in(&copy_of(&db, "with-wal.db", true)), (Some(2.5), 2), "the crash left the last write");
    assert_ne!(figure_in(&copy_of(&db, "without-wal.db", false)).0, Some(2.5), "and it is in the WAL alone");
    // `cp` over the file leaving the WAL beside it, what the README warns against: the WAL's frames
    // go on top of the backup, and the write it was to undo comes back.
    let careless = copy_of(&db, "careless.db", true);
    std::fs::copy(&saved, &careless).unwrap();
    assert_eq!(figure_in(&careless), (Some(2.5), 2), "a copy under a leftover WAL is not the backup");

    // `zhibiao backup --force` over the file and its WAL, as the README says to restore.
    let output = backup(&saved, &db, true);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    eprintln!("restored over a database with {wal} bytes of leftover WAL: {} bytes of WAL remain", wal_size(&db));
    assert_eq!(integrity(&db), "ok");
    assert_eq!(figure_in(&db), (Some(1.5), 1), "the backup's figure and audit, not the WAL's");
    let server = serve(&db);
    let values = get_json(
        &reqwest::Client::new(),
        &format!("{}/api/v1/values?region={}&period=2024Q1&indicator={}", server.base, town(0), indicator(0)),
        &token,
    )
    .await;
    assert_eq!(values[0]["value"].as_f64(), Some(1.5), "the restarted server serves the backup: {values}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_kept_answer_changes_when_another_process_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let token = generated_world(&db, 1, 1);
    let server = serve(&db);
    let (status, _, body) = put_one(&server.base, &token, &town(0), &indicator(0), 1.5).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let client = reqwest::Client::new();
    let url = format!(
        "{}/api/v1/series?region=district&indicator={}&from=2024Q1&to=2024Q1&view=quarter",
        server.base,
        indicator(0)
    );
    assert_figures(&points(&get_json(&client, &url, &token).await), &[Some(1.5)]);

    // The answer is kept: a change made behind the data version's back (here by hand, restoring
    // the version its trigger moved) is not seen. Without this, the test could pass with nothing kept.
    let other = Connection::open(&db).unwrap();
    other
        .execute_batch(&format!(
            "BEGIN IMMEDIATE;
             CREATE TEMP TABLE kept AS SELECT version FROM data_version;
             UPDATE observations SET value = 9.5 WHERE region = '{}';
             UPDATE data_version SET version = (SELECT version FROM temp.kept);
             COMMIT;",
            town(0)
        ))
        .unwrap();
    drop(other);
    assert_eq!(figure_in(&db).0, Some(9.5));
    assert_figures(&points(&get_json(&client, &url, &token).await), &[Some(1.5)]);

    // Another process writes the file the ordinary way: the command-line import.
    let file = dir.path().join("one.csv");
    std::fs::write(&file, format!("region,indicator,period,value\n{},{},2024Q1,3.25\n", town(0), indicator(0)))
        .unwrap();
    let output = import_command(&db, &file).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    assert_figures(&points(&get_json(&client, &url, &token).await), &[Some(3.25)]);
}

// ---------------------------------------------------------------------------------------------
// The time limit and writers behind a long import (issue 13, items 1 and 2)
// ---------------------------------------------------------------------------------------------

/// The server in this process on `pool`, with `limits`; its base address.
async fn serve_here(pool: zhibiao::store::Pool, limits: Limits) -> String {
    let app =
        zhibiao::startup::Application::build(AppState::new(pool, Vec::new(), limits), "127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", app.local_addr().unwrap());
    tokio::spawn(app.run_until_stopped());
    base
}

async fn post_csv(base: &str, token: &str, csv: String) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/imports"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// `PUT /values` of one figure: the status, the `Retry-After` header and the body.
async fn put_one(base: &str, token: &str, region: &str, indicator: &str, value: f64) -> (StatusCode, String, Value) {
    let body = json!({"region": region, "period": "2024Q1", "values": [{"indicator": indicator, "value": value}]});
    let response = reqwest::Client::new()
        .put(format!("{base}/api/v1/values"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let retry_after =
        response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (response.status(), retry_after, response.json().await.unwrap())
}

/// True if a writer can take the database's write lock this instant (nobody holds it).
fn write_lock_is_free(db: &Path) -> bool {
    let conn = Connection::open(db).unwrap();
    conn.busy_timeout(Duration::ZERO).unwrap();
    let free = conn.execute_batch("BEGIN IMMEDIATE").is_ok();
    if free {
        conn.execute_batch("ROLLBACK").unwrap();
    }
    free
}

const BUSY_MESSAGE: &str = "系统正忙：其他写入（如大批量导入）尚未完成，本次没有保存任何内容，请5秒后重试";

/// Towns of the long imports below: 200 × 50 indicators × 20 quarters = 200,000 rows, about
/// 8 s in a debug build (the figures printed say how long here), and it holds the write lock from
/// its first check to its commit.
const LONG_TOWNS: usize = 200;
const LONG_INDICATORS: usize = 50;
const LONG_ROWS: i64 = (LONG_TOWNS * LONG_INDICATORS * IMPORT_QUARTERS) as i64;

/// The start of an answer, for assertion messages (an import's answer lists its warnings).
fn clip(body: &Value) -> String {
    body.to_string().chars().take(300).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_over_the_time_limit_is_rolled_back_before_its_408_and_a_retry_within_the_limit_stores_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limit.db");
    let token = generated_world(&db, LONG_TOWNS, LONG_INDICATORS);
    let (csv, sum) = figures_csv(LONG_TOWNS, LONG_INDICATORS, &quarters(IMPORT_QUARTERS));
    let before = holdings(&db);
    let pool = zhibiao::store::open(&db).unwrap();
    let limit = Duration::from_secs(2);
    let short = serve_here(pool.clone(), Limits { request: limit, ..Limits::default() }).await;

    let wal_at_start = wal_size(&db);
    let start = Instant::now();
    let (status, body) = post_csv(&short, &token, csv.clone()).await;
    let answered = start.elapsed();
    let written = wal_size(&db) - wal_at_start;
    // Before the fix the import went on after its 408, holding the lock, and committed.
    let free = write_lock_is_free(&db);
    let after = holdings(&db);
    eprintln!(
        "an import of {LONG_ROWS} rows with a time limit of {limit:?}: {status} at {answered:?} ({written} bytes \
         of WAL written); the write lock free at once: {free}; {} figures and {} audit entries stored",
        after.generated, after.generated_audit
    );
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{}", clip(&body));
    assert_eq!(body["error"]["code"], "timeout");
    assert_eq!(body["error"]["message"], "请求处理时间过长，已中止，没有保存任何内容");
    assert!(answered >= limit, "{answered:?}");
    assert!(free, "the 408 goes out once the import has rolled back, not while it still writes");
    assert_eq!(after, before, "nothing of the import is stored");
    assert_eq!(integrity(&db), "ok");

    // The same file, sent again to a server with the default limit of 30 s.
    let default = serve_here(pool, Limits::default()).await;
    let (status, body) = post_csv(&default, &token, csv).await;
    let retried = start.elapsed() - answered;
    eprintln!("the retry within the default limit: {status} after {retried:?}");
    assert_eq!(status, StatusCode::OK, "{}", clip(&body));
    assert_eq!((&body["created"], &body["updated"]), (&json!(LONG_ROWS), &json!(0)));
    let held = holdings(&db);
    assert_eq!((held.generated, held.generated_audit, held.others), (LONG_ROWS, LONG_ROWS, before.others));
    assert!((held.generated_sum - sum).abs() < 1e-6 * sum, "{} vs {sum}", held.generated_sum);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_behind_a_long_import_wait_their_turn_then_answer_503_with_retry_after_and_store_nothing() {
    const WRITERS: usize = 6;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    let token = generated_world(&db, LONG_TOWNS, LONG_INDICATORS);
    let (csv, _) = figures_csv(LONG_TOWNS, LONG_INDICATORS, &quarters(IMPORT_QUARTERS));
    let pool = zhibiao::store::open(&db).unwrap();
    let wait = Duration::from_millis(300);
    let base = serve_here(pool, Limits { write_wait: wait, ..Limits::default() }).await;

    let start = Instant::now();
    let import = {
        let (base, token) = (base.clone(), token.clone());
        tokio::spawn(async move {
            let answer = post_csv(&base, &token, csv).await;
            (answer, start.elapsed())
        })
    };
    // The writers start once the import holds the write lock.
    wait_until_async("the import taking the write lock", || {
        assert!(!import.is_finished(), "the import finished before the writers started");
        (!write_lock_is_free(&db)).then_some(())
    })
    .await;
    let writers_start = start.elapsed();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (base, token) = (base.clone(), token.clone());
            tokio::spawn(async move {
                let sent = Instant::now();
                let answer = put_one(&base, &token, &town(w), &indicator(0), w as f64 + 0.5).await;
                (answer, sent.elapsed(), start.elapsed())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for writer in writers {
        answers.push(writer.await.unwrap());
    }
    let ((status, body), imported) = import.await.unwrap();
    let last = answers.iter().map(|a| a.2).max().unwrap();
    eprintln!(
        "{WRITERS} writes sent {writers_start:?} into an import of {LONG_ROWS} rows that ended at {imported:?}, \
         each waiting at most {wait:?}: {:?}, the last answered at {last:?}",
        answers.iter().map(|((s, _, _), waited, _)| format!("{} after {waited:?}", s.as_u16())).collect::<Vec<_>>()
    );
    assert_eq!(status, StatusCode::OK, "{}", clip(&body));
    assert_eq!(body["created"], json!(LONG_ROWS));
    assert!(last < imported, "every writer was answered while the import still held the lock");
    for ((status, retry_after, body), waited, _) in &answers {
        assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(retry_after, "5");
        assert_eq!((&body["error"]["code"], &body["error"]["message"]), (&json!("busy"), &json!(BUSY_MESSAGE)));
        assert!(*waited >= wait, "a writer waits its time in line before it is refused: {waited:?}");
    }
    let held = holdings(&db);
    assert_eq!((held.generated, held.generated_audit), (LONG_ROWS, LONG_ROWS), "none of the refused writes is stored");

    // Once the import is done, the same write goes through.
    let (status, _, body) = put_one(&base, &token, &town(0), &indicator(0), 0.5).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(holdings(&db).generated, LONG_ROWS + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_locked_out_by_another_process_past_the_busy_timeout_answers_503_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("locked.db");
    let token = generated_world(&db, 1, 1);
    let busy_timeout = Duration::from_millis(200);
    let pool = zhibiao::store::open_with(&db, busy_timeout).unwrap();
    let base = serve_here(pool, Limits::default()).await;

    // Another process (the command-line import, say) holds the write lock.
    let other = Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let sent = Instant::now();
    let (status, retry_after, body) = put_one(&base, &token, &town(0), &indicator(0), 1.5).await;
    let waited = sent.elapsed();
    eprintln!("a write behind another process's lock, busy timeout {busy_timeout:?}: {status} after {waited:?}");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry_after, "5");
    assert_eq!((&body["error"]["code"], &body["error"]["message"]), (&json!("busy"), &json!(BUSY_MESSAGE)));
    assert!(waited >= busy_timeout, "{waited:?}");
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(holdings(&db).generated, 0, "the refused write stored nothing");

    let (status, _, body) = put_one(&base, &token, &town(0), &indicator(0), 1.5).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let held = holdings(&db);
    assert_eq!((held.generated, held.generated_sum, held.generated_audit), (1, 1.5, 1));
}
