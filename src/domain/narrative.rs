//! Sentences of a statistical bulletin (统计公报) written from the figures, e.g.
//! `1-3季度，全区R&D经费支出13.5亿元，同比增长8.2%，完成年度目标的71.1%。`

use super::number::round_to;
use super::period::Quarter;
use super::progress::Status;

/// 一季度 / 上半年 / 1-3季度 / 全年: how a bulletin names the year to date.
pub fn period_phrase(q: Quarter) -> String {
    match q.q() {
        1 => "一季度".into(),
        2 => "上半年".into(),
        4 => "全年".into(),
        n => format!("1-{n}季度"),
    }
}

/// A figure as a bulletin prints it: rounded to the indicator's decimals, without trailing zeros.
pub fn number(x: f64, decimals: u8) -> String {
    let text = format!("{:.*}", usize::from(decimals), round_to(x, decimals));
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// Is this unit a percentage, whose changes are told in percentage points?
pub fn is_percent(unit: &str) -> bool {
    matches!(unit.trim(), "%" | "％" | "百分比")
}

/// `同比增长8.2%`, `同比下降3.1%`, `与上年同期持平`; for percentages `比上年同期提高0.1个百分点`.
pub fn change_phrase(unit: &str, decimals: u8, value: f64, previous: f64) -> Option<String> {
    if is_percent(unit) {
        let points = round_to(value - previous, decimals.max(1));
        return Some(match points {
            p if p > 0.0 => format!("比上年同期提高{}个百分点", number(p, decimals.max(1))),
            p if p < 0.0 => format!("比上年同期下降{}个百分点", number(-p, decimals.max(1))),
            _ => "与上年同期持平".into(),
        });
    }
    if previous == 0.0 {
        return None;
    }
    let growth = round_to(100.0 * (value - previous) / previous, 1);
    Some(match growth {
        g if g > 0.0 => format!("同比增长{g:.1}%"),
        g if g < 0.0 => format!("同比下降{:.1}%", -g),
        _ => "与上年同期持平".into(),
    })
}

/// 一季度末 / 二季度末 / 三季度末 / 年末: how a bulletin dates a level (期末数).
pub fn moment_phrase(q: Quarter) -> String {
    match q.q() {
        4 => "年末".into(),
        n => format!("{}季度末", ["一", "二", "三"][usize::from(n - 1)]),
    }
}

/// The same change for a table cell: `+6.3%`, `−3.1%`, `+0.1个百分点`, `持平`.
pub fn change_short(unit: &str, decimals: u8, value: f64, previous: f64) -> Option<String> {
    let (amount, suffix) = if is_percent(unit) {
        (round_to(value - previous, decimals.max(1)), "个百分点")
    } else if previous != 0.0 {
        (round_to(100.0 * (value - previous) / previous, 1), "%")
    } else {
        return None;
    };
    let shown = if is_percent(unit) { number(amount.abs(), decimals.max(1)) } else { format!("{:.1}", amount.abs()) };
    Some(match amount {
        a if a > 0.0 => format!("+{shown}{suffix}"),
        a if a < 0.0 => format!("−{shown}{suffix}"),
        _ => "持平".into(),
    })
}

pub struct Line<'a> {
    /// 全区, or the region's name
    pub place: &'a str,
    pub quarter: Quarter,
    pub name: &'a str,
    pub unit: &'a str,
    pub decimals: u8,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub completion: Option<f64>,
    pub status: Status,
    /// a level at the quarter's end (期末数) rather than a year-to-date flow
    pub is_level: bool,
}

/// One sentence for one indicator; `None` when there is no figure to speak of.
pub fn sentence(l: &Line<'_>) -> Option<String> {
    let value = l.value?;
    let unit = if is_percent(l.unit) { "%" } else { l.unit };
    let when = if l.is_level { moment_phrase(l.quarter) } else { period_phrase(l.quarter) };
    let mut parts = vec![format!("{when}，{}{}{}{}", l.place, l.name, number(value, l.decimals), unit)];
    if let Some(change) = l.previous.and_then(|p| change_phrase(l.unit, l.decimals, value, p)) {
        parts.push(change);
    }
    if let Some(c) = l.completion {
        parts.push(format!("完成年度目标的{:.1}%", round_to(100.0 * c, 1)));
        match l.status {
            Status::OnTrack if l.quarter.q() < 4 => parts.push("符合序时进度".into()),
            Status::Behind | Status::AtRisk if l.quarter.q() < 4 => parts.push("低于序时进度".into()),
            _ => {}
        }
    }
    Some(parts.join("，") + "。")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(value: Option<f64>, previous: Option<f64>, completion: Option<f64>, status: Status) -> Line<'static> {
        Line {
            place: "全区",
            quarter: Quarter::new(2023, 3).unwrap(),
            name: "R&D经费支出",
            unit: "亿元",
            decimals: 2,
            value,
            previous,
            completion,
            status,
            is_level: false,
        }
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
            quarter: Quarter::new(2023, 4).unwrap(),
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
        let phrases: Vec<String> = (1..=4).map(|q| period_phrase(Quarter::new(2023, q).unwrap())).collect();
        assert_eq!(phrases, ["一季度", "上半年", "1-3季度", "全年"]);
        assert_eq!(number(18.0, 2), "18");
        assert_eq!(number(13.456, 2), "13.46");
        assert_eq!(number(3601.0, 0), "3601");
        assert_eq!(change_phrase("件", 0, 5.0, 0.0), None);
    }
}
