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
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("请求体太大")]
    TooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("没有这个地址：{0}")]
    NoRoute(String),
    #[error("这个地址不接受该请求方法")]
    MethodNotAllowed,
    #[error("请求处理时间过长，已中止")]
    Timeout,
    #[error("内部错误：{0}")]
    Internal(String),
    /// An import with errors: nothing was stored.
    #[error("文件有{}处错误（见各行说明），没有导入任何数据", .0.len())]
    InvalidRows(Vec<RowError>),
}

pub type ApiResult<T> = Result<T, ApiError>;

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

    /// What a client may read of the error: server errors name no cause (it goes to the log).
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() { INTERNAL_MESSAGE.to_string() } else { self.to_string() }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::App(AppError::Invalid(_)) | ApiError::InvalidRows(_) => {
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
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Timeout => (StatusCode::REQUEST_TIMEOUT, "timeout"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let message = self.public_message();
        let details = match self {
            ApiError::App(AppError::Invalid(details)) => details.into_iter().map(Detail::Field).collect(),
            ApiError::InvalidRows(rows) => rows.into_iter().map(Detail::Row).collect(),
            _ => Vec::new(),
        };
        let mut response = (status, Json(ErrorBody { error: ErrorDetail { code, message, details } })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        response
    }
}
