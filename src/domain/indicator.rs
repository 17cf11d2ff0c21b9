//! Indicators: what is measured, in which unit, how a quarter is reported (mode) and which way is better.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::FieldError;
use super::enterprise::{Rule, RuleText};
use super::formula::Formula;
use super::ids::{IndicatorCode, RegionId};
use super::period::{Period, Quarter};
use super::region::RegionTree;
use super::text;

/// How a quarter's figure is submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// year-to-date cumulative (1–n季度累计)
    Ytd,
    /// the quarter's own amount (当季)
    Quarter,
    /// level at the end of the quarter (期末数)
    Stock,
    /// computed from a formula
    Derived,
    /// counted or summed over the region's enterprises in the register (企业库), by its rule
    Register,
}

impl Mode {
    pub const ALL: [Mode; 5] = [Mode::Ytd, Mode::Quarter, Mode::Stock, Mode::Derived, Mode::Register];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Ytd => "ytd",
            Mode::Quarter => "quarter",
            Mode::Stock => "stock",
            Mode::Derived => "derived",
            Mode::Register => "register",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// 累计 / 当季 / 期末 / 计算, as forms and templates show it.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Ytd => "累计",
            Mode::Quarter => "当季",
            Mode::Stock => "期末",
            Mode::Derived => "计算",
            Mode::Register => "企业库",
        }
    }
}

/// How often an indicator is reported: quarterly figures, or one figure a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    #[default]
    Quarterly,
    Annual,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Quarterly => "quarterly",
            Frequency::Annual => "annual",
        }
    }

    pub fn parse(text: &str) -> Option<Frequency> {
        [Frequency::Quarterly, Frequency::Annual].into_iter().find(|f| f.as_str() == text)
    }

    /// 季度 / 年度, as pages show it.
    pub fn label(self) -> &'static str {
        match self {
            Frequency::Quarterly => "季度",
            Frequency::Annual => "年度",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }

    pub fn parse(text: &str) -> Option<Direction> {
        [Direction::Higher, Direction::Lower].into_iter().find(|d| d.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    #[schema(value_type = String, example = "rd_expenditure")]
    pub code: IndicatorCode,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    pub direction: Direction,
    pub mode: Mode,
    /// Present exactly when `mode` is `Derived`, e.g. `100 * rd_expenditure / gdp`.
    #[serde(serialize_with = "formula_text")]
    #[schema(value_type = Option<String>)]
    pub formula: Option<Formula>,
    pub allow_negative: bool,
    pub sort: i64,
    /// `annual` for an indicator submitted once a year (`YYYY`); a derived indicator with an
    /// annual input is annual whatever was asked for.
    pub frequency: Frequency,
    /// The subtrees whose reporting regions report it (and whose ancestors show it); `None`: every region.
    #[schema(value_type = Option<Vec<String>>, example = json!(["district"]))]
    pub regions: Option<Vec<RegionId>>,
    /// Present exactly when `mode` is `register`: what it counts or sums over a region's enterprises.
    #[serde(serialize_with = "rule_text", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RuleText>)]
    pub rule: Option<Rule>,
}

/// No statistic of a district or province comes near this; a larger figure is a typing mistake,
/// and sums of many such figures would lose exactness or overflow.
pub const MAX_MAGNITUDE: f64 = 1e15;

impl Indicator {
    /// Figures of it are typed in or imported: not computed by a formula or from the register.
    pub fn is_submitted(&self) -> bool {
        !matches!(self.mode, Mode::Derived | Mode::Register)
    }

    /// How a form asks for its figure: 累计 / 当季 / 期末 for a quarterly indicator, 年度 for an
    /// annual one.
    pub fn form_label(&self) -> &'static str {
        match self.frequency {
            Frequency::Quarterly => self.mode.label(),
            Frequency::Annual => self.frequency.label(),
        }
    }

    /// Is this indicator reported by, or shown for, `region`? Every region when it names no
    /// subtrees; otherwise the regions within them and their ancestors (which aggregate them).
    pub fn applies_to(&self, tree: &RegionTree, region: &str) -> bool {
        self.regions.as_ref().is_none_or(|subtrees| {
            subtrees.iter().any(|top| tree.is_within(region, top.as_str()) || tree.is_within(top.as_str(), region))
        })
    }

    /// The period a figure of this indicator has in the reporting round of `quarter`.
    pub fn period_in(&self, quarter: Quarter) -> Period {
        match self.frequency {
            Frequency::Quarterly => Period::Quarter(quarter),
            Frequency::Annual => Period::Year(quarter.year()),
        }
    }

    /// Is this indicator submitted by `region` itself (a reporting region within its subtrees)?
    pub fn reported_by(&self, tree: &RegionTree, region: &str) -> bool {
        self.regions.as_ref().is_none_or(|subtrees| subtrees.iter().any(|top| tree.is_within(region, top.as_str())))
    }

    /// May `value` be a figure or target of this indicator? Finite, within `MAX_MAGNITUDE`, and
    /// not negative unless the indicator allows it.
    pub fn check_value(&self, value: f64) -> Result<(), String> {
        if !value.is_finite() {
            Err("应为有限的数字".into())
        } else if value.abs() > MAX_MAGNITUDE {
            Err(format!("绝对值不能超过{MAX_MAGNITUDE:e}"))
        } else if value < 0.0 && !self.allow_negative {
            Err(format!("{}不能为负数", self.name))
        } else {
            Ok(())
        }
    }
}

