//! The Hidiroglou–Berthelot outlier test (SPEC §15, the built-in `hb_outlier` warning): for one
//! indicator and quarter, the year-to-date figures of the reporting regions under one parent,
//! each against its own figure of the same quarter last year. A change is judged against the
//! changes of the region's peers and weighted by the region's size, so that a small town doubling
//! from a low base is not flagged while a large zone moving 30% is — where the factor rule
//! (`yoy_jump`, [`super::submission::value_warnings`]) does the opposite.
//!
//! For each region: `r = x(t) / x(t−1y)`; with `med` the median of r, `s = 1 − med/r` when
//! `r < med`, else `r/med − 1` (symmetric: halving and doubling are equally far); `E = s ×
//! max(x(t), x(t−1y))^U`. With the quartiles of E, a region is an outlier when
//! `E < E_med − C·max(E_med − E_Q1, |A·E_med|)` or `E > E_med + C·max(E_Q3 − E_med, |A·E_med|)`.
//!
//! - **Quartiles** (of r for its median, of E for `E_Q1`, `E_med`, `E_Q3`): linear interpolation
//!   between order statistics at position `p·(n−1)` (Hyndman & Fan type 7, R's default
//!   `quantile`). The two reference implementations statistical offices publish use exactly this:
//!   Istat's `univOutl::HBmethod` and Statistics Norway's `Kostra::Hb` both call `quantile()` with
//!   its default; so a result here can be checked against either. The median is the usual one.
//! - **Which regions take part**: those with both figures, both finite and positive. A missing
//!   figure leaves the region out; so does a zero or negative one: `x(t−1y) = 0` has no ratio,
//!   `x(t) = 0` gives `r = 0` and an infinite `s`, and a ratio of signed figures (a balance) has no
//!   meaning as a growth. `Kostra::Hb` leaves the same regions out (`univOutl` the zeros and the
//!   missing). A figure that fell to zero is still caught by the factor rule.
//! - **Fewer than [`MIN_REGIONS`]** taking part: no verdict (the scores are still given). With
//!   exactly four and `C ≥ 4` there is never an outlier either: with E sorted `a ≤ b ≤ c ≤ d`,
//!   `E_Q3 = c + (d − c)/4` and `E_med = (b + c)/2`, so the upper bound is at least
//!   `d + 3(c − b)/2 ≥ d`, and the lower one at most `a` (a property test checks it). HB needs five.
//! - **The A term.** The E scores straddle zero (half the ratios lie on each side of their
//!   median), so `|E_med|` is never more than the distance from `E_med` to either quartile: with
//!   `A < 1` the term never widens the interval. It cannot rescue the case it is meant for either:
//!   when most ratios tie at the median, `E_Q1 = E_med = E_Q3 = 0`, the interval shrinks to a
//!   point and any other region, however slightly it differs, is an outlier (see the tests). That
//!   is SPEC §15's rule as written; `Kostra::Hb` guards it by testing only the regions that changed
//!   when half or more did not.

use serde::Serialize;

use super::Indicator;
use super::indicator::Mode;
use super::number::{fixed, trimmed};
use super::submission::Warning;

/// The warning's code, next to the built-in checks of SPEC §2.6.
pub const CODE: &str = "hb_outlier";

/// Fewer regions with both figures than this give no verdict: quartiles of three scores say nothing.
pub const MIN_REGIONS: usize = 4;

/// The test's parameters, SPEC §15's values by default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    /// How much size counts: E grows with `max(x(t), x(t−1y))^U`; 0 ignores size, 1 is proportional.
    pub u: f64,
    /// A floor for the spread, as a share of `|E_med|`.
    pub a: f64,
    /// How many spreads from `E_med` a score may lie.
    pub c: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params { u: 0.5, a: 0.05, c: 4.0 }
    }
}

/// One region's figures: the year to date of this quarter and of the same quarter last year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair<'a> {
    pub region: &'a str,
    pub now: Option<f64>,
    pub last_year: Option<f64>,
}

