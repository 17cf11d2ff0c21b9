//! The errors of the application layer (engine and below), as data. The HTTP layer turns them into
//! responses in one place; the command line prints them.

use crate::domain::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input breaks a rule; each problem names its field.
    #[error("输入有误：{}", summary(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Chart(#[from] crate::charts::ChartError),
    /// A failure of ours (rendering a report, say), never shown to clients in detail.
    #[error("{0}")]
    Internal(String),
}

fn summary(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}：{}", e.field, e.message)).collect::<Vec<_>>().join("；")
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The database was locked by another writer for longer than the busy timeout.
    pub fn is_busy(&self) -> bool {
        matches!(self, AppError::Store(e) if e.is_busy())
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Store(e.into())
    }
}

pub type AppResult<T> = Result<T, AppError>;