/// The longest unit: `万元/人`, `件/万人`, never a sentence.
pub const MAX_UNIT_CHARS: usize = 20;

/// The most decimals an indicator may have: beyond that no statistic is measured.
pub const MAX_DECIMALS: u8 = 6;

/// An indicator as a person describes it, before any check: the fields of the API's body.
#[derive(Debug, Clone)]
pub struct IndicatorDraft {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    pub direction: Direction,
    pub mode: Mode,
    /// empty or blank: none
    pub formula: Option<String>,
    pub allow_negative: bool,
    pub sort: i64,
    pub frequency: Frequency,
    /// `None`: every region; `Some` must name at least one
    pub regions: Option<Vec<String>>,
    pub rule: Option<RuleText>,
}

impl IndicatorDraft {
    /// The indicator, or every problem with a field (named as the API names it): the code, a name
    /// of 1 to [`text::MAX_NAME_CHARS`], a unit of at most [`MAX_UNIT_CHARS`], at most
    /// [`MAX_DECIMALS`] decimals, a formula that parses, and region ids, at least one when listed.
    /// Whether the formula fits the mode and its codes exist is the indicator set's to check.
    pub fn check(self) -> Result<Indicator, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code =
            IndicatorCode::parse(&self.code).map_err(|e| errors.push(FieldError::new("code", e.to_string()))).ok();
        let name = text::name(&self.name, text::MAX_NAME_CHARS)
            .map_err(|e| errors.push(FieldError::new("name", e)))
            .unwrap_or_default();
        let unit = text::visible(&self.unit).unwrap_or_default().to_string();
        if let Some(problem) = text::too_long(&unit, MAX_UNIT_CHARS) {
            errors.push(FieldError::new("unit", format!("单位{problem}")));
        }
        if self.decimals > MAX_DECIMALS {
            errors.push(FieldError::new("decimals", format!("小数位数应为 0 到 {MAX_DECIMALS}")));
        }
        let formula = match self.formula.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(text) => Formula::parse(text).map_err(|e| errors.push(FieldError::new("formula", e.to_string()))).ok(),
        };
        let regions = self.regions.map(|ids| {
            ids.iter()
                .enumerate()
                .filter_map(|(i, id)| {
                    RegionId::parse(id)
                        .map_err(|e| errors.push(FieldError::new(format!("regions[{i}]"), e.to_string())))
                        .ok()
                })
                .collect::<Vec<_>>()
        });
        if regions.as_ref().is_some_and(Vec::is_empty) {
            errors.push(FieldError::new("regions", "至少列出一个地区；适用于所有地区时省略此项"));
        }
        let rule = match (self.mode, self.rule) {
            (Mode::Register, None) => {
                errors.push(FieldError::new(
                    "rule",
                    "企业库指标需要统计规则，如 {\"count\": true, \"where\": [\"scale\"]}",
                ));
                None
            }
            (Mode::Register, Some(text)) => Rule::parse(&text)
                .map_err(|(part, message)| errors.push(FieldError::new(format!("rule.{part}"), message)))
                .ok(),
            (_, Some(_)) => {
                errors.push(FieldError::new("rule", "只有企业库指标（mode 为 register）才有统计规则"));
                None
            }
            (_, None) => None,
        };
        match code {
            Some(code) if errors.is_empty() => Ok(Indicator {
                code,
                name,
                unit,
                decimals: self.decimals,
                direction: self.direction,
                mode: self.mode,
                formula,
                allow_negative: self.allow_negative,
                sort: self.sort,
                frequency: self.frequency,
                regions,
                rule,
            }),
            _ => Err(errors),
        }
    }
}

