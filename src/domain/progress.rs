//! Progress against the annual target and the pace target (序时进度).

use serde::Serialize;

use super::indicator::{Direction, Frequency, Mode};
use super::narrative::YoyChange;
use super::number::{self, tidy};
use super::period::Period;
use super::views::Span;

/// The default share of the annual target expected by the end of each quarter.
pub fn default_milestones(mode: Mode) -> [f64; 4] {
    match mode {
        Mode::Ytd | Mode::Quarter => [0.25, 0.5, 0.75, 1.0],
        Mode::Stock | Mode::Derived | Mode::Register => [1.0, 1.0, 1.0, 1.0],
    }
}

/// Milestones must be shares between 0 and 1 that never fall and end at 1.
pub fn check_milestones(m: &[f64]) -> Result<[f64; 4], String> {
    let m: [f64; 4] = m.try_into().map_err(|_| "需要四个比例，每季度一个".to_string())?;
    if m.iter().any(|x| !x.is_finite() || *x < 0.0 || *x > 1.0) {
        return Err("每个比例应在0到1之间".into());
    }
    if m.windows(2).any(|w| w[1] < w[0]) {
        return Err("比例不能比上一季度小".into());
    }
    if m[3] != 1.0 {
        return Err("四季度的比例应为1（全年目标）".into());
    }
    Ok(m)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NoTarget,
    NoData,
    Achieved,
    OnTrack,
    Behind,
    AtRisk,
    /// at year end, the target not reached (未完成)
    Missed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NoTarget => "no_target",
            Status::NoData => "no_data",
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::Behind => "behind",
            Status::AtRisk => "at_risk",
            Status::Missed => "missed",
        }
    }

    /// 已完成 / 符合序时进度 / 略低于序时进度 / 明显滞后 / 未完成 …
    pub fn label(self) -> &'static str {
        match self {
            Status::NoTarget => "未设目标",
            Status::NoData => "暂无数据",
            Status::Achieved => "已完成",
            Status::OnTrack => "符合序时进度",
            Status::Behind => "略低于序时进度",
            Status::AtRisk => "明显滞后",
            Status::Missed => "未完成",
        }
    }
}

/// Below 90% of the pace target a region is at risk rather than merely behind.
pub const BEHIND_FLOOR: f64 = 0.9;

/// completion = actual / target (higher is better) or target / actual (lower is better); 0 of a
/// target of 0 is 100%.
pub fn completion(direction: Direction, actual: f64, target: f64) -> Option<f64> {
    let (num, den) = match direction {
        Direction::Higher => (actual, target),
        Direction::Lower => (target, actual),
    };
    // a target of zero reached exactly (三个零 wiped out) is the target met, not a division by zero
    if actual == 0.0 && target == 0.0 {
        return Some(1.0);
    }
    (den != 0.0).then(|| tidy(num / den))
}

/// The pace target P: the part of the annual target expected by the end of quarter `q` (序时目标).
pub fn pace(target: f64, milestones: &[f64; 4], q: u8) -> f64 {
    tidy(milestones[usize::from(q.clamp(1, 4) - 1)] * target)
}

/// Is progress at `period` taken at the year's end, where no pace is left: the fourth quarter or
/// the whole year?
pub fn is_year_end(period: Period) -> bool {
    milestone_quarter(period) == 4
}

/// The quarter whose milestone applies at `period`: a whole year is measured at its end.
pub fn milestone_quarter(period: Period) -> u8 {
    match period {
        Period::Year(_) => 4,
        Period::Quarter(q) => q.q(),
    }
}

/// What progress reads at `period`: the year to date at a quarter, the annual figure for a whole
/// year. An annual indicator has only its annual figure, which counts from the year's end (Q4) on.
pub fn span_at(frequency: Frequency, period: Period) -> Span {
    match (frequency, period) {
        (Frequency::Annual, Period::Quarter(q)) if q.q() == 4 => Span::Annual(q.year()),
        _ => Span::to_date(period),
    }
}

/// The same period a year earlier, for the year-on-year change.
pub fn year_before(period: Period) -> Option<Period> {
    match period {
        Period::Year(y) => Period::from_parts(y - 1, 0),
        Period::Quarter(q) => q.year_before().map(Period::Quarter),
    }
}

