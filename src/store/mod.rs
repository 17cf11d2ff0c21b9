//! SQLite storage through rusqlite: opening and migrating the file, and one module per table
//! family. Functions take a `&Connection` (a transaction derefs to one), return domain types and
//! hold no rules of the statistics. Calls are synchronous: the HTTP layer runs them on the
//! blocking pool. The store imports only `domain`: its rows (`*Row`, `AuditRecord`) are not the
//! wire format; the engine turns them into the answers the API and the pages show.

pub mod audit;
pub mod backup;
pub mod enterprises;
pub mod indicators;
pub mod observations;
pub mod publications;
pub mod rectification;
pub mod regions;
pub mod targets;
pub mod transfer;
pub mod users;
pub mod workflow;

use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

pub type Pool = r2d2::Pool<SqliteConnectionManager>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migrating the database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("a stored row is not valid: {0}")]
    Corrupt(String),
}

/// The schema's history, oldest first; a file is migrated from where it stands to the last.
const MIGRATION_FILES: [&str; 11] = [
    include_str!("../../migrations/001_core.sql"),
    include_str!("../../migrations/002_targets.sql"),
    include_str!("../../migrations/003_workflow.sql"),
    include_str!("../../migrations/004_sessions.sql"),
    include_str!("../../migrations/005_covering_index.sql"),
    include_str!("../../migrations/006_world_version.sql"),
    include_str!("../../migrations/007_data_version.sql"),
    include_str!("../../migrations/008_real_data.sql"),
    include_str!("../../migrations/009_rectification.sql"),
    include_str!("../../migrations/010_enterprises.sql"),
    include_str!("../../migrations/011_publications.sql"),
];

/// Every migration checks the foreign keys before it commits: they are off while migrating.
static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATION_FILES.iter().map(|sql| M::up(sql).foreign_key_check()).collect()));

impl StoreError {
    /// Another connection holds the lock this one needed (`SQLITE_BUSY`, `SQLITE_LOCKED`), for
    /// longer than the busy timeout: contention, not a fault; the same call may succeed later.
    pub fn is_busy(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        matches!(self, StoreError::Sqlite(e) if matches!(e.sqlite_error_code(), Some(DatabaseBusy | DatabaseLocked)))
    }
}

/// How long a connection waits for another one's write lock (another process's, say the
/// command-line import; the server's own writers wait in line before they take a connection)
/// before its statement fails as busy.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn configure(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")
}

/// Opens (creating if needed) and migrates the database file, then builds the connection pool.
/// WAL is set once here, before the pool opens its connections.
pub fn open(path: &Path) -> Result<Pool, StoreError> {
    open_with(path, BUSY_TIMEOUT)
}

/// [`open`] with connections that wait `busy_timeout` for a lock (tests shorten it).
pub fn open_with(path: &Path, busy_timeout: Duration) -> Result<Pool, StoreError> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Foreign keys are off while migrating, as SQLite's manual has it for rebuilding a table
    // (008 rebuilds `regions`); each migration checks them before it commits.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    MIGRATIONS.to_latest(&mut conn)?;
    configure(&conn, busy_timeout)?;
    drop(conn);
    let manager = SqliteConnectionManager::file(path).with_init(move |c| configure(c, busy_timeout));
    Ok(r2d2::Pool::builder().max_size(8).build(manager)?)
}

/// A larger page cache for a connection while it writes many figures (an import, the generator).
/// They land all over the indexes of the observations and the audit log; with the default 2 MB
/// a large transaction writes pages out and reads them back many times before it commits.
/// Dropping it gives the connection its cache size back.
pub struct LargePageCache<'c> {
    conn: &'c Connection,
    before: i64,
}

impl<'c> LargePageCache<'c> {
    const KIB: i64 = 64 * 1024;

    pub fn raise(conn: &'c Connection) -> Result<LargePageCache<'c>, StoreError> {
        let before: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", -Self::KIB)?;
        Ok(LargePageCache { conn, before })
    }
}

impl Drop for LargePageCache<'_> {
    fn drop(&mut self) {
        // Failing that, the connection merely keeps the larger cache.
        let _ = self.conn.pragma_update(None, "cache_size", self.before);
    }
}

