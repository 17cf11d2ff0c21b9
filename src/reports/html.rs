//! HTML reports from the templates in `templates/reports/`, embedded in the binary: self-contained
//! (styles and SVG charts inline), printable on A4.

use std::sync::LazyLock;

use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use super::ReportChart;
use crate::charts::model::format_value;
use crate::domain::number::round_to;
use crate::error::{AppError, AppResult};

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../../templates/reports/base.html")),
        ("bulletin.html", include_str!("../../templates/reports/bulletin.html")),
        ("assessment.html", include_str!("../../templates/reports/assessment.html")),
        ("completeness.html", include_str!("../../templates/reports/completeness.html")),
    ] {
        env.add_template(name, source).expect("report templates parse");
    }
    // A figure with its decimals (as a table column shows them), or a dash for a missing one.
    env.add_filter("num", |value: Option<f64>, decimals: Option<u8>| match value {
        Some(v) => format_value(round_to(v, decimals.unwrap_or(2)), decimals.unwrap_or(2)),
        None => "—".into(),
    });
    // A stored moment in Beijing time, or a dash.
    env.add_filter("when", |at: Option<String>| {
        at.as_deref().and_then(super::beijing_time).unwrap_or_else(|| "—".into())
    });
    // A share as a percentage: 0.947 → 94.7%.
    env.add_filter("pct", |share: Option<f64>| match share {
        Some(s) => format!("{:.1}%", round_to(100.0 * s, 1)),
        None => "—".into(),
    });
    env
});

pub fn render<T: Serialize>(template: &str, report: &T, charts: &[ReportChart]) -> AppResult<String> {
    let generated = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset"))
        .format("%Y年%m月%d日")
        .to_string();
    TEMPLATES
        .get_template(template)
        .and_then(|t| t.render(context! { r => Value::from(Serde(report)), charts => Value::from(Serde(charts)), generated => generated }))
        .map_err(|e| AppError::Internal(format!("rendering {template}: {e:#}")))
}
