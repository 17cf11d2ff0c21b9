//! HTML reports from the templates in `templates/reports/`, embedded in the binary: self-contained
//! (styles and SVG charts inline), printable on A4.

use std::sync::LazyLock;

use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use super::ReportChart;
use crate::error::{AppError, AppResult};

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../../templates/reports/base.html")),
        ("bulletin.html", include_str!("../../templates/reports/bulletin.html")),
        ("assessment.html", include_str!("../../templates/reports/assessment.html")),
        ("completeness.html", include_str!("../../templates/reports/completeness.html")),
        ("rectification.html", include_str!("../../templates/reports/rectification.html")),
    ] {
        env.add_template(name, source).expect("report templates parse");
    }
    super::format::add_filters(&mut env);
    env
});

/// The report as HTML, its charts drawn as inline SVG.
pub fn render<T: Serialize>(template: &str, report: &T, charts: &[crate::charts::Chart]) -> AppResult<String> {
    let charts = charts.iter().map(ReportChart::draw).collect::<AppResult<Vec<_>>>()?;
    let generated = crate::domain::period::in_beijing(&chrono::Utc::now()).format("%Y年%m月%d日").to_string();
    TEMPLATES
        .get_template(template)
        .and_then(|t| t.render(context! { r => Value::from(Serde(report)), charts => Value::from(Serde(&charts)), generated => generated }))
        .map_err(|e| AppError::Internal(format!("rendering {template}: {e:#}")))
}
