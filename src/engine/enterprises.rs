//! The enterprise register (企业库): enterprises and their figures, visible to those who write
//! their region's figures; the figures of register indicators, computed from the register
//! whenever figures are loaded so that they flow through the one calculator like any stored
//! figure; and the three zeros (三个零) board.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use super::{Scope, World, audit_change};
use crate::domain::access::{Role, User};
use crate::domain::enterprise::{CreditCode, Enterprise, EnterpriseDraft, Figures, Measure, ThreeZero};
use crate::domain::{FieldError, Frequency, IndicatorCode, Observations, Period, Quarter};
use crate::error::{AppError, AppResult};
use crate::store;

// ---------------------------------------------------------------------------------------------
// Enterprises and their figures

fn forbidden() -> AppError {
    AppError::Forbidden("企业名单和企业数据只对管理员和所在地区的统计员开放".into())
}

/// The code of a path or a row: 422 naming `field` when its check character is wrong.
pub fn code_of(field: &str, text: &str) -> AppResult<CreditCode> {
    CreditCode::parse(text).map_err(|e| AppError::invalid(field, e))
}

/// The enterprise with `code`, when `user` may see it; 404 when none is registered.
pub fn get(conn: &Connection, user: &User, code: &str) -> AppResult<Enterprise> {
    let code = code_of("code", code)?;
    let world = super::world(conn)?;
    let e = store::enterprises::get(conn, code.as_str())?
        .ok_or_else(|| AppError::NotFound(format!("企业“{code}”未登记")))?;
    if !user.may_see_enterprises(&world.tree, e.region.as_str()) {
        return Err(forbidden());
    }
    Ok(e)
}

/// The enterprises registered at or below `region` (the whole tree when none) that `user` may
/// see, by code; 403 when the user may see none of the region's.
pub fn list(conn: &Connection, user: &User, region: Option<&str>) -> AppResult<Vec<Enterprise>> {
    let world = super::world(conn)?;
    let under: Option<HashSet<&str>> = match region {
        Some(id) => {
            world.region(id)?;
            Some(world.tree.subtree(id).into_iter().map(|r| r.as_str()).chain([id]).collect())
        }
        None => None,
    };
    may_list(&world, user, region)?;
    Ok(store::enterprises::in_regions(conn, under.as_ref())?
        .into_iter()
        .filter(|e| user.may_see_enterprises(&world.tree, e.region.as_str()))
        .collect())
}

/// May `user` list the enterprises of `region` (all regions when none)? Admins may; a statistician
/// lists those of the regions they are bound to, from there or from above; no one else.
pub fn may_list(world: &World, user: &User, region: Option<&str>) -> AppResult<()> {
    let allowed = match user.role {
        Role::Admin => true,
        Role::Statistician => region.is_none_or(|id| {
            user.regions
                .iter()
                .any(|own| world.tree.is_within(id, own.as_str()) || world.tree.is_within(own.as_str(), id))
        }),
        Role::Viewer | Role::Officer => false,
    };
    if allowed { Ok(()) } else { Err(forbidden()) }
}

/// Registers an enterprise or replaces what is registered of it (its years and institutions
/// whole), audited. The user must see both the region it was in and the one it goes to.
pub fn put(conn: &Connection, user: &User, code: &str, draft: EnterpriseDraft) -> AppResult<(Enterprise, bool)> {
    let code = code_of("code", code)?;
    let world = super::world(conn)?;
    let enterprise = draft.check(code, &world.tree).map_err(AppError::Invalid)?;
    let old = store::enterprises::get(conn, enterprise.code.as_str())?;
    for region in old.iter().map(|o| &o.region).chain([&enterprise.region]) {
        if !user.may_see_enterprises(&world.tree, region.as_str()) {
            return Err(forbidden());
        }
    }
    store::enterprises::save(conn, &enterprise)?;
    let action = if old.is_some() { "update" } else { "create" };
    let scope = Scope { region: Some(enterprise.region.as_str()), ..Default::default() };
    audit_change(
        conn,
        &user.name,
        action,
        "enterprise",
        enterprise.code.as_str(),
        scope,
        old.as_ref(),
        Some(&enterprise),
    )?;
    Ok((enterprise, old.is_none()))
}

