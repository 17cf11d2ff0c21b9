//! Where the year will end (SPEC §13): a region's year-to-date figure at quarter q projected to
//! the whole year by the share of the year its own past years had reached by then — R&D spending
//! and patents bunch into the fourth quarter, so the linear pace (q/4) misleads in September.
//!
//! - The seasonal share `s(q)` is the mean of `YTD(k,q) / A(k)` over the last three years `k` with
//!   both figures (fewer if fewer); without any, the parent's shares; without those, `q / 4`.
//! - The projection is `YTD(y,q) / s(q)`; its range uses the single years' shares: the largest
//!   share gives the low end, the smallest the high end.
//! - A complete year (q = 4) is its own projection; a stock's is its latest value; a derived
//!   indicator's is its formula over the projected inputs (`Formula::eval`, in the engine).

use serde::Serialize;

use super::number::tidy;
use super::views::Span;
use super::{IndicatorCode, IndicatorSet, Mode, Quarter, RegionTree};

/// How many past years the seasonal pattern is taken from.
pub const YEARS_OF_PATTERN: usize = 3;

/// Where the shares of the year came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionMethod {
    /// the region's own past years
    Seasonal,
    /// its parent's past years (the region has none)
    Parent,
    /// `q / 4`: neither has any
    Linear,
    /// the year is complete, or the indicator is a level: nothing to project
    Actual,
}

