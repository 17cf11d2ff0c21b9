//! Computed numbers and how they are written for people: one set of rules for the tables, the
//! charts, the sentences of a bulletin and the explanations of an assessment.

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

/// A computed figure as it leaves the calculator: the indicator's `decimals` + 4 places,
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

/// A figure with `decimals` places, rounded half away from zero, as tables and charts print it:
/// `26.5` with 2 → `26.50`.
pub fn fixed(value: f64, decimals: u8) -> String {
    let rounded = round_to(value, decimals);
    // `-0.00` reads as a negative figure that is not there.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{:.*}", usize::from(decimals), rounded)
}

/// A figure rounded to `decimals` places at most, without trailing zeros, as a sentence says it:
/// `18.0` with 2 → `18`, `13.456` with 2 → `13.46`.
pub fn trimmed(value: f64, decimals: u8) -> String {
    let text = format!("{:.*}", usize::from(decimals), round_to(value, decimals));
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// A stored figure as a person would type it: no trailing `.0`, no binary noise, every digit that
/// was entered (`9000`, `0.4`, `1.2345`).
pub fn plain(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let value = tidy(value);
    let value = if value == 0.0 { 0.0 } else { value };
    // Rust writes the shortest text that reads back as the same double, never with an exponent.
    format!("{value}")
}

/// A figure with its unit, as typed: `9000 件`, `2.1%`.
pub fn with_unit(value: f64, unit: &str) -> String {
    match unit {
        "" => plain(value),
        "%" => format!("{}%", plain(value)),
        unit => format!("{} {unit}", plain(value)),
    }
}

/// A figure's heading, its name with its unit: `R&D经费支出（亿元）`; a count without a unit is
/// named bare.
pub fn heading(name: &str, unit: &str) -> String {
    if unit.is_empty() { name.to_string() } else { format!("{name}（{unit}）") }
}

/// A share (a completion, an expected pace) as a percentage with one decimal: 0.9474 → `94.7%`.
pub fn share_percent(share: f64) -> String {
    format!("{:.1}%", round_to(100.0 * share, 1))
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

    #[test]
    fn figures_in_tables_have_the_indicators_decimals() {
        for (value, decimals, want) in [
            (26.5, 2, "26.50"),
            (9000.0, 0, "9000"),
            (2.667311062135, 2, "2.67"),
            (0.125, 2, "0.13"),
            (-0.001, 2, "0.00"),
            (-3.456, 1, "-3.5"),
            (0.1 + 0.2, 1, "0.3"),
        ] {
            assert_eq!(fixed(value, decimals), want, "{value} with {decimals} places");
        }
    }

    #[test]
    fn sentences_drop_trailing_zeros() {
        for (value, decimals, want) in [
            (18.0, 2, "18"),
            (13.456, 2, "13.46"),
            (3601.0, 0, "3601"),
            (450.125, 2, "450.13"),
            (0.1 + 0.2, 4, "0.3"),
            (-2.5, 1, "-2.5"),
            (120.0, 2, "120"),
        ] {
            assert_eq!(trimmed(value, decimals), want, "{value} with {decimals} places");
        }
    }

    #[test]
    fn a_typed_figure_reads_back_as_typed() {
        for (value, want) in [
            (9000.0, "9000"),
            (0.4, "0.4"),
            (1.2345, "1.2345"),
            (-12.0, "-12"),
            (-0.0, "0"),
            (0.1 + 0.2, "0.3"),
            (1e15, "1000000000000000"),
            (f64::NAN, "—"),
        ] {
            assert_eq!(plain(value), want, "{value}");
        }
    }

    #[test]
    fn a_unit_follows_the_figure() {
        for (value, unit, want) in
            [(9000.0, "件", "9000 件"), (2.1, "%", "2.1%"), (3.0, "", "3"), (0.5, "亿元", "0.5 亿元")]
        {
            assert_eq!(with_unit(value, unit), want, "{value} {unit}");
        }
    }

    #[test]
    fn a_heading_names_the_unit() {
        for (name, unit, want) in [
            ("R&D经费支出", "亿元", "R&D经费支出（亿元）"),
            ("专利申请量", "件", "专利申请量（件）"),
            ("企业数", "", "企业数"),
        ] {
            assert_eq!(heading(name, unit), want);
        }
    }

    #[test]
    fn shares_read_as_percentages_with_one_decimal() {
        for (share, want) in
            [(0.9474, "94.7%"), (1.0, "100.0%"), (0.0, "0.0%"), (18.0 / 19.0, "94.7%"), (1.2345, "123.5%")]
        {
            assert_eq!(share_percent(share), want, "{share}");
        }
    }
}
