//! Extractors whose rejections are our `ApiError`: a JSON body whose errors name the field, a
//! query string likewise, and the signed-in user from a bearer token.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::app::AppState;
use crate::app::session::{CSRF_HEADER, session_of};
use crate::domain::access::User;
use crate::domain::{FieldError, Period, Quarter};
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
            return Err(ApiError::UnsupportedMediaType("请求体应为 JSON（Content-Type: application/json）".into()));
        }
        let bytes = body_bytes(req, state, "无法读取请求体").await?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut *de) {
            Ok(value) => {
                // One JSON value and nothing after it.
                de.end().map_err(|e| not_json(&e))?;
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
                            in_chinese(&strip_position(&inner.to_string())),
                        )])))
                    }
                    _ => Err(not_json(&inner)),
                }
            }
        }
    }
}

/// The whole body of a request: 413 over the body limit, 400 with `unreadable` when it could not
/// be received.
pub async fn body_bytes<S: Send + Sync>(req: Request, state: &S, unreadable: &str) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            tracing::info!(error = %rejection.body_text(), "a request's body could not be received");
            ApiError::Malformed(unreadable.to_string())
        }
    })
}

/// A JSON body that may also be left out: an empty body (or `null`) is `T::default()`; anything
/// else is read as [`ApiJson`] reads it.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = body_bytes(Request::from_parts(parts.clone(), body), state, "无法读取请求体").await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        let ApiJson(value) =
            ApiJson::<Option<T>>::from_request(Request::from_parts(parts, axum::body::Body::from(bytes)), state)
                .await?;
        Ok(OptionalJson(value.unwrap_or_default()))
    }
}

/// serde names a missing field only in its message: "missing field `region`".
fn missing_field(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

/// serde_json appends " at line 1 column 42", which means nothing to a form. Only that ending is
/// cut: a message of our own types may quote the client's text, " at line " and all.
fn strip_position(message: &str) -> String {
    let Some(at) = message.rfind(" at line ") else { return message.to_string() };
    let position = &message[at + " at line ".len()..];
    let numbers = position
        .split_once(" column ")
        .filter(|(line, column)| [line, column].iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())));
    if numbers.is_some() { message[..at].to_string() } else { message.to_string() }
}

/// A body that is not JSON at all, with where it breaks: 第 1 行第 5 列.
fn not_json(e: &serde_json::Error) -> ApiError {
    ApiError::Malformed(format!("请求体不是有效的 JSON：第 {} 行第 {} 列有误", e.line(), e.column()))
}

/// serde's messages for a value of the wrong shape, in Chinese; messages of our own types (already
/// Chinese) pass unchanged. The field is named beside the message, in `details`.
fn in_chinese(message: &str) -> String {
    // the names serde quotes with backticks: `region`, or the variants after "expected one of"
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let first = quoted.first().copied().unwrap_or("");
    let choices = || quoted[1..].join("、");
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("类型不对：应为{}，收到的是{}", expected(want), unexpected(got));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("取值不对：应为{}，收到的是{}", expected(want), unexpected(got));
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let got = rest.split(',').next().unwrap_or("");
        let want: String =
            rest.split_once("expected").map_or("", |(_, w)| w).chars().filter(char::is_ascii_digit).collect();
        return if want.is_empty() {
            format!("个数不对：收到 {got} 个")
        } else {
            format!("个数不对：应为 {want} 个，收到 {got} 个")
        };
    }
    if message.starts_with("unknown variant") {
        return if quoted.len() > 1 {
            format!("不认识“{first}”，可选：{}", choices())
        } else {
            format!("不认识“{first}”")
        };
    }
    if message.starts_with("unknown field") {
        return if quoted.len() > 1 {
            format!("没有字段“{first}”，可用的字段：{}", choices())
        } else {
            format!("没有字段“{first}”")
        };
    }
    if message.starts_with("missing field") {
        return format!("缺少字段“{first}”");
    }
    if message.starts_with("duplicate field") {
        return format!("字段“{first}”出现了两次");
    }
    // what serde_urlencoded passes on from parsing a number or a flag
    match message {
        "invalid digit found in string" => "不是整数".into(),
        "cannot parse integer from empty string" | "cannot parse float from empty string" => "不能为空".into(),
        "number too large to fit in target type" => "数字太大".into(),
        "number too small to fit in target type" => "数字太小".into(),
        "invalid float literal" => "不是数字".into(),
        "provided string was not `true` or `false`" => "应为 true 或 false".into(),
        other => other.to_string(),
    }
}

