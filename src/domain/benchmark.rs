//! A region against benchmark regions (SPEC §2.9): gap, ratio and rank by direction.

use serde::Serialize;

use super::indicator::Direction;
use super::number::tidy;
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

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub region: Ours,
    pub benchmarks: Vec<Theirs>,
    /// our rank among ourselves and the benchmarks with a figure (1 = best); null without a figure
    pub rank: Option<u32>,
    /// how many were ranked
    pub count: u32,
}

pub fn compare(direction: Direction, ours: Entry, theirs: Vec<Entry>) -> Comparison {
    let values: Vec<Option<f64>> = std::iter::once(ours.value).chain(theirs.iter().map(|t| t.value)).collect();
    let ranks = competition_ranks(&values, direction);
    let benchmarks = theirs
        .into_iter()
        .map(|t| {
            let pair = ours.value.zip(t.value);
            Theirs {
                gap: pair.map(|(a, b)| tidy(a - b)),
                ratio: pair.and_then(|(a, b)| (b != 0.0).then(|| tidy(a / b))),
                id: t.id,
                name: t.name,
                value: t.value,
                source: t.source,
            }
        })
        .collect();
    Comparison {
        rank: ranks[0],
        count: values.iter().flatten().count() as u32,
        region: Ours { id: ours.id, name: ours.name, value: ours.value },
        benchmarks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, value: Option<f64>) -> Entry {
        Entry { id: id.into(), name: id.to_uppercase(), value, source: Some(format!("{id}公报")) }
    }

    #[test]
    fn the_districts_rd_share_against_the_plans_benchmarks() {
        let c = compare(
            Direction::Higher,
            entry("district", Some(1.8)),
            vec![entry("kunshan", Some(1.9)), entry("jiangyin", Some(2.1)), entry("shenzhen", Some(3.3))],
        );
        assert_eq!((c.rank, c.count), (Some(4), 4));
        let gaps: Vec<Option<f64>> = c.benchmarks.iter().map(|b| b.gap).collect();
        assert_eq!(gaps, [Some(-0.1), Some(-0.3), Some(-1.5)]);
        assert_eq!(c.benchmarks[2].ratio, Some(tidy(1.8 / 3.3)));
        assert_eq!(c.benchmarks[0].source.as_deref(), Some("kunshan公报"));
    }

    #[test]
    fn missing_figures_are_left_out_of_the_ranking() {
        let c = compare(
            Direction::Lower,
            entry("d", Some(5.0)),
            vec![entry("a", Some(4.0)), entry("b", None), entry("z", Some(0.0))],
        );
        assert_eq!((c.rank, c.count), (Some(3), 3));
        assert_eq!(c.benchmarks[1].gap, None);
        assert_eq!(c.benchmarks[2].ratio, None, "ratio to zero");
        let none = compare(Direction::Higher, entry("d", None), vec![entry("a", Some(1.0))]);
        assert_eq!((none.rank, none.count), (None, 1));
    }
}