/// The status at quarter `quarter` (4: the year's end, also for a whole year) with the share
/// `expected` of the target due by then.
pub fn status(direction: Direction, quarter: u8, actual: Option<f64>, target: Option<f64>, expected: f64) -> Status {
    let Some(target) = target else { return Status::NoTarget };
    let Some(actual) = actual else { return Status::NoData };
    let reached = match direction {
        Direction::Higher => actual >= target,
        Direction::Lower => actual <= target,
    };
    // At the year's end there is no pace left: the target is reached or it is not.
    if quarter >= 4 {
        return if reached { Status::Achieved } else { Status::Missed };
    }
    let pace = tidy(expected * target);
    match direction {
        Direction::Higher if reached => Status::Achieved,
        Direction::Higher if actual >= pace => Status::OnTrack,
        Direction::Higher if actual >= tidy(BEHIND_FLOOR * pace) => Status::Behind,
        Direction::Higher => Status::AtRisk,
        // A flow that must stay low is only achieved once the year is over.
        Direction::Lower if actual <= pace => Status::OnTrack,
        Direction::Lower if actual <= tidy(pace / BEHIND_FLOOR) => Status::Behind,
        Direction::Lower => Status::AtRisk,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// year-to-date figure
    pub actual: Option<f64>,
    /// annual target
    pub target: Option<f64>,
    /// share of the annual target expected by now (序时进度)
    pub expected: f64,
    /// the pace target P = expected × target: the level expected by now
    pub pace: Option<f64>,
    pub completion: Option<f64>,
    pub status: Status,
    /// year-to-date figure of the same quarter last year
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub growth_pct: Option<f64>,
    /// the year-on-year change as people are told it: points for a `%` unit, else growth
    pub yoy: Option<YoyChange>,
}

pub struct ProgressInput<'a> {
    pub direction: Direction,
    /// the indicator's unit: a `%` figure changes in percentage points
    pub unit: &'a str,
    /// the indicator's decimals: computed figures keep 4 places more (`number::tidy_figure`)
    pub decimals: u8,
    /// 1..=4; 4 is the year's end, also for a whole year ([`milestone_quarter`])
    pub quarter: u8,
    pub actual: Option<f64>,
    pub target: Option<f64>,
    pub milestones: [f64; 4],
    pub previous: Option<f64>,
}

