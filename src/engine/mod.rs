//! The application layer: loads what a question needs from the store, asks `domain` for the
//! answer, and writes changes with their audit entries in the caller's transaction.
//! No statistics are computed here, and nothing here knows about HTTP.

pub mod assessments;
pub mod audit;
pub mod benchmarks;
pub mod cache;
pub mod charts;
pub mod completeness;
pub mod dashboard;
pub mod departments;
pub mod enterprise_imports;
pub mod enterprises;
pub mod entry;
pub mod exports;
pub mod imports;
pub mod indicators;
pub mod plans;
pub mod progress;
pub mod publications;
pub mod regions;
pub mod series;
pub mod supervision;
pub mod targets;
pub mod three_zeros;
pub mod users;
pub mod values;
pub mod what_if;
pub mod workflow;

use std::collections::HashSet;
use std::sync::Arc;

use rusqlite::Connection;

use crate::domain::access::User;
use crate::domain::{Calculator, IndicatorCode, IndicatorSet, Observations, Period, Quarter, RegionTree};
use crate::error::{AppError, AppResult};
use crate::store;

/// The regions and indicators: small, and needed by nearly every question.
pub struct World {
    pub tree: RegionTree,
    pub indicators: IndicatorSet,
}

impl World {
    pub fn calculator<'a>(&'a self, observations: &'a Observations) -> Calculator<'a> {
        Calculator::new(&self.tree, &self.indicators, observations)
    }

    /// Loads the stored figures needed to compute `indicators` for `regions` (and all below
    /// them, whose reported totals count too) in the years `from..=to`.
    pub fn observations(
        &self,
        conn: &Connection,
        regions: &[&str],
        indicators: &[&str],
        from: i32,
        to: i32,
    ) -> AppResult<Observations> {
        let mut wanted: HashSet<&str> = HashSet::new();
        for region in regions {
            wanted.insert(region);
            wanted.extend(self.tree.subtree(region).into_iter().map(|r| r.as_str()));
        }
        let mut codes: Vec<&IndicatorCode> = Vec::new();
        for code in indicators.iter().flat_map(|c| self.indicators.inputs_of(c)) {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        let mut observations = store::observations::load(conn, &codes, from, to, Some(&wanted))?;
        enterprises::add_register_figures(conn, self, &codes, &wanted, from, to, &mut observations)?;
        Ok(observations)
    }

    pub fn region(&self, id: &str) -> AppResult<&crate::domain::Region> {
        self.tree.get(id).ok_or_else(|| AppError::NotFound(format!("地区“{id}”不存在")))
    }

    /// The root of the reporting tree (全区, 全国); 404 before the tree has a region.
    pub fn root(&self) -> AppResult<&crate::domain::Region> {
        self.tree.root().ok_or_else(|| AppError::NotFound("还没有地区".into()))
    }

    pub fn indicator(&self, code: &str) -> AppResult<&crate::domain::Indicator> {
        self.indicators.get(code).ok_or_else(|| AppError::NotFound(format!("指标“{code}”不存在")))
    }
}

/// The regions and indicators as `conn` sees them: kept in memory until they change (they change
/// rarely, and every request needs them).
pub fn world(conn: &Connection) -> AppResult<Arc<World>> {
    cache::answer(conn, cache::Question::World, || {
        let corrupt = |e: String| AppError::Store(store::StoreError::Corrupt(e));
        Ok(Arc::new(World {
            tree: RegionTree::new(store::regions::all(conn)?).map_err(|e| corrupt(e.to_string()))?,
            indicators: IndicatorSet::new(store::indicators::all(conn)?).map_err(|e| corrupt(e.to_string()))?,
        }))
    })
}

/// The quarter we are in, on the bureau's clock (China Standard Time).
pub fn current_quarter() -> Quarter {
    Quarter::at(chrono::Utc::now())
}

/// Runs `f` and undoes whatever it wrote, keeping its answer: previews and dry runs see exactly
/// what a real write would do without doing it.
pub fn rehearse<T>(conn: &Connection, f: impl FnOnce(&Connection) -> AppResult<T>) -> AppResult<T> {
    conn.execute_batch("SAVEPOINT rehearsal")?;
    let result = f(conn);
    conn.execute_batch("ROLLBACK TO rehearsal; RELEASE rehearsal")?;
    result
}

/// The latest quarter, up to the current one, for which any figure was submitted.
pub fn latest_quarter(conn: &Connection) -> AppResult<Option<Quarter>> {
    let current = current_quarter();
    Ok(store::observations::latest_quarter(conn, current.year(), current.q())?
        .and_then(|(year, q)| Quarter::new(year, q)))
}

/// The latest period with figures: the latest quarter, or for a database of annual indicators
/// only, the latest year.
pub fn latest_period(conn: &Connection) -> AppResult<Option<Period>> {
    Ok(match latest_quarter(conn)? {
        Some(q) => Some(Period::Quarter(q)),
        None => store::observations::latest_year(conn, current_quarter().year())?.map(Period::Year),
    })
}

/// The period a page shows: the one asked for, else `period::shown_by_default`.
pub fn period_shown(conn: &Connection, asked: Option<Period>) -> AppResult<Period> {
    match asked {
        Some(period) => Ok(period),
        None => Ok(crate::domain::period::shown_by_default(latest_period(conn)?, current_quarter())),
    }
}

/// The year a page shows: the one asked for, else that of [`period_shown`].
pub fn year_shown(conn: &Connection, asked: Option<i32>) -> AppResult<i32> {
    match asked {
        Some(year) => Ok(year),
        None => Ok(period_shown(conn, None)?.year()),
    }
}

pub fn require_admin(user: &User) -> AppResult<()> {
    if user.is_admin() { Ok(()) } else { Err(AppError::Forbidden("只有管理员可以执行此操作".into())) }
}

/// What a change concerns, so that the audit log can be filtered by region, indicator and period,
/// and why it was made when someone said so.
#[derive(Default)]
struct Scope<'a> {
    region: Option<&'a str>,
    indicator: Option<&'a str>,
    period: Option<String>,
    reason: Option<&'a str>,
}

/// One audit entry for a change of anything but a figure.
#[allow(clippy::too_many_arguments)]
fn audit_change<T: serde::Serialize>(
    conn: &Connection,
    user: &str,
    action: &str,
    entity: &str,
    key: &str,
    scope: Scope<'_>,
    old: Option<&T>,
    new: Option<&T>,
) -> AppResult<()> {
    let json = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok());
    store::audit::record(
        conn,
        &store::audit::AuditRecord {
            at: store::now(),
            user: user.to_string(),
            action: action.to_string(),
            entity: entity.to_string(),
            key: key.to_string(),
            region: scope.region.map(str::to_string),
            indicator: scope.indicator.map(str::to_string),
            period: scope.period,
            old: json(old),
            new: json(new),
            reason: scope.reason.map(str::to_string),
        },
    )?;
    Ok(())
}
