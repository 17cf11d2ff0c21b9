//! Submitting figures (all or nothing, with warnings and audit) and reading them as submitted.

use rusqlite::Connection;
use serde::Serialize;

use super::{World, workflow, world};
use crate::domain::access::{Role, User};
use crate::domain::submission::{self, RawItem, Submission, Warning, YtdContext};
use crate::domain::{Calculator, FieldError, IndicatorCode, Period, Quarter, RegionId, Span};
use crate::error::{AppError, AppResult};
use crate::store::{self, audit::AuditRecord, observations::NewValue, observations::ValueRow};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SubmitOutcome {
    /// figures accepted (unchanged ones included)
    pub stored: usize,
    pub warnings: Vec<Warning>,
}

/// Checks and stores a batch in the caller's transaction. Any error leaves the store untouched
/// as long as the caller rolls back, which dropping the transaction does.
pub fn submit(
    conn: &Connection,
    user: &User,
    region: &str,
    period: &str,
    items: &[RawItem<'_>],
    reason: Option<&str>,
    current: Quarter,
) -> AppResult<SubmitOutcome> {
    let world = world(conn)?;
    let sub = check(conn, &world, user, region, period, items, reason, current)?;
    write(conn, user, &sub, reason, &store::now())?;
    let warnings = warnings(conn, &world, &sub)?;
    Ok(SubmitOutcome { stored: sub.items.len(), warnings })
}

/// What saving a batch would give, without saving: its errors, or the warnings it would carry.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<Warning>,
}

pub fn preview(
    conn: &Connection,
    user: &User,
    region: &str,
    period: &str,
    items: &[RawItem<'_>],
    current: Quarter,
) -> AppResult<Preview> {
    match super::rehearse(conn, |conn| submit(conn, user, region, period, items, None, current)) {
        Ok(outcome) => Ok(Preview { errors: vec![], warnings: outcome.warnings }),
        Err(AppError::Invalid(errors)) => Ok(Preview { errors, warnings: vec![] }),
        // An approved, submitted or locked quarter: say so on the form rather than fail.
        Err(AppError::Conflict(message)) => {
            Ok(Preview { errors: vec![FieldError::new("period", message)], warnings: vec![] })
        }
        Err(e) => Err(e),
    }
}

/// May `user` submit this batch, and does it pass every rule of the submission checks? Nothing is written.
/// A region's quarter that is approved or locked refuses the batch (409), unless `user`
/// is an admin who gives a `reason`; `write` then records the override.
#[allow(clippy::too_many_arguments)]
pub fn check(
    conn: &Connection,
    world: &World,
    user: &User,
    region: &str,
    period: &str,
    items: &[RawItem<'_>],
    reason: Option<&str>,
    current: Quarter,
) -> AppResult<Submission> {
    // An unknown region is reported as such (422) to those who may write figures at all.
    let known = world.tree.get(region).is_some();
    if matches!(user.role, Role::Viewer | Role::Officer) || (known && !user.may_write_figures(&world.tree, region)) {
        return Err(AppError::Forbidden(format!("用户“{}”不能填报地区“{region}”的数据", user.name)));
    }
    let sub =
        submission::check(&world.tree, &world.indicators, region, period, items, current).map_err(AppError::Invalid)?;
    workflow::check_write(conn, user, sub.region.as_str(), sub.period, reason)?;
    Ok(sub)
}

/// A stored figure as `GET /values` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredValue {
    pub region: String,
    pub indicator: String,
    /// `YYYYQn`, or `YYYY` for a benchmark's annual figure
    pub period: String,
    pub value: f64,
    pub comment: Option<String>,
    pub submitted_by: String,
    pub submitted_at: String,
}

impl From<ValueRow> for StoredValue {
    fn from(r: ValueRow) -> StoredValue {
        StoredValue {
            region: r.region,
            indicator: r.indicator,
            period: r.period,
            value: r.value,
            comment: r.comment,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
        }
    }
}

/// How a checked batch changed what was stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Changes {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// What writing `sub` would change, without writing.
pub fn changes(conn: &Connection, sub: &Submission) -> AppResult<Changes> {
    let mut out = Changes::default();
    for item in &sub.items {
        match store::observations::get(conn, sub.region.as_str(), item.indicator.as_str(), sub.period)? {
            None => out.created += 1,
            Some(o) if o.value == item.value && o.comment == item.comment => out.unchanged += 1,
            Some(_) => out.updated += 1,
        }
    }
    Ok(out)
}

/// Stores a checked batch, one audit entry per changed figure; unchanged figures are left alone.
/// A write into a closed region's quarter (an admin's, with a reason) is also audited as an
/// override.
pub fn write(conn: &Connection, user: &User, sub: &Submission, reason: Option<&str>, at: &str) -> AppResult<Changes> {
    let mut out = Changes::default();
    for item in &sub.items {
        let old = store::observations::get(conn, sub.region.as_str(), item.indicator.as_str(), sub.period)?;
        if old.as_ref().is_some_and(|o| o.value == item.value && o.comment == item.comment) {
            out.unchanged += 1;
            continue;
        }
        if old.is_some() {
            out.updated += 1;
        } else {
            out.created += 1;
        }
        store::observations::upsert(
            conn,
            &NewValue {
                region: &sub.region,
                indicator: &item.indicator,
                period: sub.period,
                value: item.value,
                comment: item.comment.as_deref(),
                submitted_by: &user.name,
                submitted_at: at,
            },
        )?;
        store::audit::record(
            conn,
            &AuditRecord {
                at: at.to_string(),
                user: user.name.clone(),
                action: if old.is_some() { "update" } else { "create" }.into(),
                entity: "value".into(),
                key: format!("{}/{}/{}", sub.region, item.indicator, sub.period),
                region: Some(sub.region.to_string()),
                indicator: Some(item.indicator.to_string()),
                period: Some(sub.period.to_string()),
                old: old.map(|o| serde_json::json!({"value": o.value, "comment": o.comment})),
                new: Some(serde_json::json!({"value": item.value, "comment": item.comment})),
                reason: reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string),
            },
        )?;
    }
    workflow::record_override(conn, user, sub.region.as_str(), sub.period, reason, out.created + out.updated)?;
    Ok(out)
}