impl ProjectionMethod {
    /// 按近三年季节规律 / 按上级地区季节规律 / 按序时进度 / 实际数
    pub fn label(self) -> &'static str {
        match self {
            ProjectionMethod::Seasonal => "按近三年季节规律",
            ProjectionMethod::Parent => "按上级地区季节规律",
            ProjectionMethod::Linear => "按序时进度",
            ProjectionMethod::Actual => "实际数",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Projection {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub method: ProjectionMethod,
}

impl Projection {
    /// What is known for certain: the figure itself.
    pub fn actual(value: f64) -> Projection {
        Projection { value, low: value, high: value, method: ProjectionMethod::Actual }
    }
}

/// One past year of a region: its year-to-date figure at the quarter in question and its whole
/// year's figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PastYear {
    pub year: i32,
    pub ytd: Option<f64>,
    pub annual: Option<f64>,
}

/// The shares of the year reached by the quarter in the last [`YEARS_OF_PATTERN`] years that have
/// both figures and a whole year that is not 0, latest first.
pub fn shares(past: &[PastYear]) -> Vec<f64> {
    let mut usable: Vec<&PastYear> =
        past.iter().filter(|p| p.ytd.is_some() && p.annual.is_some_and(|a| a != 0.0)).collect();
    usable.sort_by_key(|p| std::cmp::Reverse(p.year));
    usable
        .into_iter()
        .take(YEARS_OF_PATTERN)
        .filter_map(|p| Some(p.ytd? / p.annual?))
        // a share of 0 or below says nothing of how much is still to come
        .filter(|s| s.is_finite() && *s > 0.0)
        .collect()
}

/// The year's projection from `ytd` at quarter `q` (1–4), with the region's own shares and its
/// parent's (from [`shares`]).
pub fn project(ytd: f64, q: u8, own: &[f64], parent: &[f64]) -> Projection {
    if q >= 4 {
        return Projection::actual(ytd);
    }
    let linear = [f64::from(q) / 4.0];
    let (shares, method) = if !own.is_empty() {
        (own, ProjectionMethod::Seasonal)
    } else if !parent.is_empty() {
        (parent, ProjectionMethod::Parent)
    } else {
        (&linear[..], ProjectionMethod::Linear)
    };
    let mean = shares.iter().sum::<f64>() / shares.len() as f64;
    let largest = shares.iter().copied().fold(f64::MIN, f64::max);
    let smallest = shares.iter().copied().fold(f64::MAX, f64::min);
    // a negative year to date projects lower with a smaller share: the range is ordered either way
    let (a, b) = (tidy(ytd / largest), tidy(ytd / smallest));
    Projection { value: tidy(ytd / mean), low: a.min(b), high: a.max(b), method }
}

/// The projection of indicator `code` for `region` at `quarter`, from its figures as `figure`
/// gives them (the calculator's: any region, any span): the region's own seasonal pattern, else
/// its parent's, else linear; a level's latest value; a derived indicator's formula over its
/// projected inputs (its range over the inputs' low ends and over their high ends). None without
/// a figure to project.
pub fn of_region(
    indicators: &IndicatorSet,
    tree: &RegionTree,
    figure: &dyn Fn(&str, &str, Span) -> Option<f64>,
    region: &str,
    code: &str,
    quarter: Quarter,
) -> Option<Projection> {
    let ind = indicators.get(code)?;
    let to_date = || figure(region, code, Span::Ytd(quarter));
    match ind.mode {
        Mode::Stock | Mode::Register => Some(Projection::actual(to_date()?)),
        Mode::Derived => {
            let formula = ind.formula.as_ref()?;
            let inputs: Vec<(&IndicatorCode, Projection)> = formula
                .codes()
                .into_iter()
                .map(|c| Some((c, of_region(indicators, tree, figure, region, c.as_str(), quarter)?)))
                .collect::<Option<_>>()?;
            let over = |pick: fn(&Projection) -> f64| {
                formula.eval(&mut |c| inputs.iter().find(|(code, _)| *code == c).map(|(_, p)| pick(p)))
            };
            let value = over(|p| p.value)?;
            // a ratio falls as its denominator rises: the ends are the least and the most of the two
            let ends = [over(|p| p.low), over(|p| p.high)];
            let low = ends.iter().flatten().copied().fold(value, f64::min);
            let high = ends.iter().flatten().copied().fold(value, f64::max);
            // the weakest method among the inputs names the projection
            let method =
                inputs.iter().map(|(_, p)| p.method).max_by_key(|m| m.weakness()).unwrap_or(ProjectionMethod::Actual);
            Some(Projection { value: tidy(value), low: tidy(low), high: tidy(high), method })
        }
        Mode::Ytd | Mode::Quarter => {
            let past = |id: &str| -> Vec<PastYear> {
                (1..=YEARS_OF_PATTERN as i32)
                    .filter_map(|back| {
                        let year = quarter.year() - back;
                        let then = Quarter::new(year, quarter.q())?;
                        Some(PastYear {
                            year,
                            ytd: figure(id, code, Span::Ytd(then)),
                            annual: figure(id, code, Span::Annual(year)),
                        })
                    })
                    .collect()
            };
            let own = shares(&past(region));
            let parent = match (own.is_empty(), tree.get(region).and_then(|r| r.parent.as_ref())) {
                (true, Some(parent)) => shares(&past(parent.as_str())),
                _ => Vec::new(),
            };
            Some(project(to_date()?, quarter.q(), &own, &parent))
        }
    }
}

impl ProjectionMethod {
    /// How little a method knows of the region: actual < seasonal < parent < linear.
    fn weakness(self) -> u8 {
        match self {
            ProjectionMethod::Actual => 0,
            ProjectionMethod::Seasonal => 1,
            ProjectionMethod::Parent => 2,
            ProjectionMethod::Linear => 3,
        }
    }
}

/// Whether the projected year reaches the annual target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectedStatus {
    OnCourse,
    ProjectedMiss,
}

