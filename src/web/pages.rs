//! The page handlers: each asks the engine for what it shows and renders a template.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::{OrPage, PageError, PageUser, STALE_PAGE, failed, render, render_noted};
use crate::app::AppState;
use crate::domain::period::reporting_quarter;
use crate::domain::submission::RawItem;
use crate::domain::{FieldError, Period, text};
use crate::engine::{self, entry::EntryForm};
use crate::error::{AppError, AppResult};

/// The query of a page. It never fails: a value that is not one (`?year=abc`, typed into a field)
/// is as if not given, and the page shows its default with a note saying so; a name given twice
/// counts the first time; names no page knows are ignored.
#[derive(Default)]
pub struct PageQuery {
    period: Option<String>,
    region: Option<String>,
    indicator: Option<String>,
    year: Option<i32>,
    /// how many figures were saved, for the entry form's message
    saved: Option<usize>,
    /// the first thing asked for that is not valid, for the note above the page
    wrong: Option<Wrong>,
}

enum Wrong {
    Year(String),
    Period(String),
}

impl PageQuery {
    fn parse(query: &str) -> PageQuery {
        let mut q = PageQuery::default();
        for (name, value) in super::first_values(query) {
            match name.as_str() {
                "period" => {
                    if !value.is_empty() && value.parse::<Period>().is_err() {
                        q.wrong.get_or_insert(Wrong::Period(value.clone()));
                    }
                    q.period = Some(value);
                }
                "region" => q.region = Some(value),
                "indicator" => q.indicator = Some(value),
                "year" => match value.parse::<i32>().ok().filter(|y| Period::from_parts(*y, 0).is_some()) {
                    Some(year) => q.year = Some(year),
                    None if value.is_empty() => {}
                    None => {
                        q.wrong.get_or_insert(Wrong::Year(value));
                    }
                },
                "saved" => q.saved = value.parse().ok(),
                _ => {}
            }
        }
        q
    }

    /// The note for a page that shows `shown` instead of what was asked.
    fn notice(&self, shown: &str) -> Option<String> {
        let cut = |text: &str| text.chars().take(20).collect::<String>();
        match &self.wrong {
            Some(Wrong::Year(y)) => Some(format!("“{}”不是可查看的年份（1900至2200年），已显示{shown}。", cut(y))),
            Some(Wrong::Period(p)) => {
                Some(format!("“{}”不是报告期（应为 YYYY 或 YYYYQn，如 2024Q1），已显示{shown}。", cut(p)))
            }
            None => None,
        }
    }
}

/// 2024年一季度, for a period as the pages carry it.
fn period_label(period: &str) -> String {
    period.parse::<Period>().map_or_else(|_| period.to_string(), |p| p.label())
}

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(PageQuery::parse(parts.uri.query().unwrap_or_default()))
    }
}

fn parse_period(text: Option<&str>) -> Option<Period> {
    text.and_then(|t| t.trim().parse::<Period>().ok())
}

