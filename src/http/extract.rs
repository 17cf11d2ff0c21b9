//! Extractors whose rejections are our `ApiError`: a JSON body whose errors name the field, a
//! query string likewise, and the signed-in user from a bearer token.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::ApiError;
use crate::domain::access::User;
use crate::domain::{FieldError, Period};
use crate::engine;
use crate::error::AppError;

/// A JSON body. Malformed JSON → 400, a missing or wrong content type → 415, a body over the limit
/// → 413, a value of the wrong shape → 422 naming the field (`values[0].value`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json") || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "the body must be JSON (Content-Type: application/json)".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::Malformed(rejection.body_text())
            }
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut *de) {
            Ok(value) => {
                // One JSON value and nothing after it.
                de.end().map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))?;
                Ok(ApiJson(value))
            }
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                match inner.classify() {
                    serde_json::error::Category::Data => {
                        let field =
                            if path == "." { missing_field(&inner.to_string()).unwrap_or("body".into()) } else { path };
                        Err(ApiError::App(AppError::Invalid(vec![FieldError::new(
                            field,
                            strip_position(&inner.to_string()),
                        )])))
                    }
                    _ => Err(ApiError::Malformed(format!("the body is not valid JSON: {inner}"))),
                }
            }
        }
    }
}

/// serde names a missing field only in its message: "missing field `region`".
fn missing_field(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

/// serde_json appends " at line 1 column 42", which means nothing to a form.
fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_string()
}

/// A query string parsed into `T`; a missing or malformed parameter → 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|err| {
            let path = err.path().to_string();
            let message = err.into_inner().to_string();
            let field = if path == "." { missing_field(&message).unwrap_or("query".into()) } else { path };
            ApiError::App(AppError::Invalid(vec![FieldError::new(field, message)]))
        })
    }
}

/// A path segment as text. Bytes that are not UTF-8 (`/regions/%FF`) → 400 with our JSON error.
pub struct ApiPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ApiPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(segment)| ApiPath(segment))
            .map_err(|rejection| ApiError::Malformed(rejection.body_text()))
    }
}

/// Parses a period parameter, naming the field when it is not one.
pub fn period(field: &str, text: &str) -> Result<Period, ApiError> {
    text.parse().map_err(|e: crate::domain::period::PeriodError| ApiError::invalid(field, e.to_string()))
}

/// Checks a year parameter, naming the field when it is out of range.
pub fn year(field: &str, year: i32) -> Result<i32, ApiError> {
    Period::from_parts(year, 0)
        .map(|p| p.year())
        .ok_or_else(|| ApiError::invalid(field, format!("{year} is not a year zhibiao accepts (1900 to 2200)")))
}

/// A year in a path such as `/assessments/2023`.
pub fn year_in_path(text: &str) -> Result<i32, ApiError> {
    match text.parse::<Period>() {
        Ok(Period::Year(y)) => Ok(y),
        _ => Err(ApiError::invalid(
            "year",
            format!("'{}' is not a year (YYYY)", text.chars().take(20).collect::<String>()),
        )),
    }
}

/// The name of the browser session's cookie.
pub const SESSION_COOKIE: &str = "zb_session";
/// Requests that change something on a browser session carry the session's CSRF token here.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in user: from a bearer token (tools), or from the session cookie (pages and the
/// scripts on them, which must also send the CSRF token on anything but GET). 401 without either.
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty() && t.len() <= 200)
                .ok_or(ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'"))?
                .to_string();
            return state
                .read(move |conn| engine::users::authenticate(conn, &token))
                .await?
                .map(CurrentUser)
                .ok_or(ApiError::Unauthorized("the token is not valid"));
        }
        let (user, csrf) = session_of(parts, state)
            .await?
            .ok_or(ApiError::Unauthorized("sign in: send Authorization: Bearer <token>"))?;
        let safe = matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !safe && sent != Some(csrf.as_str()) {
            return Err(AppError::Forbidden("the CSRF token is missing or wrong".into()).into());
        }
        Ok(CurrentUser(user))
    }
}

/// The user and CSRF token of the session cookie, if it names a live session.
pub async fn session_of(parts: &Parts, state: &AppState) -> Result<Option<(User, String)>, ApiError> {
    let jar = axum_extra::extract::CookieJar::from_headers(&parts.headers);
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|t| t.len() <= 200) else {
        return Ok(None);
    };
    state.read(move |conn| engine::users::session(conn, &token)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_missing_fields_and_drops_positions() {
        assert_eq!(missing_field("missing field `region` at line 1 column 2").as_deref(), Some("region"));
        assert_eq!(missing_field("invalid type"), None);
        assert_eq!(
            strip_position("invalid type: string \"x\", expected f64 at line 1 column 42"),
            "invalid type: string \"x\", expected f64"
        );
    }
}