/// The warnings of the submission checks, computed by the engine on the figures as they stand after the write.
pub fn warnings(conn: &Connection, world: &World, sub: &Submission) -> AppResult<Vec<Warning>> {
    let codes: Vec<&str> = sub.items.iter().map(|i| i.indicator.as_str()).collect();
    let year = sub.period.year();
    let observations = world.observations(conn, &[sub.region.as_str()], &codes, year - 1, year)?;
    Ok(warnings_with(&world.calculator(&observations), world, sub))
}

/// The warnings of a batch from a calculator that holds the region's figures of this year and
/// the last, the batch's included. A quarter is compared in the year-to-date view with the
/// quarters around it and last year's; a year with last year's.
pub fn warnings_with(calc: &Calculator<'_>, world: &World, sub: &Submission) -> Vec<Warning> {
    let mut out = submission::batch_warnings(&world.indicators, &sub.items);
    let (now, previous_quarter, next_quarter, last_year) = match sub.period {
        Period::Quarter(q) => {
            let same_year = |other: Option<Quarter>| other.filter(|o| o.year() == q.year()).map(Span::Ytd);
            (Span::Ytd(q), same_year(q.previous()), same_year(q.next()), q.year_before().map(Span::Ytd))
        }
        Period::Year(y) => (Span::Annual(y), None, None, Some(Span::Annual(y - 1))),
    };
    for item in &sub.items {
        let Some(ind) = world.indicators.get(item.indicator.as_str()) else { continue };
        let at = |span: Option<Span>| span.and_then(|s| calc.figure(sub.region.as_str(), ind.code.as_str(), s).value);
        out.extend(submission::value_warnings(
            ind,
            YtdContext {
                now: at(Some(now)),
                previous_quarter: at(previous_quarter),
                next_quarter: at(next_quarter),
                last_year: at(last_year),
            },
        ));
    }
    out
}

pub fn list(
    conn: &Connection,
    region: &RegionId,
    period: Period,
    indicator: Option<&IndicatorCode>,
) -> AppResult<Vec<StoredValue>> {
    if store::regions::get(conn, region.as_str())?.is_none() {
        return Err(AppError::NotFound(format!("地区“{region}”不存在")));
    }
    let indicator = indicator.map(IndicatorCode::as_str);
    Ok(store::observations::list(conn, region.as_str(), period, indicator)?
        .into_iter()
        .map(StoredValue::from)
        .collect())
}
