//! The running application that the JSON API (`http`) and the pages (`web`) share as peers: its
//! state (the database pool, the named charts, the time limits, whether cookies are `Secure`), the
//! transactions every request runs in, and the sessions both sides sign in with. Its errors are
//! the application's ([`AppError`]); each side turns them into its own answers.

pub mod limits;
pub mod session;

use std::sync::Arc;

use rusqlite::{Connection, TransactionBehavior};

use crate::charts::named::NamedChart;
use crate::engine::cache::Answers;
use crate::error::{AppError, AppResult};
use crate::store::Pool;
pub use limits::Limits;
use limits::{Interruptible, Work};

#[derive(Clone)]
pub struct AppState {
    /// reached only through [`AppState::read`] and [`AppState::write`]
    pool: Pool,
    /// the charts of the charts directory, read at start-up
    pub named_charts: Arc<Vec<NamedChart>>,
    pub limits: Limits,
    /// whether cookies carry `Secure` (`serve --secure-cookies`, behind a TLS proxy)
    secure_cookies: bool,
    /// the engine's answers kept for this database between writes
    answers: Arc<Answers>,
    /// Writes take turns here, in the order they came, before they take a connection: a write
    /// behind a long import waits without holding one, then runs or answers 503.
    writers: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    pub fn new(pool: Pool, named_charts: Vec<NamedChart>, limits: Limits) -> AppState {
        AppState {
            pool,
            named_charts: Arc::new(named_charts),
            limits,
            secure_cookies: false,
            answers: Arc::default(),
            writers: Arc::default(),
        }
    }

    /// The same state, with cookies marked `Secure` or not.
    pub fn with_secure_cookies(self, secure_cookies: bool) -> AppState {
        AppState { secure_cookies, ..self }
    }

    /// Runs `f` in one transaction on the blocking pool, inside the caller's tracing span; the
    /// transaction commits only when `f` succeeds and, for a write, only if the request's time
    /// limit has not cancelled it (see [`limits`]). Once cancelled, `f`'s statements fail at
    /// their next step and the transaction rolls back.
    async fn transaction<T, F>(&self, write: bool, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        let work = Work::current();
        let held = if write {
            let wait = work.as_ref().map_or(self.limits.write_wait, |w| w.remaining().min(self.limits.write_wait));
            let turn = tokio::time::timeout(wait, self.writers.clone().lock_owned()).await.map_err(|_| {
                tracing::warn!(?wait, "a write waited in line for longer than it may");
                AppError::Busy
            })?;
            let writing = match &work {
                Some(w) => Some(w.writing().await),
                None => None,
            };
            Some((turn, writing))
        } else {
            None
        };
        let behavior = if write { TransactionBehavior::Immediate } else { TransactionBehavior::Deferred };
        let pool = self.pool.clone();
        let answers = self.answers.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            // let go only once the transaction has committed or rolled back
            let _held = held;
            span.in_scope(|| {
                if work.as_ref().is_some_and(|w| w.is_cancelled()) {
                    return Err(AppError::Timeout);
                }
                let conn = pool.get().map_err(|e| AppError::Internal(e.to_string()))?;
                let tx = rusqlite::Transaction::new_unchecked(&conn, behavior)?;
                let interruptible = Interruptible::new(&tx, work.clone())?;
                let value = answers.lend(|| f(&tx));
                drop(interruptible);
                let value = value?;
                if write && work.is_some_and(|w| !w.commit()) {
                    // dropping `tx` rolls it back
                    return Err(AppError::Timeout);
                }
                tx.commit()?;
                Ok(value)
            })
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::contention)
    }

    /// A read: every statement of `f` sees one snapshot of the database.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        self.transaction(false, f).await
    }

    /// A write: all of `f` or nothing. Writes of the server take turns (waiting at most
    /// `limits.write_wait`, then [`AppError::Busy`]); IMMEDIATE takes SQLite's write lock up
    /// front, so that a write waits for another process's rather than failing when it upgrades
    /// a read lock.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        self.transaction(true, f).await
    }
}

/// Work that needs no database (drawing a chart, rendering a report, writing a workbook) on the
/// blocking pool, once the transaction that read its data has let its connection go.
pub async fn off_the_runtime<T, F>(f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> AppResult<T> + Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f)).await.map_err(|e| AppError::Internal(e.to_string()))?
}