/// What serde expected, in words: `f64` → 数字, `a string` → 文字.
fn expected(what: &str) -> String {
    let what = what.trim();
    match what {
        "f32" | "f64" => "数字".into(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "整数".into(),
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "非负整数".into(),
        "a string" | "a borrowed string" | "string" | "a character" | "char" => "文字".into(),
        "a boolean" | "bool" => "true 或 false".into(),
        "a sequence" | "sequence" => "列表".into(),
        "a map" | "map" => "对象".into(),
        w if w.starts_with("struct ") || w.starts_with("a map") => "对象".into(),
        w if w.starts_with("tuple") || w.starts_with("an array") || w.starts_with("a sequence") => "列表".into(),
        // our own types say what they expect in Chinese
        w if !w.is_ascii() => w.to_string(),
        _ => "其他类型".into(),
    }
}

/// What serde got instead, in words: `string "x"` → 文字“x”, `integer `5`` → 整数 5.
fn unexpected(what: &str) -> String {
    let what = what.trim();
    let literal = || what.split('`').nth(1).unwrap_or("").to_string();
    if let Some(text) = what.strip_prefix("string ") {
        return format!("文字“{}”", text.trim_matches('"'));
    }
    match what.split(' ').next().unwrap_or("") {
        "integer" => format!("整数 {}", literal()),
        "floating" => format!("数字 {}", literal()),
        "boolean" => literal(),
        "null" | "unit" => "null".into(),
        "sequence" => "列表".into(),
        "map" => "对象".into(),
        _ if !what.is_ascii() => what.to_string(),
        _ => "其他类型".into(),
    }
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
            ApiError::App(AppError::Invalid(vec![FieldError::new(field, in_chinese(&message))]))
        })
    }
}

/// The answer to a path whose bytes are not UTF-8 text.
pub fn path_not_text() -> ApiError {
    ApiError::Malformed("地址中有一段不是有效的 UTF-8 文字".into())
}

/// A path segment as text. Bytes that are not UTF-8 (`/regions/%FF`) → 400 with our JSON error.
pub struct ApiPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ApiPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(segment)| ApiPath(segment))
            .map_err(|_| path_not_text())
    }
}

/// Parses a period in a path, naming the field when it is not one. (Query strings and bodies read
/// `Period` itself.)
pub fn period(field: &str, text: &str) -> Result<Period, ApiError> {
    text.parse().map_err(|e: crate::domain::period::PeriodError| ApiError::invalid(field, e.to_string()))
}

/// Parses a quarter in a path (a year is refused as such), naming the field when it is not one.
pub fn quarter(field: &str, text: &str) -> Result<Quarter, ApiError> {
    Quarter::try_from(text.to_string()).map_err(|e| ApiError::invalid(field, e.to_string()))
}

/// Checks a year parameter, naming the field when it is out of range.
pub fn year(field: &str, year: i32) -> Result<i32, ApiError> {
    Period::from_parts(year, 0)
        .map(|p| p.year())
        .ok_or_else(|| ApiError::invalid(field, format!("{year}年不在可用范围内（1900至2200年）")))
}

/// A region id given as a parameter or a field, checked against the document's pattern
/// (`^[a-z0-9][a-z0-9-]{0,63}$`): anything else → 422 naming the field, even where an unknown id
/// would only match nothing.
pub fn region_id(field: &str, text: &str) -> Result<(), ApiError> {
    crate::domain::RegionId::parse(text).map(drop).map_err(|e| ApiError::invalid(field, e.to_string()))
}

