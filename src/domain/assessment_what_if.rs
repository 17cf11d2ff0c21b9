//! What it would take in the year-end assessment (SPEC §13): for an assessed region and a goal (a
//! grade, a rank, a total), the smallest change of each item's indicator annual value — every other
//! region's and item's figure held — that reaches it, or why no change of that one item can (a cap,
//! a floor, a veto, the other regions' figures).
//!
//! Every candidate value is scored by the assessment's own steps: the changed item re-scored for
//! every region by [`score_item_with`] (an average reference and a rank move with the region's own
//! figure), the other items' scores kept from one [`assess`] of the year, and the totals, ranks and
//! grades recombined by the [`Board`] that `assess` uses, so that the answer and the assessment can
//! never disagree. The search runs over the indicator's precision (`decimals`): the answer,
//! applied, reaches the goal, and one unit of precision less does not.

use serde::Serialize;

use super::FieldError;
use super::assessment::{
    Assessed, Board, Detail, Grade, ItemFigures, Method, RegionScore, Scheme, Tally, assess, score_item_with,
};
use super::indicator::Direction;
use super::number::{round_to, trimmed};

/// What a region wants to reach: a grade or better, a rank or better, a total or more.
#[derive(Debug, Clone, PartialEq)]
pub enum Goal {
    /// `grade:良好`: that grade or a better one
    Grade(String),
    /// `rank:3`: third place or better
    Rank(u32),
    /// `total:85`: an adjusted total of 85 or more
    Total(f64),
}

/// What `goal` takes, for the message of a malformed one.
const GOAL_FORM: &str = "目标应写作 grade:等次、rank:名次或 total:总分（如 grade:良好、rank:3、total:85）";

impl Goal {
    /// Reads `grade:良好`, `rank:3` (1 to 999999999) or `total:85` (`-?` up to 9 digits, up to 6
    /// decimals), as the document's pattern says; anything else is an error naming `goal`.
    pub fn parse(text: &str) -> Result<Goal, FieldError> {
        let bad = |message: String| FieldError::new("goal", message);
        let digits = |s: &str, most: usize| !s.is_empty() && s.len() <= most && s.bytes().all(|b| b.is_ascii_digit());
        let (kind, value) = text.split_once(':').ok_or_else(|| bad(GOAL_FORM.into()))?;
        match kind {
            "grade" if !value.is_empty() => Ok(Goal::Grade(value.to_string())),
            "rank" if digits(value, 9) && !value.starts_with('0') => {
                Ok(Goal::Rank(value.parse().expect("nine digits fit")))
            }
            "rank" => Err(bad(format!("名次“{}”应为1至999999999的整数", cut(value)))),
            "total" => {
                let unsigned = value.strip_prefix('-').unwrap_or(value);
                let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "1"));
                if digits(whole, 9) && digits(fraction, 6) {
                    Ok(Goal::Total(value.parse().expect("a decimal number")))
                } else {
                    Err(bad(format!("总分“{}”应为数值（如 85 或 85.5）", cut(value))))
                }
            }
            _ => Err(bad(GOAL_FORM.into())),
        }
    }

    /// As asked: `grade:良好`.
    pub fn code(&self) -> String {
        match self {
            Goal::Grade(name) => format!("grade:{name}"),
            Goal::Rank(n) => format!("rank:{n}"),
            Goal::Total(x) => format!("total:{}", super::number::plain(*x)),
        }
    }

    /// What reaching it is called: `达到良好`, `排名第1`, `进入前3名`, `使总分达到85分`.
    pub fn text(&self) -> String {
        match self {
            Goal::Grade(name) => format!("达到{name}"),
            Goal::Rank(1) => "排名第1".into(),
            Goal::Rank(n) => format!("进入前{n}名"),
            Goal::Total(x) => format!("使总分达到{}分", super::number::plain(*x)),
        }
    }

    /// That it is reached: `已达到良好`, `已排名第1`, `已进入前3名`, `总分已达到85分`.
    pub fn reached_text(&self) -> String {
        match self {
            Goal::Total(x) => format!("总分已达到{}分", super::number::plain(*x)),
            goal => format!("已{}", goal.text()),
        }
    }

    /// Whether `score` reaches it under `grades`.
    #[cfg(test)]
    fn reached(&self, grades: &[Grade], score: &RegionScore) -> bool {
        self.reached_by(grades, &Outcome::of(score))
    }

    /// Whether `outcome` reaches it under `grades`.
    fn reached_by(&self, grades: &[Grade], outcome: &Outcome) -> bool {
        let min_of = |name: &str| grades.iter().find(|g| g.name == name).map(|g| g.min);
        match self {
            Goal::Grade(name) => {
                let Some(wanted) = min_of(name) else { return false };
                outcome.grade.as_deref().and_then(min_of).is_some_and(|has| has >= wanted)
            }
            Goal::Rank(n) => outcome.rank <= *n,
            Goal::Total(x) => outcome.total >= *x,
        }
    }
}

fn cut(text: &str) -> String {
    text.chars().take(20).collect()
}

/// An item's indicator as people read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemLabel {
    pub name: String,
    pub unit: String,
}

/// Why no change of one item's figure reaches the goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unreachable {
    /// 一票否决: the total is 0 and the grade the lowest whatever the figures
    Veto,
    /// the item already scores its most (its cap; for a rank item, first place)
    AtCap,
    /// the item's cap keeps the total short even at the cap
    Cap,
    /// a rank item: even first place leaves the total short
    RankFirst,
    /// lower is better and even the smallest value (one unit of precision) is not enough
    Floor,
    /// the item has no target for the region: it is left out and its figure counts for nothing
    NoTarget,
    /// the item's score does not move with the figure (a target of 0, say)
    NoEffect,
    /// the item's score moves, but other regions' figures bound it (an average that rises with the
    /// region's own figure) short of what is needed
    Bounded,
}