/// Changes whenever the regions or indicators change (migration 006); never repeats.
pub fn world_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.prepare_cached("SELECT version FROM world_version")?.query_row([], |r| r.get(0))?)
}

/// Changes whenever anything a computed answer depends on changes (migration 007); never repeats.
pub fn data_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.prepare_cached("SELECT version FROM data_version")?.query_row([], |r| r.get(0))?)
}

/// Changes whenever the enterprise register or the world changes (migration 010); never repeats.
pub fn register_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.prepare_cached("SELECT version FROM register_version")?.query_row([], |r| r.get(0))?)
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    /// A file written by a build before migration 008 (issue 12) opens with its figures, its
    /// regions keep their foreign keys, and the new kinds and columns are there.
    #[test]
    fn a_file_from_before_the_real_data_model_keeps_its_figures() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            let old = Migrations::new(MIGRATION_FILES[..7].iter().map(|sql| M::up(sql)).collect());
            old.to_latest(&mut conn).unwrap();
            conn.execute_batch(
                "INSERT INTO regions VALUES ('district', '全区', 'district', NULL, NULL, 0);
                 INSERT INTO regions VALUES ('town-a', '甲镇', 'town', 'district', '一类', 1);
                 INSERT INTO indicators VALUES ('gdp', '地区生产总值', '亿元', 2, 'higher', 'ytd', NULL, 0, 1);
                 INSERT INTO observations VALUES ('town-a', 'gdp', 2023, 1, 12.5, '初报', 'jia', '2023-04-10');
                 INSERT INTO targets VALUES ('town-a', 'gdp', 2023, 50, '[0.25,0.5,0.75,1]', 'set', 'admin', 'x');",
            )
            .unwrap();
        }
        let pool = open(&path).unwrap();
        let conn = pool.get().unwrap();
        let regions = regions::all(&conn).unwrap();
        assert_eq!(regions.len(), 2);
        assert_eq!(
            (regions[1].parent.as_ref().unwrap().as_str(), regions[1].group.as_deref()),
            ("district", Some("一类"))
        );
        let stored = observations::list(&conn, "town-a", "2023Q1".parse().unwrap(), None).unwrap();
        assert_eq!((stored[0].value, stored[0].comment.as_deref()), (12.5, Some("初报")));
        let gdp = &indicators::all(&conn).unwrap()[0];
        assert_eq!((gdp.frequency, gdp.regions.as_ref()), (crate::domain::Frequency::Quarterly, None));
        // the foreign keys still name the rebuilt table
        let orphan = conn.execute("INSERT INTO observations VALUES ('nowhere', 'gdp', 2023, 2, 1, NULL, 'x', 'y')", []);
        assert!(orphan.is_err(), "a figure of an unknown region is refused");
        conn.execute("INSERT INTO regions (id, name, kind, iso3) VALUES ('kor', '韩国', 'benchmark', 'KOR')", [])
            .unwrap();
        conn.execute("INSERT INTO regions (id, name, kind, parent) VALUES ('s1', '街道', 'street', 'town-a')", [])
            .unwrap();
        let changed_world: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'regions'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(changed_world, 3, "the world-version triggers are made again");
    }

    /// A file written before migration 009 keeps its users with their ids, regions, tokens and
    /// sessions; the rebuilt `users` admits officers and its foreign keys still hold.
    #[test]
    fn a_file_from_before_the_rectification_tables_keeps_its_users() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            let old = Migrations::new(MIGRATION_FILES[..8].iter().map(|sql| M::up(sql)).collect());
            old.to_latest(&mut conn).unwrap();
            conn.execute_batch(
                "INSERT INTO regions (id, name, kind) VALUES ('town-a', '甲镇', 'town');
                 INSERT INTO users VALUES (7, 'jia', 'statistician', 'hash', 'x'), (9, 'admin', 'admin', NULL, 'x');
                 INSERT INTO user_regions VALUES (7, 'town-a');
                 INSERT INTO tokens VALUES ('t', 7, 'x');
                 INSERT INTO sessions VALUES ('s', 9, 'csrf', 'x', 'y');",
            )
            .unwrap();
        }
        let pool = open(&path).unwrap();
        let conn = pool.get().unwrap();
        let users: Vec<(i64, String, String)> = conn
            .prepare("SELECT id, name, role FROM users ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(users, [(7, "jia".into(), "statistician".into()), (9, "admin".into(), "admin".into())]);
        conn.execute("INSERT INTO users VALUES (11, 'gao', 'officer', NULL, 'x')", []).unwrap();
        assert!(conn.execute("INSERT INTO users VALUES (12, 'x', 'boss', NULL, 'x')", []).is_err(), "roles checked");
        assert!(conn.execute("INSERT INTO tokens VALUES ('u', 99, 'x')", []).is_err(), "tokens name real users");
        conn.execute("DELETE FROM users WHERE id = 7", []).unwrap();
        let left: i64 = conn
            .query_row("SELECT (SELECT count(*) FROM tokens) + (SELECT count(*) FROM user_regions)", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "a user's tokens and regions go with the user");
    }

    /// A file written before migration 010 keeps its indicators with their figures and targets;
    /// the rebuilt `indicators` admits register indicators (with a rule, and only they), still
    /// changes the world version, and the figures' foreign keys still name it.
    #[test]
    fn a_file_from_before_the_register_keeps_its_indicators() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            let old = Migrations::new(MIGRATION_FILES[..9].iter().map(|sql| M::up(sql)).collect());
            old.to_latest(&mut conn).unwrap();
            conn.execute_batch(
                "INSERT INTO regions (id, name, kind) VALUES ('town-a', '甲镇', 'town');
                 INSERT INTO indicators (code, name, unit, decimals, direction, mode, frequency, regions)
                     VALUES ('rd', 'R&D经费支出', '亿元', 2, 'higher', 'ytd', 'annual', '[\"town-a\"]');
                 INSERT INTO observations VALUES ('town-a', 'rd', 2023, 0, 3.5, NULL, 'jia', 'x');
                 INSERT INTO targets VALUES ('town-a', 'rd', 2023, 5, '[0.25,0.5,0.75,1]', 'set', 'admin', 'x');",
            )
            .unwrap();
        }
        let pool = open(&path).unwrap();
        let conn = pool.get().unwrap();
        let rd = &indicators::all(&conn).unwrap()[0];
        assert_eq!((rd.code.as_str(), rd.frequency, rd.rule.as_ref()), ("rd", crate::domain::Frequency::Annual, None));
        assert_eq!(rd.regions.as_ref().map(Vec::len), Some(1));
        let figures: i64 = conn.query_row("SELECT count(*) FROM observations", [], |r| r.get(0)).unwrap();
        assert_eq!(figures, 1);
        let before: i64 = conn.query_row("SELECT version FROM world_version", [], |r| r.get(0)).unwrap();
        conn.execute(
            "INSERT INTO indicators (code, name, unit, decimals, direction, mode, rule)
             VALUES ('firms', '企业数', '家', 0, 'higher', 'register', '{\"count\":true}')",
            [],
        )
        .unwrap();
        let after: i64 = conn.query_row("SELECT version FROM world_version", [], |r| r.get(0)).unwrap();
        assert_ne!(before, after, "a new indicator changes the world");
        let without_rule = "INSERT INTO indicators (code, name, unit, decimals, direction, mode)
                            VALUES ('x', 'x', '家', 0, 'higher', 'register')";
        assert!(conn.execute(without_rule, []).is_err(), "a register indicator has its rule");
        let orphan =
            conn.execute("INSERT INTO observations VALUES ('town-a', 'nothing', 2023, 1, 1, NULL, 'x', 'y')", []);
        assert!(orphan.is_err(), "a figure of an unknown indicator is refused");
        assert!(conn.execute("DELETE FROM indicators WHERE code = 'rd'", []).is_err(), "its figures hold it");
    }

    #[test]
    fn opens_a_new_file_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(&dir.path().join("z.db")).unwrap();
        let conn = pool.get().unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!((mode.as_str(), fk), ("wal", 1));
    }
}