/// An indicator code given as a parameter or a field (`^[a-z][a-z0-9_]{0,63}$`), likewise.
pub fn indicator_code(field: &str, text: &str) -> Result<(), ApiError> {
    crate::domain::IndicatorCode::parse(text).map(drop).map_err(|e| ApiError::invalid(field, e.to_string()))
}

/// A year in a path such as `/assessments/2023`.
pub fn year_in_path(text: &str) -> Result<i32, ApiError> {
    match text.parse::<Period>() {
        Ok(Period::Year(y)) => Ok(y),
        _ => Err(ApiError::invalid(
            "year",
            format!("“{}”不是年份（应为 1900 至 2200 年的 YYYY，如 2023）", text.chars().take(20).collect::<String>()),
        )),
    }
}

/// An integer field that takes what JSON Schema's `integer` is: any number without a fraction,
/// `2023` or `2023.0` (serde alone refuses the second). Use with `#[serde(deserialize_with)]`.
pub fn whole<'de, D: serde::Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<T, D::Error> {
    struct Whole;
    impl serde::de::Visitor<'_> for Whole {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("整数")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            // within ±2^53 a float without a fraction is exactly an integer
            if v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 {
                Ok(v as i64)
            } else {
                Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
            }
        }
    }
    let v = d.deserialize_any(Whole)?;
    T::try_from(v).map_err(|_| serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &"范围内的整数"))
}

/// [`whole`] for an optional field (with `#[serde(default)]`): null or absent is `None`.
pub fn whole_opt<'de, D: serde::Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<T>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrap(#[serde(deserialize_with = "whole")] i64);
    let v: Option<Wrap> = serde::Deserialize::deserialize(d)?;
    v.map(|Wrap(v)| {
        T::try_from(v).map_err(|_| serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &"范围内的整数"))
    })
    .transpose()
}

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
                .and_then(bearer_token)
                .ok_or(ApiError::Unauthorized("Authorization 请求头应为“Bearer 令牌”"))?
                .to_string();
            return state
                .read(move |conn| engine::users::authenticate(conn, &token))
                .await?
                .map(CurrentUser)
                .ok_or(ApiError::Unauthorized("令牌无效或已停用"));
        }
        let (user, csrf) = session_of(&parts.headers, state)
            .await?
            .ok_or(ApiError::Unauthorized("请先登录，或在请求头中发送“Authorization: Bearer 令牌”"))?;
        let safe = matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !safe && sent != Some(csrf.as_str()) {
            return Err(AppError::Forbidden("缺少 CSRF 令牌或令牌不符，请刷新页面后重试".into()).into());
        }
        Ok(CurrentUser(user))
    }
}

