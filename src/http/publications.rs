//! `/publications` (SPEC §14): publishing a bulletin, an assessment or a rectification report,
//! the list of what was published, and `/reports/published/{id}.html|.xlsx|.json`, each report
//! byte for byte as it was published.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser};
use super::reports::{download, split_file};
use crate::app::AppState;
use crate::domain::{Period, RegionId};
use crate::engine;
use crate::engine::publications::{Kind, Publication, Rendering};
use crate::reports::{self, Format};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, publish))
}

/// `/reports/published/…`, beside the live reports.
pub fn root_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(published_report))
}

/// A report to publish.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    kind: Kind,
    /// a bulletin: `YYYYQn` (the year to the quarter) or `YYYY`; an assessment: `YYYY`; a
    /// rectification report: `YYYYQn`
    #[schema(inline, example = "2023Q4")]
    period: Period,
    /// a bulletin's region (default: the root of the tree); the other reports are of no region
    #[schema(inline, example = "district")]
    region: Option<RegionId>,
}

/// Publishes a report (admins): builds it as `/reports/{kind}/…` does now and keeps its JSON, HTML
/// and XLSX as published, its moment (`as_of` = `published_at`) and the SHA-256 of its JSON.
#[utoipa::path(post, path = "/publications", tag = "reports", request_body = PublishBody,
    responses((status = 201, body = Publication), (status = 403, description = "not an admin", body = ErrorBody),
              (status = 404, description = "no such region, or no assessment scheme for the year", body = ErrorBody),
              (status = 409, description = "the year's scheme no longer fits the regions or indicators", body = ErrorBody),
              (status = 422, description = "a period or region the kind does not take", body = ErrorBody)))]
async fn publish(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<PublishBody>,
) -> ApiResult<(StatusCode, Json<Publication>)> {
    let published = state
        .write(move |tx| {
            engine::publications::create(tx, &user, body.kind, body.period, body.region.as_ref(), reports::publication)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(published)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// only publications of this kind
    #[param(inline)]
    kind: Option<Kind>,
}

/// What was published, newest first: by whom, when, the JSON's SHA-256.
#[utoipa::path(get, path = "/publications", tag = "reports", params(ListQuery),
    responses((status = 200, body = [Publication]), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<Publication>>> {
    Ok(Json(state.read(move |conn| engine::publications::list(conn, q.kind)).await?))
}

/// A report as it was published, byte for byte (the JSON's SHA-256 is the publication's `sha256`).
#[utoipa::path(get, path = "/reports/published/{file}", tag = "reports",
    params(("file" = String, Path, description = "the publication's id and format, e.g. `1.html`, `1.xlsx`, `1.json`", pattern = r"^[1-9][0-9]{0,17}\.(html|xlsx|json)$", example = "1.json")),
    responses((status = 200, description = "the report as published, by the file's ending", content(("text/html"),
                  ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/json"))),
              (status = 404, description = "no such publication", body = ErrorBody)))]
async fn published_report(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(file): ApiPath,
) -> ApiResult<Response> {
    let (stem, format) = split_file(&file, &[Format::Html, Format::Xlsx, Format::Json])?;
    let id = engine::publications::id_of(stem)?;
    let rendering = match format {
        Format::Html => Rendering::Html,
        Format::Xlsx => Rendering::Xlsx,
        Format::Json => Rendering::Json,
    };
    let (p, bytes) = state
        .read(move |conn| {
            let p = engine::publications::get(conn, id)?;
            Ok((p, engine::publications::rendering(conn, id, rendering)?))
        })
        .await?;
    Ok(download(bytes, format, &format!("{}-{}-published-{}", p.kind.as_str(), p.period, p.id)))
}
