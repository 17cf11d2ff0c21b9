//! Checking a submission of quarterly figures: errors reject the whole batch,
//! warnings are stored with it and shown to the person who submitted.

use std::collections::HashSet;

use serde::Serialize;

use super::FieldError;
use super::ids::{IndicatorCode, RegionId};
use super::indicator::{Frequency, Indicator, IndicatorSet, Mode};
use super::period::{Period, Quarter};
use super::region::{RegionKind, RegionTree};
use super::text;

pub const MAX_ITEMS: usize = 1000;

/// One figure of a batch as it arrived.
#[derive(Debug, Clone)]
pub struct RawItem<'a> {
    pub indicator: &'a str,
    pub value: f64,
    pub comment: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub indicator: IndicatorCode,
    pub value: f64,
    pub comment: Option<String>,
}

/// A batch that passed every check: one region, one period, figures it may hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub region: RegionId,
    pub period: Period,
    pub items: Vec<Item>,
}

/// Checks a batch against the tree and the indicators. `current` is the quarter we are in:
/// figures for later quarters cannot exist yet. Every problem is reported, not only the first.
pub fn check(
    tree: &RegionTree,
    indicators: &IndicatorSet,
    region: &str,
    period: &str,
    items: &[RawItem<'_>],
    current: Quarter,
) -> Result<Submission, Vec<FieldError>> {
    let mut errors = Vec::new();
    // A region with children may hold its own reported total; who may write it is checked with
    // the other permissions.
    let (asked, region) = (region, tree.get(region));
    if region.is_none() {
        errors.push(FieldError::new("region", format!("没有地区“{asked}”")));
    }
    let is_benchmark = region.is_some_and(|r| r.kind == RegionKind::Benchmark);
    let period = match period.parse::<Period>() {
        Err(e) => {
            errors.push(FieldError::new("period", e.to_string()));
            None
        }
        Ok(p) if !p.has_begun(current) => {
            errors.push(FieldError::new("period", format!("{}还没有开始（现在是{}）", p.label(), current.label())));
            None
        }
        Ok(p) => Some(p),
    };
    if items.is_empty() {
        errors.push(FieldError::new("values", "至少要有一项数据"));
    }
    if items.len() > MAX_ITEMS {
        errors.push(FieldError::new("values", format!("每次最多提交 {MAX_ITEMS} 项数据")));
    }
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(ind) = indicators.get(item.indicator) else {
            errors.push(FieldError::item(i, "indicator", format!("没有指标“{}”", item.indicator)));
            continue;
        };
        if !seen.insert(item.indicator) {
            errors.push(FieldError::item(i, "indicator", format!("“{}”在本次提交中出现了两次", ind.name)));
        }
        // Benchmarks hold whatever their sources publish; the tree reports as the frequency says.
        match (ind.frequency, period) {
            (Frequency::Quarterly, Some(Period::Year(_))) if !is_benchmark => errors.push(FieldError::item(
                i,
                "indicator",
                format!("“{}”按季度报送，时期应为季度（YYYYQn）", ind.name),
            )),
            (Frequency::Annual, Some(Period::Quarter(_))) => {
                errors.push(FieldError::item(i, "indicator", format!("“{}”按年度报送，时期应为年份（YYYY）", ind.name)))
            }
            _ => {}
        }
        if let Some(r) = region
            && !is_benchmark
            && !ind.reported_by(tree, r.id.as_str())
        {
            errors.push(FieldError::item(i, "indicator", format!("“{}”不由{}报送", ind.name, r.name)));
        }
        if ind.mode == Mode::Derived && !is_benchmark {
            errors.push(FieldError::item(i, "indicator", format!("“{}”由公式计算得出，不能填报", ind.name)));
        }
        if ind.mode == Mode::Register {
            errors.push(FieldError::item(i, "indicator", format!("“{}”由企业库统计得出，不能填报", ind.name)));
        }
        if let Err(message) = ind.check_value(item.value) {
            errors.push(FieldError::item(i, "value", message));
        }
        let comment = match text::comment(item.comment) {
            Ok(comment) => comment,
            Err(message) => {
                errors.push(FieldError::item(i, "comment", message));
                None
            }
        };
        if let Some(message) = comment.and_then(text::control_character) {
            errors.push(FieldError::item(i, "comment", message));
        }
        checked.push(Item {
            indicator: ind.code.clone(),
            value: item.value,
            comment: comment.map(|c| c.replace("\r\n", "\n")),
        });
    }
    match (region, period) {
        (Some(region), Some(period)) if errors.is_empty() => {
            Ok(Submission { region: region.id.clone(), period, items: checked })
        }
        _ => Err(errors),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub indicator: String,
    pub code: &'static str,
    pub message: String,
}

/// The year-to-date figures around a newly submitted one, as the engine computes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct YtdContext {
    /// YTD of this quarter with the new figure in place
    pub now: Option<f64>,
    /// YTD of the previous quarter of the same year
    pub previous_quarter: Option<f64>,
    /// YTD of the next quarter of the same year, when already stored
    pub next_quarter: Option<f64>,
    /// YTD of the same quarter last year
    pub last_year: Option<f64>,
}

