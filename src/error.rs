//! The errors of the application layer (engine and below), as data. The HTTP layer turns them into
//! responses in one place; the command line prints them.

use axum::http::StatusCode;

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
    /// Other writes held the database for longer than this one may wait: nothing was written.
    #[error("系统正忙：其他写入（如大批量导入）尚未完成，本次没有保存任何内容，请{}秒后重试", RETRY_AFTER_SECS)]
    Busy,
    /// The request's time limit passed; any write it began was rolled back first (`app::limits`).
    #[error("请求处理时间过长，已中止，没有保存任何内容")]
    Timeout,
    /// A failure of ours (rendering a report, say), never shown to clients in detail.
    #[error("{0}")]
    Internal(String),
}

/// How long a client told the server is [`AppError::Busy`] should wait (seconds).
pub const RETRY_AFTER_SECS: u64 = 5;

/// What a person reads of a failure of ours; the cause goes to the log.
pub const INTERNAL_MESSAGE: &str = "系统内部错误，请稍后再试或联系管理员";

fn summary(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}：{}", e.field, e.message)).collect::<Vec<_>>().join("；")
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The database was locked by other writers for longer than this write may wait: contention,
    /// not a fault. A store error of SQLite's busy timeout becomes [`AppError::Busy`].
    pub fn contention(self) -> AppError {
        match self {
            AppError::Store(e) if e.is_busy() => {
                tracing::warn!(error = %e, "a write found the database locked");
                AppError::Busy
            }
            other => other,
        }
    }

    /// Whether the failure is ours (a bug or a broken file) rather than the request's or the
    /// moment's: its cause is logged and not shown.
    pub fn is_internal(&self) -> bool {
        matches!(self, AppError::Store(_) | AppError::Chart(_) | AppError::Internal(_))
    }

    /// The HTTP status of the failure and its machine code, the same for the API and the pages.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            AppError::Timeout => (StatusCode::REQUEST_TIMEOUT, "timeout"),
            AppError::Store(_) | AppError::Chart(_) | AppError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }

    /// What a person may read of the error: ours name no cause.
    pub fn public_message(&self) -> String {
        if self.is_internal() { INTERNAL_MESSAGE.to_string() } else { self.to_string() }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Store(e.into())
    }
}

pub type AppResult<T> = Result<T, AppError>;