/// A region's total, rank and grade.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub total: f64,
    pub rank: u32,
    pub grade: Option<String>,
}

impl Outcome {
    fn of(score: &RegionScore) -> Outcome {
        Outcome { total: score.total, rank: score.rank, grade: score.grade.clone() }
    }

    /// `总分85.2分，第2名，良好`
    fn text(&self) -> String {
        let grade = self.grade.as_deref().map(|g| format!("，{g}")).unwrap_or_default();
        format!("总分{}分，第{}名{grade}", trimmed(self.total, 2), self.rank)
    }
}

/// One item's answer: the value of its indicator that reaches the goal, or why none does.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ItemWhatIf {
    #[schema(example = "rd_expenditure")]
    pub indicator: String,
    #[schema(example = "R&D经费支出")]
    pub name: String,
    #[schema(example = "亿元")]
    pub unit: String,
    pub method: Method,
    pub direction: Direction,
    /// the indicator's decimals: `change` is a whole number of its units of precision
    pub decimals: u8,
    pub reachable: bool,
    /// the region's annual value now (null: none)
    pub current: Option<f64>,
    /// the value that reaches the goal (null when unreachable, or when lower is better, there is
    /// no value and any value reaches it)
    pub needed: Option<f64>,
    /// `needed − current` (from 0 when there is no value); 0 when the goal is already reached
    pub change: Option<f64>,
    /// the change in percent of the current value, one decimal (null without a current value ≠ 0)
    pub change_pct: Option<f64>,
    /// the region's total, rank and grade with `needed`
    pub after: Option<Outcome>,
    /// why it cannot be reached through this item
    pub reason: Option<Unreachable>,
    /// the reason in Chinese, with its figures
    pub reason_text: Option<String>,
    /// `乙镇R&D经费支出再增加0.21亿元（+15.0%）即可达到良好`
    pub sentence: String,
}

/// For one region and goal: where it stands, whether the goal is already reached, and each item's answer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AssessmentWhatIf {
    #[schema(example = "town-yi")]
    pub region: String,
    #[schema(example = "乙镇")]
    pub name: String,
    /// the goal as asked, `grade:良好`
    #[schema(example = "grade:良好")]
    pub goal: String,
    /// `达到良好`
    #[schema(example = "达到良好")]
    pub goal_text: String,
    /// the region's total, rank and grade now
    pub current: Outcome,
    pub already: bool,
    /// `乙镇目前总分76.5分，第3名，合格；要达到良好，其他不变时可：`
    pub sentence: String,
    pub items: Vec<ItemWhatIf>,
}

/// The smallest change of each item's figure for `region` that reaches `goal` (SPEC §13).
/// `figures` and `labels` follow `scheme.items`; each figure list follows `regions`. An unknown
/// grade names `goal`; a region not among `regions` names `region`.
pub fn what_it_takes(
    scheme: &Scheme,
    regions: &[Assessed],
    figures: &[ItemFigures],
    labels: &[ItemLabel],
    region: &str,
    goal: &Goal,
) -> Result<AssessmentWhatIf, FieldError> {
    let r = regions
        .iter()
        .position(|a| a.id == region)
        .ok_or_else(|| FieldError::new("region", format!("“{}”不是考核方案考核的地区", cut(region))))?;
    if let Goal::Grade(name) = goal
        && !scheme.grades.iter().any(|g| g.name == *name)
    {
        let known: Vec<&str> = scheme.grades.iter().map(|g| g.name.as_str()).collect();
        return Err(FieldError::new(
            "goal",
            format!("考核方案没有“{}”这个等次（可选：{}）", cut(name), known.join("、")),
        ));
    }
    // One scoring of the year: the region as it stands, and every region's item scores, which a
    // candidate keeps for the items it does not change.
    let mut all = assess(scheme, regions, figures);
    let base: Vec<Vec<Option<f64>>> = all.iter().map(|s| s.items.iter().map(|i| i.score).collect()).collect();
    let now = all.swap_remove(r);
    drop(all);
    let board = Board::new(scheme, regions);
    let current = Outcome::of(&now);
    let already = goal.reached_by(&scheme.grades, &current);
    let who = &regions[r].name;
    let goal_text = goal.text();
    let items = scheme
        .items
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let search = Search { scheme, figures, board: &board, base: &base, r, goal, item: i };
            search.answer(&now, already, &labels[i], who)
        })
        .collect();
    let sentence = if already {
        format!("{who}{}（{}）", goal.reached_text(), current.text())
    } else if let Some(reason) = &now.veto {
        format!("{who}被一票否决（{reason}），总分记0，任何一项指标的变化都无法{goal_text}")
    } else {
        format!("{who}目前{}；要{goal_text}，在其他指标不变时：", current.text())
    };
    Ok(AssessmentWhatIf {
        region: regions[r].id.clone(),
        name: who.clone(),
        goal: goal.code(),
        goal_text,
        current,
        already,
        sentence,
        items,
    })
}

/// The search over one item's figure for one region.
struct Search<'a> {
    scheme: &'a Scheme,
    figures: &'a [ItemFigures],
    board: &'a Board<'a>,
    /// every region's item scores as the year stands ([region][item])
    base: &'a [Vec<Option<f64>>],
    r: usize,
    goal: &'a Goal,
    item: usize,
}

