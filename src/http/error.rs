//! The one error type of the HTTP layer and its JSON shape:
//! `{"error": {"code": "snake_case", "message": "…", "details": [{"field", "message"}]}}`; an
//! import's details name rows instead: `[{"row", "message"}]`.
//! Internal errors are logged with their cause and shown to clients only as [`INTERNAL_MESSAGE`].
//! Every `message` is Chinese, for the person who reads it; `code` is the machine's.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::FieldError;
use crate::error::{AppError, RETRY_AFTER_SECS};
use crate::transfer::RowError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Built with `?` or `.into()`, which turns contention into [`AppError::Busy`].
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
    /// An import with errors: nothing was stored. The message counts them all; the rows list
    /// the first of them (`engine::imports` words both).
    #[error("{message}")]
    InvalidRows { message: String, rows: Vec<RowError> },
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<AppError> for ApiError {
    /// The database locked by another writer past the busy timeout is contention, not a fault.
    fn from(e: AppError) -> ApiError {
        ApiError::App(e.contention())
    }
}

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

    /// What a client may read of the error: failures of ours name no cause (it goes to the log);
    /// being busy is no fault, and says when to try again.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::App(e) => e.public_message(),
            other => other.to_string(),
        }
    }

    fn is_internal(&self) -> bool {
        matches!(self, ApiError::App(e) if e.is_internal())
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::App(e) => e.status_and_code(),
            ApiError::InvalidRows { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::NoRoute(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::TooLarge | ApiError::FileTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if self.is_internal() {
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