/// Why a region took no part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOut {
    /// one of the two figures is not there (or not a finite number)
    Missing,
    /// one of the two figures is zero or negative: no growth ratio
    NotPositive,
}

/// Which bound a score is beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Low,
    High,
}

/// A region that took part: its ratio, its deviation from the median ratio, its score, and
/// whether the score is beyond a bound (never when there is no verdict).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score<'a> {
    pub region: &'a str,
    pub now: f64,
    pub last_year: f64,
    /// r = x(t) / x(t−1y)
    pub ratio: f64,
    /// s: 1 − med/r below the median ratio, r/med − 1 above
    pub deviation: f64,
    /// E = s × max(x(t), x(t−1y))^U
    pub effect: f64,
    pub outlier: Option<Side>,
}

/// The median ratio, the quartiles of the scores and the bounds they give.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bounds {
    pub median_ratio: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub low: f64,
    pub high: f64,
}

/// The test's answer for one indicator, quarter and parent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome<'a> {
    /// the regions that took part, in the order given
    pub scores: Vec<Score<'a>>,
    /// the regions that did not, in the order given
    pub left_out: Vec<(&'a str, LeftOut)>,
    /// `None`: fewer than [`MIN_REGIONS`] took part, no verdict
    pub bounds: Option<Bounds>,
}

impl<'a> Outcome<'a> {
    /// The regions beyond a bound, in the order given.
    pub fn outliers(&self) -> impl Iterator<Item = &Score<'a>> {
        self.scores.iter().filter(|s| s.outlier.is_some())
    }
}

/// The Hidiroglou–Berthelot test over the `pairs` of the regions under one parent.
pub fn hb<'a>(pairs: &[Pair<'a>], params: Params) -> Outcome<'a> {
    let mut left_out = Vec::new();
    let mut taking_part = Vec::new();
    for pair in pairs {
        match (pair.now.filter(|v| v.is_finite()), pair.last_year.filter(|v| v.is_finite())) {
            (Some(now), Some(last)) if now > 0.0 && last > 0.0 => taking_part.push((pair.region, now, last)),
            (Some(_), Some(_)) => left_out.push((pair.region, LeftOut::NotPositive)),
            _ => left_out.push((pair.region, LeftOut::Missing)),
        }
    }
    if taking_part.is_empty() {
        return Outcome { scores: Vec::new(), left_out, bounds: None };
    }
    let ratios: Vec<f64> = taking_part.iter().map(|(_, now, last)| now / last).collect();
    let median_ratio = quantile(&sorted(&ratios), 0.5);
    let mut scores: Vec<Score<'a>> = taking_part
        .iter()
        .zip(&ratios)
        .map(|(&(region, now, last_year), &ratio)| {
            let deviation = if ratio < median_ratio { 1.0 - median_ratio / ratio } else { ratio / median_ratio - 1.0 };
            let effect = deviation * now.max(last_year).powf(params.u);
            Score { region, now, last_year, ratio, deviation, effect, outlier: None }
        })
        .collect();
    if scores.len() < MIN_REGIONS {
        return Outcome { scores, left_out, bounds: None };
    }
    let effects = sorted(&scores.iter().map(|s| s.effect).collect::<Vec<_>>());
    let (q1, median, q3) = (quantile(&effects, 0.25), quantile(&effects, 0.5), quantile(&effects, 0.75));
    let floor = (params.a * median).abs();
    let low = median - params.c * (median - q1).max(floor);
    let high = median + params.c * (q3 - median).max(floor);
    for score in &mut scores {
        score.outlier = if score.effect < low {
            Some(Side::Low)
        } else if score.effect > high {
            Some(Side::High)
        } else {
            None
        };
    }
    Outcome { scores, left_out, bounds: Some(Bounds { median_ratio, q1, median, q3, low, high }) }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut values = values.to_vec();
    values.sort_by(f64::total_cmp);
    values
}