pub async fn dashboard(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Result<Response, PageError> {
    let charts = state.named_charts.clone();
    let asked = parse_period(q.period.as_deref());
    let d = state.read(move |conn| engine::dashboard::summary(conn, asked, &charts)).await.or_page(&who)?;
    let notice = d.period.as_deref().and_then(|shown| q.notice(&period_label(shown)));
    Ok(render_noted("dashboard.html", Some(&who), "首页", &d, notice.as_deref()))
}

/// The entry form as the page shows it: the engine's form, and what the last save said.
#[derive(Serialize)]
struct EntryPage {
    #[serde(flatten)]
    form: EntryForm,
    saved: Option<usize>,
    warnings: Vec<crate::domain::submission::Warning>,
    errors: Vec<FieldError>,
    error: Option<String>,
}

impl EntryPage {
    fn of(form: EntryForm) -> EntryPage {
        EntryPage { form, saved: None, warnings: vec![], errors: vec![], error: None }
    }
}

async fn entry_form(
    state: &AppState,
    who: &PageUser,
    region: Option<String>,
    period: Period,
) -> Result<EntryForm, PageError> {
    let user = who.user.clone();
    state.read(move |conn| engine::entry::form(conn, &user, text::given(region.as_deref()), period)).await.or_page(who)
}

pub async fn entry(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Result<Response, PageError> {
    let period =
        parse_period(q.period.as_deref()).unwrap_or_else(|| reporting_quarter(engine::current_quarter()).into());
    let form = entry_form(&state, &who, q.region.clone(), period).await?;
    let notice = q.notice(&form.period_label);
    let page = EntryPage { saved: q.saved, ..EntryPage::of(form) };
    Ok(render_noted("entry.html", Some(&who), "数据填报", &page, notice.as_deref()))
}

/// The figures of the entry form: `v_<code>` the value (read as files are read: `1,234.5` and
/// full-width digits yes, `1,23` no), `c_<code>` its comment; empty fields are not submitted.
fn entered(form: &HashMap<String, String>) -> Result<Vec<(String, f64, Option<String>)>, AppError> {
    let mut values = Vec::new();
    let mut errors = Vec::new();
    let mut codes: Vec<&String> = form.keys().filter(|k| k.starts_with("v_")).collect();
    codes.sort();
    for key in codes {
        if text::visible(&form[key]).is_none() {
            continue;
        }
        let code = key.trim_start_matches("v_").to_string();
        match crate::transfer::parse_number(&form[key]) {
            Ok(v) => {
                let comment = text::given(form.get(&format!("c_{code}")).map(String::as_str)).map(str::to_string);
                values.push((code, v, comment));
            }
            Err(message) => errors.push(FieldError::new(code, message)),
        }
    }
    if errors.is_empty() { Ok(values) } else { Err(AppError::Invalid(errors)) }
}

pub async fn save_entry(
    State(state): State<AppState>,
    who: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if form.get("csrf") != Some(&who.csrf) {
        return Ok((StatusCode::FORBIDDEN, Html(STALE_PAGE)).into_response());
    }
    let region = form.get("region").cloned().unwrap_or_default();
    let Some(period) = parse_period(form.get("period").map(String::as_str)) else {
        return Err(PageError::new(Some(&who), AppError::invalid("period", "报告期应为 YYYY 或 YYYYQn，如 2024Q1")));
    };
    let saved = match entered(&form) {
        Ok(values) => {
            let (user, region) = (who.user.clone(), region.clone());
            state
                .write(move |conn| {
                    let items: Vec<RawItem> = values
                        .iter()
                        .map(|(c, v, comment)| RawItem { indicator: c, value: *v, comment: comment.as_deref() })
                        .collect();
                    let period = period.to_string();
                    engine::values::submit(conn, &user, &region, &period, &items, None, engine::current_quarter())
                })
                .await
        }
        Err(e) => Err(e),
    };
    let form = entry_form(&state, &who, Some(region), period).await?;
    match saved {
        Ok(outcome) => {
            let page = EntryPage { saved: Some(outcome.stored), warnings: outcome.warnings, ..EntryPage::of(form) };
            Ok(render("entry.html", Some(&who), "数据填报", &page))
        }
        // The form again, with what was typed refused and why.
        Err(e) => {
            let page = match &e {
                AppError::Invalid(errors) => EntryPage { errors: errors.clone(), ..EntryPage::of(form) },
                other => EntryPage { error: Some(other.public_message()), ..EntryPage::of(form) },
            };
            Ok(failed(render("entry.html", Some(&who), "数据填报", &page), &e))
        }
    }
}

#[derive(Serialize)]
struct TargetRow {
    region: String,
    region_name: String,
    indicator: String,
    indicator_name: String,
    unit: String,
    decimals: u8,
    value: f64,
    source: String,
}

#[derive(Serialize)]
struct TargetsPage {
    year: i32,
    rows: Vec<TargetRow>,
    regions: Vec<(String, String)>,
    parents: Vec<(String, String)>,
    indicators: Vec<(String, String, String)>,
}

pub async fn targets(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Result<Response, PageError> {
    let d = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            let year = engine::year_shown(conn, q.year)?;
            let region_order: Vec<&str> = world.tree.in_display_order().iter().map(|r| r.id.as_str()).collect();
            let indicator_order: Vec<&str> =
                world.indicators.in_display_order().iter().map(|i| i.code.as_str()).collect();
            let mut targets = engine::targets::list(conn, year, None, None)?;
            let position = |list: &[&str], key: &str| list.iter().position(|k| *k == key).unwrap_or(usize::MAX);
            targets.sort_by_key(|t| (position(&indicator_order, &t.indicator), position(&region_order, &t.region)));
            let rows = targets
                .into_iter()
                .filter_map(|t| {
                    let r = world.tree.get(&t.region)?;
                    let i = world.indicators.get(&t.indicator)?;
                    Some(TargetRow {
                        region: t.region.clone(),
                        region_name: r.name.clone(),
                        indicator: t.indicator.clone(),
                        indicator_name: i.name.clone(),
                        unit: i.unit.clone(),
                        decimals: i.decimals,
                        value: t.value,
                        source: engine::targets::source_label(&t.source),
                    })
                })
                .collect();
            let hierarchy: Vec<&crate::domain::Region> = world.tree.hierarchy();
            Ok(TargetsPage {
                year,
                rows,
                regions: hierarchy.iter().map(|r| (r.id.to_string(), r.name.clone())).collect(),
                parents: hierarchy
                    .iter()
                    .filter(|r| world.tree.has_children(r.id.as_str()))
                    .map(|r| (r.id.to_string(), r.name.clone()))
                    .collect(),
                indicators: world
                    .indicators
                    .in_display_order()
                    .iter()
                    .map(|i| (i.code.to_string(), i.name.clone(), i.mode.as_str().to_string()))
                    .collect(),
            })
        })
        .await
        .or_page(&who)?;
    Ok(render_noted("targets.html", Some(&who), "目标管理", &d, q.notice(&format!("{}年", d.year)).as_deref()))
}

#[derive(Serialize)]
struct BenchmarksPage {
    indicators: Vec<(String, String)>,
    indicator: String,
    period: String,
    decimals: u8,
    unit: String,
    /// none without a top region or an indicator
    comparison: Option<crate::domain::benchmark::Comparison>,
    /// for a ratio, what reaching each benchmark ahead would take (SPEC §13)
    what_ifs: Vec<engine::benchmarks::BenchmarkWhatIf>,
}

pub async fn benchmarks(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Result<Response, PageError> {
    let (asked_period, asked_indicator) = (q.period.clone(), q.indicator.clone());
    let d = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            let period = match parse_period(asked_period.as_deref()) {
                Some(p) => p,
                None => Period::Year(engine::benchmarks::year_shown(conn)?),
            };
            let nothing = BenchmarksPage {
                indicators: vec![],
                indicator: String::new(),
                period: period.to_string(),
                decimals: 0,
                unit: String::new(),
                comparison: None,
                what_ifs: vec![],
            };
            let Some(root) = world.tree.root() else { return Ok(nothing) };
            // the indicators shown for the top region; by default the one the benchmarks say most about
            let offered = world.indicators.shown_for(&world.tree, root.id.as_str(), Period::Year(period.year()));
            let indicator = match text::given(asked_indicator.as_deref()) {
                Some(code) => Some(code.to_string()),
                None => engine::benchmarks::most_compared(conn, &offered, period)?,
            };
            let Some(indicator) = indicator else { return Ok(nothing) };
            let ind = world.indicator(&indicator)?;
            let comparison = engine::benchmarks::benchmarks(conn, root.id.as_str(), &indicator, period, None)?;
            let what_ifs = engine::benchmarks::what_it_takes(conn, root.id.as_str(), &indicator, period, &comparison)?;
            Ok(BenchmarksPage {
                indicators: offered.iter().map(|i| (i.code.to_string(), i.name.clone())).collect(),
                decimals: ind.decimals,
                unit: ind.unit.clone(),
                indicator,
                period: period.to_string(),
                comparison: Some(comparison),
                what_ifs,
            })
        })
        .await
        .or_page(&who)?;
    Ok(render_noted("benchmarks.html", Some(&who), "对标分析", &d, q.notice(&period_label(&d.period)).as_deref()))
}

