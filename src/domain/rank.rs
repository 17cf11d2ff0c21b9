//! Competition ranking ("1, 2, 2, 4"): a value's rank is one more than the number of values
//! strictly better than it. Values that are missing are not ranked and do not count.

use super::indicator::Direction;

/// Is `a` strictly better than `b` in `direction`?
pub fn better(direction: Direction, a: f64, b: f64) -> bool {
    match direction {
        Direction::Higher => a > b,
        Direction::Lower => a < b,
    }
}

/// The competition rank of each value among the present ones: sorted once, best first, a value's
/// rank is found by binary search (a province ranks 1,500 regions on 30 items).
pub fn competition_ranks(values: &[Option<f64>], direction: Direction) -> Vec<Option<u32>> {
    // (figures are never NaN; one would break the order the search relies on)
    let mut best_first: Vec<f64> = values.iter().flatten().copied().filter(|v| !v.is_nan()).collect();
    best_first.sort_by(|a, b| match direction {
        Direction::Higher => b.total_cmp(a),
        Direction::Lower => a.total_cmp(b),
    });
    values
        .iter()
        .map(|v| {
            let v = (*v)?;
            let ahead = best_first.partition_point(|other| better(direction, *other, v));
            Some(ahead as u32 + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ranking_cases() {
        use Direction::*;
        let cases: &[(&[Option<f64>], Direction, &[Option<u32>])] = &[
            (&[Some(3.0), Some(1.0), Some(2.0)], Higher, &[Some(1), Some(3), Some(2)]),
            (&[Some(3.0), Some(1.0), Some(2.0)], Lower, &[Some(3), Some(1), Some(2)]),
            (&[Some(5.0), Some(4.0), Some(4.0), Some(1.0)], Higher, &[Some(1), Some(2), Some(2), Some(4)]),
            (&[Some(1.0), None, Some(1.0)], Higher, &[Some(1), None, Some(1)]),
            (&[None, None], Higher, &[None, None]),
            (&[Some(1.0), Some(f64::INFINITY), Some(f64::NEG_INFINITY)], Higher, &[Some(2), Some(1), Some(3)]),
            (&[Some(1.0), Some(f64::INFINITY), Some(f64::NEG_INFINITY)], Lower, &[Some(2), Some(3), Some(1)]),
            (&[], Higher, &[]),
        ];
        for (values, direction, want) in cases {
            assert_eq!(competition_ranks(values, *direction), *want, "{values:?} {direction:?}");
        }
    }

    proptest! {
        /// Ranks start at 1, ties share a rank, and after k values ranked ahead comes rank k + 1.
        #[test]
        fn ranks_are_a_competition_ranking(
            values in proptest::collection::vec(proptest::option::of(0u8..6), 0..12),
            lower in any::<bool>(),
        ) {
            let direction = if lower { Direction::Lower } else { Direction::Higher };
            let values: Vec<Option<f64>> = values.into_iter().map(|v| v.map(f64::from)).collect();
            let ranks = competition_ranks(&values, direction);
            for (v, r) in values.iter().zip(&ranks) {
                prop_assert_eq!(v.is_some(), r.is_some());
                if let (Some(v), Some(r)) = (v, r) {
                    let ahead = values.iter().flatten().filter(|o| if lower { **o < *v } else { **o > *v }).count() as u32;
                    prop_assert_eq!(*r, ahead + 1);
                    for (w, s) in values.iter().zip(&ranks) {
                        if w == &Some(*v) { prop_assert_eq!(s, &Some(*r)); }
                    }
                }
            }
            if values.iter().any(Option::is_some) {
                prop_assert_eq!(ranks.iter().flatten().min(), Some(&1));
            }
        }
    }
}
