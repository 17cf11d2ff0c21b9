//! Creating and changing indicators, keeping every formula valid.

use rusqlite::Connection;

use super::{Scope, audit_change, require_admin, world};
use crate::domain::access::User;
use crate::domain::{Indicator, IndicatorSet, RegionKind};
use crate::error::{AppError, AppResult};
use crate::store;

pub fn list(conn: &Connection) -> AppResult<Vec<Indicator>> {
    Ok(world(conn)?.indicators.in_display_order().into_iter().cloned().collect())
}

pub fn get(conn: &Connection, code: &str) -> AppResult<Indicator> {
    world(conn)?.indicators.get(code).cloned().ok_or_else(|| AppError::NotFound(format!("指标“{code}”不存在")))
}

/// The indicator set with `indicator` in place must still be valid (known codes, no cycles), and
/// the regions it names must be in the tree. Answers the indicator as the set holds it: a derived
/// one over an annual input is annual.
fn check_indicator(conn: &Connection, indicator: Indicator) -> AppResult<Indicator> {
    let mut all: Vec<Indicator> =
        store::indicators::all(conn)?.into_iter().filter(|i| i.code != indicator.code).collect();
    all.push(indicator.clone());
    let set = IndicatorSet::new(all).map_err(|e| AppError::invalid("formula", e.to_string()))?;
    let indicator = set.get(indicator.code.as_str()).cloned().expect("just put in the set");
    let world = world(conn)?;
    for (i, id) in indicator.regions.iter().flatten().enumerate() {
        match world.tree.get(id.as_str()) {
            None => return Err(AppError::invalid(format!("regions[{i}]"), format!("地区“{id}”不存在"))),
            Some(r) if r.kind == RegionKind::Benchmark => {
                return Err(AppError::invalid(
                    format!("regions[{i}]"),
                    format!("“{}”是对标地区，不属于填报地区树", r.name),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(indicator)
}

pub fn create(conn: &Connection, user: &User, indicator: Indicator) -> AppResult<Indicator> {
    require_admin(user)?;
    if world(conn)?.indicators.get(indicator.code.as_str()).is_some() {
        return Err(AppError::Conflict(format!("指标“{}”已存在", indicator.code)));
    }
    let indicator = check_indicator(conn, indicator)?;
    store::indicators::save(conn, &indicator)?;
    audit_change(
        conn,
        &user.name,
        "create",
        "indicator",
        indicator.code.as_str(),
        Scope { indicator: Some(indicator.code.as_str()), ..Default::default() },
        None,
        Some(&indicator),
    )?;
    Ok(indicator)
}

pub fn update(conn: &Connection, user: &User, indicator: Indicator) -> AppResult<Indicator> {
    require_admin(user)?;
    let old = get(conn, indicator.code.as_str())?;
    let indicator = check_indicator(conn, indicator)?;
    // Stored figures mean what the mode says; changing it would silently change every figure.
    if old.mode != indicator.mode && store::indicators::has_figures(conn, indicator.code.as_str())? {
        return Err(AppError::Conflict(format!("指标“{}”已有数据，不能改变填报方式", indicator.name)));
    }
    // Stored figures are quarters or years as the frequency says; they would no longer fit.
    if old.frequency != indicator.frequency && store::indicators::has_figures(conn, indicator.code.as_str())? {
        return Err(AppError::Conflict(format!("指标“{}”已有数据，不能改变报送频率", indicator.name)));
    }
    store::indicators::save(conn, &indicator)?;
    audit_change(
        conn,
        &user.name,
        "update",
        "indicator",
        indicator.code.as_str(),
        Scope { indicator: Some(indicator.code.as_str()), ..Default::default() },
        Some(&old),
        Some(&indicator),
    )?;
    Ok(indicator)
}