#[derive(Serialize)]
struct AssessmentPage {
    year: i32,
    result: Option<engine::assessments::Assessment>,
    items: Vec<(String, f64, &'static str)>,
}

pub async fn assessment(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Result<Response, PageError> {
    let d = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            let year = engine::assessments::year_shown(conn, q.year)?;
            match engine::assessments::result(conn, year) {
                Ok(mut result) => {
                    result.regions.sort_by_key(|r| r.rank);
                    let scheme = engine::assessments::scheme(conn, year)?;
                    let items = scheme
                        .items
                        .iter()
                        .map(|i| {
                            let name =
                                world.indicators.get(&i.indicator).map_or(i.indicator.clone(), |x| x.name.clone());
                            (name, i.weight, i.method.label())
                        })
                        .collect();
                    Ok(AssessmentPage { year, result: Some(result), items })
                }
                Err(AppError::NotFound(_)) => Ok(AssessmentPage { year, result: None, items: vec![] }),
                Err(e) => Err(e),
            }
        })
        .await
        .or_page(&who)?;
    Ok(render_noted("assessment.html", Some(&who), "年终考核", &d, q.notice(&format!("{}年", d.year)).as_deref()))
}

#[derive(Serialize)]
struct ReportsPage {
    has_regions: bool,
    quarters: Vec<(String, String)>,
    /// each year, and whether it has an assessment scheme (and so a report)
    years: Vec<(i32, bool)>,
}

