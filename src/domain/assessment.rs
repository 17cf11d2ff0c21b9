//! The year-end assessment (年终考核): a scheme of weighted items scored by ratio,
//! stepped or rank methods, adjustments and vetoes, totals, ranks and grades. Every score carries
//! its inputs, the formula and the figures put into it, so that nobody has to take it on trust.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::FieldError;
use super::ids::RegionId;
use super::indicator::{Direction, IndicatorSet};
use super::number::{self, round_to, tidy, tidy_figure};
use super::progress::completion;
use super::rank::competition_ranks;
use super::region::RegionTree;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// the assessed regions are this region's children, or every reporting region below it
    pub parent: String,
    /// `children` (default) or `reporting`: a province may assess all its counties at once
    #[serde(default, skip_serializing_if = "SchemeScope::is_children")]
    pub scope: SchemeScope,
    /// rank regions within their `group` (e.g. 镇 and 开发区 apart)
    #[serde(default)]
    pub rank_within_group: bool,
    pub items: Vec<Item>,
    pub grades: Vec<Grade>,
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
    #[serde(default)]
    pub vetoes: Vec<Veto>,
}

/// Which regions below the scheme's parent are assessed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchemeScope {
    /// the parent's children
    #[default]
    Children,
    /// every reporting region (leaf) below the parent
    Reporting,
}

impl SchemeScope {
    fn is_children(&self) -> bool {
        *self == SchemeScope::Children
    }
}