/// How far past the largest figure of an item a higher-is-better search looks (every cap, rank
/// and sensible step is reached well before).
const REACH: f64 = 1e4;

/// The region's outcome with the item's figure at a candidate value, and the item's score.
struct Tried {
    outcome: Outcome,
    item_score: Option<f64>,
}

impl Search<'_> {
    /// The region's outcome with the item's figure at `x`, every other figure held: the item
    /// re-scored for every region, the other items' scores kept, totals, ranks and grades
    /// recombined as `assess` does.
    fn at(&self, x: f64) -> Tried {
        let mut figs = self.figures[self.item].clone();
        figs.actual[self.r] = Some(x);
        let scores = score_item_with(&self.scheme.items[self.item], &figs, Detail::Numbers);
        let mut row: Vec<Option<f64>> = Vec::with_capacity(self.scheme.items.len());
        let tallies: Vec<Tally> = self
            .base
            .iter()
            .zip(&scores)
            .enumerate()
            .map(|(q, (base, changed))| {
                row.clear();
                row.extend_from_slice(base);
                row[self.item] = changed.score;
                self.board.tally(q, &row)
            })
            .collect();
        let standing = self.board.standings(&tallies)[self.r];
        Tried {
            outcome: Outcome {
                total: tallies[self.r].total,
                rank: standing.rank,
                grade: standing.grade.map(str::to_string),
            },
            item_score: scores[self.r].score,
        }
    }

    fn answer(&self, now: &RegionScore, already: bool, label: &ItemLabel, who: &str) -> ItemWhatIf {
        let item = &self.scheme.items[self.item];
        let figs = &self.figures[self.item];
        let current = figs.actual[self.r];
        let decimals = figs.decimals;
        let goal_text = self.goal.text();
        let blank = ItemWhatIf {
            indicator: item.indicator.clone(),
            name: label.name.clone(),
            unit: label.unit.clone(),
            method: item.method,
            direction: figs.direction,
            decimals,
            reachable: true,
            current,
            needed: None,
            change: None,
            change_pct: None,
            after: None,
            reason: None,
            reason_text: None,
            sentence: String::new(),
        };
        if already {
            return ItemWhatIf {
                needed: current,
                change: Some(0.0),
                change_pct: current.map(|_| 0.0),
                after: Some(Outcome::of(now)),
                sentence: format!("{who}{}，{}无需变化", self.goal.reached_text(), label.name),
                ..blank
            };
        }
        let unreachable = |reason: Unreachable, text: String| ItemWhatIf {
            reachable: false,
            sentence: format!("{who}仅靠{}无法{goal_text}：{text}", label.name),
            reason: Some(reason),
            reason_text: Some(text),
            ..blank.clone()
        };
        if let Some(veto) = &now.veto {
            return unreachable(Unreachable::Veto, format!("被一票否决（{veto}），总分记0，与本项数值无关"));
        }
        // Candidates: `base ± k` units of precision, k = 1, 2, … up to `k_max`, bisected. Without a
        // value, higher is better from 0 (k = 0 is a candidate); lower is better from far above.
        let unit = 10f64.powi(i32::from(decimals));
        let lower = figs.direction == Direction::Lower;
        let largest = figs
            .actual
            .iter()
            .chain(&figs.target)
            .flatten()
            .fold(current.unwrap_or(0.0).abs().max(1.0), |m, x| m.max(x.abs()));
        let far = round_to((largest * REACH * unit).ceil().min(2f64.powi(52)) / unit, decimals);
        let base = match (current, lower) {
            (Some(a), _) => a,
            (None, false) => 0.0,
            (None, true) => far,
        };
        // (on the figures' own places: 197600.01 − 197580.25 is 19.76, not 19.76000000001)
        let places = decimals.saturating_add(4);
        let value = |k: i64| {
            let step = k as f64 / unit;
            round_to(if lower { base - step } else { base + step }, places)
        };
        // The last candidate: far beyond every figure (higher), one unit above 0 (lower).
        let k_max: i64 =
            if lower { ((base * unit - 1e-6).ceil() as i64 - 1).max(0) } else { ((far - base) * unit).ceil() as i64 };
        let reaches = |k: i64| {
            let tried = self.at(value(k));
            (self.goal.reached_by(&self.scheme.grades, &tried.outcome), tried)
        };
        // `lo` does not reach the goal: the current value (known), or no candidate at all
        let lo = match (current, lower) {
            (Some(_), _) => 0,
            (None, false) => -1,
            (None, true) => match reaches(0) {
                // any figure at all reaches it
                (true, tried) => {
                    return ItemWhatIf {
                        after: Some(tried.outcome),
                        sentence: format!("{who}{}（目前无数据）填报任一数值即可{goal_text}", label.name),
                        ..blank
                    };
                }
                (false, _) => 0,
            },
        };
        // Whether the last candidate reaches the goal at all (else: why not); then out from the
        // current value in doubling steps (1, 2, 4, … units) to the first that does, and bisection.
        let score_now = now.items[self.item].score;
        let most = match item.method {
            Method::Ratio | Method::Stepped => item.cap.unwrap_or(1.0) * item.weight,
            Method::Rank => item.weight,
        };
        // a total or a grade hangs on the region's own scores alone: an item at its most cannot help
        let own_scores_only = !matches!(self.goal, Goal::Rank(_));
        if k_max <= lo || score_now.is_none() || own_scores_only && score_now.is_some_and(|s| s >= most - 1e-9) {
            let (reason, text) = self.why_not(now, None, value(k_max), label);
            return unreachable(reason, text);
        }
        let (reached, farthest) = reaches(k_max);
        if !reached {
            let (reason, text) = self.why_not(now, Some(&farthest), value(k_max), label);
            return unreachable(reason, text);
        }
        let (mut lo, mut step) = (lo, 1i64);
        let (mut hi, mut at_hi) = loop {
            let k = lo + step;
            if k >= k_max {
                break (k_max, farthest);
            }
            match reaches(k) {
                (true, score) => break (k, score),
                (false, _) => {
                    lo = k;
                    step = step.saturating_mul(2);
                }
            }
        };
        // Bisection: `lo` does not reach, `hi` does.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            match reaches(mid) {
                (true, score) => {
                    hi = mid;
                    at_hi = score;
                }
                (false, _) => lo = mid,
            }
        }
        self.found(blank, value(hi), at_hi, label, who)
    }

    /// The answer when `value` reaches the goal, as `tried`.
    fn found(&self, blank: ItemWhatIf, value: f64, tried: Tried, label: &ItemLabel, who: &str) -> ItemWhatIf {
        let decimals = blank.decimals;
        let current = blank.current;
        let lower = blank.direction == Direction::Lower;
        let goal_text = self.goal.text();
        let needed = round_to(value, decimals.saturating_add(4));
        let change = round_to(needed - current.unwrap_or(0.0), decimals.saturating_add(4));
        let change_pct = current.filter(|a| *a != 0.0).map(|a| round_to(100.0 * change / a.abs(), 1));
        let amount = format!("{}{}", trimmed(change.abs(), decimals), label.unit);
        let verb = if lower { "减少" } else { "增加" };
        let sentence = match (current, change_pct) {
            (None, _) if lower => format!("{who}{}（目前无数据）不超过{amount}即可{goal_text}", label.name),
            (None, _) => format!("{who}{}（目前无数据）达到{amount}即可{goal_text}", label.name),
            (Some(_), Some(pct)) => {
                let sign = if pct < 0.0 { "−" } else { "+" };
                format!("{who}{}再{verb}{amount}（{sign}{}%）即可{goal_text}", label.name, fixed1(pct.abs()))
            }
            (Some(_), None) => format!("{who}{}再{verb}{amount}即可{goal_text}", label.name),
        };
        ItemWhatIf {
            needed: Some(needed),
            change: Some(change),
            change_pct,
            after: Some(tried.outcome),
            sentence,
            ..blank
        }
    }

    /// Why the goal is out of reach through this item: `best` is the region's outcome at the
    /// farthest value searched (`farthest`), none when there was no value to try.
    fn why_not(
        &self,
        now: &RegionScore,
        best: Option<&Tried>,
        farthest: f64,
        label: &ItemLabel,
    ) -> (Unreachable, String) {
        let item = &self.scheme.items[self.item];
        let figs = &self.figures[self.item];
        let w = item.weight;
        let most = match item.method {
            Method::Ratio | Method::Stepped => item.cap.unwrap_or(1.0) * w,
            Method::Rank => w,
        };
        let points = |x: f64| trimmed(x, 2);
        let goal_text = self.goal.text();
        let Some(score_now) = now.items[self.item].score else {
            return (Unreachable::NoTarget, "本项未设目标，不计分（其余项目按权重折算），其数值不影响总分".into());
        };
        let at_most = |x: f64| x >= most - 1e-9;
        if at_most(score_now) {
            let text = match item.method {
                Method::Rank => format!("本项已排第1位，已得满分{}分", points(most)),
                _ => format!("本项已得上限{}分，数值再{}也不加分", points(most), more(figs.direction)),
            };
            return (Unreachable::AtCap, text);
        }
        let Some(best) = best else {
            return (
                Unreachable::Floor,
                format!("本项数值已是最小计量单位，无法再减少（本项得{}分）", points(score_now)),
            );
        };
        let best_item = best.item_score.unwrap_or(0.0);
        let outcome = best.outcome.text();
        if at_most(best_item) {
            return match item.method {
                Method::Rank => (
                    Unreachable::RankFirst,
                    format!("本项按位次计分，即使排第1位也只得{}分，{outcome}，仍无法{goal_text}", points(most)),
                ),
                _ => (
                    Unreachable::Cap,
                    format!("本项最多得{}分（上限），即使得满分，{outcome}，仍无法{goal_text}", points(most)),
                ),
            };
        }
        if figs.direction == Direction::Lower {
            return (
                Unreachable::Floor,
                format!(
                    "即使降到{}{}，本项也只得{}分，{outcome}，仍无法{goal_text}",
                    trimmed(farthest, figs.decimals),
                    label.unit,
                    points(best_item)
                ),
            );
        }
        if (best_item - score_now).abs() < 1e-9 {
            return (Unreachable::NoEffect, "本项得分不随该指标变化（如目标为0），无法由它提高总分".into());
        }
        (
            Unreachable::Bounded,
            format!(
                "本项得分受其他地区数值所限（参照值随本地区数值一同变化），最多得{}分，{outcome}，仍无法{goal_text}",
                points(best_item)
            ),
        )
    }
}