pub async fn reports(State(state): State<AppState>, who: PageUser) -> Result<Response, PageError> {
    let d = state
        .read(|conn| {
            // reports are of the reporting tree: none before it has a region
            if engine::world(conn)?.tree.root().is_none() {
                return Ok(ReportsPage { has_regions: false, quarters: vec![], years: vec![] });
            }
            // the quarters up to the latest with figures; a database of annual figures has none
            let latest = engine::period_shown(conn, None)?;
            let quarters: Vec<(String, String)> = match latest {
                Period::Quarter(q) => std::iter::successors(Some(q), |q| q.previous())
                    .take(8)
                    .map(|q| (q.to_string(), q.ytd_label()))
                    .collect(),
                Period::Year(_) => vec![],
            };
            // an assessment report exists once the year has a scheme
            let years = (latest.year() - 2..=latest.year())
                .rev()
                .map(|y| match engine::assessments::scheme(conn, y) {
                    Ok(_) => Ok((y, true)),
                    Err(AppError::NotFound(_)) => Ok((y, false)),
                    Err(e) => Err(e),
                })
                .collect::<AppResult<_>>()?;
            Ok(ReportsPage { has_regions: true, quarters, years })
        })
        .await
        .or_page(&who)?;
    Ok(render("reports.html", Some(&who), "报表下载", &d))
}

#[derive(Serialize)]
struct CompletenessPage {
    period: String,
    period_label: String,
    rows: Vec<engine::completeness::RegionCompleteness>,
}

