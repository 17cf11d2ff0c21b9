//! Computed answers kept in memory between writes. Reading a province's figures and aggregating
//! them takes tens of milliseconds; a dashboard asks the same questions again and again while
//! nothing changes. The running application owns one [`Answers`] for its database and lends it to
//! the engine for each transaction ([`Answers::lend`]); without one (the command line, a test of
//! the engine) every answer is computed.
//!
//! Every answer is kept under a version stored in the database file, which triggers change on
//! every write it depends on, also when another process (the command line) writes; an answer of
//! another version is never given:
//! - the world version (migration 006): regions and indicators;
//! - the data version (migration 007): figures, targets, schemes, and the world;
//! - the register version (migration 010): the enterprise register and the world (a change of it
//!   is a change of the data too).
//!
//! Only successful answers are kept, at most `MAX_ANSWERS` of each version.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use crate::charts::ChartSpec;
use crate::domain::{Period, View};
use crate::error::AppResult;
use crate::store;

const MAX_ANSWERS: usize = 512;

/// A question whose answer is kept: everything the answer depends on besides the stored data.
/// Each kind of question has one type of answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Question {
    /// the regions and indicators (`engine::world`)
    World,
    /// every register indicator's figures, for the register as it is in quarter `now`
    /// (`engine::enterprises`)
    Register {
        now: crate::domain::Quarter,
    },
    Series {
        region: String,
        indicator: String,
        view: View,
        from: Period,
        to: Period,
    },
    /// progress of one region (`children: false`) or of every child of it
    Progress {
        indicator: String,
        period: Period,
        region: String,
        children: bool,
    },
    Assessment {
        year: i32,
    },
    Chart {
        spec: ChartSpec,
        title: Option<String>,
    },
}

/// What an answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Depends {
    /// only the regions and indicators
    World,
    /// anything stored
    Data,
    /// the enterprise register and the world
    Register,
}

impl Question {
    fn depends(&self) -> Depends {
        match self {
            Question::World => Depends::World,
            Question::Register { .. } => Depends::Register,
            _ => Depends::Data,
        }
    }
}

type Kept = HashMap<Question, Arc<dyn Any + Send + Sync>>;

/// The answers kept for one database: per dependency, its version and the answers of it.
#[derive(Default)]
pub struct Answers {
    kept: Mutex<HashMap<Depends, (i64, Kept)>>,
}

thread_local! {
    /// The answers lent to the engine for the transaction running on this thread.
    static LENT: RefCell<Option<Arc<Answers>>> = const { RefCell::new(None) };
}

impl Answers {
    /// Runs `f` (a transaction, on this thread) with these answers lent to the engine; the
    /// answers lent before (if any) are lent again afterwards, also when `f` panics.
    pub fn lend<T>(self: &Arc<Answers>, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<Arc<Answers>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                LENT.set(self.0.take());
            }
        }
        let _restore = Restore(LENT.replace(Some(self.clone())));
        f()
    }

    fn get<T: Clone + 'static>(&self, depends: Depends, version: i64, question: &Question) -> Option<T> {
        let known = {
            let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            kept.get(&depends).filter(|(v, _)| *v == version).and_then(|(_, answers)| answers.get(question).cloned())
        };
        // copied outside the lock: an assessment of a province is megabytes
        known.as_deref().and_then(|a| a.downcast_ref::<T>()).cloned()
    }

    fn keep<T: Send + Sync + 'static>(&self, depends: Depends, version: i64, question: Question, answer: T) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let (v, answers) = kept.entry(depends).or_insert_with(|| (version, Kept::new()));
        if *v != version || answers.len() >= MAX_ANSWERS {
            *v = version;
            answers.clear();
        }
        answers.insert(question, Arc::new(answer));
    }
}

