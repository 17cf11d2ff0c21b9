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
    /// how many past years the shares came from (0 for `linear` and `actual`); for a ratio, the
    /// fewest of its inputs'
    pub years: usize,
}

impl Projection {
    /// What is known for certain: the figure itself.
    pub fn actual(value: f64) -> Projection {
        Projection { value, low: value, high: value, method: ProjectionMethod::Actual, years: 0 }
    }

    /// Whether it tells something the figure does not: a level's "projection" is its latest value,
    /// which the screens show as the figure it is, not as 全年预计.
    pub fn is_forecast(&self) -> bool {
        self.method != ProjectionMethod::Actual
    }

    /// How it was projected, in the bulletin's words and true to the years behind it:
    /// 按近三年季节规律, 按近两年季节规律, 按上年季节规律, 按上级地区近三年季节规律, 按序时进度.
    pub fn basis(&self) -> String {
        let years = match self.years {
            1 => "上年".to_string(),
            2 => "近两年".to_string(),
            3 => "近三年".to_string(),
            n => format!("近{n}年"),
        };
        match self.method {
            ProjectionMethod::Seasonal => format!("按{years}季节规律"),
            ProjectionMethod::Parent => format!("按上级地区{years}季节规律"),
            method => method.label().to_string(),
        }
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
    let (shares, method, years) = if !own.is_empty() {
        (own, ProjectionMethod::Seasonal, own.len())
    } else if !parent.is_empty() {
        (parent, ProjectionMethod::Parent, parent.len())
    } else {
        (&linear[..], ProjectionMethod::Linear, 0)
    };
    let mean = shares.iter().sum::<f64>() / shares.len() as f64;
    let largest = shares.iter().copied().fold(f64::MIN, f64::max);
    let smallest = shares.iter().copied().fold(f64::MAX, f64::min);
    // a negative year to date projects lower with a smaller share: the range is ordered either way
    let (a, b) = (tidy(ytd / largest), tidy(ytd / smallest));
    Projection { value: tidy(ytd / mean), low: a.min(b), high: a.max(b), method, years }
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
            let years = inputs.iter().filter(|(_, p)| p.method == method).map(|(_, p)| p.years).min().unwrap_or(0);
            Some(Projection { value: tidy(value), low: tidy(low), high: tidy(high), method, years })
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

/// One year of a region's indicator as a backtest reads it: the year to date at Q1, Q2 and Q3,
/// and the whole year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearOfHistory {
    pub year: i32,
    pub ytd: [Option<f64>; 3],
    pub annual: Option<f64>,
}

/// A past year projected from one quarter by one method, against the year it turned out to be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backtested {
    pub year: i32,
    pub q: u8,
    /// `Seasonal` (the shares of the up to three years before) or `Linear` (q / 4)
    pub method: ProjectionMethod,
    /// the share of the year the method took as reached by the quarter: the mean of the years
    /// before, or q / 4
    pub share: f64,
    /// how many years before gave the seasonal share (the same for both methods)
    pub years: usize,
    pub projected: f64,
    pub actual: f64,
    /// |projected − actual| / |actual|, in percent
    pub error: f64,
}

/// Checks the projection against history: every year with a whole-year figure (not 0) is
/// projected from its year to date at Q1, Q2 and Q3, once with the shares of the years before it
/// ([`shares`] of the up to [`YEARS_OF_PATTERN`] calendar years before, as [`of_region`] takes
/// them) and once linearly; both through [`project`]. A quarter is tested only where the years
/// before give a share, so that the two methods are compared on the same quarters. Ordered by
/// year, quarter, then seasonal before linear.
pub fn backtest(history: &[YearOfHistory]) -> Vec<Backtested> {
    let mut years: Vec<&YearOfHistory> = history.iter().collect();
    years.sort_by_key(|h| h.year);
    let mut out = Vec::new();
    for this in &years {
        let Some(actual) = this.annual.filter(|a| *a != 0.0 && a.is_finite()) else {
            continue;
        };
        for q in 1..=3u8 {
            let at = usize::from(q - 1);
            let Some(ytd) = this.ytd[at] else {
                continue;
            };
            let past: Vec<PastYear> = years
                .iter()
                .filter(|k| k.year < this.year && k.year >= this.year - YEARS_OF_PATTERN as i32)
                .map(|k| PastYear { year: k.year, ytd: k.ytd[at], annual: k.annual })
                .collect();
            let own = shares(&past);
            if own.is_empty() {
                continue;
            }
            let seasonal = own.iter().sum::<f64>() / own.len() as f64;
            let linear = f64::from(q) / 4.0;
            for (method, used, share) in
                [(ProjectionMethod::Seasonal, &own[..], seasonal), (ProjectionMethod::Linear, &[][..], linear)]
            {
                let projected = project(ytd, q, used, &[]).value;
                let error = 100.0 * (projected - actual).abs() / actual.abs();
                out.push(Backtested { year: this.year, q, method, share, years: own.len(), projected, actual, error });
            }
        }
    }
    out
}

