//! Online backup of the database file with SQLite's backup API: a consistent copy taken while
//! the server keeps reading and writing. Restoring is the same copy the other way round.
//!
//! The copy is one `sqlite3_backup_step(-1)`: it reads one snapshot of the source from start to
//! end. In WAL mode a reader does not hold up writers, so the server goes on committing while it
//! runs; copying in small steps instead would start over after every write by the server and
//! might never finish on a busy database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::BUSY_TIMEOUT;

/// How often a busy step is retried (the source being recovered, the destination being in use),
/// and how long to wait between tries.
const BUSY_TRIES: u32 = 100;
const BUSY_PAUSE: Duration = Duration::from_millis(100);

/// What a backup wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub pages: u64,
    pub page_size: u64,
}

impl BackupSummary {
    pub fn bytes(&self) -> u64 {
        self.pages * self.page_size
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} 处没有数据库")]
    NoSource(PathBuf),
    #[error("{0} 已存在")]
    Exists(PathBuf),
    #[error("{0} 就是要备份的数据库本身")]
    SameFile(PathBuf),
    #[error("数据库一直忙，未复制任何内容，请稍后再试")]
    Busy,
    #[error("副本未通过完整性检查：{0}")]
    Corrupt(String),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Copies the database at `source` to `out`, which must not exist unless `overwrite`. The copy is
/// written through SQLite in one transaction of `out`, so an existing `out` (a stopped server's
/// database, say, with its WAL) is replaced whole or not at all. The copy is checked with
/// `PRAGMA integrity_check` before this returns.
pub fn backup(source: &Path, out: &Path, overwrite: bool) -> Result<BackupSummary, BackupError> {
    if !source.is_file() {
        return Err(BackupError::NoSource(source.to_path_buf()));
    }
    if overwrite {
        if let (Ok(a), Ok(b)) = (source.canonicalize(), out.canonicalize())
            && a == b
        {
            return Err(BackupError::SameFile(out.to_path_buf()));
        }
    } else {
        // Created here, atomically, so that two backups never write into one file; SQLite takes
        // an empty file for an empty database.
        std::fs::OpenOptions::new().write(true).create_new(true).open(out).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                BackupError::Exists(out.to_path_buf())
            } else {
                BackupError::Io(out.to_path_buf(), e)
            }
        })?;
    }
    let result = copy_and_check(source, out);
    if result.is_err() && !overwrite {
        // Leave no half-made file behind under a name that looks like a backup.
        let _ = std::fs::remove_file(out);
    }
    result
}

fn copy_and_check(source: &Path, out: &Path) -> Result<BackupSummary, BackupError> {
    // Not `store::open`: a backup neither creates nor migrates the database it copies.
    let from =
        Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    from.busy_timeout(BUSY_TIMEOUT)?;
    let mut to = Connection::open(out)?;
    to.busy_timeout(BUSY_TIMEOUT)?;
    copy(&from, &mut to)?;
    drop(from);
    let check: Vec<String> =
        to.prepare("PRAGMA integrity_check")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if check != ["ok"] {
        return Err(BackupError::Corrupt(check.join("; ")));
    }
    let pragma = |name: &str| -> Result<u64, BackupError> {
        let n: i64 = to.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))?;
        u64::try_from(n).map_err(|_| BackupError::Corrupt(format!("{name} is {n}")))
    };
    let (pages, page_size) = (pragma("page_count")?, pragma("page_size")?);
    // Closing checkpoints whatever went through a WAL of `out`: the file then stands alone.
    to.close().map_err(|(_, e)| e)?;
    Ok(BackupSummary { pages, page_size })
}

fn copy(from: &Connection, to: &mut Connection) -> Result<(), BackupError> {
    let backup = Backup::new(from, to)?;
    for _ in 0..BUSY_TRIES {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            // Not expected from a step of every page; the next step goes on.
            StepResult::More => continue,
            _ => std::thread::sleep(BUSY_PAUSE),
        }
    }
    Err(BackupError::Busy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_with_rows(path: &Path, rows: i64) {
        let pool = super::super::open(path).unwrap();
        let conn = pool.get().unwrap();
        for i in 0..rows {
            conn.execute(
                "INSERT INTO audit (at, user, action, entity, key) VALUES ('t', 'u', 'create', 'value', ?1)",
                [i.to_string()],
            )
            .unwrap();
        }
    }

    fn rows(path: &Path) -> i64 {
        Connection::open(path).unwrap().query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn copies_every_row_and_refuses_to_overwrite_without_being_told() {
        let dir = tempfile::tempdir().unwrap();
        let (db, out) = (dir.path().join("z.db"), dir.path().join("copy.db"));
        database_with_rows(&db, 25);
        let summary = backup(&db, &out, false).unwrap();
        assert_eq!(rows(&out), 25);
        assert_eq!(summary.bytes(), std::fs::metadata(&out).unwrap().len());
        assert!(matches!(backup(&db, &out, false), Err(BackupError::Exists(_))));
        database_with_rows(&db, 5);
        backup(&db, &out, true).unwrap();
        assert_eq!(rows(&out), 30);
    }

    #[test]
    fn refuses_a_missing_source_and_itself() {
        let dir = tempfile::tempdir().unwrap();
        let (db, out) = (dir.path().join("z.db"), dir.path().join("copy.db"));
        assert!(matches!(backup(&db, &out, false), Err(BackupError::NoSource(_))));
        assert!(!out.exists(), "nothing is created for a missing source");
        database_with_rows(&db, 1);
        assert!(matches!(backup(&db, &db, true), Err(BackupError::SameFile(_))));
        assert_eq!(rows(&db), 1);
    }
}
