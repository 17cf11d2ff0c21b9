//! Sentences of a statistical bulletin (统计公报) written from the figures, e.g.
//! `1-3季度，全区R&D经费支出13.5亿元，同比增长8.2%，完成年度目标的71.1%。`, and the one rule for
//! telling a year-on-year change: percentages change in points, all else grows in percent.

use serde::Serialize;

use super::benchmark::Comparison;
use super::number::{fixed, round_to, share_percent, trimmed};
use super::period::Period;
use super::progress::Status;

/// 一季度 / 上半年 / 1-3季度 / 全年: how a bulletin names the year to date (a whole year is 全年).
pub fn period_phrase(period: Period) -> String {
    match period.quarter_number() {
        1 => "一季度".into(),
        2 => "上半年".into(),
        3 => "1-3季度".into(),
        _ => "全年".into(),
    }
}

/// 一季度末 / 二季度末 / 三季度末 / 年末: how a bulletin dates a level (期末数).
pub fn moment_phrase(period: Period) -> String {
    match period.quarter_number() {
        n @ 1..=3 => format!("{}季度末", ["一", "二", "三"][usize::from(n - 1)]),
        _ => "年末".into(),
    }
}

/// `2023年1-3季度`, `2023年一季度`, `2023年` (the fourth quarter's year to date and the whole year
/// alike): how headings and titles name what a year-to-date figure covers.
pub fn period_label(period: Period) -> String {
    match period {
        Period::Quarter(q) => q.ytd_label(),
        Period::Year(_) => period.label(),
    }
}

/// Is this unit a percentage, whose changes are told in percentage points?
pub fn is_percent(unit: &str) -> bool {
    matches!(unit.trim(), "%" | "％" | "百分比")
}

/// A change on the same period of the year before, as every page, table and sentence tells it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum YoyChange {
    /// a percentage's change in percentage points (提高0.11个百分点), to the indicator's decimals (at least 1)
    Points(f64),
    /// any other figure's growth in percent (同比增长8.2%), to 1 decimal
    Growth(f64),
}

impl YoyChange {
    /// The one rule: a `%` unit changes in points, anything else grows in percent;
    /// without a base (`previous` 0) there is no growth to tell. Rounded as it is shown.
    pub fn of(unit: &str, decimals: u8, value: f64, previous: f64) -> Option<YoyChange> {
        // `+ 0.0` turns a rounded −0 into 0, which no table should print as −0.0
        if is_percent(unit) {
            Some(YoyChange::Points(round_to(value - previous, Self::points_decimals(decimals)) + 0.0))
        } else if previous != 0.0 {
            Some(YoyChange::Growth(round_to(100.0 * (value - previous) / previous, 1) + 0.0))
        } else {
            None
        }
    }

    fn points_decimals(decimals: u8) -> u8 {
        decimals.max(1)
    }

    /// The places this change is shown with.
    pub fn decimals(self, indicator_decimals: u8) -> u8 {
        match self {
            YoyChange::Points(_) => Self::points_decimals(indicator_decimals),
            YoyChange::Growth(_) => 1,
        }
    }

    pub fn amount(self) -> f64 {
        match self {
            YoyChange::Points(x) | YoyChange::Growth(x) => x,
        }
    }

    fn amount_text(self, indicator_decimals: u8) -> String {
        match self {
            YoyChange::Points(p) => trimmed(p.abs(), self.decimals(indicator_decimals)),
            YoyChange::Growth(g) => fixed(g.abs(), 1),
        }
    }

    /// For a sentence: `同比增长8.2%`, `同比下降3.1%`, `比上年同期提高0.1个百分点`, `与上年同期持平`.
    pub fn phrase(self, indicator_decimals: u8) -> String {
        let amount = self.amount_text(indicator_decimals);
        match self {
            _ if self.amount() == 0.0 => "与上年同期持平".into(),
            YoyChange::Points(p) if p > 0.0 => format!("比上年同期提高{amount}个百分点"),
            YoyChange::Points(_) => format!("比上年同期下降{amount}个百分点"),
            YoyChange::Growth(g) if g > 0.0 => format!("同比增长{amount}%"),
            YoyChange::Growth(_) => format!("同比下降{amount}%"),
        }
    }