fn rule_text<S: serde::Serializer>(r: &Option<Rule>, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&r.as_ref().map(Rule::text), s)
}

fn formula_text<S: serde::Serializer>(f: &Option<Formula>, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&f.as_ref().map(Formula::source), s)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorSetError {
    #[error("指标“{0}”是计算指标，需要计算公式")]
    MissingFormula(IndicatorCode),
    #[error("指标“{0}”不是计算指标，不能有计算公式")]
    UnexpectedFormula(IndicatorCode),
    #[error("“{0}”的公式用到了不存在的指标“{1}”")]
    UnknownCode(IndicatorCode, IndicatorCode),
    #[error("“{0}”的公式循环引用了自己：{1}")]
    Cycle(IndicatorCode, String),
}

/// All indicators, with every formula checked: known codes, no cycles.
#[derive(Debug, Clone, Default)]
pub struct IndicatorSet {
    by_code: BTreeMap<IndicatorCode, Indicator>,
}

impl IndicatorSet {
    pub fn new(indicators: Vec<Indicator>) -> Result<IndicatorSet, IndicatorSetError> {
        let set = IndicatorSet { by_code: indicators.into_iter().map(|i| (i.code.clone(), i)).collect() };
        for ind in set.by_code.values() {
            match (&ind.formula, ind.mode) {
                (None, Mode::Derived) => return Err(IndicatorSetError::MissingFormula(ind.code.clone())),
                (Some(_), m) if m != Mode::Derived => {
                    return Err(IndicatorSetError::UnexpectedFormula(ind.code.clone()));
                }
                (Some(f), _) => {
                    if let Some(unknown) = f.codes().into_iter().find(|c| !set.by_code.contains_key(*c)) {
                        return Err(IndicatorSetError::UnknownCode(ind.code.clone(), unknown.clone()));
                    }
                }
                (None, _) => {}
            }
        }
        set.check_cycles()?;
        let annual: Vec<IndicatorCode> = set
            .by_code
            .values()
            .filter(|i| {
                i.formula.is_some()
                    && set.inputs_of(i.code.as_str()).iter().any(|c| set.by_code[*c].frequency == Frequency::Annual)
            })
            .map(|i| i.code.clone())
            .collect();
        let mut set = set;
        for code in annual {
            set.by_code.get_mut(&code).expect("collected from the set").frequency = Frequency::Annual;
        }
        Ok(set)
    }