/// The answer to `question`, computed by `compute` unless it is known for the data as `conn`
/// sees them in the answers lent to this thread.
pub fn answer<T: Clone + Send + Sync + 'static>(
    conn: &Connection,
    question: Question,
    compute: impl FnOnce() -> AppResult<T>,
) -> AppResult<T> {
    let Some(answers) = LENT.with_borrow(Option::clone) else { return compute() };
    let depends = question.depends();
    let version = match depends {
        Depends::World => store::world_version(conn)?,
        Depends::Data => store::data_version(conn)?,
        Depends::Register => store::register_version(conn)?,
    };
    if let Some(known) = answers.get(depends, version, &question) {
        return Ok(known);
    }
    let answer = compute()?;
    answers.keep(depends, version, question, answer.clone());
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
        let answers = Arc::new(Answers::default());
        let computed = Cell::new(0);
        let q = |year| Question::Assessment { year };
        let ask = |question: Question| {
            answers
                .lend(|| {
                    answer(&conn, question, || {
                        computed.set(computed.get() + 1);
                        Ok(computed.get())
                    })
                })
                .unwrap()
        };
        assert_eq!((ask(q(1)), ask(q(1)), ask(q(2)), ask(q(1))), (1, 1, 2, 1));
        conn.execute_batch(
            "INSERT INTO indicators (code, name, unit, decimals, direction, mode) VALUES ('gdp', 'GDP', '亿元', 2, 'higher', 'ytd')",
        )
        .unwrap();
        assert_eq!((ask(q(1)), ask(q(1))), (3, 3), "a new indicator changes the answers");
        // A change seen inside a transaction that is then rolled back: its answers are not reused.
        conn.execute_batch("BEGIN; UPDATE indicators SET name = 'x'").unwrap();
        assert_eq!(ask(q(1)), 4);
        conn.execute_batch("ROLLBACK").unwrap();
        assert_eq!(ask(q(1)), 5);
        // Rolled back and nothing asked since: the next committed change must not meet the
        // rolled-back change's answers (a counted version would give it the same number).
        conn.execute_batch("BEGIN; UPDATE indicators SET name = 'x'").unwrap();
        assert_eq!(ask(q(3)), 6);
        conn.execute_batch("ROLLBACK; UPDATE indicators SET name = 'y'").unwrap();
        assert_eq!(ask(q(3)), 7);
        let other = pool.get().unwrap();
        other
            .execute_batch(
                "INSERT INTO regions (id, name, kind) VALUES ('r', 'R', 'town');
                 INSERT INTO observations VALUES ('r', 'gdp', 2023, 1, 1.5, NULL, 'x', 'now')",
            )
            .unwrap();
        assert_eq!(ask(q(1)), 8, "another connection's write is seen");
        other.execute_batch("UPDATE observations SET value = 2").unwrap();
        assert_eq!(ask(q(1)), 9);
        other.execute_batch("INSERT INTO targets VALUES ('r', 'gdp', 2023, 9, '[]', 's', 'x', 'now')").unwrap();
        assert_eq!((ask(q(1)), ask(q(1))), (10, 10));
        let world = |n: i32| answers.lend(|| answer(&conn, Question::World, || Ok(n))).unwrap();
        assert_eq!((world(1), world(2)), (1, 1));
        other.execute_batch("UPDATE observations SET value = 3").unwrap();
        assert_eq!(world(3), 1, "figures do not change the world");
        other.execute_batch("UPDATE regions SET name = 'S'").unwrap();
        assert_eq!((world(4), ask(q(1))), (4, 11), "a region changes both");

        // the register's figures: kept across typed figures, computed again when the register
        // or the world changes (and the data's answers with them)
        let now = crate::domain::Quarter::new(2024, 1).unwrap();
        let register = |n: i32| answers.lend(|| answer(&conn, Question::Register { now }, || Ok(n))).unwrap();
        assert_eq!((register(1), register(2)), (1, 1));
        other.execute_batch("UPDATE observations SET value = 4").unwrap();
        assert_eq!((register(3), ask(q(1))), (1, 12), "typed figures do not change the register");
        other
            .execute_batch(
                "INSERT INTO enterprises VALUES ('91350100M000100Y43', '甲公司', 'r');
                 INSERT INTO enterprise_years VALUES ('91350100M000100Y43', 2024, 1, 0, 0, 0)",
            )
            .unwrap();
        assert_eq!((register(4), ask(q(1))), (4, 13), "an enterprise changes the register and the data");
        other
            .execute_batch("INSERT INTO enterprise_values VALUES ('91350100M000100Y43', 'sales', 2024, 1, 9)")
            .unwrap();
        assert_eq!(register(5), 5, "and so does an enterprise's figure");
        other.execute_batch("UPDATE indicators SET name = 'z'").unwrap();
        assert_eq!((register(6), register(7)), (6, 6), "a changed rule or region is a changed register");
        let next = crate::domain::Quarter::new(2024, 2).unwrap();
        let in_next = answers.lend(|| answer(&conn, Question::Register { now: next }, || Ok(8))).unwrap();
        assert_eq!(in_next, 8, "a new quarter is another question");
    }

    #[test]
    fn without_lent_answers_every_answer_is_computed_and_a_lending_ends_with_its_call() {
        let dir = tempfile::tempdir().unwrap();
        let pool = store::open(&dir.path().join("cache.db")).unwrap();
        let conn = pool.get().unwrap();
        let computed = Cell::new(0);
        let ask = || {
            answer(&conn, Question::World, || {
                computed.set(computed.get() + 1);
                Ok(computed.get())
            })
            .unwrap()
        };
        assert_eq!((ask(), ask()), (1, 2), "nothing is kept without answers lent");
        let (one, two) = (Arc::new(Answers::default()), Arc::new(Answers::default()));
        assert_eq!(one.lend(|| (ask(), ask())), (3, 3));
        assert_eq!(two.lend(ask), 4, "each application keeps its own answers");
        assert_eq!(one.lend(|| two.lend(ask)), 4, "the innermost lending counts");
        assert_eq!(one.lend(ask), 3, "and the outer one is back after it");
        assert_eq!(ask(), 5, "and none after both");
    }
}