/// Removes an enterprise with its figures, audited.
pub fn delete(conn: &Connection, user: &User, code: &str) -> AppResult<Enterprise> {
    let old = get(conn, user, code)?;
    store::enterprises::delete(conn, old.code.as_str())?;
    let scope = Scope { region: Some(old.region.as_str()), ..Default::default() };
    audit_change(conn, &user.name, "delete", "enterprise", old.code.as_str(), scope, Some(&old), None::<&Enterprise>)?;
    Ok(old)
}

/// One figure of an enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureValue {
    pub measure: Measure,
    /// not negative; whole for the patent counts
    #[schema(minimum = 0, maximum = 1e15, example = 3)]
    pub value: f64,
}

/// An enterprise's figures of a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeriodValues {
    #[schema(example = "2024Q1")]
    pub period: String,
    pub values: Vec<MeasureValue>,
}

/// Stores an enterprise's figures of `period` (those of the same measures are replaced), all or
/// none, audited with what they replaced.
pub fn put_values(
    conn: &Connection,
    user: &User,
    code: &str,
    period: Period,
    values: &[MeasureValue],
) -> AppResult<PeriodValues> {
    let e = get(conn, user, code)?;
    let mut errors = Vec::new();
    if values.is_empty() {
        errors.push(FieldError::new("values", "至少填写一项企业数据"));
    }
    for (i, v) in values.iter().enumerate() {
        if values[..i].iter().any(|o| o.measure == v.measure) {
            errors.push(FieldError::item(i, "measure", format!("{}重复", v.measure.label())));
        }
        if let Err(message) = v.measure.check(v.value) {
            errors.push(FieldError::item(i, "value", message));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let before = period_values(conn, e.code.as_str(), period)?;
    let pairs: Vec<(Measure, f64)> = values.iter().map(|v| (v.measure, v.value)).collect();
    store::enterprises::put_values(conn, e.code.as_str(), period, &pairs)?;
    let after = period_values(conn, e.code.as_str(), period)?;
    let scope = Scope { region: Some(e.region.as_str()), period: Some(period.to_string()), ..Default::default() };
    audit_change(conn, &user.name, "update", "enterprise_values", e.code.as_str(), scope, Some(&before), Some(&after))?;
    Ok(after)
}

fn period_values(conn: &Connection, code: &str, period: Period) -> AppResult<PeriodValues> {
    let values = store::enterprises::values_of(conn, code)?
        .into_iter()
        .filter(|(p, _, _)| *p == period)
        .map(|(_, measure, value)| MeasureValue { measure, value })
        .collect();
    Ok(PeriodValues { period: period.to_string(), values })
}

/// An enterprise's figures, period by period.
pub fn values(conn: &Connection, user: &User, code: &str) -> AppResult<Vec<PeriodValues>> {
    let e = get(conn, user, code)?;
    let mut out: Vec<PeriodValues> = Vec::new();
    for (period, measure, value) in store::enterprises::values_of(conn, e.code.as_str())? {
        let text = period.to_string();
        match out.last_mut() {
            Some(last) if last.period == text => last.values.push(MeasureValue { measure, value }),
            _ => out.push(PeriodValues { period: text, values: vec![MeasureValue { measure, value }] }),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// 三个零

/// An enterprise on a list, as the board names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Listed {
    pub code: String,
    pub name: String,
    pub region: String,
    pub region_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RegionCount {
    pub region: String,
    pub name: String,
    pub count: usize,
}

/// One of the three lists in a region and period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ZeroList {
    pub list: ThreeZero,
    /// 规模企业零专利 …
    pub label: &'static str,
    /// enterprises on the list in the region (everyone sees the counts)
    pub count: usize,
    /// … at the period before (the quarter before, or the year before a year)
    pub previous_count: usize,
    /// per reporting region at or below the region
    pub by_region: Vec<RegionCount>,
    /// the enterprises on the list that the user may see, by region then code
    pub enterprises: Vec<Listed>,
    /// those on the list now and not before, and those no longer on it, that the user may see
    pub joined: Vec<Listed>,
    pub left: Vec<Listed>,
    /// enterprises on the list the user may not see (counted, not named)
    pub hidden: usize,
    /// the register indicator that counts this list, when there is one: its targets and progress
    pub indicator: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ThreeZeros {
    #[schema(example = "2024Q1")]
    pub period: String,
    /// the period compared with; none before 1900
    #[schema(example = "2023Q4")]
    pub previous: Option<String>,
    pub region: String,
    pub region_name: String,
    pub lists: Vec<ZeroList>,
}

fn before(period: Period) -> Option<Period> {
    match period {
        Period::Quarter(q) => q.previous().map(Period::Quarter),
        Period::Year(y) => Period::from_parts(y - 1, 0),
    }
}

/// The three lists of `region` (the whole tree's root when none) in `period`, with the change since
/// the period before.
pub fn three_zeros(conn: &Connection, user: &User, period: Period, region: Option<&str>) -> AppResult<ThreeZeros> {
    let world = super::world(conn)?;
    let region = match region {
        Some(id) => world.region(id)?,
        None => world.root()?,
    };
    let previous = before(period);
    let reporting: Vec<&crate::domain::RegionId> = world.tree.reporting_under(region.id.as_str());
    let wanted: HashSet<&str> = reporting.iter().map(|r| r.as_str()).collect();
    let order: HashMap<&str, usize> = reporting.iter().enumerate().map(|(i, r)| (r.as_str(), i)).collect();
    let mut enterprises = store::enterprises::in_regions(conn, Some(&wanted))?;
    enterprises.sort_by(|a, b| (order.get(a.region.as_str()), &a.code).cmp(&(order.get(b.region.as_str()), &b.code)));
    let measures: Vec<Measure> = ThreeZero::ALL.iter().flat_map(|z| z.rule().measures()).collect();
    let values = store::enterprises::values(conn, &measures, previous.unwrap_or(period).year(), period.year())?;
    let empty = Figures::new();
    let name_of = |id: &str| world.tree.get(id).map_or_else(|| id.to_string(), |r| r.name.clone());
    let listed = |e: &Enterprise| Listed {
        code: e.code.to_string(),
        name: e.name.clone(),
        region: e.region.to_string(),
        region_name: name_of(e.region.as_str()),
    };
    let indicators = world.indicators.in_display_order();
    let lists = ThreeZero::ALL
        .iter()
        .map(|list| {
            let rule = list.rule();
            let on = |p: Period| -> Vec<&Enterprise> {
                enterprises
                    .iter()
                    .filter(|e| rule.admits(e, p, figures_of(values.get(e.code.as_str()), p, &empty)))
                    .collect()
            };
            let (now, then) = (on(period), previous.map(on).unwrap_or_default());
            let visible = |e: &&&Enterprise| user.may_see_enterprises(&world.tree, e.region.as_str());
            let codes = |list: &[&Enterprise]| list.iter().map(|e| e.code.clone()).collect::<HashSet<_>>();
            let (now_codes, then_codes) = (codes(&now), codes(&then));
            ZeroList {
                list: *list,
                label: list.label(),
                count: now.len(),
                previous_count: then.len(),
                by_region: reporting
                    .iter()
                    .map(|r| RegionCount {
                        region: r.to_string(),
                        name: name_of(r.as_str()),
                        count: now.iter().filter(|e| e.region == **r).count(),
                    })
                    .collect(),
                enterprises: now.iter().filter(visible).map(|e| listed(e)).collect(),
                joined: now
                    .iter()
                    .filter(visible)
                    .filter(|e| !then_codes.contains(&e.code))
                    .map(|e| listed(e))
                    .collect(),
                left: then.iter().filter(visible).filter(|e| !now_codes.contains(&e.code)).map(|e| listed(e)).collect(),
                hidden: now.iter().filter(|e| !visible(e)).count(),
                indicator: indicators.iter().find(|i| i.rule.as_ref() == Some(&rule)).map(|i| i.code.to_string()),
            }
        })
        .collect();
    Ok(ThreeZeros {
        period: period.to_string(),
        previous: previous.map(|p| p.to_string()),
        region: region.id.to_string(),
        region_name: region.name.clone(),
        lists,
    })
}

// ---------------------------------------------------------------------------------------------
// Register indicators

/// The periods of `from..=to` the register speaks for: from the first year it holds attributes
/// of, up to the latest quarter with an enterprise's figure (without figures, the end of the
/// latest year with attributes), never after `now`. Beyond that the register has not been
/// brought up to date, and counts of `zero:` lists would only count what is not yet recorded.
fn periods(span: &store::enterprises::Span, frequency: Frequency, from: i32, to: i32, now: Quarter) -> Vec<Period> {
    let Some(first) = span.first_year else { return Vec::new() };
    let last = span
        .last_figure
        .and_then(|(y, q)| Quarter::new(y, q))
        .or_else(|| span.last_attribute_year.and_then(|y| Quarter::new(y, 4)))
        .map_or(now, |last| last.min(now));
    (from.max(first)..=to.min(last.year()))
        .flat_map(|year| match frequency {
            Frequency::Annual => {
                vec![Period::Year(year)].into_iter().filter(|_| last.q() == 4 || year < last.year()).collect::<Vec<_>>()
            }
            Frequency::Quarterly => {
                (1..=4).filter_map(|q| Quarter::new(year, q)).filter(|q| *q <= last).map(Period::Quarter).collect()
            }
        })
        .collect()
}

/// An enterprise's figures of a period: the period's own; for a year, the year's, else its
/// fourth quarter's.
pub fn figures_of<'a>(
    by_period: Option<&'a HashMap<Period, Figures>>,
    period: Period,
    empty: &'a Figures,
) -> &'a Figures {
    let Some(by_period) = by_period else { return empty };
    by_period
        .get(&period)
        .or_else(|| match period {
            Period::Year(y) => Quarter::new(y, 4).and_then(|q| by_period.get(&Period::Quarter(q))),
            Period::Quarter(_) => None,
        })
        .unwrap_or(empty)
}

/// Adds the figures of the register indicators among `codes` for the regions in `wanted`, in the
/// years `from..=to`, from [`register_figures`].
pub fn add_register_figures(
    conn: &Connection,
    world: &World,
    codes: &[&IndicatorCode],
    wanted: &HashSet<&str>,
    from: i32,
    to: i32,
    out: &mut Observations,
) -> AppResult<()> {
    let register: Vec<&IndicatorCode> =
        codes.iter().copied().filter(|c| world.indicators.get(c.as_str()).is_some_and(|i| i.rule.is_some())).collect();
    if register.is_empty() {
        return Ok(());
    }
    let all = register_figures(conn, world)?;
    out.copy_from(&all, wanted, &register, from, to);
    Ok(())
}

/// Every register indicator's figures for every reporting region that reports it, in every
/// period the register speaks for. Computed once for the register as it is, and kept until the
/// register, the regions or the indicators change (not when figures are typed in): a province's
/// tens of thousands of enterprises are read and checked against every rule once, not for each
/// question.
fn register_figures(conn: &Connection, world: &World) -> AppResult<std::sync::Arc<Observations>> {
    let now = super::current_quarter();
    super::cache::answer(conn, super::cache::Question::Register { now }, || {
        let rules: Vec<&crate::domain::Indicator> =
            world.indicators.in_display_order().into_iter().filter(|i| i.rule.is_some()).collect();
        let span = store::enterprises::span(conn)?;
        let (Some(first), false) = (span.first_year, rules.is_empty()) else {
            return Ok(std::sync::Arc::new(Observations::default()));
        };
        let enterprises = store::enterprises::in_regions(conn, None)?;
        let mut measures = Vec::new();
        for m in rules.iter().flat_map(|i| i.rule.as_ref().expect("filtered").measures()) {
            if !measures.contains(&m) {
                measures.push(m);
            }
        }
        let values = store::enterprises::values(conn, &measures, first, now.year())?;
        // One pass over the enterprises: each adds to the figure of its region for every rule and
        // period (figures[rule][period][region]); a province's register is read once, not once a rule.
        let regions: Vec<&crate::domain::Region> = world.tree.reporting_regions();
        let index: HashMap<&str, usize> = regions.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
        let plan: Vec<(&crate::domain::Indicator, &crate::domain::enterprise::Rule, Vec<Period>, Vec<bool>)> = rules
            .iter()
            .map(|ind| {
                let reported = regions.iter().map(|r| ind.reported_by(&world.tree, r.id.as_str())).collect();
                (
                    *ind,
                    ind.rule.as_ref().expect("filtered"),
                    periods(&span, ind.frequency, first, now.year(), now),
                    reported,
                )
            })
            .collect();
        let mut figures: Vec<Vec<Vec<Option<f64>>>> =
            plan.iter().map(|(_, rule, ps, _)| vec![vec![rule.empty(); regions.len()]; ps.len()]).collect();
        let empty = Figures::new();
        for e in &enterprises {
            let Some(&r) = index.get(e.region.as_str()) else { continue };
            let by_period = values.get(e.code.as_str());
            for ((_, rule, ps, reported), by_rule) in plan.iter().zip(figures.iter_mut()) {
                if !reported[r] {
                    continue;
                }
                for (period, by_region) in ps.iter().zip(by_rule.iter_mut()) {
                    rule.add(&mut by_region[r], e, *period, figures_of(by_period, *period, &empty));
                }
            }
        }
        let mut out = Observations::default();
        for ((ind, _, ps, reported), by_rule) in plan.iter().zip(figures) {
            for (period, by_region) in ps.iter().zip(by_rule) {
                for ((region, figure), reported) in regions.iter().zip(by_region).zip(reported) {
                    if let (Some(value), true) = (figure, reported) {
                        out.insert(&region.id, &ind.code, *period, value);
                    }
                }
            }
        }
        Ok(std::sync::Arc::new(out))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(year: i32, n: u8) -> Quarter {
        Quarter::new(year, n).unwrap()
    }

    #[test]
    fn the_register_speaks_from_its_first_year_to_its_latest_figure_and_never_past_today() {
        let span = |first, last_year, last_figure| store::enterprises::Span {
            first_year: first,
            last_attribute_year: last_year,
            last_figure,
        };
        let quarters = |ps: Vec<Period>| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
        let now = q(2024, 3);
        let cases = [
            (span(None, None, None), 2020, 2024, ""),
            (span(Some(2023), Some(2023), None), 2022, 2024, "2023Q1,2023Q2,2023Q3,2023Q4"),
            (span(Some(2023), Some(2024), Some((2024, 1))), 2023, 2023, "2023Q1,2023Q2,2023Q3,2023Q4"),
            (span(Some(2023), Some(2024), Some((2024, 1))), 2024, 2030, "2024Q1"),
            (span(Some(2024), Some(2025), None), 2024, 2030, "2024Q1,2024Q2,2024Q3"),
        ];
        for (s, from, to, want) in cases {
            assert_eq!(quarters(periods(&s, Frequency::Quarterly, from, to, now)), want, "{from}..{to}");
        }
        let annual = periods(&span(Some(2022), Some(2024), Some((2024, 2))), Frequency::Annual, 2020, 2030, now);
        assert_eq!(quarters(annual), "2022,2023", "a year counts once its fourth quarter is in");
    }
}