impl ProjectedStatus {
    /// 预计可完成 / 预计难以完成
    pub fn label(self) -> &'static str {
        match self {
            ProjectedStatus::OnCourse => "预计可完成",
            ProjectedStatus::ProjectedMiss => "预计难以完成",
        }
    }

    /// `on_course` when the projection reaches the target (at or above it, or at or below it for
    /// an indicator where lower is better), else `projected_miss`.
    pub fn of(direction: super::Direction, projection: &Projection, target: f64) -> ProjectedStatus {
        let reaches = match direction {
            super::Direction::Higher => projection.value >= target,
            super::Direction::Lower => projection.value <= target,
        };
        if reaches { ProjectedStatus::OnCourse } else { ProjectedStatus::ProjectedMiss }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn past(year: i32, ytd: Option<f64>, annual: Option<f64>) -> PastYear {
        PastYear { year, ytd, annual }
    }

    #[test]
    fn shares_come_from_the_last_three_years_with_both_figures() {
        let history = [
            past(2019, Some(10.0), Some(100.0)),
            past(2020, Some(50.0), Some(100.0)),
            past(2021, None, Some(100.0)),
            past(2022, Some(60.0), Some(100.0)),
            past(2023, Some(55.0), Some(110.0)),
            past(2018, Some(1.0), Some(0.0)),
        ];
        // 2023, 2022, 2020 (2021 has no Q3, 2019 is a fourth year back)
        assert_eq!(shares(&history), [0.5, 0.6, 0.5]);
        assert_eq!(shares(&history[..1]), [0.1], "fewer if fewer");
        assert!(shares(&[past(2023, Some(5.0), None), past(2022, Some(1.0), Some(0.0))]).is_empty());
        assert!(shares(&[past(2023, Some(-5.0), Some(100.0))]).is_empty(), "a share of 0 or below is no pattern");
    }

    #[test]
    fn each_fallback_projects_as_worked_out_by_hand() {
        // (ytd, q, own shares, parent shares) → (value, low, high, method)
        let cases: [(f64, u8, &[f64], &[f64], (f64, f64, f64, ProjectionMethod)); 7] = [
            // R&D at Q3: 60% of the year in the last three years on average (0.55, 0.6, 0.65)
            (12.0, 3, &[0.55, 0.6, 0.65], &[], (20.0, 18.46153846154, 21.81818181818, ProjectionMethod::Seasonal)),
            (12.0, 3, &[0.6], &[0.5], (20.0, 20.0, 20.0, ProjectionMethod::Seasonal)),
            // no own history: the parent's pattern
            (12.0, 3, &[], &[0.5, 0.6], (21.81818181818, 20.0, 24.0, ProjectionMethod::Parent)),
            // neither: the linear pace, 3/4
            (12.0, 3, &[], &[], (16.0, 16.0, 16.0, ProjectionMethod::Linear)),
            (5.0, 1, &[], &[], (20.0, 20.0, 20.0, ProjectionMethod::Linear)),
            // the year is complete: the actual
            (18.0, 4, &[0.5], &[0.5], (18.0, 18.0, 18.0, ProjectionMethod::Actual)),
            // a negative year to date (a loss): the range is still low ≤ value ≤ high
            (-6.0, 2, &[0.4, 0.6], &[], (-12.0, -15.0, -10.0, ProjectionMethod::Seasonal)),
        ];
        for (ytd, q, own, parent, (value, low, high, method)) in cases {
            let p = project(ytd, q, own, parent);
            assert_eq!((p.value, p.low, p.high, p.method), (value, low, high, method), "{ytd} at Q{q}");
        }
    }

    #[test]
    fn a_region_is_projected_from_its_own_years_its_parents_or_linearly_and_a_ratio_from_its_inputs() {
        use crate::domain::indicator::tests::indicator;
        use crate::domain::region::RegionKind::{District, Town};
        use crate::domain::region::tests::region;
        use std::collections::HashMap;
        let indicators = IndicatorSet::new(vec![
            indicator("rd", Mode::Ytd, None),
            indicator("gdp", Mode::Ytd, None),
            indicator("share", Mode::Derived, Some("100 * rd / gdp")),
            indicator("firms", Mode::Stock, None),
        ])
        .unwrap();
        let tree = RegionTree::new(vec![
            region("d", District, None, 0),
            region("a", Town, Some("d"), 1),
            region("b", Town, Some("d"), 2),
            region("e", District, None, 3),
        ])
        .unwrap();
        let q3 = |y| Quarter::new(y, 3).unwrap();
        let mut figures: HashMap<(&str, &str, Span), f64> = HashMap::new();
        for y in 2021..=2023 {
            // 甲: 60% of R&D and 75% of GDP by Q3; the district: half of R&D
            figures.insert(("a", "rd", Span::Ytd(q3(y))), 6.0);
            figures.insert(("a", "rd", Span::Annual(y)), 10.0);
            figures.insert(("a", "gdp", Span::Ytd(q3(y))), 75.0);
            figures.insert(("a", "gdp", Span::Annual(y)), 100.0);
            figures.insert(("d", "rd", Span::Ytd(q3(y))), 10.0);
            figures.insert(("d", "rd", Span::Annual(y)), 20.0);
        }
        for (r, c, v) in [
            ("a", "rd", 12.0),
            ("a", "gdp", 75.0),
            ("b", "rd", 4.0),
            ("d", "rd", 16.0),
            ("e", "rd", 3.0),
            ("a", "firms", 7.0),
        ] {
            figures.insert((r, c, Span::Ytd(q3(2024))), v);
        }
        let figure = |r: &str, c: &str, span: Span| figures.get(&(r, c, span)).copied();
        let at = |r, c| of_region(&indicators, &tree, &figure, r, c, q3(2024)).map(|p| (p.value, p.method));
        assert_eq!(at("a", "rd"), Some((20.0, ProjectionMethod::Seasonal)), "12 ÷ 60%");
        assert_eq!(at("b", "rd"), Some((8.0, ProjectionMethod::Parent)), "no years of its own: 4 ÷ the district's 50%");
        assert_eq!(at("d", "rd"), Some((32.0, ProjectionMethod::Seasonal)));
        assert_eq!(at("e", "rd"), Some((4.0, ProjectionMethod::Linear)), "no years, no parent: 3 ÷ 3/4");
        assert_eq!(at("a", "share"), Some((20.0, ProjectionMethod::Seasonal)), "100 × 20 ÷ 100");
        assert_eq!(at("a", "firms"), Some((7.0, ProjectionMethod::Actual)), "a level is its latest value");
        assert_eq!(at("b", "gdp"), None, "nothing to project");
        assert_eq!(at("b", "share"), None);
    }

    #[test]
    fn a_projection_on_course_reaches_the_target_from_its_side() {
        use crate::domain::Direction::{Higher, Lower};
        let at = |value| Projection { value, low: value, high: value, method: ProjectionMethod::Seasonal };
        for (direction, value, target, want) in [
            (Higher, 19.0, 19.0, ProjectedStatus::OnCourse),
            (Higher, 18.99, 19.0, ProjectedStatus::ProjectedMiss),
            (Lower, 0.0, 0.0, ProjectedStatus::OnCourse),
            (Lower, 1.0, 0.0, ProjectedStatus::ProjectedMiss),
        ] {
            assert_eq!(ProjectedStatus::of(direction, &at(value), target), want, "{direction:?} {value} vs {target}");
        }
    }

    proptest! {
        #[test]
        fn a_complete_year_is_its_own_projection(ytd in -1e9f64..1e9, shares in prop::collection::vec(0.01f64..1.0, 0..3)) {
            let p = project(ytd, 4, &shares, &shares);
            prop_assert_eq!((p.value, p.low, p.high, p.method), (ytd, ytd, ytd, ProjectionMethod::Actual));
        }

        #[test]
        fn the_projection_lies_in_its_range_and_a_steady_pattern_reproduces_the_year(
            annual in 1.0f64..1e6,
            share in 0.05f64..0.95,
            q in 1u8..4,
            others in prop::collection::vec(0.05f64..0.95, 0..3),
        ) {
            let ytd = annual * share;
            // a region whose every past year reached `share` by the quarter ends at its annual figure
            let steady = project(ytd, q, &[share, share, share], &[]);
            prop_assert!((steady.value - annual).abs() <= 1e-6 * annual.max(1.0) + 1e-6);
            let mut mixed = vec![share];
            mixed.extend(others);
            let p = project(ytd, q, &mixed, &[]);
            prop_assert!(p.low <= p.value + 1e-9 && p.value <= p.high + 1e-9, "{:?}", p);
        }
    }
}
