//! Files in and out: `POST /imports` (CSV — also the World Bank WDI bulk CSV —, Excel
//! template, DHIS2 JSON, told apart by `Content-Type`), `GET /exports` (CSV or DHIS2 JSON of a selection), and the Excel template of a
//! region and quarter at `/templates/{region}/{YYYYQn}.xlsx`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiQuery, CurrentUser, body_bytes, period};
use crate::app::{AppState, off_the_runtime};
use crate::domain::{IndicatorCode, Period, RegionId};
use crate::engine;
use crate::engine::exports::Selection;
use crate::engine::imports::{ImportOutcome, Options};
use crate::error::AppError;
use crate::transfer::{self, Format, dhis2::DataValueSet};

/// Files for `POST /imports` may be this large (a province's year is a few MiB of CSV).
pub const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Routes under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(OpenApiRouter::new().routes(routes!(import)).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .routes(routes!(export))
}

/// Routes at the root: templates are downloaded like pages, not called like the API.
pub fn root_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(template))
}

/// An uploaded file and the format its `Content-Type` names; any other type → 415.
pub struct FileBody(pub Format, pub Bytes);

impl<S: Send + Sync> FromRequest<S> for FileBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let format = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Format::from_content_type)
            .ok_or_else(|| {
                ApiError::UnsupportedMediaType(format!(
                    "请以text/csv（CSV文件）、{}（Excel填报模板）或application/json（DHIS2 dataValueSets）上传文件",
                    transfer::XLSX_CONTENT_TYPE
                ))
            })?;
        let bytes = body_bytes(req, state, "上传的文件没有完整收到，请重新上传").await?;
        Ok(FileBody(format, bytes))
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// check and count only; nothing is stored
    dry_run: Option<bool>,
    /// why figures are corrected; kept in the audit log
    reason: Option<String>,
    /// for a World Bank WDI file only: the indicator (code or exact name) its series goes into
    #[param(example = "rd_share")]
    indicator: Option<String>,
}

