//! The three views of a stored series: quarter, year-to-date and annual.
//! This file owns how each reporting mode turns submitted figures into each view.

use serde::{Deserialize, Serialize};

use super::indicator::Mode;
use super::period::{Period, Quarter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Quarter,
    Ytd,
    Annual,
}

impl View {
    pub fn as_str(self) -> &'static str {
        match self {
            View::Quarter => "quarter",
            View::Ytd => "ytd",
            View::Annual => "annual",
        }
    }

    pub fn parse(text: &str) -> Option<View> {
        [View::Quarter, View::Ytd, View::Annual].into_iter().find(|v| v.as_str() == text)
    }

    /// The view a run of periods is read in unless one is asked for: YTD for quarters, annual for years.
    pub fn default_for(period: Period) -> View {
        match period {
            Period::Quarter(_) => View::Ytd,
            Period::Year(_) => View::Annual,
        }
    }

    /// The span this view covers at `period`: quarter and YTD views need a quarter, the annual view a year.
    pub fn at(self, period: Period) -> Option<Span> {
        match (self, period) {
            (View::Quarter, Period::Quarter(q)) => Some(Span::Quarter(q)),
            (View::Ytd, Period::Quarter(q)) => Some(Span::Ytd(q)),
            (View::Annual, Period::Year(y)) => Some(Span::Annual(y)),
            _ => None,
        }
    }
}

/// What one figure covers: a single quarter, the year up to a quarter, or a whole year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Span {
    Quarter(Quarter),
    Ytd(Quarter),
    Annual(i32),
}

impl Span {
    pub fn year(self) -> i32 {
        match self {
            Span::Quarter(q) | Span::Ytd(q) => q.year(),
            Span::Annual(y) => y,
        }
    }

    pub fn period(self) -> Period {
        match self {
            Span::Quarter(q) | Span::Ytd(q) => Period::Quarter(q),
            Span::Annual(y) => Period::Year(y),
        }
    }

    /// The span a comparison at `period` reads: the whole year for `YYYY`, the year to date for `YYYYQn`.
    pub fn to_date(period: Period) -> Span {
        match period {
            Period::Year(y) => Span::Annual(y),
            Period::Quarter(q) => Span::Ytd(q),
        }
    }

    /// The same span one year earlier.
    pub fn year_before(self) -> Option<Span> {
        Some(match self {
            Span::Quarter(q) => Span::Quarter(q.year_before()?),
            Span::Ytd(q) => Span::Ytd(q.year_before()?),
            Span::Annual(y) => Span::Annual(y - 1),
        })
    }
}

/// What was stored for one region and indicator in one year: a figure per quarter, and for
/// benchmark regions possibly a figure for the whole year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct YearValues {
    pub quarters: [Option<f64>; 4],
    pub annual: Option<f64>,
}

impl YearValues {
    fn at(&self, q: u8) -> Option<f64> {
        self.quarters[usize::from(q - 1)]
    }

    /// Sum of quarters 1..=q; `None` when any of them is missing (never a partial sum).
    fn sum_through(&self, q: u8) -> Option<f64> {
        (1..=q).map(|i| self.at(i)).sum()
    }
}

