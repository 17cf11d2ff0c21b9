//! Computed answers kept in memory between writes. Reading a province's figures and aggregating
//! them takes tens of milliseconds; a dashboard asks the same questions again and again while
//! nothing changes. Every answer is kept under a version stored in the database file, which
//! triggers change on every write it depends on, also when another process (the command line)
//! writes; an answer of another version is never given:
//! - the world version (migration 006): regions and indicators;
//! - the data version (migration 007): figures, targets, schemes, and the world.
//!
//! Only successful answers are kept. Each file keeps the answers of one version of each, at most
//! `MAX_ANSWERS` of them.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use rusqlite::Connection;

use crate::error::AppResult;
use crate::store;

const MAX_ANSWERS: usize = 512;

type Answers = HashMap<String, Arc<dyn Any + Send + Sync>>;

/// What an answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Depends {
    /// only the regions and indicators
    World,
    /// anything stored
    Data,
}

/// Per database file and dependency: the version and its answers.
static KEPT: LazyLock<Mutex<HashMap<(String, Depends), (i64, Answers)>>> = LazyLock::new(Mutex::default);

/// The answer to `question` (which must name everything the answer depends on besides the
/// stored data), computed by `compute` unless it is known for the data as `conn` sees them.
pub fn answer<T: Clone + Send + Sync + 'static>(
    conn: &Connection,
    depends: Depends,
    question: String,
    compute: impl FnOnce() -> AppResult<T>,
) -> AppResult<T> {
    let Some(file) = conn.path().filter(|p| !p.is_empty()).map(str::to_string) else {
        return compute();
    };
    let key = (file, depends);
    let version = match depends {
        Depends::World => store::world_version(conn)?,
        Depends::Data => store::data_version(conn)?,
    };
    let known = {
        let kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(&key).filter(|(v, _)| *v == version).and_then(|(_, answers)| answers.get(&question).cloned())
    };
    // copied outside the lock: an assessment of a province is megabytes
    if let Some(answer) = known.as_deref().and_then(|a| a.downcast_ref::<T>()) {
        return Ok(answer.clone());
    }
    let answer = compute()?;
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    let (v, answers) = kept.entry(key).or_insert_with(|| (version, Answers::new()));
    if *v != version || answers.len() >= MAX_ANSWERS {
        *v = version;
        answers.clear();
    }
    answers.insert(question, Arc::new(answer.clone()));
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn an_answer_is_computed_again_only_after_a_change_committed_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let pool = store::open(&dir.path().join("cache.db")).unwrap();
        let conn = pool.get().unwrap();
        let computed = Cell::new(0);
        let ask = |question: &str| {
            answer(&conn, Depends::Data, question.to_string(), || {
                computed.set(computed.get() + 1);
                Ok(computed.get())
            })
            .unwrap()
        };
        assert_eq!((ask("q"), ask("q"), ask("other"), ask("q")), (1, 1, 2, 1));
        conn.execute_batch(
            "INSERT INTO indicators (code, name, unit, decimals, direction, mode) VALUES ('gdp', 'GDP', '亿元', 2, 'higher', 'ytd')",
        )
        .unwrap();
        assert_eq!((ask("q"), ask("q")), (3, 3), "a new indicator changes the answers");
        // A change seen inside a transaction that is then rolled back: its answers are not reused.
        conn.execute_batch("BEGIN; UPDATE indicators SET name = 'x'").unwrap();
        assert_eq!(ask("q"), 4);
        conn.execute_batch("ROLLBACK").unwrap();
        assert_eq!(ask("q"), 5);
        // Rolled back and nothing asked since: the next committed change must not meet the
        // rolled-back change's answers (a counted version would give it the same number).
        conn.execute_batch("BEGIN; UPDATE indicators SET name = 'x'").unwrap();
        assert_eq!(ask("rolled back"), 6);
        conn.execute_batch("ROLLBACK; UPDATE indicators SET name = 'y'").unwrap();
        assert_eq!(ask("rolled back"), 7);
        let other = pool.get().unwrap();
        other
            .execute_batch(
                "INSERT INTO regions (id, name, kind) VALUES ('r', 'R', 'town');
                 INSERT INTO observations VALUES ('r', 'gdp', 2023, 1, 1.5, NULL, 'x', 'now')",
            )
            .unwrap();
        assert_eq!(ask("q"), 8, "another connection's write is seen");
        other.execute_batch("UPDATE observations SET value = 2").unwrap();
        assert_eq!(ask("q"), 9);
        other.execute_batch("INSERT INTO targets VALUES ('r', 'gdp', 2023, 9, '[]', 's', 'x', 'now')").unwrap();
        assert_eq!((ask("q"), ask("q")), (10, 10));
        let world = |n: i32| answer(&conn, Depends::World, "w".into(), || Ok(n)).unwrap();
        assert_eq!((world(1), world(2)), (1, 1));
        other.execute_batch("UPDATE observations SET value = 3").unwrap();
        assert_eq!(world(3), 1, "figures do not change the world");
        other.execute_batch("UPDATE regions SET name = 'S'").unwrap();
        assert_eq!((world(4), ask("q")), (4, 11), "a region changes both");
    }
}