/// Imports figures from a file: all rows or none, with the rules and permissions of `PUT /values`.
///
/// A dry run answers 200 with what would be created, updated and left unchanged, and every error
/// by row. A real import with any error stores nothing and answers 422 with the errors as
/// `error.details` (`[{"row", "message"}]`). Rows are numbered as a spreadsheet shows the file
/// (the header is row 1); in DHIS2 JSON a row is the 1-based position in `dataValues`. A problem
/// of more than 10 rows is one entry naming its first rows and how many; at most 200 entries are
/// listed, and `error_count` (and the message) counts every problem. A viewer may not import
/// (403, before the file is received); a statistician's rows for regions not theirs are row errors.
///
/// An Excel workbook is refused with 413 before it is read when a part would inflate to more than
/// 32 MiB or the whole to more than 64 MiB, when it has more than 1,000 parts, or when its first
/// sheet declares more than 100,000 rows or holds more than 200,000 cells (zip bombs).
///
/// CSV headers may be English (`region,indicator,period,value,comment`) or Chinese
/// (`地区,指标,时期,数值,备注`, `报告期` for `时期`); a region may be named by id or exact name, an
/// indicator by code or exact name; UTF-8 or GBK/GB18030. A World Bank WDI bulk CSV as downloaded
/// needs `indicator`: the annual figures of countries whose `Country Code` is a benchmark region's
/// `iso3` go into it; the other lines are counted as `skipped`. Rows of a WDI file are its
/// physical lines.
#[utoipa::path(post, path = "/imports", tag = "imports", params(ImportQuery),
    request_body(description = "the file",
        content((String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (DataValueSet = "application/json"))),
    responses((status = 200, body = ImportOutcome),
              (status = 400, description = "the file is not readable in its format", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, description = "the upload, or an Excel workbook once inflated, is too large", body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, description = "rows that cannot be stored; nothing was", body = ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    request: Request,
) -> ApiResult<Json<ImportOutcome>> {
    // Who may import is decided from the user alone, before the body is received: a viewer's
    // upload is refused without reading (let alone parsing) it.
    engine::imports::may_import(&user)?;
    let FileBody(format, bytes) = FileBody::from_request(request, &state).await?;
    let dry_run = q.dry_run.unwrap_or(false);
    let parsed = off_the_runtime(move || Ok(transfer::parse(format, &bytes))).await?.map_err(|e| match e {
        transfer::FileError::TooLarge(message) => ApiError::FileTooLarge(message),
        e => ApiError::Malformed(e.to_string()),
    })?;
    let current = engine::current_quarter();
    let outcome = state
        .write(move |tx| {
            let options = Options { dry_run, reason: q.reason.as_deref(), indicator: q.indicator.as_deref() };
            engine::imports::import_with(tx, &user, parsed, &options, current, &mut |_| {})
        })
        .await?;
    if !dry_run && outcome.error_count > 0 {
        return Err(ApiError::InvalidRows { message: outcome.error_message(), rows: outcome.errors });
    }
    Ok(Json(outcome))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(inline)]
    format: transfer::ExportFormat,
    /// this region and every region below it (default: all)
    #[param(inline, example = "town-jia")]
    region: Option<RegionId>,
    /// one indicator (default: all)
    #[param(inline, example = "gdp")]
    indicator: Option<IndicatorCode>,
    /// `YYYY` or `YYYYQn`: from this period on
    #[param(inline, example = "2023Q1")]
    from: Option<Period>,
    /// `YYYY` or `YYYYQn`: up to this period
    #[param(inline, example = "2023Q4")]
    to: Option<Period>,
}

/// Stored figures of a selection, exactly as submitted, as a CSV or DHIS2 JSON file.
#[utoipa::path(get, path = "/exports", tag = "imports", params(ExportQuery),
    responses((status = 200, description = "the file", content(
                  (String = "text/csv"), (DataValueSet = "application/json"))),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let selection = Selection {
        region: q.region.map(String::from),
        indicator: q.indicator.map(String::from),
        from: q.from,
        to: q.to,
    };
    let rows = state.read(move |conn| engine::exports::values(conn, &selection)).await?;
    let format = q.format;
    let bytes = off_the_runtime(move || format.write(&rows).map_err(|e| AppError::Internal(e.to_string()))).await?;
    Ok(file_response(format.format().content_type(), format.file_name(), bytes))
}

fn file_response(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "no-cache".into()),
        ],
        bytes,
    )
        .into_response()
}

/// The Excel template of a region for a quarter: one row per indicator it reports, with last
/// year's figure for the same quarter; fill in the value column and upload it to `POST /api/v1/imports`.
#[utoipa::path(get, path = "/templates/{region}/{file}", tag = "imports",
    params(("region" = inline(RegionId), Path, description = "a reporting region's id", example = "town-jia"),
           ("file" = String, Path, description = "the quarter (or the year, for annual indicators) and `.xlsx`, e.g. `2023Q3.xlsx`, `2023.xlsx`", pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)(Q[1-4])?\.xlsx$", example = "2023Q3.xlsx")),
    responses((status = 200, description = "the template",
                  content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn template(
    State(state): State<AppState>,
    _user: CurrentUser,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Response> {
    let Path((region, file)) = path.map_err(|_| super::extract::path_not_text())?;
    let stem = file
        .strip_suffix(".xlsx")
        .ok_or_else(|| ApiError::NoRoute(format!("/templates/{region}/{file}：填报模板的文件名以.xlsx结尾")))?;
    let period = period("period", stem)?;
    let data = state.read(move |conn| engine::exports::template(conn, &region, period)).await?;
    let name = format!("{}-{period}.xlsx", data.region);
    let bytes =
        off_the_runtime(move || transfer::xlsx::template(&data).map_err(|e| AppError::Internal(e.to_string()))).await?;
    Ok(file_response(transfer::XLSX_CONTENT_TYPE, &name, bytes))
}
