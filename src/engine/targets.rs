//! Setting annual targets and splitting a parent's target among its children.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use super::{Scope, World, audit_change, require_admin, world};
use crate::domain::access::User;
use crate::domain::progress::{check_milestones, default_milestones};
use crate::domain::target::{self, SplitMethod, Target};
use crate::domain::{FieldError, IndicatorCode, RegionId, RegionKind, Span};
use crate::error::{AppError, AppResult};
use crate::store;

/// The targets of one indicator and year, by region: one query for all the regions an answer is
/// about, instead of one each.
pub fn of_indicator(conn: &Connection, indicator: &str, year: i32) -> AppResult<HashMap<String, Target>> {
    Ok(store::targets::of_indicator(conn, indicator, year)?.into_iter().map(|t| (t.region.clone(), t)).collect())
}

/// Up to this many regions, their targets are read one by one; more, all of the indicator's at once.
const ONE_BY_ONE_MAX: usize = 16;

/// The targets of `regions` for one indicator and year, by region.
pub fn of_regions(
    conn: &Connection,
    regions: &[&str],
    indicator: &str,
    year: i32,
) -> AppResult<HashMap<String, Target>> {
    if regions.len() > ONE_BY_ONE_MAX {
        return of_indicator(conn, indicator, year);
    }
    let mut out = HashMap::with_capacity(regions.len());
    for region in regions {
        if let Some(t) = store::targets::get(conn, region, indicator, year)? {
            out.insert(t.region.clone(), t);
        }
    }
    Ok(out)
}

pub fn list(
    conn: &Connection,
    year: i32,
    region: Option<&RegionId>,
    indicator: Option<&IndicatorCode>,
) -> AppResult<Vec<Target>> {
    let (region, indicator) = (region.map(RegionId::as_str), indicator.map(IndicatorCode::as_str));
    let mut targets = store::targets::list(conn, year, region, indicator)?;
    if targets.iter().any(|t| t.source.starts_with(LEGACY_SPLIT)) {
        let world = world(conn)?;
        for t in &mut targets {
            t.source = source_text(&t.source, |id| world.tree.get(id).map(|r| r.name.clone()));
        }
    }
    Ok(targets)
}

/// The `source` of a target split from its parent's, as stored and shown: `由全区分解（按2022年比例）`.
pub fn split_source(parent_name: &str, method: SplitMethod, base_year: i32) -> String {
    let how = match method {
        SplitMethod::Proportional => format!("按{base_year}年比例"),
        SplitMethod::Equal => "平均分配".into(),
        SplitMethod::Weights => "按指定权重".into(),
        SplitMethod::Uniform => "统一目标".into(),
    };
    format!("由{parent_name}分解（{how}）")
}

/// Databases written before the Chinese `source` hold `split from district (proportional to 2022)`.
const LEGACY_SPLIT: &str = "split from ";

/// A stored `source` in the words of [`split_source`]: older English ones are rewritten with the
/// parent's name (`region_name`); `set` and Chinese ones are kept.
pub fn source_text(source: &str, region_name: impl Fn(&str) -> Option<String>) -> String {
    let Some(rest) = source.strip_prefix(LEGACY_SPLIT) else { return source.to_string() };
    let (parent, how) = match rest.split_once(" (") {
        Some((parent, how)) => (parent, how.trim_end_matches(')')),
        None => (rest, ""),
    };
    let name = region_name(parent).unwrap_or_else(|| parent.to_string());
    let (method, base_year) = match how {
        "equal" => (SplitMethod::Equal, 0),
        "weights" => (SplitMethod::Weights, 0),
        "uniform" => (SplitMethod::Uniform, 0),
        _ => match how.strip_prefix("proportional to ").and_then(|y| y.parse().ok()) {
            Some(year) => (SplitMethod::Proportional, year),
            None => return format!("由{name}分解"),
        },
    };
    split_source(&name, method, base_year)
}