/// A YTD figure more than this factor away from last year's is probably a typing or unit mistake.
pub const YOY_FACTOR: f64 = 2.0;

/// Warnings for one figure: a cumulative figure that shrinks, or one far from last year's.
pub fn value_warnings(ind: &Indicator, ctx: YtdContext) -> Vec<Warning> {
    let mut out = Vec::new();
    let warn = |code, message: String| Warning { indicator: ind.code.to_string(), code, message };
    let Some(now) = ctx.now else { return out };
    if ind.mode == Mode::Ytd {
        if let Some(prev) = ctx.previous_quarter.filter(|p| now < *p) {
            out.push(warn("ytd_decrease", format!("{}累计值{now}低于上季度累计值{prev}", ind.name)));
        }
        if let Some(next) = ctx.next_quarter.filter(|n| now > *n) {
            out.push(warn("ytd_decrease", format!("{}累计值{now}高于下季度已报累计值{next}", ind.name)));
        }
    }
    if let Some(last) = ctx.last_year.filter(|l| *l > 0.0 && now >= 0.0)
        && (now > last * YOY_FACTOR || now < last / YOY_FACTOR)
    {
        out.push(warn("yoy_jump", format!("{}累计值{now}与上年同期{last}相差超过{YOY_FACTOR}倍，请核实", ind.name)));
    }
    out
}

/// Pairs (part, whole) where the part cannot sensibly exceed the whole, with the warning's code.
const PART_OF_WHOLE: &[(&str, &str, &str)] = &[
    ("patent_grants", "patent_applications", "grants_above_applications"),
    ("invention_applications", "patent_applications", "part_above_whole"),
    ("large_enterprises_with_rd", "large_enterprises", "part_above_whole"),
];

