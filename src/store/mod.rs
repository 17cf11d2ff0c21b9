//! SQLite storage through rusqlite: opening and migrating the file, and one module per table
//! family. Functions take a `&Connection` (a transaction derefs to one), return domain types and
//! hold no rules of the statistics. Calls are synchronous: the HTTP layer runs them on the
//! blocking pool.

pub mod audit;
pub mod backup;
pub mod indicators;
pub mod observations;
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

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/001_core.sql")),
        M::up(include_str!("../../migrations/002_targets.sql")),
        M::up(include_str!("../../migrations/003_workflow.sql")),
        M::up(include_str!("../../migrations/004_sessions.sql")),
        M::up(include_str!("../../migrations/005_covering_index.sql")),
        M::up(include_str!("../../migrations/006_world_version.sql")),
        M::up(include_str!("../../migrations/007_data_version.sql")),
    ])
});

/// Waiting for another writer rather than failing at once: writes are short transactions.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")
}

/// Opens (creating if needed) and migrates the database file, then builds the connection pool.
/// WAL is set once here, before the pool opens its connections.
pub fn open(path: &Path) -> Result<Pool, StoreError> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    configure(&conn)?;
    MIGRATIONS.to_latest(&mut conn)?;
    drop(conn);
    let manager = SqliteConnectionManager::file(path).with_init(|c| configure(c));
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
