//! The template filters of pages and reports: numbers and moments as people read them, by the
//! domain's rules (`domain::number`, `domain::period`). A figure in a table has its
//! indicator's decimals (`26.50`); a figure a person typed is written back as typed (`9000`, not
//! `9000.0`), so that saving a form again changes nothing; moments are Beijing time.

use minijinja::Environment;

use crate::domain::number::{fixed, plain};
use crate::domain::period::in_beijing;

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
        Some(s) => crate::domain::number::share_percent(s),
        None => "—".into(),
    });
}

/// A stored moment (RFC 3339, UTC) as the bureau reads it: Beijing time, `2023-10-12 09:30`.
pub fn beijing_time(at: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    Some(in_beijing(&t).format("%Y-%m-%d %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