pub async fn completeness(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Result<Response, PageError> {
    let asked = parse_period(q.period.as_deref());
    let d = state
        .read(move |conn| {
            let period = engine::period_shown(conn, asked)?;
            Ok(CompletenessPage {
                period: period.to_string(),
                period_label: period.label(),
                rows: engine::completeness::for_period(conn, period, None)?,
            })
        })
        .await
        .or_page(&who)?;
    let notice = q.notice(&d.period_label);
    Ok(render_noted("completeness.html", Some(&who), "报送与审核", &d, notice.as_deref()))
}

#[derive(Serialize)]
struct AuditPage {
    region: Option<String>,
    indicator: Option<String>,
    period: Option<String>,
    regions: Vec<(String, String)>,
    indicators: Vec<(String, String)>,
    entries: Vec<super::audit::AuditRow>,
}

pub async fn audit(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Result<Response, PageError> {
    let user = who.user.clone();
    let d = state
        .read(move |conn| {
            let region = text::given(q.region.as_deref()).map(str::to_string);
            let indicator = text::given(q.indicator.as_deref()).map(str::to_string);
            let period = text::given(q.period.as_deref()).map(str::to_string);
            let filter = engine::audit::AuditFilter {
                region: region.as_deref(),
                indicator: indicator.as_deref(),
                period: period.as_deref(),
                limit: 200,
            };
            let world = engine::world(conn)?;
            let entries = engine::audit::query(conn, &user, &filter)?;
            Ok(AuditPage {
                regions: world.tree.in_display_order().iter().map(|r| (r.id.to_string(), r.name.clone())).collect(),
                indicators: world
                    .indicators
                    .in_display_order()
                    .iter()
                    .map(|i| (i.code.to_string(), i.name.clone()))
                    .collect(),
                entries: entries.iter().map(|e| super::audit::describe(e, &world)).collect(),
                region,
                indicator,
                period,
            })
        })
        .await
        .or_page(&who)?;
    Ok(render("audit.html", Some(&who), "修改记录", &d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_query_never_fails_and_notes_what_it_could_not_show() {
        let year = "“abc”不是可查看的年份（1900至2200年），已显示2023年。";
        let period = "“2023Q5”不是报告期（应为 YYYY 或 YYYYQn，如 2024Q1），已显示2023年。";
        for (query, want_year, want_period, want_saved, notice) in [
            ("", None, None, None, None),
            ("year=2023", Some(2023), None, None, None),
            ("year=%202023%20", Some(2023), None, None, None),
            ("year=", None, None, None, None),
            ("year=abc", None, None, None, Some(year)),
            (
                "year=99999999999",
                None,
                None,
                None,
                Some("“99999999999”不是可查看的年份（1900至2200年），已显示2023年。"),
            ),
            ("year=1899", None, None, None, Some("“1899”不是可查看的年份（1900至2200年），已显示2023年。")),
            ("year=2201", None, None, None, Some("“2201”不是可查看的年份（1900至2200年），已显示2023年。")),
            ("year=2023&year=abc", Some(2023), None, None, None),
            ("year=abc&year=2023", None, None, None, Some(year)),
            ("period=2023Q5", None, Some("2023Q5"), None, Some(period)),
            ("period=&period=2023Q5", None, Some(""), None, None),
            ("saved=3", None, None, Some(3), None),
            ("saved=abc", None, None, None, None),
            ("saved=-1", None, None, None, None),
            ("other=1&year=%FF", None, None, None, Some("“\u{fffd}”不是可查看的年份（1900至2200年），已显示2023年。")),
        ] {
            let q = PageQuery::parse(query);
            assert_eq!(q.year, want_year, "{query}");
            assert_eq!(q.period.as_deref(), want_period, "{query}");
            assert_eq!(q.saved, want_saved, "{query}");
            assert_eq!(q.notice("2023年").as_deref(), notice, "{query}");
        }
        let long = PageQuery::parse(&format!("year={}", "9".repeat(100)));
        assert!(
            long.notice("2023年").unwrap().starts_with(&format!("“{}”不是", "9".repeat(20))),
            "cut to 20 characters"
        );
    }
}