/// The `p`-quantile of `sorted` (not empty) by linear interpolation between the order statistics
/// around position `p·(n−1)` (type 7).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    sorted[below] + (position - below as f64) * (sorted[above] - sorted[below])
}

/// What the person who submitted reads about a flagged figure, in the words of the other warnings:
/// `专利申请量累计值9与上年同期4之比为2.25，明显高于同级地区（比值中位数1.00，HB检验），请核实`.
pub fn message(ind: &Indicator, score: &Score<'_>, bounds: &Bounds) -> String {
    let figure = if ind.mode == Mode::Stock { "期末值" } else { "累计值" };
    let side = if score.outlier == Some(Side::Low) { "低于" } else { "高于" };
    format!(
        "{}{figure}{}与上年同期{}之比为{}，明显{side}同级地区（比值中位数{}，HB检验），请核实",
        ind.name,
        trimmed(score.now, ind.decimals),
        trimmed(score.last_year, ind.decimals),
        fixed(score.ratio, 2),
        fixed(bounds.median_ratio, 2),
    )
}

/// The warning of one flagged region's figure.
pub fn warning(ind: &Indicator, score: &Score<'_>, bounds: &Bounds) -> Warning {
    Warning { indicator: ind.code.to_string(), code: CODE, message: message(ind, score, bounds) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::tests::indicator;
    use proptest::prelude::*;

    fn pair(region: &str, last_year: f64, now: f64) -> Pair<'_> {
        Pair { region, now: Some(now), last_year: Some(last_year) }
    }

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() < 1e-9
    }

    /// Eight towns and zones; the ratios' median is 1 (a flat year):
    ///
    /// | region | x(t−1y) | x(t)  | r    | s     | max^0.5 | E     |
    /// |--------|---------|-------|------|-------|---------|-------|
    /// | small  | 4       | 9     | 2.25 | 1.25  | 3       | 3.75  |
    /// | big    | 13000   | 16900 | 1.3  | 0.3   | 130     | 39    |
    /// | b      | 400     | 320   | 0.8  | −0.25 | 20      | −5    |
    /// | c      | 100     | 100   | 1    | 0     | 10      | 0     |
    /// | d      | 2500    | 2500  | 1    | 0     | 50      | 0     |
    /// | e      | 320     | 400   | 1.25 | 0.25  | 20      | 5     |
    /// | f      | 1600    | 1280  | 0.8  | −0.25 | 40      | −10   |
    /// | g      | 100     | 80    | 0.8  | −0.25 | 10      | −2.5  |
    ///
    /// r sorted 0.8 0.8 0.8 1 1 1.25 1.3 2.25: med = (1 + 1)/2 = 1; s = 1 − 1/0.8 = −0.25 below it.
    /// E sorted −10 −5 −2.5 0 0 3.75 5 39 (n = 8, positions p·7):
    /// Q1 at 1.75: −5 + 0.75 × (−2.5 − (−5)) = −3.125; med at 3.5: (0 + 0)/2 = 0;
    /// Q3 at 5.25: 3.75 + 0.25 × (5 − 3.75) = 4.0625. |A·E_med| = 0.
    /// low = 0 − 4 × 3.125 = −12.5; high = 0 + 4 × 4.0625 = 16.25: only big (39) is beyond.
    fn towns() -> Vec<Pair<'static>> {
        vec![
            pair("small", 4.0, 9.0),
            pair("big", 13000.0, 16900.0),
            pair("b", 400.0, 320.0),
            pair("c", 100.0, 100.0),
            pair("d", 2500.0, 2500.0),
            pair("e", 320.0, 400.0),
            pair("f", 1600.0, 1280.0),
            pair("g", 100.0, 80.0),
        ]
    }

    #[test]
    fn a_small_town_doubling_from_a_low_base_is_not_flagged_while_a_large_zone_moving_30_percent_is() {
        let outcome = hb(&towns(), Params::default());
        let want: [(&str, f64, f64, f64); 8] = [
            ("small", 2.25, 1.25, 3.75),
            ("big", 1.3, 0.3, 39.0),
            ("b", 0.8, -0.25, -5.0),
            ("c", 1.0, 0.0, 0.0),
            ("d", 1.0, 0.0, 0.0),
            ("e", 1.25, 0.25, 5.0),
            ("f", 0.8, -0.25, -10.0),
            ("g", 0.8, -0.25, -2.5),
        ];
        assert_eq!(outcome.scores.len(), want.len());
        for (score, (region, r, s, e)) in outcome.scores.iter().zip(want) {
            assert_eq!(score.region, region);
            assert!(close(score.ratio, r) && close(score.deviation, s) && close(score.effect, e), "{score:?}");
        }
        let b = outcome.bounds.unwrap();
        let got = [b.median_ratio, b.q1, b.median, b.q3, b.low, b.high];
        let want = [1.0, -3.125, 0.0, 4.0625, -12.5, 16.25];
        assert!(got.iter().zip(want).all(|(g, w)| close(*g, w)), "{b:?}");
        let flagged: Vec<(&str, Side)> = outcome.outliers().map(|s| (s.region, s.outlier.unwrap())).collect();
        assert_eq!(flagged, [("big", Side::High)]);
        assert!(outcome.left_out.is_empty());
    }

    /// Each case: the regions' (x(t−1y), x(t)), the parameters, the bounds (low, high) or none, and
    /// the regions beyond them.
    #[test]
    fn the_verdicts_worked_out_by_hand() {
        let d = Params::default();
        let p = |region, last: f64, now: f64| pair(region, last, now);
        let cases: Vec<(&str, Vec<Pair>, Params, Option<(f64, f64)>, Vec<(&str, Side)>)> = vec![
            (
                // U = 0 ignores size: E = s. E sorted −0.25 −0.25 −0.25 0 0 0.25 0.3 1.25;
                // Q1 at 1.75 = −0.25, med = 0, Q3 at 5.25 = 0.25 + 0.25 × 0.05 = 0.2625;
                // low = −4 × 0.25 = −1, high = 4 × 0.2625 = 1.05: the small town (1.25) is the
                // outlier and the large zone (0.3) is not — size is what U brings in.
                "without size the doubling is the outlier",
                towns(),
                Params { u: 0.0, ..d },
                Some((-1.0, 1.05)),
                vec![("small", Side::High)],
            ),
            (
                // r 0.5 0.8 1.2 1.5: med = (0.8 + 1.2)/2 = 1; s −1 −0.25 0.2 0.5;
                // max^0.5 10 20 30 60: E −10 −5 6 30. Q1 at 0.75: −10 + 0.75 × 5 = −6.25;
                // med at 1.5: (−5 + 6)/2 = 0.5; Q3 at 2.25: 6 + 0.25 × 24 = 12.
                // low = 0.5 − 4 × max(6.75, 0.025) = −26.5; high = 0.5 + 4 × max(11.5, 0.025) = 46.5.
                "four regions spread evenly: no outlier",
                vec![p("a", 100.0, 50.0), p("b", 400.0, 320.0), p("c", 750.0, 900.0), p("d", 2400.0, 3600.0)],
                d,
                Some((-26.5, 46.5)),
                vec![],
            ),
            (
                // the same with C = 1: low = 0.5 − 6.75 = −6.25, high = 0.5 + 11.5 = 12
                "a narrower interval (C = 1) takes both tails",
                vec![p("a", 100.0, 50.0), p("b", 400.0, 320.0), p("c", 750.0, 900.0), p("d", 2400.0, 3600.0)],
                Params { c: 1.0, ..d },
                Some((-6.25, 12.0)),
                vec![("a", Side::Low), ("d", Side::High)],
            ),
            (
                // and A = 30: |A·E_med| = 15 is wider than both gaps: low = 0.5 − 15 = −14.5,
                // high = 0.5 + 15 = 15.5 (the A term needs A > 1 to matter at all)
                "a large A widens both sides to A·E_med",
                vec![p("a", 100.0, 50.0), p("b", 400.0, 320.0), p("c", 750.0, 900.0), p("d", 2400.0, 3600.0)],
                Params { c: 1.0, a: 30.0, ..d },
                Some((-14.5, 15.5)),
                vec![("d", Side::High)],
            ),
            (
                // r = 1.1 everywhere: s = 0, E = 0 for all; bounds 0 ± 4 × max(0, 0) = 0; 0 is
                // not beyond 0
                "all ratios equal: every score is zero and nothing is flagged",
                vec![p("a", 10.0, 11.0), p("b", 100.0, 110.0), p("c", 1000.0, 1100.0), p("d", 5.0, 5.5)],
                d,
                Some((0.0, 0.0)),
                vec![],
            ),
            (
                // r 1 1 1 1 1.01: med = 1; E 0 0 0 0 (0.01 × 101 = 1.01); Q1 = med = Q3 = 0
                // (positions 1, 2, 3): the interval is the point 0 and a 1% change is an outlier
                "ties: four of five unchanged shrink the interval to a point",
                vec![
                    p("a", 100.0, 100.0),
                    p("b", 400.0, 400.0),
                    p("c", 900.0, 900.0),
                    p("d", 1600.0, 1600.0),
                    p("e", 10100.0, 10201.0),
                ],
                d,
                Some((0.0, 0.0)),
                vec![("e", Side::High)],
            ),
            (
                // the same without d: E 0 0 0 1.01; Q1 at 0.75 = 0, med at 1.5 = 0,
                // Q3 at 2.25 = 0 + 0.25 × 1.01; high = 4 × 0.2525 = 1.01: on the bound, not beyond
                "ties: three of four unchanged leave the fourth exactly on the bound",
                vec![p("a", 100.0, 100.0), p("b", 400.0, 400.0), p("c", 900.0, 900.0), p("e", 10100.0, 10201.0)],
                d,
                Some((0.0, 1.01)),
                vec![],
            ),
            (
                // r 2 2.5 3: three regions are too few
                "fewer than four regions: no verdict",
                vec![p("a", 1.0, 2.0), p("b", 10.0, 25.0), p("c", 10000.0, 30000.0)],
                d,
                None,
                vec![],
            ),
            (
                // the zero base, the zero now, the negative and the missing figure leave four
                // regions out; the three left are too few
                "a zero base, a fall to zero, a negative and a missing figure take no part",
                vec![
                    p("a", 0.0, 5.0),
                    p("b", 10.0, 0.0),
                    p("c", -10.0, 5.0),
                    Pair { region: "d", now: Some(5.0), last_year: None },
                    p("e", 10.0, 11.0),
                    p("f", 100.0, 110.0),
                    p("g", 1000.0, 1100.0),
                ],
                d,
                None,
                vec![],
            ),
        ];
        for (name, pairs, params, bounds, want) in cases {
            let outcome = hb(&pairs, params);
            match (outcome.bounds, bounds) {
                (Some(got), Some((low, high))) => {
                    assert!(close(got.low, low) && close(got.high, high), "{name}: {got:?}")
                }
                (got, want) => assert_eq!(got.is_none(), want.is_none(), "{name}: {got:?}"),
            }
            let flagged: Vec<(&str, Side)> = outcome.outliers().map(|s| (s.region, s.outlier.unwrap())).collect();
            assert_eq!(flagged, want, "{name}");
        }
    }

    proptest! {
        /// The upper bound is `d + 3(c − b)/2` at least, the lower `a − 3(c − b)/2` at most.
        #[test]
        fn four_regions_never_give_an_outlier_at_the_default_c(
            figures in proptest::collection::vec((1e-3..1e6_f64, 1e-3..1e6_f64), 4),
            u in 0.0..=1.0_f64,
        ) {
            let names = ["a", "b", "c", "d"];
            let pairs: Vec<Pair> =
                figures.iter().zip(names).map(|(&(last, now), region)| pair(region, last, now)).collect();
            let outcome = hb(&pairs, Params { u, ..Params::default() });
            prop_assert!(outcome.bounds.is_some());
            prop_assert_eq!(outcome.outliers().count(), 0, "{:?}", outcome);
        }
    }

    #[test]
    fn regions_left_out_are_named_with_their_reason_and_the_rest_still_get_a_verdict() {
        let pairs = [
            pair("zero-base", 0.0, 5.0),
            Pair { region: "missing", now: None, last_year: Some(5.0) },
            Pair { region: "nan", now: Some(f64::NAN), last_year: Some(5.0) },
            pair("negative", 10.0, -1.0),
        ];
        let mut all = towns();
        all.extend(pairs);
        let outcome = hb(&all, Params::default());
        assert_eq!(
            outcome.left_out,
            [
                ("zero-base", LeftOut::NotPositive),
                ("missing", LeftOut::Missing),
                ("nan", LeftOut::Missing),
                ("negative", LeftOut::NotPositive)
            ]
        );
        // the eight towns alone, as in the first test
        assert_eq!(outcome.outliers().map(|s| s.region).collect::<Vec<_>>(), ["big"]);
        // three regions: scored, but no verdict
        let few = hb(&towns()[..3], Params::default());
        assert_eq!((few.scores.len(), few.bounds, few.outliers().count()), (3, None, 0));
        // r 2.25 1.3 0.8: med = 1.3; small s = 2.25/1.3 − 1
        assert!(close(few.scores[0].deviation, 2.25 / 1.3 - 1.0), "{:?}", few.scores[0]);
        assert_eq!(hb(&[], Params::default()), Outcome { scores: vec![], left_out: vec![], bounds: None });
    }

    #[test]
    fn the_message_names_the_figures_their_ratio_and_the_peers_median() {
        let patents =
            Indicator { name: "专利申请量".into(), decimals: 0, ..indicator("patents", Mode::Ytd, None) };
        let rd = Indicator { name: "R&D经费支出".into(), ..indicator("rd", Mode::Ytd, None) };
        let firms =
            Indicator { name: "销售超亿元企业数".into(), decimals: 0, ..indicator("firms", Mode::Stock, None) };
        let outcome = hb(&towns(), Params::default());
        let bounds = outcome.bounds.unwrap();
        let score = |region: &str, outlier| Score {
            outlier,
            ..outcome.scores.iter().find(|s| s.region == region).unwrap().clone()
        };
        let cases = [
            (
                &patents,
                score("big", Some(Side::High)),
                "专利申请量累计值16900与上年同期13000之比为1.30，明显高于同级地区（比值中位数1.00，HB检验），请核实",
            ),
            (
                &rd,
                score("g", Some(Side::Low)),
                "R&D经费支出累计值80与上年同期100之比为0.80，明显低于同级地区（比值中位数1.00，HB检验），请核实",
            ),
            (
                &firms,
                score("small", Some(Side::High)),
                "销售超亿元企业数期末值9与上年同期4之比为2.25，明显高于同级地区（比值中位数1.00，HB检验），请核实",
            ),
        ];
        for (ind, score, want) in cases {
            assert_eq!(message(ind, &score, &bounds), want);
        }
        let w = warning(&patents, &score("big", Some(Side::High)), &bounds);
        assert_eq!((w.indicator.as_str(), w.code), ("patents", "hb_outlier"));
        // a figure with binary noise is written to the indicator's decimals
        let noisy = Score { now: 0.1 + 0.2, last_year: 0.2, ratio: 1.5, ..score("g", Some(Side::High)) };
        assert!(message(&rd, &noisy, &bounds).starts_with("R&D经费支出累计值0.3与上年同期0.2之比为1.50"));
    }
}
