//! 已发布报告: what was published (who, when, the kind, the period, the region, the JSON's SHA-256)
//! with links to each report as published, and for admins a form to publish one, reached from the
//! reports page. The form posts to a page route with the session's CSRF token, as the
//! rectification forms do; the report is built by the same code as the API's `POST /publications`.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

use super::{OrPage, PageError, PageUser, STALE_PAGE, render};
use crate::app::AppState;
use crate::domain::region::RegionKind;
use crate::domain::{FieldError, Period, RegionId};
use crate::engine;
use crate::engine::publications::Kind;
use crate::error::{AppError, AppResult};
use crate::reports::format;

#[derive(Serialize)]
struct Row {
    id: i64,
    kind: &'static str,
    period: String,
    region: String,
    published_by: String,
    /// Beijing time
    published_at: String,
    sha256: String,
}

#[derive(Serialize, Default)]
struct Asked {
    kind: String,
    period: String,
    region: String,
}

#[derive(Serialize)]
struct Page {
    rows: Vec<Row>,
    /// the publication just made
    published: Option<i64>,
    /// for admins: the kinds, the regions a bulletin may be of, what the form holds
    kinds: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
    form: Asked,
    errors: Vec<FieldError>,
}

fn page(conn: &rusqlite::Connection, published: Option<i64>, form: Asked, errors: Vec<FieldError>) -> AppResult<Page> {
    let world = engine::world(conn)?;
    let name = |id: &str| world.tree.get(id).map_or_else(|| id.to_string(), |r| r.name.clone());
    let rows = engine::publications::list(conn, None)?
        .into_iter()
        .map(|p| Row {
            id: p.id,
            kind: p.kind.label(),
            period: p.period.parse::<Period>().map_or_else(|_| p.period.clone(), Period::label),
            region: p.region.as_deref().map(name).unwrap_or_default(),
            published_by: p.published_by,
            published_at: format::beijing_time(&p.published_at).unwrap_or(p.published_at),
            sha256: p.sha256,
        })
        .collect();
    let regions = world
        .tree
        .in_display_order()
        .into_iter()
        .filter(|r| r.kind != RegionKind::Benchmark)
        .map(|r| (r.id.as_str().to_string(), r.name.clone()))
        .collect();
    let form = Asked {
        period: if form.period.is_empty() { engine::period_shown(conn, None)?.to_string() } else { form.period },
        ..form
    };
    Ok(Page {
        rows,
        published,
        kinds: Kind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        regions,
        form,
        errors,
    })
}

/// The list, and the form for admins. `?published=ID` names the publication just made.
pub async fn list(
    State(state): State<AppState>,
    who: PageUser,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let published = super::first_values(query.as_deref().unwrap_or(""))
        .into_iter()
        .find(|(name, _)| name == "published")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let d = state.read(move |conn| page(conn, published, Asked::default(), vec![])).await.or_page(&who)?;
    Ok(render("publications.html", Some(&who), "已发布报告", &d))
}

/// An admin publishes a report from the page; what is wrong with the form is said above it.
pub async fn publish(
    State(state): State<AppState>,
    who: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if form.get("csrf") != Some(&who.csrf) {
        return Ok((StatusCode::FORBIDDEN, Html(STALE_PAGE)).into_response());
    }
    let value = |name: &str| form.get(name).map(|v| v.trim().to_string()).unwrap_or_default();
    let asked = Asked { kind: value("kind"), period: value("period"), region: value("region") };
    let user = who.user.clone();
    let (kind, period, region) = (asked.kind.clone(), asked.period.clone(), asked.region.clone());
    let outcome = state
        .write(move |conn| {
            engine::require_admin(&user)?;
            let kind = Kind::parse(&kind).ok_or_else(|| AppError::invalid("kind", "请选择报告类型"))?;
            let period: Period = period
                .parse()
                .map_err(|e: crate::domain::period::PeriodError| AppError::invalid("period", e.to_string()))?;
            let region = match region.as_str() {
                "" => None,
                id => Some(RegionId::parse(id).map_err(|e| AppError::invalid("region", e.to_string()))?),
            };
            engine::publications::create(conn, &user, kind, period, region.as_ref(), crate::reports::publication)
        })
        .await;
    match outcome {
        Ok(p) => Ok(Redirect::to(&format!("/publications?published={}", p.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let d = state.read(move |conn| page(conn, None, asked, errors)).await.or_page(&who)?;
            let mut resp = render("publications.html", Some(&who), "已发布报告", &d);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(PageError::new(Some(&who), e)),
    }
}