/// The mean absolute percentage error of one method at one quarter, over `count` projections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mape {
    pub q: u8,
    pub method: ProjectionMethod,
    pub mape: f64,
    pub count: usize,
}

/// The MAPE of each method at each quarter among `points` (from [`backtest`], of one series or
/// many), by quarter, seasonal before linear; none for a quarter and method without a point.
pub fn mape(points: &[Backtested]) -> Vec<Mape> {
    let mut out = Vec::new();
    for q in 1..=3u8 {
        for method in [ProjectionMethod::Seasonal, ProjectionMethod::Linear] {
            let errors: Vec<f64> = points.iter().filter(|p| p.q == q && p.method == method).map(|p| p.error).collect();
            if !errors.is_empty() {
                let mape = errors.iter().sum::<f64>() / errors.len() as f64;
                out.push(Mape { q, method, mape, count: errors.len() });
            }
        }
    }
    out
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
    fn the_basis_names_the_years_behind_the_shares() {
        let with = |method, years| Projection { value: 1.0, low: 1.0, high: 1.0, method, years }.basis();
        assert_eq!(with(ProjectionMethod::Seasonal, 3), "按近三年季节规律");
        assert_eq!(with(ProjectionMethod::Seasonal, 2), "按近两年季节规律");
        assert_eq!(with(ProjectionMethod::Seasonal, 1), "按上年季节规律");
        assert_eq!(with(ProjectionMethod::Parent, 2), "按上级地区近两年季节规律");
        assert_eq!(with(ProjectionMethod::Linear, 0), "按序时进度");
        assert_eq!(project(30.0, 3, &[0.7, 0.8], &[]).years, 2);
        assert_eq!(project(30.0, 3, &[], &[0.7]).years, 1);
        assert_eq!(project(30.0, 3, &[], &[]).years, 0);
    }

    #[test]
    fn a_projection_on_course_reaches_the_target_from_its_side() {
        use crate::domain::Direction::{Higher, Lower};
        let at = |value| Projection { value, low: value, high: value, method: ProjectionMethod::Seasonal, years: 3 };
        for (direction, value, target, want) in [
            (Higher, 19.0, 19.0, ProjectedStatus::OnCourse),
            (Higher, 18.99, 19.0, ProjectedStatus::ProjectedMiss),
            (Lower, 0.0, 0.0, ProjectedStatus::OnCourse),
            (Lower, 1.0, 0.0, ProjectedStatus::ProjectedMiss),
        ] {
            assert_eq!(ProjectedStatus::of(direction, &at(value), target), want, "{direction:?} {value} vs {target}");
        }
    }

    fn year(year: i32, ytd: [Option<f64>; 3], annual: Option<f64>) -> YearOfHistory {
        YearOfHistory { year, ytd, annual }
    }

    #[test]
    fn a_backtest_projects_each_year_from_the_years_before_it_and_linearly() {
        use ProjectionMethod::{Linear, Seasonal};
        let history = [
            // four years before 2020: never part of its pattern
            year(2016, [Some(90.0), Some(95.0), Some(99.0)], Some(100.0)),
            // a whole year of 0: neither tested nor a pattern
            year(2019, [Some(1.0), Some(2.0), Some(3.0)], Some(0.0)),
            // 20%, 40%, 60% of the year by Q1, Q2, Q3; nothing before it to project from
            year(2020, [Some(20.0), Some(40.0), Some(60.0)], Some(100.0)),
            // the same pattern: seasonal hits the year, linear (×4, ×2, ×4/3) says 120
            year(2021, [Some(30.0), Some(60.0), Some(90.0)], Some(150.0)),
            // Q2 runs ahead of the pattern (45%): 90 ÷ 40% = 225 where linear says 180
            year(2022, [Some(40.0), Some(90.0), Some(120.0)], Some(200.0)),
            // no whole year yet
            year(2023, [None, Some(50.0), Some(75.0)], None),
        ];
        let got: Vec<(i32, u8, ProjectionMethod, f64, f64)> =
            backtest(&history).iter().map(|b| (b.year, b.q, b.method, b.projected, b.error)).collect();
        let want = [
            (2021, 1, Seasonal, 150.0, 0.0),
            (2021, 1, Linear, 120.0, 20.0),
            (2021, 2, Seasonal, 150.0, 0.0),
            (2021, 2, Linear, 120.0, 20.0),
            (2021, 3, Seasonal, 150.0, 0.0),
            (2021, 3, Linear, 120.0, 20.0),
            (2022, 1, Seasonal, 200.0, 0.0),
            (2022, 1, Linear, 160.0, 20.0),
            (2022, 2, Seasonal, 225.0, 12.5),
            (2022, 2, Linear, 180.0, 10.0),
            (2022, 3, Seasonal, 200.0, 0.0),
            (2022, 3, Linear, 160.0, 20.0),
        ];
        assert_eq!(got, want);
        let used: Vec<(i32, u8, f64, usize)> = backtest(&history)
            .iter()
            .filter(|b| b.q == 2)
            .map(|b| (b.year, b.q, (b.share * 1e12).round() / 1e12, b.years))
            .collect();
        // 2021 from 2020 alone, 2022 from 2021 and 2020; linear takes 2/4 whatever the years
        assert_eq!(used, [(2021, 2, 0.4, 1), (2021, 2, 0.5, 1), (2022, 2, 0.4, 2), (2022, 2, 0.5, 2)]);
        let summary: Vec<(u8, ProjectionMethod, f64, usize)> =
            mape(&backtest(&history)).iter().map(|m| (m.q, m.method, m.mape, m.count)).collect();
        assert_eq!(
            summary,
            [
                (1, Seasonal, 0.0, 2),
                (1, Linear, 20.0, 2),
                (2, Seasonal, 6.25, 2),
                (2, Linear, 15.0, 2),
                (3, Seasonal, 0.0, 2),
                (3, Linear, 20.0, 2),
            ]
        );
    }

    #[test]
    fn a_backtest_takes_up_to_three_years_before_and_skips_quarters_without_a_pattern() {
        use ProjectionMethod::{Linear, Seasonal};
        // (history, the year tested) → its (quarter, method, projected, error)
        let cases: [(&[YearOfHistory], Vec<(u8, ProjectionMethod, f64, f64)>); 4] = [
            // shares 0.1, 0.2, 0.3 at Q1 in 2019–2021 (2018's 0.9 is four years back): mean 0.2
            (
                &[
                    year(2018, [Some(90.0), None, None], Some(100.0)),
                    year(2019, [Some(10.0), None, None], Some(100.0)),
                    year(2020, [Some(20.0), None, None], Some(100.0)),
                    year(2021, [Some(30.0), None, None], Some(100.0)),
                    year(2022, [Some(50.0), None, None], Some(200.0)),
                ],
                vec![(1, Seasonal, 250.0, 25.0), (1, Linear, 200.0, 0.0)],
            ),
            // a gap year: the pattern is the years that have one (2020 for 2022)
            (
                &[year(2020, [None, None, Some(60.0)], Some(100.0)), year(2022, [None, None, Some(66.0)], Some(100.0))],
                vec![(3, Seasonal, 110.0, 10.0), (3, Linear, 88.0, 12.0)],
            ),
            // a loss: the error is against the size of the year
            (
                &[
                    year(2021, [Some(-5.0), Some(-10.0), Some(-15.0)], Some(-20.0)),
                    year(2022, [Some(-8.0), None, None], Some(-40.0)),
                ],
                vec![(1, Seasonal, -32.0, 20.0), (1, Linear, -32.0, 20.0)],
            ),
            // a share of 0 or below in the year before is no pattern: nothing to compare
            (
                &[year(2021, [Some(0.0), None, None], Some(10.0)), year(2022, [Some(3.0), None, None], Some(10.0))],
                vec![],
            ),
        ];
        for (history, want) in cases {
            let last = history.iter().map(|h| h.year).max().unwrap();
            let got: Vec<(u8, ProjectionMethod, f64, f64)> = backtest(history)
                .into_iter()
                .filter(|b| b.year == last)
                .map(|b| (b.q, b.method, b.projected, (b.error * 1e9).round() / 1e9))
                .collect();
            assert_eq!(got, want, "{history:?}");
        }
    }

    /// The Q1..Q3 year to date of a year of `level` whose quarters bring `flows` (shares of it) times
    /// `1 + noise`.
    fn noisy_year(year: i32, level: f64, flows: [f64; 4], noise: [f64; 4]) -> YearOfHistory {
        let brought: Vec<f64> = flows.iter().zip(noise).map(|(f, e)| level * f * (1.0 + e)).collect();
        let to = |q: usize| Some(brought[..q].iter().sum::<f64>());
        YearOfHistory { year, ytd: [to(1), to(2), to(3)], annual: to(4) }
    }

    fn errors_of(points: &[Backtested], method: ProjectionMethod, q: u8) -> Vec<f64> {
        points.iter().filter(|p| p.method == method && p.q == q).map(|p| p.error).collect()
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
        #[test]
        fn a_year_projected_with_its_own_shares_is_its_actual(
            levels in prop::collection::vec(1.0f64..1e6, 2..8),
            cut in (0.01f64..0.3, 0.01f64..0.3, 0.01f64..0.3, 0.01f64..0.3),
        ) {
            // every year brings the same shares of itself by each quarter, at any level
            let total = cut.0 + cut.1 + cut.2 + cut.3;
            let flows = [cut.0 / total, cut.1 / total, cut.2 / total, cut.3 / total];
            let history: Vec<YearOfHistory> =
                levels.iter().enumerate().map(|(i, l)| noisy_year(2010 + i as i32, *l, flows, [0.0; 4])).collect();
            let points = backtest(&history);
            prop_assert_eq!(points.len(), 6 * (levels.len() - 1));
            for p in points.iter().filter(|p| p.method == ProjectionMethod::Seasonal) {
                prop_assert!(p.error < 1e-9, "{:?}", p);
            }
            // and directly: the year to date over the year's own share
            for (q, ytd) in (1u8..).zip(history[0].ytd) {
                let (ytd, annual) = (ytd.unwrap(), history[0].annual.unwrap());
                let p = project(ytd, q, &[ytd / annual], &[]);
                prop_assert!((p.value - annual).abs() <= 1e-9 * annual, "{:?} vs {}", p, annual);
            }
        }

        #[test]
        fn on_a_steady_seasonal_pattern_with_noise_seasonal_beats_linear_at_every_quarter(
            back_loaded in any::<bool>(),
            pick in (0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0),
            growth in prop::collection::vec(0.8f64..1.3, 4..10),
            noise in prop::collection::vec([-0.02f64..0.02, -0.02f64..0.02, -0.02f64..0.02, -0.02f64..0.02], 10),
        ) {
            // shares by the end of Q1..Q3 well away from q/4: R&D-like (late) or paid in advance (early)
            let within = |t: f64, (lo, hi): (f64, f64)| lo + t * (hi - lo);
            let s = if back_loaded {
                [within(pick.0, (0.05, 0.15)), within(pick.1, (0.2, 0.35)), within(pick.2, (0.4, 0.6))]
            } else {
                [within(pick.0, (0.4, 0.5)), within(pick.1, (0.65, 0.75)), within(pick.2, (0.88, 0.95))]
            };
            let flows = [s[0], s[1] - s[0], s[2] - s[1], 1.0 - s[2]];
            let mut level = 100.0;
            let mut history = Vec::new();
            for (i, g) in growth.iter().enumerate() {
                level *= g;
                history.push(noisy_year(2010 + i as i32, level, flows, noise[i]));
            }
            let points = backtest(&history);
            prop_assert_eq!(points.len(), 6 * (growth.len() - 1));
            // ±2% per quarter moves a share by at most ×1.04: seasonal is off by at most 8.3%,
            // linear by at least 12.7% (front-loaded Q3)
            for m in mape(&points) {
                match m.method {
                    ProjectionMethod::Seasonal => prop_assert!(m.mape < 8.4, "{:?}", m),
                    _ => prop_assert!(m.mape > 12.6, "{:?}", m),
                }
            }
            for q in 1..=3 {
                let worst_seasonal = errors_of(&points, ProjectionMethod::Seasonal, q).into_iter().fold(0.0, f64::max);
                let best_linear = errors_of(&points, ProjectionMethod::Linear, q).into_iter().fold(f64::MAX, f64::min);
                prop_assert!(worst_seasonal < best_linear, "Q{}: {} vs {}", q, worst_seasonal, best_linear);
            }
        }

        #[test]
        fn on_a_flat_series_seasonal_and_linear_agree(
            levels in prop::collection::vec(1.0f64..1e6, 2..8),
        ) {
            // each quarter brings a quarter of the year: the shares are q/4 exactly
            let history: Vec<YearOfHistory> =
                levels.iter().enumerate().map(|(i, l)| noisy_year(2010 + i as i32, *l, [0.25; 4], [0.0; 4])).collect();
            let points = backtest(&history);
            prop_assert_eq!(points.len(), 6 * (levels.len() - 1));
            for pair in points.chunks(2) {
                let (seasonal, linear) = (pair[0], pair[1]);
                prop_assert_eq!((seasonal.method, linear.method), (ProjectionMethod::Seasonal, ProjectionMethod::Linear));
                prop_assert!((seasonal.projected - linear.projected).abs() <= 1e-9 * seasonal.actual, "{:?}", pair);
                prop_assert!(seasonal.error < 1e-9 && linear.error < 1e-9, "{:?}", pair);
            }
            let summary = mape(&points);
            for pair in summary.chunks(2) {
                prop_assert!((pair[0].mape - pair[1].mape).abs() < 1e-9 && pair[0].count == pair[1].count, "{:?}", pair);
            }
        }
    }
}