/// A target's `source` as a page shows it: `直接设定` or how it was split.
pub fn source_label(source: &str) -> String {
    if source == SOURCE_SET { "直接设定".into() } else { source.to_string() }
}

/// Checks that `region` and `indicator` may carry a target and that `value` fits the indicator.
fn check_target(world: &World, region: &str, indicator: &str, value: f64) -> AppResult<()> {
    let mut errors = Vec::new();
    match world.tree.get(region) {
        None => errors.push(FieldError::new("region", format!("没有地区“{region}”"))),
        Some(r) if r.kind == RegionKind::Benchmark => errors.push(FieldError::new("region", "对标地区不设目标")),
        Some(_) => {}
    }
    match world.indicators.get(indicator) {
        None => errors.push(FieldError::new("indicator", format!("没有指标“{indicator}”"))),
        Some(ind) => {
            if let Err(message) = ind.check_value(value) {
                errors.push(FieldError::new("value", message));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(errors)) }
}

fn write(conn: &Connection, user: &User, target: &Target, at: &str) -> AppResult<()> {
    let old = store::targets::get(conn, &target.region, &target.indicator, target.year)?;
    if old.as_ref() == Some(target) {
        return Ok(());
    }
    store::targets::save(conn, target, &user.name, at)?;
    let key = format!("{}/{}/{}", target.region, target.indicator, target.year);
    let scope = Scope {
        region: Some(&target.region),
        indicator: Some(&target.indicator),
        period: Some(target.year.to_string()),
        ..Default::default()
    };
    let action = if old.is_some() { "update" } else { "create" };
    audit_change(conn, &user.name, action, "target", &key, scope, old.as_ref(), Some(target))
}

pub const SOURCE_SET: &str = "set";

pub fn set(
    conn: &Connection,
    user: &User,
    region: &str,
    indicator: &str,
    year: i32,
    value: f64,
    milestones: Option<&[f64]>,
) -> AppResult<Target> {
    require_admin(user)?;
    let world = world(conn)?;
    check_target(&world, region, indicator, value)?;
    let mode = world.indicator(indicator)?.mode;
    let milestones = match milestones {
        None => default_milestones(mode),
        Some(m) => check_milestones(m).map_err(|e| AppError::invalid("milestones", e))?,
    };
    let target = Target {
        region: region.to_string(),
        indicator: indicator.to_string(),
        year,
        value,
        milestones,
        source: SOURCE_SET.into(),
    };
    write(conn, user, &target, &store::now())?;
    Ok(target)
}

pub struct SplitRequest<'a> {
    pub parent: &'a str,
    pub indicator: &'a str,
    pub year: i32,
    pub total: Option<f64>,
    pub method: SplitMethod,
    pub base_year: Option<i32>,
    pub weights: Option<&'a BTreeMap<String, f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SplitResult {
    pub parent: Target,
    pub children: Vec<Target>,
}

