//! Splitting a whole into parts that add up exactly: the largest-remainder method.

/// Splits `total` units among parts in proportion to `weights`. Each part gets the floor of its
/// quota; the units left over go one each to the largest remainders, equal remainders to the
/// larger weight, then to the part whose key is smaller. The parts add up to `total` exactly.
///
/// Returns `None` when there are no parts, a weight is negative or not finite, or all weights are 0.
pub fn largest_remainder(total: i64, weights: &[f64], keys: &[&str]) -> Option<Vec<i64>> {
    debug_assert_eq!(weights.len(), keys.len());
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || weights.iter().any(|w| !w.is_finite() || *w < 0.0) || sum <= 0.0 || !sum.is_finite() {
        return None;
    }
    // Negative totals (e.g. a reduction target) split like positive ones, then flip sign.
    let sign = total.signum();
    let units = total.unsigned_abs() as f64;
    let quotas: Vec<f64> = weights.iter().map(|w| units * w / sum).collect();
    let mut parts: Vec<i64> = quotas.iter().map(|q| q.floor() as i64).collect();
    let handed_out: i64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let rem = |i: usize| quotas[i] - quotas[i].floor();
        rem(b).total_cmp(&rem(a)).then(weights[b].total_cmp(&weights[a])).then(keys[a].cmp(keys[b]))
    });
    let mut left = total.abs() - handed_out;
    // Floating-point quotas can floor one unit high; take such units back from the smallest remainders.
    for &i in order.iter().rev().cycle() {
        if left >= 0 {
            break;
        }
        if parts[i] > 0 {
            parts[i] -= 1;
            left += 1;
        }
    }
    for &i in order.iter().cycle().take(left as usize) {
        parts[i] += 1;
    }
    Some(parts.into_iter().map(|p| p * sign).collect())
}

/// A double holds any decimal of up to 15 significant digits so that it reads back the same; past
/// that, parts could no longer be shown to add up exactly.
pub const MAX_UNITS: f64 = 999_999_999_999_999.0;

/// A decimal amount in whole units of `10^-decimals`; `None` when it has too many to count exactly.
pub fn to_units(x: f64, decimals: u8) -> Option<i64> {
    let units = (x * 10f64.powi(i32::from(decimals))).round();
    (units.is_finite() && units.abs() <= MAX_UNITS).then_some(units as i64)
}

/// The amount of `units` of `10^-decimals`: the double nearest to the decimal, since IEEE division
/// of two exactly held integers is correctly rounded.
pub fn from_units(units: i64, decimals: u8) -> f64 {
    units as f64 / 10f64.powi(i32::from(decimals))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn split_cases() {
        type Case<'a> = (&'a str, i64, &'a [f64], &'a [&'a str], Option<&'a [i64]>);
        let cases: &[Case] = &[
            ("even", 100, &[1.0, 1.0], &["a", "b"], Some(&[50, 50])),
            ("remainder to the largest fraction", 100, &[1.0, 1.0, 1.0], &["a", "b", "c"], Some(&[34, 33, 33])),
            ("equal remainders go to the smaller key", 100, &[1.0, 1.0, 1.0], &["c", "b", "a"], Some(&[33, 33, 34])),
            // 1.25 and 3.75: no tie, the larger remainder wins
            ("the larger remainder first", 5, &[1.0, 3.0], &["a", "b"], Some(&[1, 4])),
            ("the larger remainder first, whatever the weight", 5, &[3.0, 1.0], &["a", "b"], Some(&[4, 1])),
            // 0.5 and 1.5: a tie, which the larger weight wins over the smaller key
            ("equal remainders go to the larger weight first", 2, &[1.0, 3.0], &["a", "b"], Some(&[0, 2])),
            ("equal remainders go to the larger weight first", 2, &[3.0, 1.0], &["b", "a"], Some(&[2, 0])),
            // 0.5, 0.5 and 1.0 of equal weights: the two halves tie on weight too, the smaller key wins
            (
                "equal remainders and weights go to the smaller key",
                2,
                &[1.0, 1.0, 2.0],
                &["b", "a", "c"],
                Some(&[0, 1, 1]),
            ),
            ("proportional", 1900, &[3.0, 5.0, 11.0], &["a", "b", "c"], Some(&[300, 500, 1100])),
            ("zero weight gets nothing", 10, &[0.0, 2.0, 1.0], &["a", "b", "c"], Some(&[0, 7, 3])),
            ("negative total", -100, &[1.0, 1.0, 1.0], &["a", "b", "c"], Some(&[-34, -33, -33])),
            ("all zero", 10, &[0.0, 0.0], &["a", "b"], None),
            ("negative weight", 10, &[-1.0, 2.0], &["a", "b"], None),
            ("no parts", 10, &[], &[], None),
        ];
        for (name, total, weights, keys, want) in cases {
            assert_eq!(largest_remainder(*total, weights, keys).as_deref(), *want, "{name}");
        }
    }

    #[test]
    fn units_round_trip() {
        assert_eq!(to_units(19.0, 2), Some(1900));
        assert_eq!(to_units(0.29, 2), Some(29));
        assert_eq!(to_units(98765432.123457, 6), Some(98765432123457));
        assert_eq!(to_units(1e10, 6), None, "16 digits");
        assert_eq!(to_units(1e17, 2), None);
        assert_eq!(to_units(f64::NAN, 0), None);
        assert_eq!(from_units(1333, 2), 13.33);
        assert_eq!(from_units(98765432123457, 6), 98765432.123457);
    }

    proptest! {
        #[test]
        fn parts_add_up_exactly_and_are_never_negative(
            total in 0i64..9_007_199_254_740_992,
            weights in proptest::collection::vec(0.0f64..1e6, 1..40),
        ) {
            prop_assume!(weights.iter().sum::<f64>() > 0.0);
            let keys: Vec<String> = (0..weights.len()).map(|i| format!("r{i:03}")).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let parts = largest_remainder(total, &weights, &keys).unwrap();
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            prop_assert!(parts.iter().all(|p| *p >= 0));
        }

        /// The quota rule: each part is its exact share rounded down or up, never further off.
        /// Whole weights make the share `total × w / Σw` exact in integers.
        #[test]
        fn each_part_is_within_one_unit_of_its_exact_share(
            total in -(MAX_UNITS as i64)..=MAX_UNITS as i64,
            weights in proptest::collection::vec(0u32..1_000_000, 1..40),
        ) {
            let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            prop_assume!(sum > 0);
            let keys: Vec<String> = (0..weights.len()).map(|i| format!("r{i:03}")).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let as_f64: Vec<f64> = weights.iter().map(|w| f64::from(*w)).collect();
            let parts = largest_remainder(total, &as_f64, &keys).unwrap();
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            for (part, w) in parts.iter().zip(&weights) {
                // |part − total × w / Σw| < 1, multiplied through by Σw
                let (part, share) = (i128::from(*part) * sum, i128::from(total) * i128::from(*w));
                prop_assert!((part - share).abs() < sum, "{:?} of {} by {:?}", parts, total, weights);
            }
        }
    }
}