/// The figure of a reporting region (a leaf, or a benchmark) in `span`, from what it submitted.
/// A stored annual figure is the annual view and wins over one computed from quarters; it is
/// also the year to date at the fourth quarter when no quarter says otherwise (a benchmark that
/// publishes yearly compares at 2023Q4 too).
pub fn leaf_value(mode: Mode, year: &YearValues, span: Span) -> Option<f64> {
    if let Span::Ytd(q) = span
        && q.q() == 4
        && year.quarters.iter().all(Option::is_none)
    {
        return year.annual;
    }
    match (mode, span) {
        (Mode::Ytd, Span::Quarter(q)) if q.q() == 1 => year.at(1),
        (Mode::Ytd, Span::Quarter(q)) => Some(year.at(q.q())? - year.at(q.q() - 1)?),
        (Mode::Quarter, Span::Ytd(q)) => year.sum_through(q.q()),
        (_, Span::Quarter(q) | Span::Ytd(q)) => year.at(q.q()),
        (Mode::Quarter, Span::Annual(_)) => year.annual.or_else(|| year.sum_through(4)),
        (_, Span::Annual(_)) => year.annual.or(year.at(4)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(n: u8) -> Span {
        Span::Quarter(Quarter::new(2023, n).unwrap())
    }
    fn ytd(n: u8) -> Span {
        Span::Ytd(Quarter::new(2023, n).unwrap())
    }
    const YEAR: Span = Span::Annual(2023);

    fn year(quarters: [Option<f64>; 4]) -> YearValues {
        YearValues { quarters, annual: None }
    }

    #[test]
    fn every_mode_in_every_view() {
        let full = year([Some(10.0), Some(25.0), Some(45.0), Some(60.0)]);
        let gap = year([Some(10.0), None, Some(45.0), Some(60.0)]);
        let benchmark = YearValues { quarters: [Some(1.0), Some(2.0), Some(3.0), Some(4.0)], annual: Some(99.0) };
        use Mode::*;
        let cases: &[(&str, Mode, &YearValues, Span, Option<f64>)] = &[
            ("ytd: Q1 is YTD(1)", Ytd, &full, q(1), Some(10.0)),
            ("ytd: Q3 is YTD(3) - YTD(2)", Ytd, &full, q(3), Some(20.0)),
            ("ytd: YTD view is as submitted", Ytd, &full, ytd(2), Some(25.0)),
            ("ytd: annual is YTD(4)", Ytd, &full, YEAR, Some(60.0)),
            ("ytd: a quarter next to a gap is null", Ytd, &gap, q(3), None),
            ("ytd: a quarter after a gap-free start", Ytd, &gap, q(4), Some(15.0)),
            ("quarter: as submitted", Quarter, &full, q(2), Some(25.0)),
            ("quarter: YTD sums 1..q", Quarter, &full, ytd(3), Some(80.0)),
            ("quarter: YTD with a missing quarter is null", Quarter, &gap, ytd(3), None),
            ("quarter: YTD before the gap", Quarter, &gap, ytd(1), Some(10.0)),
            ("quarter: annual sums four", Quarter, &full, YEAR, Some(140.0)),
            ("quarter: annual with a gap is null", Quarter, &gap, YEAR, None),
            ("stock: quarter view as submitted", Stock, &full, q(3), Some(45.0)),
            ("stock: YTD view as submitted", Stock, &full, ytd(3), Some(45.0)),
            ("stock: annual is Q4", Stock, &full, YEAR, Some(60.0)),
            ("stock: missing Q4 means no annual", Stock, &year([Some(1.0), Some(2.0), Some(3.0), None]), YEAR, None),
            ("stored annual wins (ytd)", Ytd, &benchmark, YEAR, Some(99.0)),
            ("stored annual wins (quarter)", Quarter, &benchmark, YEAR, Some(99.0)),
            ("annual alone gives no quarter", Ytd, &YearValues { annual: Some(5.0), ..Default::default() }, q(1), None),
            (
                "annual alone gives no Q4 quarter",
                Ytd,
                &YearValues { annual: Some(5.0), ..Default::default() },
                q(4),
                None,
            ),
            (
                "annual alone is the Q4 YTD",
                Quarter,
                &YearValues { annual: Some(5.0), ..Default::default() },
                ytd(4),
                Some(5.0),
            ),
            (
                "annual alone is not the Q3 YTD",
                Ytd,
                &YearValues { annual: Some(5.0), ..Default::default() },
                ytd(3),
                None,
            ),
            ("nothing stored", Ytd, &YearValues::default(), YEAR, None),
        ];
        for (name, mode, values, span, want) in cases {
            assert_eq!(leaf_value(*mode, values, *span), *want, "{name}");
        }
    }

    #[test]
    fn views_need_the_matching_period() {
        let q3: Period = "2023Q3".parse().unwrap();
        let y: Period = "2023".parse().unwrap();
        assert!(View::Quarter.at(q3).is_some() && View::Ytd.at(q3).is_some());
        assert!(View::Annual.at(q3).is_none());
        assert!(View::Ytd.at(y).is_none());
        assert_eq!(View::Annual.at(y), Some(Span::Annual(2023)));
    }

    proptest! {
        /// Submitting YTD figures and reading quarters back, then submitting those quarters in
        /// quarter mode, gives the same YTD and annual figures.
        #[test]
        fn ytd_to_quarters_and_back(increments in proptest::collection::vec(0u32..1_000_000, 4)) {
            let mut running = 0u64;
            let ytds: Vec<f64> = increments.iter().map(|i| { running += u64::from(*i); running as f64 / 100.0 }).collect();
            let as_ytd = year([Some(ytds[0]), Some(ytds[1]), Some(ytds[2]), Some(ytds[3])]);
            let quarters: Vec<f64> = (1..=4).map(|n| leaf_value(Mode::Ytd, &as_ytd, q(n)).unwrap()).collect();
            let as_quarters = year([Some(quarters[0]), Some(quarters[1]), Some(quarters[2]), Some(quarters[3])]);
            for n in 1..=4u8 {
                let back = leaf_value(Mode::Quarter, &as_quarters, ytd(n)).unwrap();
                prop_assert!((back - ytds[usize::from(n - 1)]).abs() < 1e-6);
            }
            let annual = leaf_value(Mode::Quarter, &as_quarters, YEAR).unwrap();
            prop_assert!((annual - leaf_value(Mode::Ytd, &as_ytd, YEAR).unwrap()).abs() < 1e-6);
        }
    }
}
