//! Progress against the annual target and the pace target (序时进度), SPEC §2.7.

use serde::Serialize;

use super::indicator::{Direction, Mode};
use super::number::tidy;

/// The default share of the annual target expected by the end of each quarter.
pub fn default_milestones(mode: Mode) -> [f64; 4] {
    match mode {
        Mode::Ytd | Mode::Quarter => [0.25, 0.5, 0.75, 1.0],
        Mode::Stock | Mode::Derived => [1.0, 1.0, 1.0, 1.0],
    }
}

/// Milestones must be shares between 0 and 1 that never fall and end at 1.
pub fn check_milestones(m: &[f64]) -> Result<[f64; 4], String> {
    let m: [f64; 4] = m.try_into().map_err(|_| "four shares are needed, one per quarter".to_string())?;
    if m.iter().any(|x| !x.is_finite() || *x < 0.0 || *x > 1.0) {
        return Err("each share lies between 0 and 1".into());
    }
    if m.windows(2).any(|w| w[1] < w[0]) {
        return Err("shares never fall from one quarter to the next".into());
    }
    if m[3] != 1.0 {
        return Err("the fourth quarter's share is 1 (the whole target)".into());
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
        }
    }

    /// 已完成 / 符合序时进度 / 略低于序时进度 / 明显滞后 …
    pub fn label(self) -> &'static str {
        match self {
            Status::NoTarget => "未设目标",
            Status::NoData => "暂无数据",
            Status::Achieved => "已完成",
            Status::OnTrack => "符合序时进度",
            Status::Behind => "略低于序时进度",
            Status::AtRisk => "明显滞后",
        }
    }
}

/// Below 90% of the pace target a region is at risk rather than merely behind.
pub const BEHIND_FLOOR: f64 = 0.9;

/// completion = actual / target (higher is better) or target / actual (lower is better).
pub fn completion(direction: Direction, actual: f64, target: f64) -> Option<f64> {
    let (num, den) = match direction {
        Direction::Higher => (actual, target),
        Direction::Lower => (target, actual),
    };
    (den != 0.0).then(|| tidy(num / den))
}

/// The pace target P: the part of the annual target expected by the end of quarter `q` (序时目标).
pub fn pace(target: f64, milestones: &[f64; 4], q: u8) -> f64 {
    tidy(milestones[usize::from(q.clamp(1, 4) - 1)] * target)
}

pub fn status(direction: Direction, quarter: u8, actual: Option<f64>, target: Option<f64>, expected: f64) -> Status {
    let Some(target) = target else { return Status::NoTarget };
    let Some(actual) = actual else { return Status::NoData };
    let pace = tidy(expected * target);
    match direction {
        Direction::Higher if actual >= target => Status::Achieved,
        Direction::Higher if actual >= pace => Status::OnTrack,
        Direction::Higher if actual >= tidy(BEHIND_FLOOR * pace) => Status::Behind,
        Direction::Higher => Status::AtRisk,
        // A flow that must stay low is only achieved once the year is over.
        Direction::Lower if quarter == 4 && actual <= target => Status::Achieved,
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
}

pub struct ProgressInput {
    pub direction: Direction,
    pub quarter: u8,
    pub actual: Option<f64>,
    pub target: Option<f64>,
    pub milestones: [f64; 4],
    pub previous: Option<f64>,
}

pub fn progress(i: &ProgressInput) -> Progress {
    let expected = i.milestones[usize::from(i.quarter.clamp(1, 4) - 1)];
    let change = i.actual.zip(i.previous).map(|(a, p)| tidy(a - p));
    Progress {
        actual: i.actual,
        target: i.target,
        expected,
        pace: i.target.map(|t| pace(t, &i.milestones, i.quarter)),
        completion: i.actual.zip(i.target).and_then(|(a, t)| completion(i.direction, a, t)),
        status: status(i.direction, i.quarter, i.actual, i.target, expected),
        previous: i.previous,
        change,
        growth_pct: change.zip(i.previous).and_then(|(c, p)| (p != 0.0).then(|| tidy(100.0 * c / p))),
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
            (Lower, 4, Some(100.0), Some(100.0), Achieved),
            (Lower, 4, Some(101.0), Some(100.0), Behind),
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
    fn progress_with_year_on_year_change() {
        let input = |previous| ProgressInput {
            direction: Higher,
            quarter: 3,
            actual: Some(13.5),
            target: Some(19.0),
            milestones: [0.25, 0.5, 0.75, 1.0],
            previous,
        };
        let p = progress(&input(Some(12.5)));
        assert_eq!(p.expected, 0.75);
        assert_eq!(p.pace, Some(14.25));
        assert_eq!(p.completion, Some(tidy(13.5 / 19.0)));
        assert_eq!(p.status, Behind); // pace 14.25, floor 12.825
        assert_eq!(p.change, Some(1.0));
        assert_eq!(p.growth_pct, Some(8.0));
        let no_base = progress(&input(Some(0.0)));
        assert_eq!((no_base.change, no_base.growth_pct), (Some(13.5), None));
        let no_previous = progress(&input(None));
        assert_eq!((no_previous.change, no_previous.growth_pct), (None, None));
    }

    #[test]
    fn completion_in_both_directions() {
        assert_eq!(completion(Higher, 18.0, 19.0), Some(tidy(18.0 / 19.0)));
        assert_eq!(completion(Lower, 80.0, 100.0), Some(1.25));
        assert_eq!(completion(Lower, 0.0, 100.0), None);
        assert_eq!(completion(Higher, 5.0, 0.0), None);
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
        /// A lower-is-better flow is never `achieved` before the fourth quarter.
        #[test]
        fn lower_is_never_achieved_before_q4(q in 1u8..4, actual in 0.0f64..1e6, target in 0.0f64..1e6) {
            let expected = default_milestones(Mode::Ytd)[usize::from(q - 1)];
            prop_assert_ne!(status(Lower, q, Some(actual), Some(target), expected), Achieved);
        }
    }
}