/// Splits the parent's target (the given `total`, or the one already set) among its children and
/// writes the parent's and every child's target in the caller's transaction.
pub fn decompose(conn: &Connection, user: &User, req: &SplitRequest<'_>) -> AppResult<SplitResult> {
    require_admin(user)?;
    let world = world(conn)?;
    let parent_region =
        world.tree.get(req.parent).ok_or_else(|| AppError::invalid("parent", format!("没有地区“{}”", req.parent)))?;
    let ind = world
        .indicators
        .get(req.indicator)
        .ok_or_else(|| AppError::invalid("indicator", format!("没有指标“{}”", req.indicator)))?;
    let children: Vec<&str> = world.tree.children(req.parent).iter().map(|c| c.as_str()).collect();
    if children.is_empty() {
        return Err(AppError::invalid("parent", format!("{}没有下级地区，无从分解", parent_region.name)));
    }
    target::check_method(req.method, ind.mode).map_err(|e| AppError::Invalid(vec![e]))?;
    if req.weights.is_some() != (req.method == SplitMethod::Weights) {
        return Err(AppError::invalid("weights", "只有按权重分解（method 为 weights）时才给出 weights"));
    }
    let existing = store::targets::get(conn, req.parent, req.indicator, req.year)?;
    let total = match (req.total, &existing) {
        (Some(t), _) => t,
        (None, Some(e)) => e.value,
        (None, None) => {
            return Err(AppError::invalid("total", "上级地区本年度还没有目标，请给出目标总量（total）"));
        }
    };
    check_target(&world, req.parent, req.indicator, total).map_err(|e| match e {
        AppError::Invalid(mut errors) => {
            errors.iter_mut().filter(|f| f.field == "value").for_each(|f| f.field = "total".into());
            AppError::Invalid(errors)
        }
        other => other,
    })?;
    let base_year = req.base_year.unwrap_or(target::default_base_year(req.year));
    let weights = match req.method {
        SplitMethod::Proportional => {
            let observations = world.observations(conn, &[req.parent], &[req.indicator], base_year, base_year)?;
            let calc = world.calculator(&observations);
            let figures: Vec<Option<f64>> =
                children.iter().map(|c| calc.figure(c, req.indicator, Span::Annual(base_year)).value).collect();
            target::proportional_weights(&figures)
        }
        SplitMethod::Weights => target::explicit_weights(&children, req.weights.unwrap_or(&BTreeMap::new()))
            .map_err(|e| AppError::Invalid(vec![e]))?,
        SplitMethod::Equal | SplitMethod::Uniform => vec![1.0; children.len()],
    };
    let split =
        target::split(total, ind.decimals, req.method, &children, &weights).map_err(|e| AppError::Invalid(vec![e]))?;
    let milestones = existing.as_ref().map_or_else(|| default_milestones(ind.mode), |e| e.milestones);
    let parent = Target {
        region: req.parent.to_string(),
        indicator: req.indicator.to_string(),
        year: req.year,
        value: split.parent,
        milestones,
        source: match (&existing, req.total) {
            (Some(e), None) => e.source.clone(),
            _ => SOURCE_SET.into(),
        },
    };
    let how = split_source(&parent_region.name, req.method, base_year);
    let at = store::now();
    write(conn, user, &parent, &at)?;
    let children: Vec<Target> = children
        .iter()
        .zip(split.children)
        .map(|(child, value)| Target {
            region: child.to_string(),
            indicator: req.indicator.to_string(),
            year: req.year,
            value,
            milestones,
            source: how.clone(),
        })
        .collect();
    for child in &children {
        write(conn, user, child, &at)?;
    }
    Ok(SplitResult { parent, children })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_target_says_in_chinese_whose_target_it_came_from_and_how() {
        for (method, want) in [
            (SplitMethod::Proportional, "由全区分解（按2022年比例）"),
            (SplitMethod::Equal, "由全区分解（平均分配）"),
            (SplitMethod::Weights, "由全区分解（按指定权重）"),
            (SplitMethod::Uniform, "由全区分解（统一目标）"),
        ] {
            assert_eq!(split_source("全区", method, 2022), want, "{method:?}");
        }
    }

    #[test]
    fn sources_stored_in_english_by_older_versions_read_in_chinese() {
        let names = |id: &str| (id == "district").then(|| "全区".to_string());
        for (stored, want) in [
            ("split from district (proportional to 2022)", "由全区分解（按2022年比例）"),
            ("split from district (equal)", "由全区分解（平均分配）"),
            ("split from district (uniform)", "由全区分解（统一目标）"),
            ("split from district (weights)", "由全区分解（按指定权重）"),
            ("split from gone-town (equal)", "由gone-town分解（平均分配）"),
            ("split from district", "由全区分解"),
            ("set", "set"),
            ("由全区分解（按2022年比例）", "由全区分解（按2022年比例）"),
        ] {
            assert_eq!(source_text(stored, names), want, "{stored}");
        }
        assert_eq!(source_label("set"), "直接设定");
        assert_eq!(source_label("由全区分解（平均分配）"), "由全区分解（平均分配）");
    }
}