    /// For a table cell: `+6.3%`, `−3.1%`, `+0.1个百分点`, `持平`.
    pub fn short(self, indicator_decimals: u8) -> String {
        let amount = self.amount_text(indicator_decimals);
        let suffix = match self {
            YoyChange::Points(_) => "个百分点",
            YoyChange::Growth(_) => "%",
        };
        match self.amount() {
            a if a > 0.0 => format!("+{amount}{suffix}"),
            a if a < 0.0 => format!("−{amount}{suffix}"),
            _ => "持平".into(),
        }
    }
}

/// `同比增长8.2%`, `同比下降3.1%`, `与上年同期持平`; for percentages `比上年同期提高0.1个百分点`.
pub fn change_phrase(unit: &str, decimals: u8, value: f64, previous: f64) -> Option<String> {
    YoyChange::of(unit, decimals, value, previous).map(|c| c.phrase(decimals))
}

/// The same change for a table cell: `+6.3%`, `−3.1%`, `+0.1个百分点`, `持平`.
pub fn change_short(unit: &str, decimals: u8, value: f64, previous: f64) -> Option<String> {
    YoyChange::of(unit, decimals, value, previous).map(|c| c.short(decimals))
}

pub struct Line<'a> {
    /// the region's own name: 全区, 全国, 湖南省 …
    pub place: &'a str,
    /// a quarter (its year to date) or a whole year
    pub period: Period,
    pub name: &'a str,
    pub unit: &'a str,
    pub decimals: u8,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub completion: Option<f64>,
    pub status: Status,
    /// a level at the quarter's end (期末数) rather than a year-to-date flow
    pub is_level: bool,
    /// before the year's end, with a target: where the year will end
    pub projected: Option<Projected>,
}

/// Where the year will end, as a bulletin says it.
#[derive(Debug, Clone, PartialEq)]
pub struct Projected {
    /// 按近三年季节规律 (`Projection::basis`)
    pub basis: String,
    /// the projection's completion of the annual target
    pub completion: f64,
    /// the projection reaches the target
    pub on_course: bool,
}

/// One sentence for one indicator; `None` when there is no figure to speak of.
pub fn sentence(l: &Line<'_>) -> Option<String> {
    let value = l.value?;
    let unit = if is_percent(l.unit) { "%" } else { l.unit };
    let when = if l.is_level { moment_phrase(l.period) } else { period_phrase(l.period) };
    let mut parts = vec![format!("{when}，{}{}{}{}", l.place, l.name, trimmed(value, l.decimals), unit)];
    if let Some(change) = l.previous.and_then(|p| change_phrase(l.unit, l.decimals, value, p)) {
        parts.push(change);
    }
    if let Some(c) = l.completion {
        parts.push(format!("完成年度目标的{}", share_percent(c)));
        // (at the year's end the status is achieved or missed, which the completion already says)
        match l.status {
            Status::OnTrack => parts.push("符合序时进度".into()),
            Status::Behind | Status::AtRisk => parts.push("低于序时进度".into()),
            _ => {}
        }
        if let Some(p) = &l.projected {
            // a projection that tells otherwise than the pace is said with 但
            let on_pace = l.status == Status::OnTrack;
            let behind = matches!(l.status, Status::Behind | Status::AtRisk);
            let but = if (behind && p.on_course) || (on_pace && !p.on_course) { "但" } else { "" };
            let reach = if on_pace && !p.on_course { "仅能完成" } else { "可完成" };
            parts.push(format!("{but}{}测算，预计全年{reach}年度目标的{}", p.basis, share_percent(p.completion)));
        }
    }
    Some(parts.join("，") + "。")
}