impl Scheme {
    /// The assessed regions, in display order.
    pub fn assessed_regions<'t>(&self, tree: &'t RegionTree) -> Vec<&'t RegionId> {
        match self.scope {
            SchemeScope::Children => tree.children(&self.parent).iter().collect(),
            // below the parent: a parent without children assesses nobody, not itself
            SchemeScope::Reporting => {
                tree.reporting_under(&self.parent).into_iter().filter(|r| r.as_str() != self.parent).collect()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub indicator: String,
    pub weight: f64,
    pub method: Method,
    /// ratio, stepped: the score is at most cap × weight (default 1)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// ratio: below this completion the item scores 0 (default 0)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
    /// stepped: compare with the target or with the average of the assessed regions (default target)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
    /// stepped: share of the weight earned at the reference (default 0.8)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<f64>,
    /// stepped: percent of deviation per step (default 5)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_pct: Option<f64>,
    /// stepped: points per step (default 0.5); rank: points per place (default weight / ranked count)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_points: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 完成率法
    Ratio,
    /// 基本分+增减分
    Stepped,
    /// 位次法
    Rank,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Ratio => "完成率法",
            Method::Stepped => "基本分+增减分",
            Method::Rank => "位次法",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    Target,
    Average,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub name: String,
    pub min: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub region: String,
    pub points: f64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Veto {
    pub region: String,
    pub reason: String,
}

const DEFAULT_CAP: f64 = 1.0;
const DEFAULT_FLOOR: f64 = 0.0;
const DEFAULT_BASE: f64 = 0.8;
const DEFAULT_STEP_PCT: f64 = 5.0;
const DEFAULT_STEP_POINTS: f64 = 0.5;

/// Checks a scheme against the tree and the indicators; every problem names its field.
pub fn check_scheme(scheme: &Scheme, tree: &RegionTree, indicators: &IndicatorSet) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: String, message: &str| errors.push(FieldError::new(field, message));
    let assessed: HashSet<&str> = scheme.assessed_regions(tree).into_iter().map(|c| c.as_str()).collect();
    if tree.get(&scheme.parent).is_none() {
        err("parent".into(), "没有这个地区");
    } else if assessed.is_empty() {
        err("parent".into(), "该地区没有可考核的下级地区");
    }
    if scheme.items.is_empty() {
        err("items".into(), "至少需要一个考核项目");
    }
    let mut seen = HashSet::new();
    for (i, item) in scheme.items.iter().enumerate() {
        let f = |name: &str| format!("items[{i}].{name}");
        if indicators.get(&item.indicator).is_none() {
            err(f("indicator"), "没有这个指标");
        } else if !seen.insert(item.indicator.as_str()) {
            err(f("indicator"), "该指标已是一个考核项目");
        }
        if !(item.weight.is_finite() && item.weight > 0.0) {
            err(f("weight"), "应大于0");
        }
        let positive = |x: Option<f64>| x.is_none_or(|x| x.is_finite() && x > 0.0);
        let non_negative = |x: Option<f64>| x.is_none_or(|x| x.is_finite() && x >= 0.0);
        for (name, given, methods) in [
            ("cap", item.cap.is_some(), &[Method::Ratio, Method::Stepped][..]),
            ("floor", item.floor.is_some(), &[Method::Ratio][..]),
            ("reference", item.reference.is_some(), &[Method::Stepped][..]),
            ("base", item.base.is_some(), &[Method::Stepped][..]),
            ("step_pct", item.step_pct.is_some(), &[Method::Stepped][..]),
            ("step_points", item.step_points.is_some(), &[Method::Stepped, Method::Rank][..]),
        ] {
            if given && !methods.contains(&item.method) {
                err(f(name), "不适用于该计分方法");
            }
        }
        if !positive(item.cap) {
            err(f("cap"), "应大于0");
        }
        if !positive(item.step_pct) {
            err(f("step_pct"), "应大于0");
        }
        for (name, value) in [("floor", item.floor), ("base", item.base), ("step_points", item.step_points)] {
            if !non_negative(value) {
                err(f(name), "应不小于0");
            }
        }
    }
    if scheme.grades.is_empty() {
        err("grades".into(), "至少需要一个等次");
    }
    let mut names = HashSet::new();
    for (i, g) in scheme.grades.iter().enumerate() {
        if g.name.trim().is_empty() || !names.insert(g.name.trim()) {
            err(format!("grades[{i}].name"), "每个等次需要一个不重复的名称");
        }
        if !g.min.is_finite() {
            err(format!("grades[{i}].min"), "应为数值");
        }
    }
    for (i, a) in scheme.adjustments.iter().enumerate() {
        if !assessed.contains(a.region.as_str()) {
            err(format!("adjustments[{i}].region"), "不是被考核地区");
        }
        if !a.points.is_finite() {
            err(format!("adjustments[{i}].points"), "应为数值");
        }
        if a.reason.trim().is_empty() {
            err(format!("adjustments[{i}].reason"), "加减分需要写明理由");
        }
    }
    for (i, v) in scheme.vetoes.iter().enumerate() {
        if !assessed.contains(v.region.as_str()) {
            err(format!("vetoes[{i}].region"), "不是被考核地区");
        }
        if v.reason.trim().is_empty() {
            err(format!("vetoes[{i}].reason"), "一票否决需要写明理由");
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// An assessed region.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessed {
    pub id: String,
    pub name: String,
    pub group: Option<String>,
}

/// The figures of one item: annual actual and target per assessed region, in their order.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFigures {
    pub direction: Direction,
    /// the indicator's decimals: A, T and the reference are shown with them
    pub decimals: u8,
    pub actual: Vec<Option<f64>>,
    pub target: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ItemScore {
    pub indicator: String,
    pub method: Method,
    pub weight: f64,
    /// A: the annual figure
    pub actual: Option<f64>,
    /// T: the annual target
    pub target: Option<f64>,
    /// ratio: completion c
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<f64>,
    /// stepped: the reference value
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<f64>,
    /// stepped: deviation d from the reference, in percent
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deviation_pct: Option<f64>,
    /// stepped: whole steps of deviation
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<i64>,
    /// rank: place among the assessed regions with a figure
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    /// null when the item is left out (no target) and the other items are scaled up
    pub score: Option<f64>,
    /// the general rule
    pub formula: String,
    /// the rule with this region's figures put in
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionScore {
    pub region: String,
    pub name: String,
    pub group: Option<String>,
    pub items: Vec<ItemScore>,
    /// Σ item scores × scale
    pub item_total: f64,
    /// Σ all weights / Σ weights of the items kept (1 when none is left out)
    pub scale: f64,
    pub adjustments: Vec<Adjustment>,
    pub veto: Option<String>,
    pub total: f64,
    pub rank: u32,
    pub grade: Option<String>,
    /// how the total was reached
    pub explanation: String,
}

/// The points added (or, negative, taken) by a region's adjustments.
pub fn adjustment_total<'a>(adjustments: impl IntoIterator<Item = &'a Adjustment>) -> f64 {
    adjustments.into_iter().map(|a| a.points).sum()
}

impl RegionScore {
    /// The points its adjustments add to the item total (before a veto).
    pub fn adjusted(&self) -> f64 {
        adjustment_total(&self.adjustments)
    }
}

/// A score, weight or factor as explanations show it: up to 4 places, no trailing zeros, `−` for minus.
fn num(x: f64) -> String {
    figure(x, 4)
}

/// A figure with `decimals` places at most, no trailing zeros (`450.125` with 2 → `450.13`).
fn figure(x: f64, decimals: u8) -> String {
    let text = number::trimmed(x, decimals);
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().any(|c| c != '0' && c != '.') => format!("−{rest}"),
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// A share as a percentage with up to 2 places: 0.947368 → `94.74%`, 1.2 → `120%`.
fn pct(x: f64) -> String {
    format!("{}%", figure(100.0 * x, 2))
}

/// Scores every assessed region. `figures` follows `scheme.items`; each list follows `regions`.
///
/// In three steps that the what-if ([`super::assessment_what_if`]) shares: every item scored
/// ([`score_item`]), each region's total from its item scores ([`Board::tally`]), ranks and grades
/// from the totals ([`Board::standings`]).
pub fn assess(scheme: &Scheme, regions: &[Assessed], figures: &[ItemFigures]) -> Vec<RegionScore> {
    let board = Board::new(scheme, regions);
    let mut per_item: Vec<std::vec::IntoIter<ItemScore>> =
        scheme.items.iter().zip(figures).map(|(item, figs)| score_item(item, figs).into_iter()).collect();
    let mut scores: Vec<Option<f64>> = Vec::with_capacity(scheme.items.len());
    let mut rows: Vec<(Vec<ItemScore>, Tally)> = Vec::with_capacity(regions.len());
    for r in 0..regions.len() {
        let items: Vec<ItemScore> =
            per_item.iter_mut().map(|scores| scores.next().expect("a score per region")).collect();
        scores.clear();
        scores.extend(items.iter().map(|s| s.score));
        let tally = board.tally(r, &scores);
        rows.push((items, tally));
    }
    let tallies: Vec<Tally> = rows.iter().map(|(_, t)| *t).collect();
    let standings = board.standings(&tallies);
    regions
        .iter()
        .enumerate()
        .zip(rows)
        .zip(standings)
        .map(|(((r, region), (items, tally)), standing)| {
            let adjustments: Vec<Adjustment> = board.adjustments[r].iter().map(|a| (*a).clone()).collect();
            let veto = board.vetoes[r];
            RegionScore {
                region: region.id.clone(),
                name: region.name.clone(),
                group: region.group.clone(),
                items,
                item_total: tally.item_total,
                scale: tidy(tally.scale),
                explanation: tally.explanation(&adjustments, veto),
                adjustments,
                veto: veto.map(str::to_string),
                total: tally.total,
                rank: standing.rank,
                grade: standing.grade.map(str::to_string),
            }
        })
        .collect()
}

/// What turns the item scores of the assessed regions into totals, ranks and grades, besides the
/// scores themselves: the weights, each region's adjustments and veto, who is ranked with whom and
/// the grades. Made once for a scheme and its regions; [`assess`] and the what-if both use it.
pub struct Board<'a> {
    scheme: &'a Scheme,
    all_weights: f64,
    /// each region's adjustments, in the scheme's order
    adjustments: Vec<Vec<&'a Adjustment>>,
    /// each region's veto (its reason)
    vetoes: Vec<Option<&'a str>>,
    /// the regions ranked together: all of them, or each group apart
    peers: Vec<Vec<usize>>,
    /// best first
    grades: Vec<&'a Grade>,
}

/// A region's total from its item scores: Σ item scores × scale, adjustments, veto.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tally {
    /// Σ item scores
    pub sum: f64,
    /// Σ all weights / Σ weights of the items kept (1 when none is left out)
    pub scale: f64,
    /// Σ item scores × scale
    pub item_total: f64,
    /// the points its adjustments add
    pub adjusted: f64,
    pub vetoed: bool,
    pub total: f64,
}

/// A region's rank and grade among the assessed regions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing<'a> {
    pub rank: u32,
    pub grade: Option<&'a str>,
}

impl<'a> Board<'a> {
    pub fn new(scheme: &'a Scheme, regions: &'a [Assessed]) -> Board<'a> {
        let adjustments = regions
            .iter()
            .map(|region| scheme.adjustments.iter().filter(|a| a.region == region.id).collect())
            .collect();
        let vetoes = regions
            .iter()
            .map(|region| scheme.vetoes.iter().find(|v| v.region == region.id).map(|v| v.reason.as_str()))
            .collect();
        let mut peers: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
        for (i, region) in regions.iter().enumerate() {
            let key = if scheme.rank_within_group { region.group.as_deref() } else { None };
            peers.entry(key).or_default().push(i);
        }
        let mut grades: Vec<&Grade> = scheme.grades.iter().collect();
        grades.sort_by(|a, b| b.min.total_cmp(&a.min));
        Board {
            scheme,
            all_weights: scheme.items.iter().map(|i| i.weight).sum(),
            adjustments,
            vetoes,
            peers: peers.into_values().collect(),
            grades,
        }
    }

    /// Region `r`'s total from its item scores (`scores` follows `scheme.items`; none: left out).
    pub fn tally(&self, r: usize, scores: &[Option<f64>]) -> Tally {
        let kept: f64 =
            self.scheme.items.iter().zip(scores).filter(|(_, s)| s.is_some()).map(|(item, _)| item.weight).sum();
        let sum: f64 = scores.iter().flatten().sum();
        let scale = if kept > 0.0 { self.all_weights / kept } else { 1.0 };
        let item_total = tidy(sum * scale);
        let adjusted = adjustment_total(self.adjustments[r].iter().copied());
        let vetoed = self.vetoes[r].is_some();
        let total = if vetoed { 0.0 } else { round_to(item_total + adjusted, 2) };
        Tally { sum, scale, item_total, adjusted, vetoed, total }
    }

    /// Every region's rank (competition ranking of the totals among its peers) and grade (the best
    /// whose minimum the total reaches; the lowest under a veto). `tallies` follows the regions.
    pub fn standings(&self, tallies: &[Tally]) -> Vec<Standing<'a>> {
        let mut ranks = vec![1; tallies.len()];
        for members in &self.peers {
            let totals: Vec<Option<f64>> = members.iter().map(|&i| Some(tallies[i].total)).collect();
            for (&i, rank) in members.iter().zip(competition_ranks(&totals, Direction::Higher)) {
                ranks[i] = rank.unwrap_or(1);
            }
        }
        tallies
            .iter()
            .zip(ranks)
            .map(|(t, rank)| {
                let grade = if t.vetoed { self.grades.last() } else { self.grades.iter().find(|g| g.min <= t.total) };
                Standing { rank, grade: grade.map(|g| g.name.as_str()) }
            })
            .collect()
    }
}

