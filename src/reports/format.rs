//! How pages and reports write numbers and moments for people: one place, used by both template
//! environments' filters, the XLSX sheets and the audit rows. A figure in a table has its
//! indicator's decimals (`26.50`); a figure a person typed is written back as typed (`9000`, not
//! `9000.0`), so that saving a form again changes nothing; moments are Beijing time.

use minijinja::Environment;

use crate::domain::number::{round_to, tidy};

/// The filters every template may use: `num(decimals)`, `plain`, `when`, `pct`.
pub fn add_filters(env: &mut Environment<'_>) {
    // A figure in a table, with the indicator's decimals: `{{ r.actual|num(r.decimals) }}`.
    env.add_filter("num", |value: Option<f64>, decimals: Option<u8>| match value {
        Some(v) => fixed(v, decimals.unwrap_or(2)),
        None => "—".into(),
    });
    // A figure as typed, for form fields and weights: `9000`, not `9000.0`.
    env.add_filter("plain", |value: Option<f64>| value.map(plain).unwrap_or_default());
    env.add_filter("when", |at: Option<String>| at.as_deref().and_then(beijing_time).unwrap_or_else(|| "—".into()));
    // A share as a percentage: 0.947 → 94.7%.
    env.add_filter("pct", |share: Option<f64>| match share {
        Some(s) => crate::charts::model::format_share(s),
        None => "—".into(),
    });
}

/// A stored moment (RFC 3339, UTC) as the bureau reads it: Beijing time, `2023-10-12 09:30`.
pub fn beijing_time(at: &str) -> Option<String> {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600)?;
    let t = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    Some(t.with_timezone(&beijing).format("%Y-%m-%d %H:%M").to_string())
}

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
    fn moments_are_shown_in_beijing_time() {
        let cases = [
            ("2026-11-29T15:01:33.495Z", Some("2026-11-29 23:01")),
            ("2023-12-31T16:00:00+00:00", Some("2024-01-01 00:00")),
            ("yesterday", None),
        ];
        for (at, want) in cases {
            assert_eq!(beijing_time(at).as_deref(), want, "{at}");
        }
    }

    #[test]
    fn a_unit_follows_the_figure() {
        assert_eq!(with_unit(9000.0, "件"), "9000 件");
        assert_eq!(with_unit(2.1, "%"), "2.1%");
        assert_eq!(with_unit(3.0, ""), "3");
    }
}