    /// Depth-first search over formula references; a grey node met again closes a cycle.
    fn check_cycles(&self) -> Result<(), IndicatorSetError> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Grey,
            Black,
        }
        fn visit<'a>(
            set: &'a IndicatorSet,
            code: &'a IndicatorCode,
            marks: &mut HashMap<&'a IndicatorCode, Mark>,
            path: &mut Vec<&'a IndicatorCode>,
        ) -> Result<(), IndicatorSetError> {
            match marks.get(code) {
                Some(Mark::Black) => return Ok(()),
                Some(Mark::Grey) => {
                    let start = path.iter().position(|c| *c == code).unwrap_or(0);
                    let mut names: Vec<&str> = path[start..].iter().map(|c| c.as_str()).collect();
                    names.push(code.as_str());
                    return Err(IndicatorSetError::Cycle(code.clone(), names.join(" → ")));
                }
                None => {}
            }
            marks.insert(code, Mark::Grey);
            path.push(code);
            if let Some(formula) = set.by_code.get(code).and_then(|i| i.formula.as_ref()) {
                for dep in formula.codes() {
                    visit(set, dep, marks, path)?;
                }
            }
            path.pop();
            marks.insert(code, Mark::Black);
            Ok(())
        }
        let mut marks = HashMap::new();
        for code in self.by_code.keys() {
            visit(self, code, &mut marks, &mut Vec::new())?;
        }
        Ok(())
    }

    pub fn get(&self, code: &str) -> Option<&Indicator> {
        self.by_code.get(code)
    }

    /// What `region` submits in the reporting round of `quarter`, in display order: the stored
    /// (not derived) indicators it reports, quarterly ones every quarter and
    /// annual ones with the fourth quarter, the year's last round.
    pub fn to_report(&self, tree: &RegionTree, region: &str, quarter: Quarter) -> Vec<&Indicator> {
        self.in_display_order()
            .into_iter()
            .filter(|i| i.is_submitted() && i.reported_by(tree, region))
            .filter(|i| i.frequency == Frequency::Quarterly || quarter.q() == 4)
            .collect()
    }

    /// What `region` fills in for `period`, in display order: for a quarter the quarterly
    /// indicators it reports, for a year the annual ones (which come with the year's last round).
    /// The entry form and the Excel template list exactly these.
    pub fn to_fill_in(&self, tree: &RegionTree, region: &str, period: Period) -> Vec<&Indicator> {
        let frequency = match period {
            Period::Quarter(_) => Frequency::Quarterly,
            Period::Year(_) => Frequency::Annual,
        };
        self.to_report(tree, region, period.round()).into_iter().filter(|i| i.frequency == frequency).collect()
    }

    /// What a report or dashboard of `region` at `period` lists, in display order: the indicators
    /// that apply to it, annual ones only at the year's end (the fourth quarter or the year).
    pub fn shown_for(&self, tree: &RegionTree, region: &str, period: Period) -> Vec<&Indicator> {
        let year_end = super::progress::is_year_end(period);
        self.in_display_order()
            .into_iter()
            .filter(|i| i.applies_to(tree, region) && (i.frequency == Frequency::Quarterly || year_end))
            .collect()
    }

    /// In display order (`sort`, then code).
    pub fn in_display_order(&self) -> Vec<&Indicator> {
        let mut all: Vec<&Indicator> = self.by_code.values().collect();
        all.sort_by(|a, b| (a.sort, &a.code).cmp(&(b.sort, &b.code)));
        all
    }

    /// Is `code` a level at a moment (期末数) rather than a flow over the year to date? True for stock
    /// indicators and for derived ones computed from stock indicators only.
    pub fn is_level(&self, code: &str) -> bool {
        let stored: Vec<&Indicator> = self
            .inputs_of(code)
            .into_iter()
            .filter_map(|c| self.get(c.as_str()))
            .filter(|i| i.mode != Mode::Derived)
            .collect();
        !stored.is_empty() && stored.iter().all(|i| matches!(i.mode, Mode::Stock | Mode::Register))
    }

    /// The stored (non-derived) indicators a figure of `code` is computed from, `code` itself included.
    pub fn inputs_of(&self, code: &str) -> Vec<&IndicatorCode> {
        let mut out: Vec<&IndicatorCode> = Vec::new();
        let mut stack = vec![code];
        while let Some(c) = stack.pop() {
            let Some(ind) = self.by_code.get(c) else { continue };
            if out.contains(&&ind.code) {
                continue;
            }
            out.push(&ind.code);
            if let Some(f) = &ind.formula {
                stack.extend(f.codes().into_iter().map(IndicatorCode::as_str));
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn indicator(code: &str, mode: Mode, formula: Option<&str>) -> Indicator {
        Indicator {
            code: IndicatorCode::parse(code).unwrap(),
            name: code.to_uppercase(),
            unit: "亿元".into(),
            decimals: 2,
            direction: Direction::Higher,
            mode,
            formula: formula.map(|f| Formula::parse(f).unwrap()),
            allow_negative: false,
            sort: 0,
            frequency: Frequency::Quarterly,
            regions: None,
            rule: None,
        }
    }

    #[test]
    fn accepts_formulas_over_known_codes_including_other_derived_ones() {
        let set = IndicatorSet::new(vec![
            indicator("gdp", Mode::Ytd, None),
            indicator("rd", Mode::Ytd, None),
            indicator("share", Mode::Derived, Some("100 * rd / gdp")),
            indicator("double_share", Mode::Derived, Some("2 * share")),
        ])
        .unwrap();
        assert!(!set.is_level("share"));
        let mut inputs: Vec<&str> = set.inputs_of("double_share").iter().map(|c| c.as_str()).collect();
        inputs.sort();
        assert_eq!(inputs, ["double_share", "gdp", "rd", "share"]);
    }

    #[test]
    fn each_region_reports_its_own_indicators_at_their_frequency() {
        use crate::domain::region::RegionKind::*;
        use crate::domain::region::tests::region;
        let tree = RegionTree::new(vec![
            region("cn", Province, None, 0),
            region("hunan", Province, Some("cn"), 1),
            region("changsha", City, Some("hunan"), 1),
            region("hubei", Province, Some("cn"), 2),
        ])
        .unwrap();
        let set = IndicatorSet::new(vec![
            indicator("gdp", Mode::Ytd, None),
            Indicator { frequency: Frequency::Annual, ..indicator("rd", Mode::Ytd, None) },
            indicator("share", Mode::Derived, Some("100 * rd / gdp")),
            Indicator {
                regions: Some(vec![RegionId::parse("hunan").unwrap()]),
                ..indicator("patents_per_10k", Mode::Stock, None)
            },
        ])
        .unwrap();
        let q = |n| Quarter::new(2023, n).unwrap();
        let codes = |region, quarter| -> Vec<&str> {
            set.to_report(&tree, region, quarter).iter().map(|i| i.code.as_str()).collect()
        };
        let cases: &[(&str, Quarter, &[&str])] = &[
            ("changsha", q(3), &["gdp", "patents_per_10k"]),
            ("changsha", q(4), &["gdp", "patents_per_10k", "rd"]),
            ("hubei", q(4), &["gdp", "rd"]),
            ("hubei", q(1), &["gdp"]),
        ];
        for (region, quarter, want) in cases {
            let mut got = codes(region, *quarter);
            got.sort();
            assert_eq!(got, *want, "{region} {quarter}");
        }
        let shown = |region, period: &str| -> Vec<&str> {
            let mut codes: Vec<&str> =
                set.shown_for(&tree, region, period.parse().unwrap()).iter().map(|i| i.code.as_str()).collect();
            codes.sort();
            codes
        };
        assert_eq!(shown("cn", "2023Q3"), ["gdp", "patents_per_10k"]);
        assert_eq!(shown("hubei", "2023"), ["gdp", "rd", "share"]);
        let city = set.get("patents_per_10k").unwrap();
        assert!(city.applies_to(&tree, "cn") && city.applies_to(&tree, "hunan"), "shown for the ancestors");
        assert!(!city.applies_to(&tree, "hubei") && !city.reported_by(&tree, "cn"));
        assert_eq!(set.get("share").unwrap().frequency, Frequency::Annual, "a ratio over an annual input is annual");
        assert_eq!(set.get("rd").unwrap().period_in(q(4)).to_string(), "2023");
        assert_eq!(set.get("gdp").unwrap().period_in(q(4)).to_string(), "2023Q4");
    }

    #[test]
    fn refuses_unknown_codes_cycles_and_misplaced_formulas() {
        let cases = [
            (vec![indicator("a", Mode::Derived, Some("b + 1"))], "不存在的指标“b”"),
            (vec![indicator("a", Mode::Derived, Some("a * 2"))], "a → a"),
            (
                vec![
                    indicator("a", Mode::Derived, Some("b")),
                    indicator("b", Mode::Derived, Some("c")),
                    indicator("c", Mode::Derived, Some("a")),
                ],
                "a → b → c → a",
            ),
            (vec![indicator("a", Mode::Derived, None)], "需要计算公式"),
            (vec![indicator("a", Mode::Ytd, Some("1"))], "不能有计算公式"),
        ];
        for (indicators, want) in cases {
            let err = IndicatorSet::new(indicators).unwrap_err().to_string();
            assert!(err.contains(want), "{err:?} should contain {want:?}");
        }
    }

    fn draft() -> IndicatorDraft {
        IndicatorDraft {
            code: "rd_expenditure".into(),
            name: " R&D经费支出 ".into(),
            unit: " 亿元 ".into(),
            decimals: 2,
            direction: Direction::Higher,
            mode: Mode::Ytd,
            formula: Some("  ".into()),
            allow_negative: false,
            sort: 3,
            frequency: Frequency::Quarterly,
            regions: Some(vec!["district".into()]),
            rule: None,
        }
    }

    #[test]
    fn a_draft_becomes_an_indicator_with_trimmed_texts() {
        let ind = draft().check().unwrap();
        assert_eq!(
            (ind.code.as_str(), ind.name.as_str(), ind.unit.as_str(), ind.formula, ind.sort),
            ("rd_expenditure", "R&D经费支出", "亿元", None, 3)
        );
        assert_eq!(ind.regions, Some(vec![RegionId::parse("district").unwrap()]));
        let derived = IndicatorDraft { mode: Mode::Derived, formula: Some(" 100 * rd / gdp ".into()), ..draft() };
        assert_eq!(derived.check().unwrap().formula.map(|f| f.source().to_string()).as_deref(), Some("100 * rd / gdp"));
        let everywhere =
            IndicatorDraft { regions: None, unit: "字".repeat(20), decimals: 6, ..draft() }.check().unwrap();
        assert_eq!((everywhere.regions, everywhere.unit.chars().count(), everywhere.decimals), (None, 20, 6));
        let count = RuleText { count: Some(true), conditions: vec!["high_tech".into()], ..RuleText::default() };
        let register = IndicatorDraft { mode: Mode::Register, rule: Some(count.clone()), ..draft() }.check().unwrap();
        assert_eq!(register.rule.map(|r| r.text()), Some(count));
    }

    #[test]
    fn a_draft_with_bad_fields_names_each_one() {
        let cases: Vec<(IndicatorDraft, &[(&str, &str)])> = vec![
            (IndicatorDraft { code: "RD".into(), ..draft() }, &[("code", "指标代码")]),
            (IndicatorDraft { name: "  ".into(), ..draft() }, &[("name", "名称应为 1 到 100 个字")]),
            (IndicatorDraft { name: "名".repeat(101), ..draft() }, &[("name", "名称应为 1 到 100 个字")]),
            (IndicatorDraft { unit: "字".repeat(21), ..draft() }, &[("unit", "单位最多 20 个字")]),
            (IndicatorDraft { decimals: 7, ..draft() }, &[("decimals", "小数位数应为 0 到 6")]),
            (
                IndicatorDraft { formula: Some("1 + #".into()), ..draft() },
                &[("formula", "公式第 5 个字符处有误：不应出现“#”")],
            ),
            (
                IndicatorDraft { regions: Some(vec!["district".into(), "Bad Id".into()]), ..draft() },
                &[("regions[1]", "地区代码")],
            ),
            (
                IndicatorDraft { regions: Some(vec![]), ..draft() },
                &[("regions", "至少列出一个地区；适用于所有地区时省略此项")],
            ),
            (IndicatorDraft { mode: Mode::Register, ..draft() }, &[("rule", "企业库指标需要统计规则")]),
            (
                IndicatorDraft {
                    mode: Mode::Register,
                    rule: Some(RuleText { sum: Some("profit".into()), ..RuleText::default() }),
                    ..draft()
                },
                &[("rule.sum", "“profit”不是企业指标")],
            ),
            (
                IndicatorDraft { rule: Some(RuleText { count: Some(true), ..RuleText::default() }), ..draft() },
                &[("rule", "只有企业库指标（mode 为 register）才有统计规则")],
            ),
            (
                IndicatorDraft { code: "".into(), decimals: 9, unit: "字".repeat(30), ..draft() },
                &[("code", "指标代码"), ("unit", "单位最多 20 个字"), ("decimals", "小数位数应为 0 到 6")],
            ),
        ];
        for (draft, want) in cases {
            crate::domain::tests::assert_field_errors(&draft.clone().check().unwrap_err(), want, &format!("{draft:?}"));
        }
    }

    #[test]
    fn a_form_holds_the_quarters_or_the_years_indicators() {
        use crate::domain::region::RegionKind::*;
        use crate::domain::region::tests::region;
        let tree = RegionTree::new(vec![region("d", District, None, 0), region("t", Town, Some("d"), 1)]).unwrap();
        let set = IndicatorSet::new(vec![
            indicator("gdp", Mode::Ytd, None),
            Indicator { frequency: Frequency::Annual, ..indicator("rd", Mode::Ytd, None) },
            indicator("share", Mode::Derived, Some("100 * rd / gdp")),
            Indicator { sort: -1, ..indicator("firms", Mode::Stock, None) },
        ])
        .unwrap();
        let cases: &[(&str, &[&str])] =
            &[("2023Q1", &["firms", "gdp"]), ("2023Q4", &["firms", "gdp"]), ("2023", &["rd"])];
        for (period, want) in cases {
            let got: Vec<&str> =
                set.to_fill_in(&tree, "t", period.parse().unwrap()).iter().map(|i| i.code.as_str()).collect();
            assert_eq!(got, *want, "{period}");
        }
        let labels: Vec<&str> = ["gdp", "rd", "firms"].map(|c| set.get(c).unwrap().form_label()).into();
        assert_eq!(labels, ["累计", "年度", "期末"]);
    }
}
