//! A region against benchmark regions: gap, ratio and rank by direction.

use serde::Serialize;

use super::indicator::Direction;
use super::number::{share, tidy_figure};
use super::rank::competition_ranks;

/// One region's figure, as the comparison takes it in.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub name: String,
    pub value: Option<f64>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ours {
    pub id: String,
    pub name: String,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Theirs {
    pub id: String,
    pub name: String,
    pub value: Option<f64>,
    /// ours − theirs
    pub gap: Option<f64>,
    /// ours / theirs
    pub ratio: Option<f64>,
    /// where the benchmark's figure comes from, e.g. a statistical bulletin
    pub source: Option<String>,
}

impl Theirs {
    /// Is this benchmark ahead of us, by the indicator's direction (a figure both have)?
    pub fn is_ahead(&self, direction: Direction) -> bool {
        self.gap.is_some_and(|gap| match direction {
            Direction::Higher => gap < 0.0,
            Direction::Lower => gap > 0.0,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub region: Ours,
    pub benchmarks: Vec<Theirs>,
    /// our rank among ourselves and the benchmarks with a figure (1 = best); null when we have no
    /// figure or no benchmark has one (nothing to be ranked against)
    pub rank: Option<u32>,
    /// how many were ranked, ourselves included; 0 when there is no rank
    pub count: u32,
}

/// Compares `ours` with `theirs` for an indicator of `direction` shown with `decimals`: gaps keep
/// 4 places more than the indicator (`number::tidy_figure`), ratios 6.
pub fn compare(direction: Direction, decimals: u8, ours: Entry, theirs: Vec<Entry>) -> Comparison {
    let values: Vec<Option<f64>> = std::iter::once(ours.value).chain(theirs.iter().map(|t| t.value)).collect();
    // A rank of one, with no benchmark figure to be ranked against, would say nothing.
    let ranked = ours.value.is_some() && theirs.iter().any(|t| t.value.is_some());
    let rank = if ranked { competition_ranks(&values, direction)[0] } else { None };
    let benchmarks = theirs
        .into_iter()
        .map(|t| {
            let pair = ours.value.zip(t.value);
            Theirs {
                gap: pair.map(|(a, b)| tidy_figure(a - b, decimals)),
                ratio: pair.and_then(|(a, b)| (b != 0.0).then(|| share(a / b))),
                id: t.id,
                name: t.name,
                value: t.value,
                source: t.source,
            }
        })
        .collect();
    Comparison {
        rank,
        count: if ranked { values.iter().flatten().count() as u32 } else { 0 },
        region: Ours { id: ours.id, name: ours.name, value: ours.value },
        benchmarks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_benchmark_is_ahead_by_the_indicators_direction() {
        let entry = |value| Entry { id: "x".into(), name: "X".into(), value, source: None };
        let ahead = |direction, ours, theirs| {
            compare(direction, 2, entry(Some(ours)), vec![entry(theirs)]).benchmarks[0].is_ahead(direction)
        };
        assert!(ahead(Direction::Higher, 1.8, Some(2.1)));
        assert!(!ahead(Direction::Higher, 1.8, Some(1.8)), "level is not ahead");
        assert!(!ahead(Direction::Higher, 1.8, Some(1.5)));
        assert!(ahead(Direction::Lower, 40.0, Some(25.0)), "fewer is better");
        assert!(!ahead(Direction::Lower, 20.0, Some(25.0)));
        assert!(!ahead(Direction::Higher, 1.8, None), "no figure, no gap");
    }

    fn entry(id: &str, value: Option<f64>) -> Entry {
        Entry { id: id.into(), name: id.to_uppercase(), value, source: Some(format!("{id}公报")) }
    }

    #[test]
    fn the_districts_rd_share_against_the_plans_benchmarks() {
        let c = compare(
            Direction::Higher,
            2,
            entry("district", Some(1.8)),
            vec![entry("kunshan", Some(1.9)), entry("jiangyin", Some(2.1)), entry("shenzhen", Some(3.3))],
        );
        assert_eq!((c.rank, c.count), (Some(4), 4));
        let gaps: Vec<Option<f64>> = c.benchmarks.iter().map(|b| b.gap).collect();
        assert_eq!(gaps, [Some(-0.1), Some(-0.3), Some(-1.5)]);
        assert_eq!(c.benchmarks[2].ratio, Some(0.545455));
        assert_eq!(c.benchmarks[0].source.as_deref(), Some("kunshan公报"));
    }

    #[test]
    fn missing_figures_are_left_out_of_the_ranking() {
        let c = compare(
            Direction::Lower,
            0,
            entry("d", Some(5.0)),
            vec![entry("a", Some(4.0)), entry("b", None), entry("z", Some(0.0))],
        );
        assert_eq!((c.rank, c.count), (Some(3), 3));
        assert_eq!(c.benchmarks[1].gap, None);
        assert_eq!(c.benchmarks[2].ratio, None, "ratio to zero");
    }

    #[test]
    fn without_a_figure_on_both_sides_there_is_no_rank() {
        // (ours, theirs, rank, count)
        let cases: &[(Option<f64>, &[Option<f64>], Option<u32>, u32)] = &[
            // at a quarter the benchmarks have only annual figures: nothing to rank against
            (Some(1.8), &[None, None, None], None, 0),
            (None, &[Some(1.9), Some(2.1)], None, 0),
            (None, &[None], None, 0),
            (Some(1.8), &[], None, 0),
            (Some(1.8), &[None, Some(2.1)], Some(2), 2),
            (Some(2.2), &[None, Some(2.1)], Some(1), 2),
        ];
        for (ours, theirs, rank, count) in cases {
            let theirs = theirs.iter().enumerate().map(|(i, v)| entry(&format!("b{i}"), *v)).collect();
            let c = compare(Direction::Higher, 2, entry("d", *ours), theirs);
            assert_eq!((c.rank, c.count), (*rank, *count), "{ours:?} against {:?}", c.benchmarks);
        }
    }

    #[test]
    fn gaps_and_ratios_carry_no_float_noise() {
        let c = compare(
            Direction::Higher,
            2,
            entry("d", Some(2.667311)),
            vec![entry("a", Some(2.567311)), entry("b", Some(2.9673110000044)), entry("c", Some(1.9))],
        );
        let got: Vec<(Option<f64>, Option<f64>)> = c.benchmarks.iter().map(|b| (b.gap, b.ratio)).collect();
        assert_eq!(got, [(Some(0.1), Some(1.038951)), (Some(-0.3), Some(0.898898)), (Some(0.767311), Some(1.403848))]);
    }
}
