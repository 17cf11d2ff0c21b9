//! The one error type of the HTTP layer and its JSON shape:
//! `{"error": {"code": "snake_case", "message": "…", "details": [{"field", "message"}]}}`; an
//! import's details name rows instead: `[{"row", "message"}]`.
//! Internal errors are logged with their cause and shown to clients only as [`INTERNAL_MESSAGE`].
//! Every `message` is Chinese (SPEC §1); `code` is the machine's.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::FieldError;
use crate::error::AppError;
use crate::transfer::RowError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Built with `?` or `.into()`, which turns contention into [`ApiError::Busy`].
    #[error(transparent)]
    App(AppError),
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("请求体太大")]
    TooLarge,
    /// An uploaded file that would take more than its bounds to read (an Excel zip bomb).
    #[error("{0}")]
    FileTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("没有这个地址：{0}")]
    NoRoute(String),
    #[error("这个地址不接受该请求方法")]
    MethodNotAllowed,
    /// The request's time limit passed; any write it began was rolled back first (`limits`).
    #[error("请求处理时间过长，已中止，没有保存任何内容")]
    Timeout,
    /// Other writes held the database for longer than this one may wait: nothing was written.
    #[error("系统正忙：其他写入（如大批量导入）尚未完成，本次没有保存任何内容，请{}秒后重试", RETRY_AFTER_SECS)]
    Busy,
    #[error("内部错误：{0}")]
    Internal(String),
    /// An import with errors: nothing was stored. The message counts them all; the rows list
    /// the first of them (`engine::imports` words both).
    #[error("{message}")]
    InvalidRows { message: String, rows: Vec<RowError> },
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What a 503 `busy` answer asks the client to wait (`Retry-After`, seconds).
pub const RETRY_AFTER_SECS: u64 = 5;

impl From<AppError> for ApiError {
    /// The database locked by another writer past the busy timeout is contention, not a fault.
    fn from(e: AppError) -> ApiError {
        if e.is_busy() {
            tracing::warn!(error = %e, "a write found the database locked");
            ApiError::Busy
        } else {
            ApiError::App(e)
        }
    }
}

/// What a client reads of a failure of ours; the cause goes to the log.
pub const INTERNAL_MESSAGE: &str = "系统内部错误，请稍后再试或联系管理员";

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Detail>,
}

/// What one detail of an error names: a field of the request, or a row of an imported file.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Detail {
    Field(FieldError),
    Row(RowError),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::App(AppError::invalid(field, message))
    }

    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }

    /// What a client may read of the error: server errors name no cause (it goes to the log);
    /// being busy is no fault, and says when to try again.
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() && !matches!(self, ApiError::Busy) {
            INTERNAL_MESSAGE.to_string()
        } else {
            self.to_string()
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::App(AppError::Invalid(_)) | ApiError::InvalidRows { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            }
            ApiError::App(AppError::NotFound(_)) | ApiError::NoRoute(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::App(AppError::Forbidden(_)) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::App(AppError::Conflict(_)) => (StatusCode::CONFLICT, "conflict"),
            ApiError::App(AppError::Store(_) | AppError::Chart(_) | AppError::Internal(_)) | ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            ApiError::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::TooLarge | ApiError::FileTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Timeout => (StatusCode::REQUEST_TIMEOUT, "timeout"),
            ApiError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() && !matches!(self, ApiError::Busy) {
            tracing::error!(error = %self, "request failed");
        }
        let message = self.public_message();
        let details = match self {
            ApiError::App(AppError::Invalid(details)) => details.into_iter().map(Detail::Field).collect(),
            ApiError::InvalidRows { rows, .. } => rows.into_iter().map(Detail::Row).collect(),
            _ => Vec::new(),
        };
        let mut response = (status, Json(ErrorBody { error: ErrorDetail { code, message, details } })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, RETRY_AFTER_SECS.into());
        }
        response
    }
}