/// The bulletin's comparison with the benchmark regions, for one indicator:
/// `全区R&D经费占GDP比重1.8%，低于昆山市（1.9%）、江阴市（2.1%）、深圳市（3.3%），在4个地区中居第4位。`
/// (the bulletin's paragraph opens with 与先进地区比较 once)
/// `None` without our figure or any benchmark's.
pub fn comparison_sentence(place: &str, name: &str, unit: &str, decimals: u8, cmp: &Comparison) -> Option<String> {
    let ours = cmp.region.value?;
    let unit = if is_percent(unit) { "%" } else { unit };
    let figure = |v: f64| format!("{}{unit}", trimmed(v, decimals));
    let group = |wanted: fn(f64) -> bool| -> Vec<String> {
        cmp.benchmarks
            .iter()
            .filter_map(|t| Some((t, t.value?, t.gap?)))
            .filter(|(_, _, gap)| wanted(*gap))
            .map(|(t, v, _)| format!("{}（{}）", t.name, figure(v)))
            .collect()
    };
    let higher = group(|g| g > 0.0);
    let lower = group(|g| g < 0.0);
    let level = group(|g| g == 0.0);
    if higher.is_empty() && lower.is_empty() && level.is_empty() {
        return None;
    }
    let mut parts = vec![format!("{place}{name}{}", figure(ours))];
    for (words, group) in [("高于", higher), ("低于", lower), ("与", level)] {
        if !group.is_empty() {
            let tail = if words == "与" { "持平" } else { "" };
            parts.push(format!("{words}{}{tail}", group.join("、")));
        }
    }
    // (higher and lower are of the figures; the rank is by the indicator's direction)
    if let Some(rank) = cmp.rank {
        parts.push(format!("在{}个地区中居第{rank}位", cmp.count));
    }
    Some(parts.join("，") + "。")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Quarter;

    fn q(text: &str) -> Period {
        text.parse().unwrap()
    }

    fn projected(basis: &str, completion: f64, on_course: bool) -> Projected {
        Projected { basis: basis.into(), completion, on_course }
    }

    fn line(value: Option<f64>, previous: Option<f64>, completion: Option<f64>, status: Status) -> Line<'static> {
        Line {
            place: "全区",
            period: q("2023Q3"),
            name: "R&D经费支出",
            unit: "亿元",
            decimals: 2,
            value,
            previous,
            completion,
            status,
            is_level: false,
            projected: None,
        }
    }

    #[test]
    fn a_comparison_names_who_is_ahead_and_behind_and_the_rank() {
        use crate::domain::Direction;
        use crate::domain::benchmark::{Entry, compare};
        let entry =
            |id: &str, name: &str, value: Option<f64>| Entry { id: id.into(), name: name.into(), value, source: None };
        let theirs = || {
            vec![
                entry("kunshan", "昆山市", Some(1.9)),
                entry("jiangyin", "江阴市", Some(2.1)),
                entry("x", "某县", Some(1.5)),
                entry("y", "某市", Some(1.8)),
                entry("z", "无数据市", None),
            ]
        };
        let cmp = compare(Direction::Higher, 2, entry("district", "全区", Some(1.8)), theirs());
        assert_eq!(
            comparison_sentence("全区", "R&D经费占GDP比重", "%", 2, &cmp).as_deref(),
            Some(
                "全区R&D经费占GDP比重1.8%，高于某县（1.5%），低于昆山市（1.9%）、江阴市（2.1%），与某市（1.8%）持平，在5个地区中居第3位。"
            )
        );
        // fewer is better: the figures are still higher or lower, the rank is by the direction
        let cmp = compare(Direction::Lower, 0, entry("d", "全区", Some(40.0)), vec![entry("k", "昆山市", Some(25.0))]);
        assert_eq!(
            comparison_sentence("全区", "规模企业零专利", "家", 0, &cmp).as_deref(),
            Some("全区规模企业零专利40家，高于昆山市（25家），在2个地区中居第2位。")
        );
        let none = compare(Direction::Higher, 2, entry("d", "全区", Some(1.8)), vec![entry("z", "无数据市", None)]);
        assert_eq!(comparison_sentence("全区", "R&D经费占GDP比重", "%", 2, &none), None);
        let no_figure = compare(Direction::Higher, 2, entry("d", "全区", None), theirs());
        assert_eq!(comparison_sentence("全区", "R&D经费占GDP比重", "%", 2, &no_figure), None);
    }

    #[test]
    fn sentences_in_the_style_of_a_bulletin() {
        let cases = [
            (
                line(Some(13.5), Some(12.476), Some(13.5 / 19.0), Status::Behind),
                Some("1-3季度，全区R&D经费支出13.5亿元，同比增长8.2%，完成年度目标的71.1%，低于序时进度。"),
            ),
            (
                line(Some(15.0), Some(15.0), Some(15.0 / 19.0), Status::OnTrack),
                Some("1-3季度，全区R&D经费支出15亿元，与上年同期持平，完成年度目标的78.9%，符合序时进度。"),
            ),
            (
                line(Some(9.0), Some(10.0), None, Status::NoTarget),
                Some("1-3季度，全区R&D经费支出9亿元，同比下降10.0%。"),
            ),
            (line(Some(9.0), None, None, Status::NoTarget), Some("1-3季度，全区R&D经费支出9亿元。")),
            (line(None, Some(1.0), None, Status::NoData), None),
            // SPEC §13: behind the pace but on course by the region's own seasons, said with 但
            (
                Line {
                    projected: Some(projected("按近三年季节规律", 1.0527, true)),
                    ..line(Some(13.5), Some(12.476), Some(13.5 / 19.0), Status::Behind)
                },
                Some(
                    "1-3季度，全区R&D经费支出13.5亿元，同比增长8.2%，完成年度目标的71.1%，低于序时进度，\
                     但按近三年季节规律测算，预计全年可完成年度目标的105.3%。",
                ),
            ),
            // on pace, but the seasons say the year falls short
            (
                Line {
                    projected: Some(projected("按上年季节规律", 0.952, false)),
                    ..line(Some(15.0), None, Some(15.0 / 19.0), Status::OnTrack)
                },
                Some(
                    "1-3季度，全区R&D经费支出15亿元，完成年度目标的78.9%，符合序时进度，\
                     但按上年季节规律测算，预计全年仅能完成年度目标的95.2%。",
                ),
            ),
            // behind and short: no contrast
            (
                Line {
                    projected: Some(projected("按序时进度", 0.963, false)),
                    ..line(Some(13.5), None, Some(13.5 / 19.0), Status::Behind)
                },
                Some(
                    "1-3季度，全区R&D经费支出13.5亿元，完成年度目标的71.1%，低于序时进度，按序时进度测算，预计全年可完成年度目标的96.3%。",
                ),
            ),
        ];
        for (l, want) in cases {
            assert_eq!(sentence(&l).as_deref(), want);
        }
    }

    #[test]
    fn percentages_change_in_points() {
        let l = Line {
            name: "R&D经费占GDP比重",
            unit: "%",
            period: q("2023Q4"),
            ..line(Some(1.8), Some(1.7), None, Status::NoTarget)
        };
        assert_eq!(sentence(&l).unwrap(), "全年，全区R&D经费占GDP比重1.8%，比上年同期提高0.1个百分点。");
        assert_eq!(change_phrase("%", 2, 1.6, 1.8).unwrap(), "比上年同期下降0.2个百分点");
        assert_eq!(change_short("%", 2, 1.8, 1.7).unwrap(), "+0.1个百分点");
        assert_eq!(change_short("亿元", 2, 9.0, 10.0).unwrap(), "−10.0%");
        assert_eq!(change_short("件", 0, 5.0, 5.0).unwrap(), "持平");
        assert_eq!(change_short("件", 0, 5.0, 0.0), None);
    }

    #[test]
    fn levels_are_dated_at_the_quarters_end() {
        let l = Line {
            name: "销售超亿元企业数",
            unit: "家",
            decimals: 0,
            is_level: true,
            ..line(Some(297.0), Some(283.0), None, Status::NoTarget)
        };
        assert_eq!(sentence(&l).unwrap(), "三季度末，全区销售超亿元企业数297家，同比增长4.9%。");
    }

    #[test]
    fn periods_and_numbers() {
        let phrases: Vec<String> = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2023"].map(|p| period_phrase(q(p))).into();
        assert_eq!(phrases, ["一季度", "上半年", "1-3季度", "全年", "全年"]);
        let moments: Vec<String> = ["2023Q1", "2023Q3", "2023Q4", "2023"].map(|p| moment_phrase(q(p))).into();
        assert_eq!(moments, ["一季度末", "三季度末", "年末", "年末"]);
        let labels: Vec<String> = ["2023Q1", "2023Q3", "2023Q4", "2023"].map(|p| period_label(q(p))).into();
        assert_eq!(labels, ["2023年一季度", "2023年1-3季度", "2023年", "2023年"]);
        assert_eq!(Quarter::new(2023, 4).map(|x| period_label(Period::Quarter(x))).as_deref(), Some("2023年"));
        assert_eq!(change_phrase("件", 0, 5.0, 0.0), None);
    }

    #[test]
    fn the_place_is_the_regions_own_name() {
        // a whole year, for a top region that is not a district
        let cases = [
            ("全国", "2023", Some(33356.8), Some(30782.9), "全年，全国R&D经费支出33356.8亿元，同比增长8.4%。"),
            ("湖南省", "2023", Some(1284.6), None, "全年，湖南省R&D经费支出1284.6亿元。"),
            ("全区", "2023Q1", Some(4.2), Some(4.0), "一季度，全区R&D经费支出4.2亿元，同比增长5.0%。"),
        ];
        for (place, period, value, previous, want) in cases {
            let l = Line { place, period: q(period), decimals: 1, ..line(value, previous, None, Status::NoTarget) };
            assert_eq!(sentence(&l).as_deref(), Some(want));
        }
    }

    #[test]
    fn at_the_years_end_no_pace_is_spoken_of() {
        let l = Line { period: q("2023"), ..line(Some(18.0), Some(16.0), Some(18.0 / 19.0), Status::Missed) };
        assert_eq!(sentence(&l).unwrap(), "全年，全区R&D经费支出18亿元，同比增长12.5%，完成年度目标的94.7%。");
        let l = Line { period: q("2023Q4"), ..line(Some(19.5), None, Some(19.5 / 19.0), Status::Achieved) };
        assert_eq!(sentence(&l).unwrap(), "全年，全区R&D经费支出19.5亿元，完成年度目标的102.6%。");
    }

    #[test]
    fn one_rule_for_year_on_year_changes() {
        use YoyChange::*;
        // (unit, decimals, value, previous, change, short, phrase)
        let cases: &[(&str, u8, f64, f64, Option<YoyChange>, &str, &str)] = &[
            ("%", 2, 2.67, 2.56, Some(Points(0.11)), "+0.11个百分点", "比上年同期提高0.11个百分点"),
            ("%", 2, 1.8, 1.7, Some(Points(0.1)), "+0.1个百分点", "比上年同期提高0.1个百分点"),
            ("％", 0, 33.0, 35.0, Some(Points(-2.0)), "−2个百分点", "比上年同期下降2个百分点"),
            ("%", 1, 2.0, 0.0, Some(Points(2.0)), "+2个百分点", "比上年同期提高2个百分点"),
            ("%", 2, 1.8, 1.8, Some(Points(0.0)), "持平", "与上年同期持平"),
            ("%", 2, 1.8, 1.80004, Some(Points(0.0)), "持平", "与上年同期持平"),
            ("亿元", 2, 2.67, 2.56, Some(Growth(4.3)), "+4.3%", "同比增长4.3%"),
            ("亿元", 2, 9.0, 10.0, Some(Growth(-10.0)), "−10.0%", "同比下降10.0%"),
            ("件", 0, 5.0, 5.0, Some(Growth(0.0)), "持平", "与上年同期持平"),
            ("件", 0, 5.0, 0.0, None, "", ""),
        ];
        for (unit, decimals, value, previous, want, short, phrase) in cases {
            let got = YoyChange::of(unit, *decimals, *value, *previous);
            assert_eq!(got, *want, "{unit} {value} on {previous}");
            assert_eq!(got.map(|c| c.short(*decimals)).unwrap_or_default(), *short);
            assert_eq!(got.map(|c| c.phrase(*decimals)).unwrap_or_default(), *phrase);
        }
        // a change rounded to zero is 0, not −0
        assert!(YoyChange::of("%", 2, 1.8, 1.80004).unwrap().amount().is_sign_positive());
        assert_eq!(serde_json::to_value(Points(0.11)).unwrap(), serde_json::json!({"points": 0.11}));
    }
}
