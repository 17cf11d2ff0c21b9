//! Year-end assessment schemes and their results.

use rusqlite::Connection;
use serde::Serialize;

use super::{Scope, audit_change, require_admin, world};
use crate::domain::Span;
use crate::domain::access::User;
use crate::domain::assessment::{Assessed, ItemFigures, RegionScore, Scheme, assess, check_scheme};
use crate::error::{AppError, AppResult};
use crate::store;

pub fn scheme(conn: &Connection, year: i32) -> AppResult<Scheme> {
    store::targets::scheme(conn, year)?.ok_or_else(|| AppError::NotFound(format!("{year}年尚未设置考核方案")))
}

pub fn set_scheme(conn: &Connection, user: &User, year: i32, scheme: Scheme) -> AppResult<Scheme> {
    require_admin(user)?;
    let world = world(conn)?;
    check_scheme(&scheme, &world.tree, &world.indicators).map_err(AppError::Invalid)?;
    let old = store::targets::scheme(conn, year)?;
    store::targets::save_scheme(conn, year, &scheme, &user.name, &store::now())?;
    let scope = Scope { period: Some(year.to_string()), ..Default::default() };
    let action = if old.is_some() { "update" } else { "create" };
    audit_change(conn, &user.name, action, "scheme", &year.to_string(), scope, old.as_ref(), Some(&scheme))?;
    Ok(scheme)
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    pub year: i32,
    pub parent: String,
    pub regions: Vec<RegionScore>,
}

/// Scores the regions the scheme assesses on their annual figures and targets of `year`.
pub fn result(conn: &Connection, year: i32) -> AppResult<Assessment> {
    super::cache::answer(conn, super::cache::Question::Assessment { year }, || compute(conn, year))
}

/// The year the assessment pages show: the one asked for, else the latest year with a scheme up to
/// the year shown elsewhere (a year of three quarters has no scheme yet), else that year.
pub fn year_shown(conn: &Connection, asked: Option<i32>) -> AppResult<i32> {
    if let Some(year) = asked {
        return Ok(year);
    }
    let shown = super::year_shown(conn, None)?;
    Ok(store::targets::latest_scheme_year(conn, shown)?.unwrap_or(shown))
}

/// The assessment, computed from the stored figures, targets and scheme.
pub fn compute(conn: &Connection, year: i32) -> AppResult<Assessment> {
    let Inputs { scheme, regions, figures } = inputs(conn, year)?;
    Ok(Assessment { year, parent: scheme.parent.clone(), regions: assess(&scheme, &regions, &figures) })
}

/// What the assessment of `year` is computed from: the scheme, the assessed regions and each
/// item's annual figures and targets (the what-if re-scores the same).
pub struct Inputs {
    pub scheme: Scheme,
    pub regions: Vec<Assessed>,
    /// follows `scheme.items`
    pub figures: Vec<ItemFigures>,
}

/// Loads the scheme of `year` (404 without one; 409 when it no longer fits the tree) and the
/// figures it scores.
pub fn inputs(conn: &Connection, year: i32) -> AppResult<Inputs> {
    let scheme = scheme(conn, year)?;
    let world = world(conn)?;
    // The tree may have changed since the scheme was set: check again rather than score nonsense.
    check_scheme(&scheme, &world.tree, &world.indicators).map_err(|e| {
        AppError::Conflict(format!(
            "{year}年考核方案与现有地区或指标不再相符：{}",
            e.first().map_or(String::new(), |f| format!("{}（{}）", f.message, f.field))
        ))
    })?;
    let children: Vec<&str> = scheme.assessed_regions(&world.tree).into_iter().map(|c| c.as_str()).collect();
    let codes: Vec<&str> = scheme.items.iter().map(|i| i.indicator.as_str()).collect();
    let observations = world.observations(conn, &children, &codes, year, year)?;
    let calc = world.calculator(&observations);
    let regions: Vec<Assessed> = children
        .iter()
        .map(|c| {
            let r = world.region(c)?;
            Ok(Assessed { id: r.id.to_string(), name: r.name.clone(), group: r.group.clone() })
        })
        .collect::<AppResult<_>>()?;
    let figures: Vec<ItemFigures> = scheme
        .items
        .iter()
        .map(|item| {
            let ind = world.indicator(&item.indicator)?;
            let targets = super::targets::of_regions(conn, &children, &item.indicator, year)?;
            Ok(ItemFigures {
                direction: ind.direction,
                decimals: ind.decimals,
                actual: children.iter().map(|c| calc.figure(c, &item.indicator, Span::Annual(year)).value).collect(),
                target: children.iter().map(|c| targets.get(*c).map(|t| t.value)).collect(),
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(Inputs { scheme, regions, figures })
}
