//! How long a request may take, and what its answer then says (issue 13).
//!
//! Every request runs with a [`Work`]: its deadline, and whether it is still open, was cancelled
//! by the time limit, or has committed a write. When the time is up:
//! - if no write of the request has committed, the request is cancelled: a write in flight is
//!   interrupted at its next SQLite step (a progress handler reads the flag), rolls back, and
//!   only once it has does the client get 408 — so a 408 always means that nothing was stored;
//! - if a write has already committed, the request runs to its end and answers what it stored.
//!
//! A write commits only if it can mark its request committed before the time limit cancels it:
//! the two are decided by one atomic exchange, so the answer and the database never disagree.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use rusqlite::Connection;
use tokio::time::Instant;

/// The time limits of the server; tests shorten them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// a request still running after this long answers 408, having undone any write it began
    pub request: Duration,
    /// a write waits this long (at most until its request's time is up) for the writes of other
    /// requests ahead of it, then answers 503 `busy` with `Retry-After`
    pub write_wait: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { request: Duration::from_secs(30), write_wait: crate::store::BUSY_TIMEOUT }
    }
}

const OPEN: u8 = 0;
const CANCELLED: u8 = 1;
const COMMITTED: u8 = 2;

/// How many SQLite virtual-machine steps run between two looks at the cancel flag.
const STEPS_BETWEEN_CHECKS: i32 = 1000;

tokio::task_local! {
    static WORK: Arc<Work>;
}

/// One request's deadline and where its writes stand.
pub struct Work {
    deadline: Instant,
    state: AtomicU8,
    /// held by the request's write while it runs, so that the time limit can wait for it to
    /// roll back
    writing: Arc<tokio::sync::Mutex<()>>,
}

impl Work {
    fn new(limit: Duration) -> Work {
        Work {
            deadline: Instant::now() + limit,
            state: AtomicU8::new(OPEN),
            writing: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The work of the request being handled, if any (a call from outside the router has none).
    pub fn current() -> Option<Arc<Work>> {
        WORK.try_with(Arc::clone).ok()
    }

    /// How long until the request's time is up.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    pub fn is_cancelled(&self) -> bool {
        self.state.load(Ordering::Acquire) == CANCELLED
    }

    /// Marks the request committed; false if the time limit cancelled it first (the write
    /// must then roll back).
    pub fn commit(&self) -> bool {
        self.state.compare_exchange(OPEN, COMMITTED, Ordering::AcqRel, Ordering::Acquire).is_ok()
            || self.state.load(Ordering::Acquire) == COMMITTED
    }

    /// Marks the request cancelled; false if one of its writes has committed already.
    fn cancel(&self) -> bool {
        self.state.compare_exchange(OPEN, CANCELLED, Ordering::AcqRel, Ordering::Acquire).is_ok()
            || self.state.load(Ordering::Acquire) == CANCELLED
    }

    /// Taken by a write before it starts and held until it has committed or rolled back.
    pub async fn writing(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.writing.clone().lock_owned().await
    }
}

/// While it lives, the statements of `conn` fail (`SQLITE_INTERRUPT`) once `work` is cancelled;
/// dropping it lets the connection finish its rollback and go back to the pool unchanged.
pub struct Interruptible<'c> {
    conn: &'c Connection,
}

impl<'c> Interruptible<'c> {
    pub fn new(conn: &'c Connection, work: Option<Arc<Work>>) -> rusqlite::Result<Interruptible<'c>> {
        if let Some(work) = work {
            conn.progress_handler(STEPS_BETWEEN_CHECKS, Some(move || work.is_cancelled()))?;
        }
        Ok(Interruptible { conn })
    }
}

impl Drop for Interruptible<'_> {
    fn drop(&mut self) {
        // Failing that (it cannot: the connection is ours), the handler only reads a flag.
        let _ = self.conn.progress_handler(0, None::<fn() -> bool>);
    }
}

/// Runs `request` within `limits.request`, as the module says. `None` when the time ran out
/// and nothing of the request was stored (its write in flight has rolled back): the caller then
/// answers 408. A request one of whose writes has committed runs to its end.
pub async fn within<T>(limits: Limits, request: impl Future<Output = T>) -> Option<T> {
    let work = Arc::new(Work::new(limits.request));
    let mut run = Box::pin(WORK.scope(work.clone(), request));
    if let Ok(answer) = tokio::time::timeout(limits.request, &mut run).await {
        return Some(answer);
    }
    if !work.cancel() {
        tracing::warn!(limit = ?limits.request, "over the time limit after a write committed: answering when done");
        return Some(run.await);
    }
    // No write of the request will start; the one in flight stops at its next step.
    drop(run);
    let waited = Instant::now();
    let _rolled_back = work.writing.lock().await;
    tracing::warn!(limit = ?limits.request, rollback = ?waited.elapsed(), "over the time limit: nothing stored");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whichever of a write's commit and the time limit's cancel comes first wins; the other
    /// learns it, so that a 408 never goes out after a commit, nor a commit after a 408.
    #[test]
    fn a_request_is_either_cancelled_or_committed_never_both() {
        type Step = fn(&Work) -> bool;
        let commit: Step = Work::commit;
        let cancel: Step = Work::cancel;
        let cases: [(&str, &[Step], &[bool], bool); 5] = [
            ("commit, then the limit", &[commit, cancel], &[true, false], false),
            ("the limit, then a commit", &[cancel, commit], &[true, false], true),
            ("two writes commit", &[commit, commit], &[true, true], false),
            ("two writes, then the limit", &[commit, commit, cancel], &[true, true, false], false),
            ("the limit alone", &[cancel], &[true], true),
        ];
        for (name, steps, want, cancelled) in cases {
            let work = Work::new(Duration::from_secs(30));
            let got: Vec<bool> = steps.iter().map(|step| step(&work)).collect();
            assert_eq!(got, want, "{name}");
            assert_eq!(work.is_cancelled(), cancelled, "{name}");
        }
    }

    /// A write whose request is cancelled fails within a few statements (with SQLite's
    /// `interrupted`), rolls back whole, and leaves the connection as it found it.
    #[test]
    fn a_cancelled_write_stops_within_a_few_statements_and_stores_nothing() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT)").unwrap();
        let work = Arc::new(Work::new(Duration::from_secs(30)));
        let tx = rusqlite::Transaction::new_unchecked(&conn, rusqlite::TransactionBehavior::Immediate).unwrap();
        let interruptible = Interruptible::new(&tx, Some(work.clone())).unwrap();
        let mut written = 0;
        let stopped = (0..100_000).try_for_each(|i| {
            if i == 500 {
                assert!(work.cancel());
            }
            tx.prepare_cached("INSERT INTO t (x, y) VALUES (?1, 'figure')")?.execute([i])?;
            written += 1;
            Ok::<_, rusqlite::Error>(())
        });
        drop(interruptible);
        let code = stopped.unwrap_err().sqlite_error_code();
        assert_eq!(code, Some(rusqlite::ErrorCode::OperationInterrupted));
        assert!((500..600).contains(&written), "{written} statements ran");
        drop(tx);
        let count = |conn: &Connection| conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(count(&conn), 0);
        conn.execute("INSERT INTO t (x, y) VALUES (1, 'after')", []).unwrap();
        assert_eq!(count(&conn), 1);
    }
}