fn more(direction: Direction) -> &'static str {
    match direction {
        Direction::Higher => "增加",
        Direction::Lower => "减少",
    }
}

/// A percentage with one decimal: 15 → `15.0`.
fn fixed1(x: f64) -> String {
    super::number::fixed(x, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::assessment::{Adjustment, Item, Reference, SchemeScope, Veto};
    use proptest::prelude::*;

    fn regions(n: usize) -> Vec<Assessed> {
        ["甲镇", "乙镇", "丙镇", "丁镇", "戊镇"][..n]
            .iter()
            .enumerate()
            .map(|(i, name)| Assessed { id: format!("r{i}"), name: name.to_string(), group: None })
            .collect()
    }

    fn item(weight: f64, method: Method) -> Item {
        crate::domain::assessment::tests::item("x", weight, method)
    }

    use crate::domain::assessment::tests::grades;

    fn scheme(items: Vec<Item>) -> Scheme {
        let items = items.into_iter().enumerate().map(|(i, it)| Item { indicator: format!("i{i}"), ..it }).collect();
        Scheme {
            parent: "p".into(),
            scope: SchemeScope::Children,
            rank_within_group: false,
            items,
            grades: grades(),
            adjustments: vec![],
            vetoes: vec![],
        }
    }

    fn figs(direction: Direction, decimals: u8, actual: &[Option<f64>], target: &[Option<f64>]) -> ItemFigures {
        ItemFigures { direction, decimals, actual: actual.to_vec(), target: target.to_vec() }
    }

    fn higher(decimals: u8, actual: &[f64], target: &[f64]) -> ItemFigures {
        let some = |v: &[f64]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
        let target = if target.is_empty() { vec![None; actual.len()] } else { some(target) };
        figs(Direction::Higher, decimals, &some(actual), &target)
    }

    fn labels(n: usize) -> Vec<ItemLabel> {
        (0..n).map(|i| ItemLabel { name: format!("指标{i}"), unit: "亿元".into() }).collect()
    }

    fn ask(s: &Scheme, figures: &[ItemFigures], goal: &str) -> AssessmentWhatIf {
        let n = figures[0].actual.len();
        what_it_takes(s, &regions(n), figures, &labels(figures.len()), "r0", &Goal::parse(goal).unwrap()).unwrap()
    }

    /// (reachable, needed, change, change_pct, reason) of each item.
    type Row = (bool, Option<f64>, Option<f64>, Option<f64>, Option<Unreachable>);

    fn rows(answer: &AssessmentWhatIf) -> Vec<Row> {
        answer.items.iter().map(|i| (i.reachable, i.needed, i.change, i.change_pct, i.reason)).collect()
    }

    const fn yes(needed: f64, change: f64, pct: f64) -> Row {
        (true, Some(needed), Some(change), Some(pct), None)
    }

    const fn no(reason: Unreachable) -> Row {
        (false, None, None, None, Some(reason))
    }

    #[test]
    fn goals_are_read_as_the_document_writes_them_and_anything_else_names_goal() {
        let ok: [(&str, Goal); 6] = [
            ("grade:良好", Goal::Grade("良好".into())),
            ("rank:1", Goal::Rank(1)),
            ("rank:999999999", Goal::Rank(999_999_999)),
            ("total:85", Goal::Total(85.0)),
            ("total:-3.25", Goal::Total(-3.25)),
            ("total:85.123456", Goal::Total(85.123456)),
        ];
        for (text, goal) in ok {
            assert_eq!(Goal::parse(text), Ok(goal), "{text}");
        }
        for text in [
            "",
            "良好",
            "grade:",
            "rank:0",
            "rank:03",
            "rank:-1",
            "rank:1.5",
            "rank: 3",
            "rank:1000000000",
            "total:",
            "total:1e5",
            "total:inf",
            "total:NaN",
            "total:85.",
            "total:.5",
            "total:1.1234567",
            "score:3",
            "Grade:良好",
        ] {
            let e = Goal::parse(text).unwrap_err();
            assert_eq!(e.field, "goal", "{text}");
            assert!(!e.message.is_ascii(), "{text}: {}", e.message);
        }
        assert_eq!(Goal::Grade("良好".into()).text(), "达到良好");
        assert_eq!(Goal::Rank(1).text(), "排名第1");
        assert_eq!(Goal::Rank(3).text(), "进入前3名");
        assert_eq!(Goal::Total(85.5).text(), "使总分达到85.5分");
        assert_eq!(Goal::Total(85.5).reached_text(), "总分已达到85.5分");
        assert_eq!(Goal::Rank(3).reached_text(), "已进入前3名");
    }

    #[test]
    fn ratio_items_need_the_completion_of_the_grade_and_jump_the_floor() {
        // W 100, cap 1.2, floor 0.6, target 10: 甲 7.00 → 70 (合格)
        let s = scheme(vec![Item { cap: Some(1.2), floor: Some(0.6), ..item(100.0, Method::Ratio) }]);
        let f = |a: f64| vec![higher(2, &[a, 9.0, 11.0], &[10.0, 10.0, 10.0])];
        // 良好 = 80 points = completion 0.8 = 8.00: +1.00, +14.3%
        let answer = ask(&s, &f(7.0), "grade:良好");
        assert_eq!(rows(&answer), [yes(8.0, 1.0, 14.3)]);
        assert_eq!(answer.items[0].sentence, "甲镇指标0再增加1亿元（+14.3%）即可达到良好");
        assert_eq!(answer.items[0].after, Some(Outcome { total: 80.0, rank: 3, grade: Some("良好".into()) }));
        assert_eq!(answer.sentence, "甲镇目前总分70分，第3名，合格；要达到良好，在其他指标不变时：");
        // 优秀 needs 9.00; a total of 85.5 needs 8.55
        assert_eq!(rows(&ask(&s, &f(7.0), "grade:优秀")), [yes(9.0, 2.0, 28.6)]);
        assert_eq!(rows(&ask(&s, &f(7.0), "total:85.5")), [yes(8.55, 1.55, 22.1)]);
        // below the floor (5.00 → 0 points) a total of 30 is reached only at the floor, 6.00 → 60
        assert_eq!(rows(&ask(&s, &f(5.0), "total:30")), [yes(6.0, 1.0, 20.0)]);
        // first place needs 11.00 (a tie at 110 is first too)
        assert_eq!(rows(&ask(&s, &f(7.0), "rank:1")), [yes(11.0, 4.0, 57.1)]);
        // 120 points at most: a total of 121 is out of reach
        let capped = ask(&s, &f(7.0), "total:121");
        assert_eq!(rows(&capped), [no(Unreachable::Cap)]);
        assert_eq!(
            capped.items[0].sentence,
            "甲镇仅靠指标0无法使总分达到121分：本项最多得120分（上限），即使得满分，总分120分，第1名，优秀，仍无法使总分达到121分"
        );
    }

    #[test]
    fn a_cap_already_reached_or_too_low_is_said_and_the_other_item_answers() {
        // two ratio items of 50 (cap 1): 甲 completes 80% and 60% → 40 + 30 = 70
        let s = scheme(vec![item(50.0, Method::Ratio), item(50.0, Method::Ratio)]);
        let f = |a: f64, b: f64| vec![higher(1, &[a, 10.0], &[10.0, 10.0]), higher(1, &[b, 10.0], &[10.0, 10.0])];
        // 优秀 (90): the first item can add 10 at most → 80; the second needs 100% → 10.0
        assert_eq!(rows(&ask(&s, &f(8.0, 6.0), "grade:优秀")), [no(Unreachable::Cap), yes(10.0, 4.0, 66.7)]);
        // the first already at its cap (110% → 50): 80 → 优秀 needs the second at 80%
        let answer = ask(&s, &f(11.0, 6.0), "grade:优秀");
        assert_eq!(rows(&answer), [no(Unreachable::AtCap), yes(8.0, 2.0, 33.3)]);
        assert_eq!(answer.items[0].reason_text.as_deref(), Some("本项已得上限50分，数值再增加也不加分"));
    }

    #[test]
    fn stepped_items_need_whole_steps_and_an_average_moves_with_the_region() {
        // W 100, base 0.8 → 80, 2 points per 5%, cap 1.2; reference the target 100
        let stepped = Item { step_points: Some(2.0), cap: Some(1.2), ..item(100.0, Method::Stepped) };
        let s = scheme(vec![stepped.clone()]);
        // 90 needs 5 steps = 25%: 125 (124 is 4 steps → 88)
        let f = vec![higher(0, &[100.0, 100.0], &[100.0, 100.0])];
        assert_eq!(rows(&ask(&s, &f, "total:90")), [yes(125.0, 25.0, 25.0)]);
        // lower is better: d = 100 × (100 / A − 1); 84 needs 2 steps, d ≥ 10: A ≤ 90.9 → 90
        let lower = vec![figs(Direction::Lower, 0, &[Some(100.0), Some(100.0)], &[Some(100.0), Some(100.0)])];
        let answer = ask(&s, &lower, "total:84");
        assert_eq!(rows(&answer), [yes(90.0, -10.0, -10.0)]);
        assert_eq!(answer.items[0].sentence, "甲镇指标0再减少10亿元（−10.0%）即可使总分达到84分");
        // reference the average of 80, 100, 120: 甲 at −20% → −4 steps → 72. 80 needs d > −5%,
        // and the average rises with 甲: 102 → average 107.3333, d −4.97% → 0 steps → 80
        // (101 → average 107, d −5.6% → 72 + 6 = 78)
        let s = scheme(vec![Item { reference: Some(Reference::Average), ..stepped }]);
        let f = vec![higher(0, &[80.0, 100.0, 120.0], &[])];
        assert_eq!(rows(&ask(&s, &f, "total:80")), [yes(102.0, 22.0, 27.5)]);
        // at most 3 × the average of the others' 0: the region alone cannot go past 2 steps of… the
        // others at 0 make the average a third of 甲's own, d = 200% always → 40 steps → cap 120
        let f = vec![higher(0, &[10.0, 0.0, 0.0], &[])];
        assert_eq!(rows(&ask(&s, &f, "total:121")), [no(Unreachable::AtCap)]);
    }

    #[test]
    fn rank_items_need_to_pass_the_others_and_first_place_bounds_them() {
        // ratio 70 (all complete) + rank 30 (step 10): 甲 5 (3rd → 10) = 80, 乙 9 (1st) = 100, 丙 7 = 90
        let s = scheme(vec![item(70.0, Method::Ratio), item(30.0, Method::Rank)]);
        let f = vec![higher(0, &[10.0, 10.0, 10.0], &[10.0, 10.0, 10.0]), higher(0, &[5.0, 9.0, 7.0], &[])];
        // first place: tie 乙 at 9 → 100 each, both first (8 → 2nd, 90)
        let answer = ask(&s, &f, "rank:1");
        assert_eq!(rows(&answer), [no(Unreachable::AtCap), yes(9.0, 4.0, 80.0)]);
        assert_eq!(answer.items[1].after, Some(Outcome { total: 100.0, rank: 1, grade: Some("优秀".into()) }));
        // 90: tying 丙 at 7 → both second (20 points)
        assert_eq!(rows(&ask(&s, &f, "grade:优秀")), [no(Unreachable::AtCap), yes(7.0, 2.0, 40.0)]);
        // 105: even first place gives 100
        let answer = ask(&s, &f, "total:105");
        assert_eq!(rows(&answer), [no(Unreachable::AtCap), no(Unreachable::RankFirst)]);
        assert_eq!(
            answer.items[1].reason_text.as_deref(),
            Some("本项按位次计分，即使排第1位也只得30分，总分100分，第1名，优秀，仍无法使总分达到105分")
        );
        // lower is better with 乙 at 0: one unit above 0 is second of three at best (100 − 33.33)
        let s = scheme(vec![item(100.0, Method::Rank)]);
        let f = vec![figs(Direction::Lower, 0, &[Some(5.0), Some(0.0), Some(3.0)], &[None; 3])];
        let answer = ask(&s, &f, "rank:1");
        assert_eq!(rows(&answer), [no(Unreachable::Floor)]);
        assert_eq!(
            answer.items[0].reason_text.as_deref(),
            Some("即使降到1亿元，本项也只得66.67分，总分66.67分，第2名，合格，仍无法排名第1")
        );
    }

    #[test]
    fn a_veto_a_missing_target_or_value_and_a_dead_item_say_why() {
        let s = Scheme {
            vetoes: vec![Veto { region: "r0".into(), reason: "重大安全事故".into() }],
            ..scheme(vec![item(100.0, Method::Ratio)])
        };
        let f = vec![higher(0, &[5.0, 9.0], &[10.0, 10.0])];
        let answer = ask(&s, &f, "grade:合格");
        assert_eq!(rows(&answer), [no(Unreachable::Veto)]);
        assert_eq!(
            answer.items[0].sentence,
            "甲镇仅靠指标0无法达到合格：被一票否决（重大安全事故），总分记0，与本项数值无关"
        );
        assert_eq!(answer.sentence, "甲镇被一票否决（重大安全事故），总分记0，任何一项指标的变化都无法达到合格");
        // the lowest grade is reached even so
        assert!(ask(&s, &f, "grade:不合格").already);
        // no target: the item is left out and the rank item scaled; its figure counts for nothing
        let s = scheme(vec![item(50.0, Method::Ratio), item(50.0, Method::Rank)]);
        let f =
            vec![figs(Direction::Higher, 0, &[Some(5.0), Some(9.0)], &[None, Some(10.0)]), higher(0, &[1.0, 2.0], &[])];
        assert_eq!(rows(&ask(&s, &f, "grade:优秀")), [no(Unreachable::NoTarget), yes(2.0, 1.0, 100.0)]);
        // lower is better without a value: at most 6.6 of a target 4 (60.6%; 6.7 is 59.7%)
        let s = scheme(vec![item(100.0, Method::Ratio)]);
        let f = vec![figs(Direction::Lower, 1, &[None, Some(3.0)], &[Some(4.0), Some(4.0)])];
        let answer = ask(&s, &f, "grade:合格");
        assert_eq!(rows(&answer), [(true, Some(6.6), Some(6.6), None, None)]);
        assert_eq!(answer.items[0].sentence, "甲镇指标0（目前无数据）不超过6.6亿元即可达到合格");
        // a target of 0 makes the completion incomputable
        let f = vec![higher(1, &[3.0, 3.0], &[0.0, 0.0])];
        assert_eq!(rows(&ask(&s, &f, "grade:合格")), [no(Unreachable::NoEffect)]);
        // without a value, higher is better: from nothing, 6.0 of a target 10 → 60
        let f = vec![figs(Direction::Higher, 1, &[None, Some(3.0)], &[Some(10.0), Some(10.0)])];
        let answer = ask(&s, &f, "grade:合格");
        assert_eq!(rows(&answer), [(true, Some(6.0), Some(6.0), None, None)]);
        assert_eq!(answer.items[0].sentence, "甲镇指标0（目前无数据）达到6亿元即可达到合格");
    }

    #[test]
    fn a_goal_already_reached_is_said_with_no_change() {
        let s = Scheme {
            adjustments: vec![Adjustment { region: "r0".into(), points: 2.0, reason: "省级平台".into() }],
            ..scheme(vec![item(100.0, Method::Ratio)])
        };
        let f = vec![higher(2, &[8.3, 9.0], &[10.0, 10.0])];
        let answer = ask(&s, &f, "grade:良好");
        assert!(answer.already);
        assert_eq!(rows(&answer), [yes(8.3, 0.0, 0.0)]);
        assert_eq!(answer.sentence, "甲镇已达到良好（总分85分，第2名，良好）");
        assert_eq!(answer.items[0].sentence, "甲镇已达到良好，指标0无需变化");
        // the adjustment counts: 83 + 2 = 85 reaches 85 but not 85.01 (needs 8.31 → 83.1 + 2)
        assert!(ask(&s, &f, "total:85").already);
        assert_eq!(rows(&ask(&s, &f, "total:85.01")), [yes(8.31, 0.01, 0.1)]);
        // the lowest rank reached by anyone's count
        assert!(ask(&s, &f, "rank:2").already);
    }

    #[test]
    fn an_unknown_grade_names_goal_and_a_region_not_assessed_names_region() {
        let s = scheme(vec![item(100.0, Method::Ratio)]);
        let f = vec![higher(0, &[5.0, 9.0], &[10.0, 10.0])];
        let run = |region: &str, goal: Goal| what_it_takes(&s, &regions(2), &f, &labels(1), region, &goal);
        let e = run("r0", Goal::Grade("卓越".into())).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("goal", "考核方案没有“卓越”这个等次（可选：优秀、良好、合格、不合格）")
        );
        let e = run("nowhere", Goal::Rank(1)).unwrap_err();
        assert_eq!((e.field.as_str(), e.message.as_str()), ("region", "“nowhere”不是考核方案考核的地区"));
    }

    /// A scheme of 1 to 3 items of every method and direction over 2 to 5 regions, with figures
    /// on each indicator's precision.
    fn case() -> impl Strategy<Value = (Scheme, Vec<ItemFigures>, Goal)> {
        let one = (
            0usize..3,
            any::<bool>(),
            0u8..3,
            1u8..6,
            prop::option::of(1.0f64..1.5),
            prop::option::of(0.0f64..0.8),
            any::<bool>(),
            prop::collection::vec(
                (prop::option::weighted(0.9, 0u32..5000), prop::option::weighted(0.9, 1u32..5000)),
                5,
            ),
        );
        let goal = prop_oneof![
            (0usize..4).prop_map(|g| Goal::Grade(["优秀", "良好", "合格", "不合格"][g].to_string())),
            (1u32..5).prop_map(Goal::Rank),
            (0u32..12000).prop_map(|x| Goal::Total(f64::from(x) / 100.0)),
        ];
        (2usize..6, prop::collection::vec(one, 1..4), goal).prop_map(|(n, items, goal)| {
            let mut scheme_items = Vec::new();
            let mut figures = Vec::new();
            for (method, lower, decimals, weight, cap, floor, average, values) in items {
                let method = [Method::Ratio, Method::Stepped, Method::Rank][method];
                let w = f64::from(weight) * 10.0;
                let it = match method {
                    Method::Ratio => Item { cap, floor, ..item(w, method) },
                    Method::Stepped => {
                        Item { cap, reference: average.then_some(Reference::Average), ..item(w, method) }
                    }
                    Method::Rank => item(w, method),
                };
                let unit = 10f64.powi(i32::from(decimals));
                let fig = |v: Option<u32>| v.map(|v| f64::from(v) / unit);
                figures.push(ItemFigures {
                    direction: if lower { Direction::Lower } else { Direction::Higher },
                    decimals,
                    actual: values[..n].iter().map(|(a, _)| fig(*a)).collect(),
                    target: values[..n].iter().map(|(_, t)| fig(*t)).collect(),
                });
                scheme_items.push(it);
            }
            (scheme(scheme_items), figures, goal)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn an_answer_applied_reaches_the_goal_and_one_unit_less_does_not((s, figures, goal) in case()) {
            let n = figures[0].actual.len();
            let regions = regions(n);
            let answer = what_it_takes(&s, &regions, &figures, &labels(figures.len()), "r0", &goal).unwrap();
            let with = |i: usize, x: f64| {
                let mut f = figures.clone();
                f[i].actual[0] = Some(x);
                let score = assess(&s, &regions, &f).swap_remove(0);
                goal.reached(&s.grades, &score)
            };
            for (i, a) in answer.items.iter().enumerate() {
                if answer.already || !a.reachable {
                    continue;
                }
                let Some(needed) = a.needed else {
                    prop_assert!(a.current.is_none() && a.direction == Direction::Lower);
                    prop_assert!(with(i, 1e6), "item {i}: any figure is said to reach {goal:?}");
                    continue;
                };
                let unit = 10f64.powi(-i32::from(a.decimals));
                prop_assert!(with(i, needed), "item {i}: {needed} does not reach {goal:?}");
                let change = a.change.unwrap();
                let lower = a.direction == Direction::Lower;
                let Some(current) = a.current else {
                    // from nothing: one unit short of the answer (less, or more when lower is better) does not
                    let short = round_to(needed + if lower { unit } else { -unit }, a.decimals);
                    prop_assert!(short < 0.0 || !with(i, short), "item {i}: {short} reaches {goal:?} too");
                    continue;
                };
                prop_assert!(change != 0.0);
                prop_assert_eq!(change < 0.0, lower);
                prop_assert_eq!(round_to(current + change, a.decimals + 4), needed);
                // one unit less, unless that is back at the current value
                if change.abs() > unit * 1.5 {
                    let short = round_to(needed - unit * change.signum(), a.decimals);
                    prop_assert!(!with(i, short), "item {i}: {short} reaches {goal:?} too");
                }
                // nothing smaller reaches it either (checked unit by unit up to 400 units)
                let units = (change.abs() / unit).round() as i64;
                if units <= 400 {
                    for k in 1..units {
                        let x = round_to(current + change.signum() * k as f64 * unit, a.decimals);
                        prop_assert!(!with(i, x), "item {i}: {x} (of {needed}) reaches {goal:?}");
                    }
                }
            }
            // an item out of reach is out of reach at every value tried in its direction
            for (i, a) in answer.items.iter().enumerate() {
                if !a.reachable {
                    let from = a.current.unwrap_or(0.0);
                    let unit = 10f64.powi(-i32::from(a.decimals));
                    let (tried, sign) = match a.direction {
                        Direction::Higher => ([from * 1.5, from * 3.0 + 1.0, from * 100.0 + 100.0], 1.0),
                        Direction::Lower => ([from / 2.0, from / 10.0, unit], -1.0),
                    };
                    for x in tried {
                        let x = round_to(x, a.decimals);
                        if x > 0.0 && (x - from) * sign >= unit * 0.5 {
                            prop_assert!(!with(i, x), "item {i}: {x} reaches {goal:?} though {:?}", a.reason);
                        }
                    }
                }
            }
        }
    }
}
