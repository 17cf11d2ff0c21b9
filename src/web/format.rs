//! How the pages write numbers: one place, used by the templates' filters and by the audit rows.
//! A figure in a table has its indicator's decimals (`26.50`); a figure a person typed is written
//! back as typed (`9000`, not `9000.0`), so that saving a form again changes nothing.

use crate::domain::number::{round_to, tidy};

/// A figure with `decimals` places, rounded half away from zero: `26.5` with 2 → `26.50`.
pub fn fixed(value: f64, decimals: u8) -> String {
    let rounded = round_to(value, decimals);
    // `-0.00` reads as a negative figure that is not there.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{:.*}", usize::from(decimals), rounded)
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(with_unit(9000.0, "件"), "9000 件");
        assert_eq!(with_unit(2.1, "%"), "2.1%");
        assert_eq!(with_unit(3.0, ""), "3");
    }
}
