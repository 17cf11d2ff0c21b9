//! `POST /enterprises/import`: the enterprise register's list or figures from a CSV or Excel file,
//! as `POST /imports` takes files: all rows or none, errors by row, a dry run.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::CONTENT_TYPE;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiQuery, CurrentUser, body_bytes};
use super::transfer::IMPORT_BODY_LIMIT;
use crate::app::{AppState, off_the_runtime};
use crate::engine;
use crate::engine::enterprise_imports::{EnterpriseImportOutcome, ImportKind};
use crate::transfer::{self, Format, RowError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import)).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `list` (default): `code,name,region,year,scale,high_tech,sales_over_100m,major_project`;
    /// `figures`: `code,period,measure,value`
    #[param(inline)]
    kind: Option<ImportKind>,
    /// check and count only; nothing is stored
    dry_run: Option<bool>,
}

/// Imports the enterprise register's list or figures: all rows or none.
///
/// The list: `code,name,region,year,scale,high_tech,sales_over_100m,major_project` or
/// `统一社会信用代码,企业名称,地区,年度,规模以上,高新技术企业,销售超亿元,重大项目企业`, one row per
/// enterprise and year; the rows of one code make one enterprise, a row's year replaces that
/// year's attributes and keeps its other years and its R&D institutions. Flags 是/否, 1/0,
/// true/false, Y/N (blank: 否); a region by id or exact name. The figures: `code,period,measure,value`
/// or `统一社会信用代码,时期,指标,数值` (`期别` for 时期); a measure by code or Chinese label; the
/// enterprise must be registered. The header may stand below a title; other columns are left
/// alone. CSV in UTF-8 or GBK/GB18030, or an Excel workbook (its first sheet).
///
/// A dry run answers 200 with what would be created and updated, and every error by row, with
/// nothing stored. A real import with any error stores nothing and answers 422 with the errors as
/// `error.details` (`[{"row", "message"}]`; the dry run's `errors` also name the column). Viewers
/// and officers may not import (403); a statistician's rows of enterprises of regions not theirs
/// are row errors.
#[utoipa::path(post, path = "/enterprises/import", tag = "enterprises", params(ImportQuery),
    request_body(description = "the file",
        content((String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = EnterpriseImportOutcome),
              (status = 400, description = "the file is not readable in its format", body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 413, description = "the upload, or an Excel workbook once inflated, is too large", body = ErrorBody),
              (status = 415, body = ErrorBody),
              (status = 422, description = "rows that cannot be stored; nothing was", body = ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    request: Request,
) -> ApiResult<Json<EnterpriseImportOutcome>> {
    // decided from the user alone, before the file is received
    engine::imports::may_import(&user)?;
    let format = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::from_content_type)
        .filter(|f| matches!(f, Format::Csv | Format::Xlsx))
        .ok_or_else(|| {
            ApiError::UnsupportedMediaType(format!(
                "请以text/csv（CSV文件）或{}（Excel工作簿）上传企业名单或企业数据",
                transfer::XLSX_CONTENT_TYPE
            ))
        })?;
    let bytes = body_bytes(request, &state, "上传的文件没有完整收到，请重新上传").await?;
    let table = off_the_runtime(move || Ok(engine::enterprise_imports::read_table(format, &bytes))).await?.map_err(
        |e| match e {
            transfer::FileError::TooLarge(message) => ApiError::FileTooLarge(message),
            e => ApiError::Malformed(e.to_string()),
        },
    )?;
    let (kind, dry_run) = (q.kind.unwrap_or_default(), q.dry_run.unwrap_or(false));
    let outcome = state.write(move |tx| engine::enterprise_imports::import(tx, &user, kind, &table, dry_run)).await?;
    if !dry_run && outcome.error_count > 0 {
        let rows = outcome.errors.iter().map(|e| RowError::new(e.row, e.message.clone())).collect();
        return Err(ApiError::InvalidRows { message: outcome.error_message(), rows });
    }
    Ok(Json(outcome))
}
