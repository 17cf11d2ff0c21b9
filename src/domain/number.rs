//! Presentation of computed numbers.

/// Removes binary floating-point noise from a computed figure (`0.1 + 0.2` → `0.3`) by keeping
/// 13 significant digits, far more than any statistic carries and far fewer than the noise.
pub fn tidy(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    // x = n × 10^shift with n a 13-digit integer. Powers of ten up to 10^22 are exact doubles, so
    // one division or multiplication by one rounds correctly to the double nearest n × 10^shift,
    // the same double as parsing the 13-digit decimal (without formatting one: a province's
    // answers tidy a hundred thousand figures). Scaling x itself is rounded, by up to about 0.002
    // at 13 digits: near a half that could round the other way, so there the text decides.
    let shift = x.abs().log10().floor() as i32 - 12;
    if !(-22..=22).contains(&shift) {
        return tidy_by_text(x);
    }
    let power = 10f64.powi(shift.abs());
    let scaled = if shift < 0 { x * power } else { x / power };
    // log10 may land a power of ten off next to one; near a half the text decides too
    if !(1e12..1e13).contains(&scaled.abs()) || (scaled.fract().abs() - 0.5).abs() < 0.01 {
        return tidy_by_text(x);
    }
    // Ties to even, as the decimal formatting rounds.
    if shift < 0 { scaled.round_ties_even() / power } else { scaled.round_ties_even() * power }
}

fn tidy_by_text(x: f64) -> f64 {
    format!("{x:.12e}").parse().unwrap_or(x)
}

/// A computed figure as it leaves the engine (SPEC §2.9): the indicator's `decimals` + 4 places,
/// then `tidy`, so that 1.9 − 1.8 is 0.1 and a 2-decimal ratio is not 2.667311062135.
pub fn tidy_figure(x: f64, decimals: u8) -> f64 {
    const EXTRA_PLACES: u8 = 4;
    round_to(x, decimals + EXTRA_PLACES)
}

/// Rounds half away from zero to `decimals` places, as statistical tables do.
pub fn round_to(x: f64, decimals: u8) -> f64 {
    let factor = 10f64.powi(i32::from(decimals));
    let scaled = x * factor;
    // Beyond 2^52 a double has no fraction left to round (and scaling back could only add noise).
    if !scaled.is_finite() || scaled.abs() >= 4.5e15 {
        return tidy(x);
    }
    tidy(scaled.round() / factor)
}

/// A computed share (completion 0.947, a ratio ours/theirs): 6 places, a ten-thousandth of a percent.
pub fn share(x: f64) -> f64 {
    round_to(x, 6)
}

/// A computed percentage (growth 8.2): 4 places.
pub fn percent(x: f64) -> f64 {
    round_to(x, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_their_decimals_and_four_more() {
        let cases = [
            (2.667311062135, 2, 2.667311),
            (1.9 - 1.8, 2, 0.1),
            (0.1000000000004, 2, 0.1),
            (-0.2999999999956, 1, -0.3),
            (9000.0, 0, 9000.0),
            (33356.8, 1, 33356.8),
            (1e15, 0, 1e15),
        ];
        for (input, decimals, want) in cases {
            assert_eq!(tidy_figure(input, decimals), want, "{input} at {decimals} decimals");
        }
    }

    #[test]
    fn tidy_removes_noise_only() {
        let cases = [
            (0.1 + 0.2, 0.3),
            (100.0 * 18.0 / 1000.0, 1.8),
            (1234567.891, 1234567.891),
            (-0.000123456, -0.000123456),
            (0.0, 0.0),
            (123456789.0123, 123456789.0123),
            (1234567890122.5, 1234567890122.0),
            (1234567890123.5, 1234567890124.0),
            (1e300 / 3.0, 3.333333333333e299),
            (1000000.0000025, 1000000.000003),
            (0.12345678901235, 0.1234567890123),
            (f64::from_bits(1000f64.to_bits() - 1), 1000.0),
            (9999999999999.4, 9999999999999.0),
        ];
        for (input, want) in cases {
            assert_eq!(tidy(input), want, "{input}");
        }
    }

    proptest::proptest! {
        /// The arithmetic agrees with the decimal text it replaces.
        #[test]
        fn tidy_is_the_nearest_13_digit_decimal(
            mantissa in -10_000_000_000_000i64..10_000_000_000_000,
            exponent in -30i32..30,
            noise in -3i64..=3,
        ) {
            // a 14th digit of 5 in half the cases: the values closest to a tie
            let mantissa = if mantissa % 2 == 0 { mantissa * 10 + 5 } else { mantissa };
            let x = mantissa as f64 * 10f64.powi(exponent);
            let x = f64::from_bits((x.to_bits() as i64 + noise) as u64);
            proptest::prop_assume!(x.is_finite() && x != 0.0);
            let text: f64 = format!("{x:.12e}").parse().unwrap();
            proptest::prop_assert_eq!(tidy(x), text, "{}", x);
        }
    }

    #[test]
    fn shares_and_percentages_keep_fixed_places() {
        let cases = [
            (share(13.5 / 19.0), 0.710526),
            (share(18.0 / 19.0), 0.947368),
            (share(1.8 / 1.9), 0.947368),
            (share(1.0), 1.0),
            (percent(100.0 * 0.08 / 1.72), 4.6512),
            (percent(100.0 * (3601.0 - 3319.0) / 3319.0), 8.4965),
            (percent(-0.2999999999956), -0.3),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn rounds_half_away_from_zero() {
        let cases =
            [(1.25, 1, 1.3), (1.35, 1, 1.4), (-1.25, 1, -1.3), (2.5, 0, 3.0), (71.0526, 1, 71.1), (3601.0, 0, 3601.0)];
        for (x, d, want) in cases {
            assert_eq!(round_to(x, d), want, "{x} to {d}");
        }
    }
}