/// Warnings that compare figures within one batch.
pub fn batch_warnings(indicators: &IndicatorSet, items: &[Item]) -> Vec<Warning> {
    let value = |code: &str| items.iter().find(|i| i.indicator.as_str() == code).map(|i| i.value);
    let name = |code: &str| indicators.get(code).map_or(code.to_string(), |i| i.name.clone());
    PART_OF_WHOLE
        .iter()
        .filter_map(|(part, whole, code)| {
            let (p, w) = (value(part)?, value(whole)?);
            (p > w).then(|| Warning {
                indicator: part.to_string(),
                code,
                message: format!("{}{p}高于{}{w}", name(part), name(whole)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::tests::indicator;
    use crate::domain::region::Region;
    use crate::domain::region::RegionKind::*;
    use crate::domain::region::tests::region;

    fn world() -> (RegionTree, IndicatorSet) {
        let tree = RegionTree::new(vec![
            region("district", District, None, 0),
            region("town-a", Town, Some("district"), 1),
            Region { name: "B镇".into(), ..region("town-b", Town, Some("district"), 2) },
            region("zone", Zone, Some("district"), 3),
            region("kunshan", Benchmark, None, 0),
        ])
        .unwrap();
        let mut negative = indicator("balance", Mode::Ytd, None);
        negative.allow_negative = true;
        let indicators = IndicatorSet::new(vec![
            indicator("gdp", Mode::Ytd, None),
            indicator("rd", Mode::Ytd, None),
            indicator("share", Mode::Derived, Some("100 * rd / gdp")),
            Indicator { frequency: Frequency::Annual, ..indicator("rd_official", Mode::Ytd, None) },
            Indicator {
                regions: Some(vec![RegionId::parse("zone").unwrap()]),
                ..indicator("zone_only", Mode::Ytd, None)
            },
            negative,
        ])
        .unwrap();
        (tree, indicators)
    }

    fn item(indicator: &str, value: f64) -> RawItem<'_> {
        RawItem { indicator, value, comment: None }
    }

    const NOW: Quarter = match Quarter::new(2026, 4) {
        Some(q) => q,
        None => panic!(),
    };

    #[test]
    fn accepts_a_good_batch() {
        let (tree, inds) = world();
        let s = check(&tree, &inds, "town-a", "2023Q1", &[item("gdp", 10.0), item("balance", -1.0)], NOW).unwrap();
        assert_eq!(s.items.len(), 2);
        assert_eq!(s.period.to_string(), "2023Q1");
        let bench = check(&tree, &inds, "kunshan", "2023", &[item("share", 1.9)], NOW).unwrap();
        assert_eq!(bench.items[0].value, 1.9);
        // a parent's own reported total, an annual figure, a figure of a region's own indicator
        let total = check(&tree, &inds, "district", "2023Q1", &[item("gdp", 190.0)], NOW).unwrap();
        assert_eq!(total.region.as_str(), "district");
        assert!(check(&tree, &inds, "town-a", "2023", &[item("rd_official", 8.0)], NOW).is_ok());
        assert!(check(&tree, &inds, "zone", "2023Q1", &[item("zone_only", 8.0)], NOW).is_ok());
    }

    #[test]
    fn every_error_names_its_field() {
        let (tree, inds) = world();
        let cases: &[(&str, &str, Vec<RawItem>, &str, &str)] = &[
            ("nowhere", "2023Q1", vec![item("gdp", 1.0)], "region", "没有地区"),
            ("town-a", "2023", vec![item("gdp", 1.0)], "values[0].indicator", "按季度报送"),
            ("town-a", "2023Q4", vec![item("rd_official", 1.0)], "values[0].indicator", "按年度报送"),
            ("kunshan", "2023Q4", vec![item("rd_official", 1.0)], "values[0].indicator", "按年度报送"),
            ("town-b", "2023Q1", vec![item("zone_only", 1.0)], "values[0].indicator", "不由B镇报送"),
            ("district", "2023Q1", vec![item("zone_only", 1.0)], "values[0].indicator", "不由DISTRICT报送"),
            ("town-a", "2023-Q1", vec![item("gdp", 1.0)], "period", "不是有效的时期"),
            ("town-a", "2027Q1", vec![item("gdp", 1.0)], "period", "还没有开始"),
            ("kunshan", "2027", vec![item("gdp", 1.0)], "period", "还没有开始"),
            ("town-a", "2023Q1", vec![], "values", "至少要有一项"),
            ("town-a", "2023Q1", vec![item("nothing", 1.0)], "values[0].indicator", "没有指标"),
            ("town-a", "2023Q1", vec![item("share", 1.0)], "values[0].indicator", "不能填报"),
            ("town-a", "2023Q1", vec![item("gdp", f64::NAN)], "values[0].value", "有限的数字"),
            ("town-a", "2023Q1", vec![item("gdp", f64::INFINITY)], "values[0].value", "有限的数字"),
            ("town-a", "2023Q1", vec![item("gdp", 1.0), item("rd", -0.5)], "values[1].value", "不能为负数"),
            ("town-a", "2023Q1", vec![item("gdp", 2e15)], "values[0].value", "绝对值不能超过"),
            ("town-a", "2023Q1", vec![item("gdp", 1.0), item("gdp", 2.0)], "values[1].indicator", "两次"),
        ];
        for (region, period, items, field, message) in cases {
            let errors = check(&tree, &inds, region, period, items, NOW).unwrap_err();
            assert!(
                errors.iter().any(|e| e.field == *field && e.message.contains(message)),
                "{region} {period}: expected {field}: {message}, got {errors:?}"
            );
        }
    }

    #[test]
    fn comments_may_not_hold_control_characters_but_may_hold_line_breaks() {
        let (tree, inds) = world();
        let with = |comment| RawItem { indicator: "gdp", value: 1.0, comment: Some(comment) };
        let errors = check(&tree, &inds, "town-a", "2023Q1", &[item("rd", 1.0), with("a\u{1b}b")], NOW).unwrap_err();
        assert_eq!(errors, [FieldError::item(1, "comment", "不能含有控制字符（第2个字符是U+001B）")]);
        let ok = check(&tree, &inds, "town-a", "2023Q1", &[with(" 两行\r\n说明 ")], NOW).unwrap();
        assert_eq!(ok.items[0].comment.as_deref(), Some("两行\n说明"), "a form's line break is stored as \\n");
    }

    #[test]
    fn reports_all_errors_at_once() {
        let (tree, inds) = world();
        let errors = check(&tree, &inds, "nowhere", "2023Q9", &[item("x", -1.0)], NOW).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["region", "period", "values[0].indicator"]);
    }

    #[test]
    fn value_warnings_table() {
        let gdp = indicator("gdp", Mode::Ytd, None);
        let stock = indicator("firms", Mode::Stock, None);
        let ctx = |now, previous_quarter, next_quarter, last_year| YtdContext {
            now,
            previous_quarter,
            next_quarter,
            last_year,
        };
        let cases: &[(&Indicator, YtdContext, &[&str])] = &[
            (&gdp, ctx(Some(100.0), Some(80.0), None, Some(90.0)), &[]),
            (&gdp, ctx(Some(70.0), Some(80.0), None, Some(90.0)), &["ytd_decrease"]),
            (&gdp, ctx(Some(100.0), None, Some(90.0), None), &["ytd_decrease"]),
            (&gdp, ctx(Some(201.0), None, None, Some(100.0)), &["yoy_jump"]),
            (&gdp, ctx(Some(200.0), None, None, Some(100.0)), &[]),
            (&gdp, ctx(Some(49.0), None, None, Some(100.0)), &["yoy_jump"]),
            (&gdp, ctx(Some(50.0), None, None, Some(100.0)), &[]),
            (&gdp, ctx(Some(5.0), None, None, Some(0.0)), &[]),
            (&gdp, ctx(None, Some(80.0), None, Some(1.0)), &[]),
            (&gdp, ctx(Some(10.0), Some(80.0), None, Some(100.0)), &["ytd_decrease", "yoy_jump"]),
            // a level may fall between quarters
            (&stock, ctx(Some(10.0), Some(12.0), None, Some(11.0)), &[]),
        ];
        for (ind, ctx, want) in cases {
            let got: Vec<&str> = value_warnings(ind, *ctx).iter().map(|w| w.code).collect();
            assert_eq!(got, *want, "{ctx:?}");
        }
    }

    #[test]
    fn grants_above_applications_in_one_batch() {
        let inds = IndicatorSet::new(vec![
            indicator("patent_applications", Mode::Ytd, None),
            indicator("patent_grants", Mode::Ytd, None),
        ])
        .unwrap();
        let item = |code: &str, value| Item { indicator: IndicatorCode::parse(code).unwrap(), value, comment: None };
        let warned = batch_warnings(&inds, &[item("patent_applications", 10.0), item("patent_grants", 12.0)]);
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].code, "grants_above_applications");
        assert_eq!(warned[0].indicator, "patent_grants");
        assert!(batch_warnings(&inds, &[item("patent_applications", 10.0), item("patent_grants", 10.0)]).is_empty());
        assert!(batch_warnings(&inds, &[item("patent_grants", 12.0)]).is_empty(), "only when both are in the batch");
    }
}