impl Tally {
    /// How the total was reached, for a region with these adjustments and veto.
    fn explanation(&self, adjustments: &[Adjustment], veto: Option<&str>) -> String {
        let mut explanation = if self.scale == 1.0 {
            format!("项目得分合计 {}", num(self.item_total))
        } else {
            format!("项目得分 {} × 折算系数 {} = {}", num(self.sum), num(self.scale), num(self.item_total))
        };
        for a in adjustments {
            explanation.push_str(&format!(
                "；{}{}（{}）",
                if a.points >= 0.0 { "加" } else { "减" },
                num(a.points.abs()),
                a.reason
            ));
        }
        match veto {
            Some(reason) => explanation.push_str(&format!("；一票否决（{reason}），总分记0")),
            None => explanation.push_str(&format!("；总分 {}", number::fixed(self.total, 2))),
        }
        explanation
    }
}

/// How much of an item's scores is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// everything: the indicator, the formula and each region's explanation (the assessment)
    Explained,
    /// the figures and numbers alone, every text left empty (a what-if's candidates, scored by the
    /// hundred)
    Numbers,
}

/// One item's score for every assessed region, explained.
pub fn score_item(item: &Item, figs: &ItemFigures) -> Vec<ItemScore> {
    score_item_with(item, figs, Detail::Explained)
}