pub fn progress(i: &ProgressInput<'_>) -> Progress {
    let expected = i.milestones[usize::from(i.quarter.clamp(1, 4) - 1)];
    let change = i.actual.zip(i.previous).map(|(a, p)| number::tidy_figure(a - p, i.decimals));
    Progress {
        actual: i.actual,
        target: i.target,
        expected,
        pace: i.target.map(|t| number::tidy_figure(pace(t, &i.milestones, i.quarter), i.decimals)),
        completion: i.actual.zip(i.target).and_then(|(a, t)| completion(i.direction, a, t)).map(number::share),
        status: status(i.direction, i.quarter, i.actual, i.target, expected),
        previous: i.previous,
        change,
        growth_pct: i
            .actual
            .zip(i.previous)
            .and_then(|(a, p)| (p != 0.0).then(|| number::percent(100.0 * (a - p) / p))),
        yoy: i.actual.zip(i.previous).and_then(|(a, p)| YoyChange::of(i.unit, i.decimals, a, p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::*;
    use Status::*;
    use proptest::prelude::*;

    #[test]
    fn status_table() {
        // target 100, expected 0.75 at Q3 → pace 75; 0.9 × 75 = 67.5; 75 / 0.9 = 83.33
        let cases: &[(Direction, u8, Option<f64>, Option<f64>, Status)] = &[
            (Higher, 3, Some(50.0), None, NoTarget),
            (Higher, 3, None, Some(100.0), NoData),
            (Higher, 3, Some(100.0), Some(100.0), Achieved),
            (Higher, 3, Some(75.0), Some(100.0), OnTrack),
            (Higher, 3, Some(67.5), Some(100.0), Behind),
            (Higher, 3, Some(67.4), Some(100.0), AtRisk),
            (Lower, 3, Some(50.0), Some(100.0), OnTrack),
            (Lower, 3, Some(75.0), Some(100.0), OnTrack),
            (Lower, 3, Some(83.0), Some(100.0), Behind),
            (Lower, 3, Some(84.0), Some(100.0), AtRisk),
            // before the year's end a lower-is-better flow under its target is on track, not achieved
            (Lower, 3, Some(0.0), Some(100.0), OnTrack),
            (Higher, 3, Some(100.0001), Some(100.0), Achieved),
            (Higher, 3, Some(99.9999), Some(100.0), OnTrack),
            // exactly 90% of the pace is still behind, not at risk: 0.9 × 14.25 = 12.825
            (Higher, 3, Some(12.825), Some(19.0), Behind),
            (Higher, 3, Some(12.824), Some(19.0), AtRisk),
            // lower: pace 9 at Q2, 9 / 0.9 = 10 exactly (10.000000000000002 in binary)
            (Lower, 2, Some(10.0), Some(18.0), Behind),
            (Lower, 2, Some(10.001), Some(18.0), AtRisk),
        ];
        for (direction, q, actual, target, want) in cases {
            let expected = default_milestones(Mode::Ytd)[usize::from(*q - 1)];
            assert_eq!(
                status(*direction, *q, *actual, *target, expected),
                *want,
                "{direction:?} Q{q} {actual:?}/{target:?}"
            );
        }
    }

    #[test]
    fn at_the_years_end_a_target_is_achieved_or_missed() {
        // (direction, actual, target, status) at Q4, where the pace is the whole target
        let cases: &[(Direction, Option<f64>, Option<f64>, Status)] = &[
            (Higher, Some(19.0), Some(19.0), Achieved),
            (Higher, Some(19.0001), Some(19.0), Achieved),
            (Higher, Some(18.9999), Some(19.0), Missed),
            // the town at 94.7% of its R&D target: not 略低于序时进度 any more
            (Higher, Some(18.0), Some(19.0), Missed),
            (Higher, Some(0.0), Some(19.0), Missed),
            (Higher, Some(0.1 + 0.2), Some(0.3), Achieved),
            (Lower, Some(100.0), Some(100.0), Achieved),
            (Lower, Some(99.9999), Some(100.0), Achieved),
            (Lower, Some(0.0), Some(100.0), Achieved),
            (Lower, Some(100.0001), Some(100.0), Missed),
            (Lower, Some(111.2), Some(100.0), Missed),
            (Higher, None, Some(19.0), NoData),
            (Lower, Some(1.0), None, NoTarget),
        ];
        for (direction, actual, target, want) in cases {
            assert_eq!(status(*direction, 4, *actual, *target, 1.0), *want, "{direction:?} {actual:?}/{target:?}");
        }
        // a stock's milestones are [1, 1, 1, 1]: the same level, different words before and at the end
        assert_eq!(status(Higher, 3, Some(95.0), Some(100.0), 1.0), Behind);
        assert_eq!(status(Higher, 4, Some(95.0), Some(100.0), 1.0), Missed);
    }

    #[test]
    fn a_year_is_measured_at_its_end() {
        let cases: &[(&str, u8, bool)] =
            &[("2023", 4, true), ("2023Q4", 4, true), ("2023Q3", 3, false), ("2023Q1", 1, false)];
        for (text, quarter, end) in cases {
            let period: Period = text.parse().unwrap();
            assert_eq!((milestone_quarter(period), is_year_end(period)), (*quarter, *end), "{text}");
        }
        assert_eq!((Missed.as_str(), Missed.label()), ("missed", "未完成"));
    }

    #[test]
    fn a_year_reads_annual_figures_and_an_annual_indicator_counts_from_the_fourth_quarter() {
        use Frequency::*;
        let q = |t: &str| t.parse::<crate::domain::Quarter>().unwrap();
        let cases: &[(Frequency, &str, Span)] = &[
            (Quarterly, "2023Q3", Span::Ytd(q("2023Q3"))),
            (Quarterly, "2023Q4", Span::Ytd(q("2023Q4"))),
            (Quarterly, "2023", Span::Annual(2023)),
            (Annual, "2023Q3", Span::Ytd(q("2023Q3"))),
            (Annual, "2023Q4", Span::Annual(2023)),
            (Annual, "2023", Span::Annual(2023)),
        ];
        for (frequency, period, want) in cases {
            assert_eq!(span_at(*frequency, period.parse().unwrap()), *want, "{frequency:?} {period}");
        }
        let before = |t: &str| year_before(t.parse().unwrap()).map(|p| p.to_string());
        assert_eq!([before("2023"), before("2023Q2")], [Some("2022".into()), Some("2022Q2".into())]);
        assert_eq!(before("1900"), None);
    }

    #[test]
    fn progress_with_year_on_year_change() {
        let input = |previous| ProgressInput {
            direction: Higher,
            unit: "亿元",
            decimals: 2,
            quarter: 3,
            actual: Some(13.5),
            target: Some(19.0),
            milestones: [0.25, 0.5, 0.75, 1.0],
            previous,
        };
        let p = progress(&input(Some(12.5)));
        assert_eq!(p.expected, 0.75);
        assert_eq!(p.pace, Some(14.25));
        assert_eq!(p.completion, Some(0.710526));
        assert_eq!(p.status, Behind); // pace 14.25, floor 12.825
        assert_eq!(p.change, Some(1.0));
        assert_eq!(p.growth_pct, Some(8.0));
        let no_base = progress(&input(Some(0.0)));
        assert_eq!((no_base.change, no_base.growth_pct), (Some(13.5), None));
        let no_previous = progress(&input(None));
        assert_eq!((no_previous.change, no_previous.growth_pct), (None, None));
        // no binary noise leaves the computation: 2.667311062135 − 2.5 is 0.167311, not 0.16731106213500004
        let noisy = progress(&ProgressInput { actual: Some(2.667311062135), target: Some(2.9), ..input(Some(2.5)) });
        assert_eq!((noisy.change, noisy.growth_pct, noisy.completion), (Some(0.167311), Some(6.6924), Some(0.919762)));
        assert_eq!(noisy.yoy, Some(YoyChange::Growth(6.7)));
        let share = progress(&ProgressInput { unit: "%", actual: Some(2.67), ..input(Some(2.56)) });
        assert_eq!(share.yoy, Some(YoyChange::Points(0.11)), "a percentage changes in points");
    }

    #[test]
    fn completion_in_both_directions() {
        assert_eq!(completion(Higher, 18.0, 19.0), Some(tidy(18.0 / 19.0)));
        assert_eq!(completion(Lower, 80.0, 100.0), Some(1.25));
        assert_eq!(completion(Lower, 0.0, 100.0), None);
        assert_eq!(completion(Higher, 5.0, 0.0), None);
        // a list to be emptied: emptied is 100%, three left is 0%
        assert_eq!(completion(Lower, 0.0, 0.0), Some(1.0));
        assert_eq!(completion(Lower, 3.0, 0.0), Some(0.0));
        assert_eq!(completion(Higher, 0.0, 0.0), Some(1.0));
    }

    #[test]
    fn pace_follows_the_milestones() {
        let m = [0.2, 0.45, 0.7, 1.0];
        assert_eq!([1, 2, 3, 4].map(|q| pace(19.0, &m, q)), [3.8, 8.55, 13.3, 19.0]);
    }

    #[test]
    fn milestones_are_checked() {
        assert_eq!(check_milestones(&[0.2, 0.45, 0.7, 1.0]), Ok([0.2, 0.45, 0.7, 1.0]));
        for bad in [
            &[0.5, 0.4, 0.8, 1.0][..],
            &[0.2, 0.4, 0.6, 0.9],
            &[0.25, 0.5, 1.0],
            &[-0.1, 0.5, 0.7, 1.0],
            &[0.2, 0.5, 1.2, 1.0],
        ] {
            assert!(check_milestones(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        /// At the year's end the status is `achieved` exactly when the target is reached, else `missed`.
        #[test]
        fn year_end_is_reached_or_missed(actual in 0.0f64..1e6, target in 0.0f64..1e6, lower in any::<bool>()) {
            let (direction, reached) = if lower { (Lower, actual <= target) } else { (Higher, actual >= target) };
            let want = if reached { Achieved } else { Missed };
            prop_assert_eq!(status(direction, 4, Some(actual), Some(target), 1.0), want);
        }

        /// A lower-is-better flow is never `achieved` before the fourth quarter.
        #[test]
        fn lower_is_never_achieved_before_q4(q in 1u8..4, actual in 0.0f64..1e6, target in 0.0f64..1e6) {
            let expected = default_milestones(Mode::Ytd)[usize::from(q - 1)];
            prop_assert_ne!(status(Lower, q, Some(actual), Some(target), expected), Achieved);
        }
    }
}