/// The token of an `Authorization` header of the bearer scheme, whose name is case-insensitive
/// (RFC 7235 §2.1): `Bearer`, `bearer` and `BEARER` alike.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim_start().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 200).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_reach_people_in_chinese() {
        for (serde, want) in [
            ("invalid type: string \"x\", expected f64", "类型不对：应为数字，收到的是文字“x”"),
            ("invalid type: null, expected a string", "类型不对：应为文字，收到的是null"),
            ("invalid type: integer `5`, expected a string", "类型不对：应为文字，收到的是整数 5"),
            ("invalid type: floating point `1.5`, expected i32", "类型不对：应为整数，收到的是数字 1.5"),
            ("invalid type: map, expected a sequence", "类型不对：应为列表，收到的是对象"),
            ("invalid type: sequence, expected struct Body", "类型不对：应为对象，收到的是列表"),
            ("invalid type: boolean `true`, expected u8", "类型不对：应为非负整数，收到的是true"),
            ("invalid value: integer `-1`, expected u32", "取值不对：应为非负整数，收到的是整数 -1"),
            ("invalid length 3, expected an array of length 4", "个数不对：应为 4 个，收到 3 个"),
            (
                "unknown variant `yearly`, expected one of `quarter`, `ytd`, `annual`",
                "不认识“yearly”，可选：quarter、ytd、annual",
            ),
            ("unknown variant `x`, expected `equal` or `weights`", "不认识“x”，可选：equal、weights"),
            ("unknown field `vaule`, expected `value` or `comment`", "没有字段“vaule”，可用的字段：value、comment"),
            ("missing field `region`", "缺少字段“region”"),
            ("duplicate field `value`", "字段“value”出现了两次"),
            ("invalid digit found in string", "不是整数"),
            ("cannot parse integer from empty string", "不能为空"),
            ("“2023Q5”不是时期：应为 YYYY 或 YYYYQn", "“2023Q5”不是时期：应为 YYYY 或 YYYYQn"),
        ] {
            assert_eq!(in_chinese(serde), want, "{serde}");
        }
    }

    #[test]
    fn the_bearer_scheme_is_named_in_any_case() {
        for (header, want) in [
            ("Bearer zb_1", Some("zb_1")),
            ("bearer zb_1", Some("zb_1")),
            ("BEARER zb_1", Some("zb_1")),
            ("bEaReR   zb_1  ", Some("zb_1")),
            ("Bearer\tzb_1", Some("zb_1")),
            ("Bearer", None),
            ("Bearer ", None),
            ("Bearerzb_1", None),
            ("Basic zb_1", None),
            ("Token zb_1", None),
        ] {
            assert_eq!(bearer_token(header), want, "{header:?}");
        }
        assert_eq!(bearer_token(&format!("Bearer {}", "x".repeat(201))), None);
    }

    #[test]
    fn integers_are_numbers_without_a_fraction() {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            #[serde(deserialize_with = "whole")]
            year: i32,
            #[serde(default, deserialize_with = "whole_opt")]
            base: Option<u8>,
        }
        for (json, want) in [
            (r#"{"year": 2023}"#, Ok((2023, None))),
            (r#"{"year": 2023.0, "base": 6.0}"#, Ok((2023, Some(6)))),
            (r#"{"year": -1e3, "base": null}"#, Ok((-1000, None))),
            (r#"{"year": 2023.5}"#, Err("类型不对：应为整数，收到的是数字 2023.5")),
            (r#"{"year": 3e9}"#, Err("取值不对：应为范围内的整数，收到的是整数 3000000000")),
            (r#"{"year": 1e300}"#, Err("类型不对：应为整数，收到的是数字 1e+300")),
            (r#"{"year": "2023"}"#, Err("类型不对：应为整数，收到的是文字“2023”")),
            (r#"{"year": 1, "base": 256}"#, Err("取值不对：应为范围内的整数，收到的是整数 256")),
            (r#"{"year": 1, "base": -1.0}"#, Err("取值不对：应为范围内的整数，收到的是整数 -1")),
        ] {
            let got = serde_json::from_str::<Body>(json)
                .map(|b| (b.year, b.base))
                .map_err(|e| in_chinese(&strip_position(&e.to_string())));
            assert_eq!(got, want.map_err(str::to_string), "{json}");
        }
    }

    #[test]
    fn names_missing_fields_and_drops_positions() {
        assert_eq!(missing_field("missing field `region` at line 1 column 2").as_deref(), Some("region"));
        assert_eq!(missing_field("invalid type"), None);
        assert_eq!(
            strip_position("invalid type: string \"x\", expected f64 at line 1 column 42"),
            "invalid type: string \"x\", expected f64"
        );
        // a client's text quoted in our own message keeps what it says
        assert_eq!(
            strip_position("“a at line 5”不是有效的地区代码 at line 1 column 20"),
            "“a at line 5”不是有效的地区代码"
        );
        assert_eq!(strip_position("“x at line 1 column 2 y”不是时期"), "“x at line 1 column 2 y”不是时期");
    }
}