/// One item's score for every assessed region, with its texts or without ([`Detail`]); the
/// numbers are the same either way.
pub fn score_item_with(item: &Item, figs: &ItemFigures, detail: Detail) -> Vec<ItemScore> {
    let explained = detail == Detail::Explained;
    // a text, written only when explanations are wanted
    let say = |text: &dyn Fn() -> String| if explained { text() } else { String::new() };
    let w = item.weight;
    let indicator = say(&|| item.indicator.clone());
    let blank = |a: Option<f64>, t: Option<f64>| ItemScore {
        indicator: indicator.clone(),
        method: item.method,
        weight: w,
        actual: a,
        target: t,
        completion: None,
        reference: None,
        deviation_pct: None,
        steps: None,
        rank: None,
        score: Some(0.0),
        formula: String::new(),
        explanation: String::new(),
    };
    let left_out = |s: ItemScore| ItemScore {
        score: None,
        explanation: say(&|| "未设目标，本项不计分，其余项目按权重折算".into()),
        ..s
    };
    let no_actual = |s: ItemScore| ItemScore { explanation: say(&|| "无实际值，得0分".into()), ..s };
    match item.method {
        Method::Ratio => {
            let cap = item.cap.unwrap_or(DEFAULT_CAP);
            let floor = item.floor.unwrap_or(DEFAULT_FLOOR);
            let formula = say(&|| {
                let c_rule = match figs.direction {
                    Direction::Higher => "完成率 = 实际值 ÷ 目标值",
                    Direction::Lower => "完成率 = 目标值 ÷ 实际值",
                };
                let floor_rule =
                    if floor > 0.0 { format!("；完成率低于{}不得分", pct(floor)) } else { String::new() };
                format!("得分 = 权重 × 完成率（完成率最高计{}）{floor_rule}；{c_rule}", pct(cap))
            });
            let d = figs.decimals;
            figs.actual
                .iter()
                .zip(&figs.target)
                .map(|(&a, &t)| {
                    let s = ItemScore { formula: formula.clone(), ..blank(a, t) };
                    let (Some(target), Some(actual)) = (t, a) else {
                        return if t.is_none() { left_out(s) } else { no_actual(s) };
                    };
                    let Some(c) = completion(figs.direction, actual, target) else {
                        return ItemScore {
                            explanation: say(&|| "完成率无法计算（除数为0），得0分".into()), ..s
                        };
                    };
                    let score = if c >= floor { tidy(w * c.min(cap)) } else { 0.0 };
                    let explanation = say(&|| {
                        let ratio_text = match figs.direction {
                            Direction::Higher => {
                                format!("完成率 = 实际{} ÷ 目标{} = {}", figure(actual, d), figure(target, d), pct(c))
                            }
                            Direction::Lower => {
                                format!("完成率 = 目标{} ÷ 实际{} = {}", figure(target, d), figure(actual, d), pct(c))
                            }
                        };
                        let rest = if c >= floor {
                            let capped =
                                if c > cap { format!("，超过上限按{}计", pct(cap)) } else { String::new() };
                            // the completion as exactly as the score uses it, so that the product reads true
                            let used = format!("{}%", num(100.0 * c.min(cap)));
                            format!("{capped}；得分 = 权重{} × {used} = {}", num(w), num(score))
                        } else {
                            format!("，低于{}，得0分", pct(floor))
                        };
                        format!("{ratio_text}{rest}")
                    });
                    ItemScore { completion: Some(c), score: Some(score), explanation, ..s }
                })
                .collect()
        }
        Method::Stepped => {
            let reference = item.reference.unwrap_or(Reference::Target);
            let base = item.base.unwrap_or(DEFAULT_BASE);
            let step_pct = item.step_pct.unwrap_or(DEFAULT_STEP_PCT);
            let step_points = item.step_points.unwrap_or(DEFAULT_STEP_POINTS);
            let cap = item.cap.unwrap_or(DEFAULT_CAP);
            let d = figs.decimals;
            let present: Vec<f64> = figs.actual.iter().flatten().copied().collect();
            let average =
                (!present.is_empty()).then(|| tidy_figure(present.iter().sum::<f64>() / present.len() as f64, d));
            let (ref_name, ref_rule) = match reference {
                Reference::Target => ("参照值（目标）", "参照值为目标值"),
                Reference::Average => ("参照值（平均）", "参照值为各单位实际值的平均"),
            };
            let formula = say(&|| {
                let d_rule = match figs.direction {
                    Direction::Higher => "偏离度 = (实际值 ÷ 参照值 − 1) × 100%",
                    Direction::Lower => "偏离度 = (参照值 ÷ 实际值 − 1) × 100%",
                };
                format!(
                    "得分 = 基本分{}×权重 + 增减分 档数×{}，在0到{}×权重之间；{d_rule}，每{}%为一档，不足一档不计；{ref_rule}",
                    num(base),
                    num(step_points),
                    num(cap),
                    num(step_pct),
                )
            });
            figs.actual
                .iter()
                .zip(&figs.target)
                .map(|(&a, &t)| {
                    let s = ItemScore { formula: formula.clone(), ..blank(a, t) };
                    let reference_value = match reference {
                        Reference::Target => t,
                        Reference::Average => average,
                    };
                    let Some(r) = reference_value else {
                        return if reference == Reference::Target { left_out(s) } else { no_actual(s) };
                    };
                    let Some(actual) = a else { return no_actual(ItemScore { reference: Some(r), ..s }) };
                    let (num_, den) = match figs.direction {
                        Direction::Higher => (actual, r),
                        Direction::Lower => (r, actual),
                    };
                    if den == 0.0 {
                        return ItemScore {
                            reference: Some(r),
                            explanation: say(&|| "偏离度无法计算（除数为0），得0分".into()),
                            ..s
                        };
                    }
                    let dev = tidy(100.0 * (num_ / den - 1.0));
                    let steps = (dev / step_pct).trunc() as i64;
                    let raw = tidy(base * w + steps as f64 * step_points);
                    let score = tidy(raw.clamp(0.0, cap * w));
                    let explanation = say(&|| {
                        let adjust = match steps {
                            0 => "增减分0".to_string(),
                            n if n > 0 => format!("加分{n}×{}", num(step_points)),
                            n => format!("减分{}×{}", -n, num(step_points)),
                        };
                        let sign = if steps < 0 { "−" } else { "+" };
                        let outcome = if raw > cap * w {
                            format!("{}，超过上限，记{}", num(raw), num(score))
                        } else if raw < 0.0 {
                            format!("{}，不足0分，记0", num(raw))
                        } else {
                            format!("{}（上限{}）", num(score), num(cap * w))
                        };
                        format!(
                            "{ref_name}= {}；偏离度 = {}%，每{}%一档，计{}档；得分 = 基本分{}×{} {sign} {adjust} = {outcome}",
                            figure(r, d),
                            figure(dev, 2),
                            num(step_pct),
                            num(steps as f64),
                            num(base),
                            num(w),
                        )
                    });
                    ItemScore {
                        reference: Some(r),
                        deviation_pct: Some(dev),
                        steps: Some(steps),
                        score: Some(score),
                        explanation,
                        ..s
                    }
                })
                .collect()
        }
        Method::Rank => {
            let ranks = competition_ranks(&figs.actual, figs.direction);
            let count = figs.actual.iter().flatten().count();
            let step = item.step_points.unwrap_or(if count > 0 { w / count as f64 } else { 0.0 });
            let formula = say(&|| format!("得分 = 权重 − (位次 − 1) × {}，最低0分；位次按实际值排列", num(step)));
            figs.actual
                .iter()
                .zip(&figs.target)
                .zip(ranks)
                .map(|((&a, &t), rank)| {
                    let s = ItemScore { formula: formula.clone(), ..blank(a, t) };
                    let Some(rank) = rank else { return no_actual(s) };
                    let raw = tidy(w - f64::from(rank - 1) * step);
                    let score = raw.max(0.0);
                    let explanation = say(&|| {
                        let outcome = if raw < 0.0 { format!("{}，不足0分，记0", num(raw)) } else { num(score) };
                        format!(
                            "第{rank}位（共{count}个单位有数据）；得分 = {} − ({rank} − 1) × {} = {outcome}",
                            num(w),
                            num(step),
                        )
                    });
                    ItemScore { rank: Some(rank), score: Some(score), explanation, ..s }
                })
                .collect()
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::indicator::Mode;
    use crate::domain::indicator::tests::indicator;
    use crate::domain::region::RegionKind::*;
    use crate::domain::region::tests::region;

    fn regions() -> Vec<Assessed> {
        [("a", "镇"), ("b", "镇"), ("c", "开发区"), ("d", "开发区")]
            .iter()
            .map(|(id, g)| Assessed { id: id.to_string(), name: id.to_uppercase(), group: Some(g.to_string()) })
            .collect()
    }

    pub(crate) fn item(indicator: &str, weight: f64, method: Method) -> Item {
        Item {
            indicator: indicator.into(),
            weight,
            method,
            cap: None,
            floor: None,
            reference: None,
            base: None,
            step_pct: None,
            step_points: None,
        }
    }

    pub(crate) fn grades() -> Vec<Grade> {
        [("优秀", 90.0), ("良好", 80.0), ("合格", 60.0), ("不合格", 0.0)]
            .iter()
            .map(|(n, m)| Grade { name: n.to_string(), min: *m })
            .collect()
    }

    fn scheme() -> Scheme {
        Scheme {
            parent: "district".into(),
            scope: SchemeScope::Children,
            rank_within_group: false,
            items: vec![
                Item { cap: Some(1.2), floor: Some(0.6), ..item("rd", 40.0, Method::Ratio) },
                Item { reference: Some(Reference::Average), ..item("patents", 30.0, Method::Stepped) },
                item("projects", 30.0, Method::Rank),
            ],
            grades: grades(),
            adjustments: vec![Adjustment { region: "a".into(), points: 2.0, reason: "省级创新平台".into() }],
            vetoes: vec![Veto { region: "d".into(), reason: "重大安全事故".into() }],
        }
    }

    fn figures(actual: &[Option<f64>], target: &[Option<f64>]) -> ItemFigures {
        ItemFigures { direction: Direction::Higher, decimals: 0, actual: actual.to_vec(), target: target.to_vec() }
    }

    fn example() -> Vec<RegionScore> {
        let t100 = [Some(100.0); 4];
        assess(
            &scheme(),
            &regions(),
            &[
                figures(&[Some(95.0), Some(130.0), Some(50.0), None], &t100),
                figures(&[Some(100.0), Some(120.0), Some(80.0), Some(100.0)], &[None; 4]),
                figures(&[Some(5.0), Some(9.0), Some(9.0), None], &[None; 4]),
            ],
        )
    }

    #[test]
    fn item_scores_by_every_method() {
        let scores = example();
        let table: Vec<Vec<Option<f64>>> = scores.iter().map(|r| r.items.iter().map(|i| i.score).collect()).collect();
        assert_eq!(
            table,
            [
                // ratio 0.95 → 38; stepped d 0 → 24; rank 3 of 3 → 30 − 2 × 10
                vec![Some(38.0), Some(24.0), Some(10.0)],
                // ratio 1.3 capped at 1.2 → 48; d 20 → 4 steps → 26; rank 1 → 30
                vec![Some(48.0), Some(26.0), Some(30.0)],
                // ratio 0.5 under the floor → 0; d −20 → −4 steps → 22; tied first → 30
                vec![Some(0.0), Some(22.0), Some(30.0)],
                // no actual → 0 for ratio and rank
                vec![Some(0.0), Some(24.0), Some(0.0)],
            ]
        );
        assert_eq!(scores[1].items[1].steps, Some(4));
        assert_eq!(scores[1].items[1].reference, Some(100.0));
        assert_eq!(scores[2].items[2].rank, Some(1));
        assert_eq!(scores[0].items[0].completion, Some(0.95));
    }

    #[test]
    fn totals_adjustments_vetoes_ranks_and_grades() {
        let scores = example();
        let summary: Vec<(&str, f64, u32, Option<&str>)> =
            scores.iter().map(|r| (r.region.as_str(), r.total, r.rank, r.grade.as_deref())).collect();
        assert_eq!(
            summary,
            [
                ("a", 74.0, 2, Some("合格")),
                ("b", 104.0, 1, Some("优秀")),
                ("c", 52.0, 3, Some("不合格")),
                ("d", 0.0, 4, Some("不合格")),
            ]
        );
        assert_eq!(scores[3].veto.as_deref(), Some("重大安全事故"));
        assert!(scores[0].explanation.contains("加2（省级创新平台）"), "{}", scores[0].explanation);
        assert!(scores[3].explanation.contains("一票否决"));
    }

    #[test]
    fn ranks_within_groups() {
        let mut s = scheme();
        s.rank_within_group = true;
        let t100 = [Some(100.0); 4];
        let scores = assess(
            &s,
            &regions(),
            &[
                figures(&[Some(95.0), Some(130.0), Some(50.0), None], &t100),
                figures(&[Some(100.0), Some(120.0), Some(80.0), Some(100.0)], &[None; 4]),
                figures(&[Some(5.0), Some(9.0), Some(9.0), None], &[None; 4]),
            ],
        );
        let ranks: Vec<u32> = scores.iter().map(|r| r.rank).collect();
        assert_eq!(ranks, [2, 1, 1, 2]);
    }

    #[test]
    fn a_missing_target_leaves_the_item_out_and_scales_the_rest() {
        let s = Scheme {
            items: vec![item("rd", 60.0, Method::Ratio), item("projects", 40.0, Method::Rank)],
            adjustments: vec![],
            vetoes: vec![],
            ..scheme()
        };
        let two = &regions()[..2];
        let scores = assess(
            &s,
            two,
            &[
                figures(&[Some(50.0), Some(80.0)], &[Some(100.0), None]),
                figures(&[Some(3.0), Some(7.0)], &[None, None]),
            ],
        );
        // a: 60 × 0.5 + 40 × (1 − 1 × 0.5) → rank 2 of 2, step 20 → 20; total 50
        assert_eq!(scores[0].total, 50.0);
        assert_eq!(scores[0].scale, 1.0);
        // b: ratio left out; rank 1 → 40, scaled by 100 / 40
        assert_eq!(scores[1].items[0].score, None);
        assert_eq!(scores[1].scale, 2.5);
        assert_eq!(scores[1].total, 100.0);
    }

    #[test]
    fn scores_without_their_texts_have_the_same_numbers() {
        let s = scheme();
        let t100 = [Some(100.0); 4];
        let all = [
            figures(&[Some(95.0), Some(130.0), Some(50.0), None], &t100),
            figures(&[Some(100.0), Some(120.0), Some(80.0), Some(100.0)], &[None; 4]),
            figures(&[Some(5.0), Some(9.0), Some(9.0), None], &[None; 4]),
        ];
        for (it, figs) in s.items.iter().zip(&all) {
            let explained = score_item(it, figs);
            let numbers = score_item_with(it, figs, Detail::Numbers);
            let bare = |x: &ItemScore| ItemScore {
                indicator: String::new(),
                formula: String::new(),
                explanation: String::new(),
                ..x.clone()
            };
            assert_eq!(explained.iter().map(bare).collect::<Vec<_>>(), numbers, "{}", it.indicator);
            assert!(numbers.iter().all(|n| n.explanation.is_empty() && n.formula.is_empty()));
            assert!(explained.iter().all(|e| !e.explanation.is_empty() && e.indicator == it.indicator));
        }
        // the board recombines them into the totals, ranks and grades of `assess`
        let assessed = regions();
        let board = Board::new(&s, &assessed);
        let per_item: Vec<Vec<ItemScore>> =
            s.items.iter().zip(&all).map(|(it, f)| score_item_with(it, f, Detail::Numbers)).collect();
        let tallies: Vec<Tally> = (0..4)
            .map(|r| board.tally(r, &per_item.iter().map(|scores| scores[r].score).collect::<Vec<_>>()))
            .collect();
        let got: Vec<(f64, u32, Option<&str>)> =
            tallies.iter().zip(board.standings(&tallies)).map(|(t, st)| (t.total, st.rank, st.grade)).collect();
        assert_eq!(
            got,
            [(74.0, 2, Some("合格")), (104.0, 1, Some("优秀")), (52.0, 3, Some("不合格")), (0.0, 4, Some("不合格"))]
        );
    }

    #[test]
    fn stepped_cases() {
        let t = |x: f64| Some(x);
        // (direction, A, ref target, cap, expected steps, expected score) with W = 20, base 0.8 → 16
        let cases: &[(Direction, Option<f64>, Option<f64>, Option<f64>, Option<i64>, Option<f64>)] = &[
            (Direction::Higher, t(112.0), t(100.0), None, Some(2), Some(17.0)),
            (Direction::Higher, t(88.0), t(100.0), None, Some(-2), Some(15.0)),
            (Direction::Higher, t(104.9), t(100.0), None, Some(0), Some(16.0)),
            (Direction::Higher, t(300.0), t(100.0), None, Some(40), Some(20.0)),
            (Direction::Higher, t(300.0), t(100.0), Some(1.5), Some(40), Some(30.0)),
            (Direction::Higher, t(0.0), t(100.0), None, Some(-20), Some(6.0)),
            // lower is better: d = 100 × (ref / A − 1) = 100 × (100 / 80 − 1) = 25
            (Direction::Lower, t(80.0), t(100.0), None, Some(5), Some(18.5)),
            (Direction::Higher, None, t(100.0), None, None, Some(0.0)),
            (Direction::Higher, t(100.0), None, None, None, None),
        ];
        for (direction, a, target, cap, steps, score) in cases {
            let it = Item { cap: *cap, ..item("x", 20.0, Method::Stepped) };
            let figs = ItemFigures { direction: *direction, decimals: 1, actual: vec![*a], target: vec![*target] };
            let out = score_item(&it, &figs);
            assert_eq!((out[0].steps, out[0].score), (*steps, *score), "{direction:?} {a:?} {target:?} {cap:?}");
        }
    }

    #[test]
    fn every_score_is_explained_with_its_figures() {
        let scores = example();
        let explained: Vec<Vec<&str>> =
            scores.iter().map(|r| r.items.iter().map(|i| i.explanation.as_str()).collect()).collect();
        assert_eq!(
            explained[1],
            [
                "完成率 = 实际130 ÷ 目标100 = 130%，超过上限按120%计；得分 = 权重40 × 120% = 48",
                "参照值（平均）= 100；偏离度 = 20%，每5%一档，计4档；得分 = 基本分0.8×30 + 加分4×0.5 = 26（上限30）",
                "第1位（共3个单位有数据）；得分 = 30 − (1 − 1) × 10 = 30",
            ]
        );
        assert_eq!(explained[0][0], "完成率 = 实际95 ÷ 目标100 = 95%；得分 = 权重40 × 95% = 38");
        assert_eq!(explained[0][2], "第3位（共3个单位有数据）；得分 = 30 − (3 − 1) × 10 = 10");
        assert_eq!(explained[2][0], "完成率 = 实际50 ÷ 目标100 = 50%，低于60%，得0分");
        assert_eq!(
            explained[2][1],
            "参照值（平均）= 100；偏离度 = −20%，每5%一档，计−4档；得分 = 基本分0.8×30 − 减分4×0.5 = 22（上限30）"
        );
        assert_eq!(explained[3][0], "无实际值，得0分");
        let formulas: Vec<&str> = scores[0].items.iter().map(|i| i.formula.as_str()).collect();
        assert_eq!(
            formulas,
            [
                "得分 = 权重 × 完成率（完成率最高计120%）；完成率低于60%不得分；完成率 = 实际值 ÷ 目标值",
                "得分 = 基本分0.8×权重 + 增减分 档数×0.5，在0到1×权重之间；偏离度 = (实际值 ÷ 参照值 − 1) × 100%，\
                 每5%为一档，不足一档不计；参照值为各单位实际值的平均",
                "得分 = 权重 − (位次 − 1) × 10，最低0分；位次按实际值排列",
            ]
        );
        assert!(scores.iter().flat_map(|r| &r.items).all(|i| !i.formula.is_empty() && !i.explanation.is_empty()));
    }

    #[test]
    fn explanations_are_chinese_with_tidy_numbers() {
        // (item, direction, decimals, actuals, targets, explanation of the first region)
        let stepped = |cap, reference| Item { cap, reference, ..item("x", 25.0, Method::Stepped) };
        let cases: Vec<(Item, Direction, u8, Vec<Option<f64>>, Vec<Option<f64>>, &str)> = vec![
            (
                // the average 450.125 is shown with the indicator's 2 decimals
                stepped(Some(1.2), Some(Reference::Average)),
                Direction::Higher,
                2,
                vec![Some(880.0), Some(20.25)],
                vec![None, None],
                "参照值（平均）= 450.13；偏离度 = 95.5%，每5%一档，计19档；得分 = 基本分0.8×25 + 加分19×0.5 = 29.5（上限30）",
            ),
            (
                stepped(None, None),
                Direction::Higher,
                1,
                vec![Some(300.0)],
                vec![Some(100.0)],
                "参照值（目标）= 100；偏离度 = 200%，每5%一档，计40档；得分 = 基本分0.8×25 + 加分40×0.5 = 40，超过上限，记25",
            ),
            (
                Item { base: Some(0.1), ..stepped(None, None) },
                Direction::Lower,
                1,
                vec![Some(250.0)],
                vec![Some(100.0)],
                "参照值（目标）= 100；偏离度 = −60%，每5%一档，计−12档；得分 = 基本分0.1×25 − 减分12×0.5 = −3.5，不足0分，记0",
            ),
            (
                Item { cap: Some(1.2), ..item("x", 40.0, Method::Ratio) },
                Direction::Higher,
                2,
                vec![Some(18.0)],
                vec![Some(19.0)],
                "完成率 = 实际18 ÷ 目标19 = 94.74%；得分 = 权重40 × 94.7368% = 37.8947",
            ),
            (
                item("x", 40.0, Method::Ratio),
                Direction::Lower,
                1,
                vec![Some(80.0)],
                vec![Some(100.0)],
                "完成率 = 目标100 ÷ 实际80 = 125%，超过上限按100%计；得分 = 权重40 × 100% = 40",
            ),
            (
                Item { step_points: Some(12.0), ..item("x", 20.0, Method::Rank) },
                Direction::Higher,
                0,
                vec![Some(1.0), Some(2.0), Some(3.0)],
                vec![None; 3],
                "第3位（共3个单位有数据）；得分 = 20 − (3 − 1) × 12 = −4，不足0分，记0",
            ),
        ];
        for (it, direction, decimals, actual, target, want) in cases {
            let out = score_item(&it, &ItemFigures { direction, decimals, actual, target });
            assert_eq!(out[0].explanation, want);
        }
    }

    #[test]
    fn schemes_are_checked_field_by_field() {
        let tree = RegionTree::new(vec![
            region("district", District, None, 0),
            region("a", Town, Some("district"), 1),
            region("b", Town, Some("district"), 2),
        ])
        .unwrap();
        let inds = crate::domain::IndicatorSet::new(vec![
            indicator("rd", Mode::Ytd, None),
            indicator("patents", Mode::Ytd, None),
            indicator("projects", Mode::Ytd, None),
        ])
        .unwrap();
        let good = Scheme { vetoes: vec![], adjustments: vec![], ..scheme() };
        assert_eq!(check_scheme(&good, &tree, &inds), Ok(()));
        let cases: Vec<(Scheme, &str)> = vec![
            (Scheme { parent: "a".into(), ..good.clone() }, "parent"),
            (Scheme { parent: "nowhere".into(), ..good.clone() }, "parent"),
            (Scheme { items: vec![], ..good.clone() }, "items"),
            (Scheme { items: vec![item("nothing", 10.0, Method::Ratio)], ..good.clone() }, "items[0].indicator"),
            (Scheme { items: vec![item("rd", 0.0, Method::Ratio)], ..good.clone() }, "items[0].weight"),
            (
                Scheme { items: vec![item("rd", 1.0, Method::Ratio), item("rd", 1.0, Method::Rank)], ..good.clone() },
                "items[1].indicator",
            ),
            (
                Scheme { items: vec![Item { floor: Some(0.5), ..item("rd", 1.0, Method::Rank) }], ..good.clone() },
                "items[0].floor",
            ),
            (
                Scheme {
                    items: vec![Item { step_pct: Some(0.0), ..item("rd", 1.0, Method::Stepped) }],
                    ..good.clone()
                },
                "items[0].step_pct",
            ),
            (Scheme { grades: vec![], ..good.clone() }, "grades"),
            (
                Scheme {
                    adjustments: vec![Adjustment { region: "x".into(), points: 1.0, reason: "r".into() }],
                    ..good.clone()
                },
                "adjustments[0].region",
            ),
            (
                Scheme { vetoes: vec![Veto { region: "a".into(), reason: " ".into() }], ..good.clone() },
                "vetoes[0].reason",
            ),
        ];
        for (s, field) in cases {
            let errors = check_scheme(&s, &tree, &inds).unwrap_err();
            assert!(errors.iter().any(|e| e.field == field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn a_scheme_assesses_children_or_every_reporting_region_below_its_parent() {
        let tree = RegionTree::new(vec![
            region("province", District, None, 0),
            region("city-a", District, Some("province"), 1),
            region("county-1", Town, Some("city-a"), 1),
            region("county-2", Zone, Some("city-a"), 2),
            region("city-b", District, Some("province"), 2),
            region("county-3", Town, Some("city-b"), 1),
        ])
        .unwrap();
        let cases: [(&str, SchemeScope, &[&str]); 5] = [
            ("province", SchemeScope::Children, &["city-a", "city-b"]),
            ("province", SchemeScope::Reporting, &["county-1", "county-2", "county-3"]),
            ("city-a", SchemeScope::Reporting, &["county-1", "county-2"]),
            ("county-1", SchemeScope::Reporting, &[]),
            ("county-1", SchemeScope::Children, &[]),
        ];
        for (parent, scope, want) in cases {
            let s = Scheme { parent: parent.into(), scope, ..scheme() };
            let got: Vec<&str> = s.assessed_regions(&tree).into_iter().map(|r| r.as_str()).collect();
            assert_eq!(got, want, "{parent} {scope:?}");
        }
        let json = |s: &Scheme| serde_json::to_value(s).unwrap();
        assert!(json(&scheme()).get("scope").is_none(), "the default is not written out");
        let reporting = Scheme { scope: SchemeScope::Reporting, ..scheme() };
        assert_eq!(json(&reporting)["scope"], "reporting");
        assert_eq!(serde_json::from_value::<Scheme>(json(&reporting)).unwrap(), reporting);
    }
}
