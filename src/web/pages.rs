//! The page handlers: each asks the engine for what it shows and renders a template.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};

use super::{ClientAddress, PageUser, render, render_noted};
use crate::domain::progress::year_before;
use crate::domain::submission::RawItem;
use crate::domain::{FieldError, Frequency, Period, Quarter, RegionKind};
use crate::engine::users::LoginThrottle;
use crate::engine::{self, progress};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::extract::SESSION_COOKIE;
use crate::store;

const LOGIN_CSRF_COOKIE: &str = "zb_login";

/// A form sent without the CSRF token of its session (an old tab, a forged request).
const STALE_PAGE: &str = "页面已过期（缺少或不符的 CSRF 令牌），请返回刷新后重试。";

fn cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(super::secure_cookies())
        .build()
}

/// The cookie that removes `name`, with the attributes it was set with.
fn removal(name: &'static str) -> Cookie<'static> {
    cookie(name, String::new())
}

/// A page that could not be built: the message in Chinese, the status of the failure.
fn failure(who: &PageUser, e: crate::http::error::ApiError) -> Response {
    let status = e.status();
    let message = e.public_message();
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "page failed");
    }
    let mut page = render("dashboard.html", Some(who), "出错了", &serde_json::json!({"error": message}));
    *page.status_mut() = status;
    page
}

#[derive(Serialize)]
struct LoginPage {
    csrf: String,
    error: Option<String>,
}

pub async fn login_form(jar: CookieJar) -> (CookieJar, Response) {
    let csrf = random();
    let page = render("login.html", None, "登录", &LoginPage { csrf: csrf.clone(), error: None });
    (jar.add(cookie(LOGIN_CSRF_COOKIE, csrf)), page)
}

fn random() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

/// Signs in. The password is checked outside any transaction (argon2 is slow by design and must not
/// hold up anyone's writes), against a dummy hash for a name without one (as slow, so the time of
/// the answer tells no one which names exist); only the new session is written, in a short write.
/// Repeated attempts per account and per address are slowed down (`LoginThrottle`): 429 with
/// `Retry-After` while locked, whether the password is right or not.
pub async fn login(
    State(state): State<AppState>,
    Extension(throttle): Extension<Arc<LoginThrottle>>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let again = |status, error: String| {
        let csrf = random();
        let mut page = render("login.html", None, "登录", &LoginPage { csrf: csrf.clone(), error: Some(error) });
        *page.status_mut() = status;
        (jar.clone().add(cookie(LOGIN_CSRF_COOKIE, csrf)), page).into_response()
    };
    if jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value()) != Some(form.csrf.as_str()) {
        return again(StatusCode::UNAUTHORIZED, "页面已过期，请重新登录".into());
    }
    let name = form.name.trim().to_string();
    if let Err(wait) = throttle.begin(&name, address, Instant::now()) {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut page = again(StatusCode::TOO_MANY_REQUESTS, locked_message(seconds));
        page.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return page;
    }
    let found = {
        let name = name.clone();
        state.read(move |conn| engine::users::password_of(conn, &name)).await
    };
    let (user, hash) = match found {
        Ok(Some((user, hash))) => (Some(user), Some(hash)),
        Ok(None) => (None, None),
        Err(e) => return e.into_response(),
    };
    let password = form.password;
    let right = tokio::task::spawn_blocking(move || engine::users::verify_password(hash.as_deref(), &password))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|_| right) else {
        return again(StatusCode::UNAUTHORIZED, "用户名或密码错误".into());
    };
    throttle.succeeded(&name, address);
    match state.write(move |conn| engine::users::new_session(conn, &user)).await {
        Ok(session) => {
            let mut session_cookie = cookie(SESSION_COOKIE, session.token);
            session_cookie.set_max_age(time::Duration::hours(engine::users::SESSION_HOURS));
            (jar.remove(removal(LOGIN_CSRF_COOKIE)).add(session_cookie), Redirect::to("/")).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// 登录失败次数过多：请 N 秒（分钟）后再试.
fn locked_message(seconds: u64) -> String {
    let wait = if seconds < 60 { format!("{seconds} 秒") } else { format!("{} 分钟", seconds.div_ceil(60)) };
    format!("登录尝试过于频繁，已暂时锁定，请 {wait}后再试。")
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    who: PageUser,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    if form.csrf != who.csrf {
        return (StatusCode::FORBIDDEN, Html(STALE_PAGE)).into_response();
    }
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string())
        && let Err(e) = state.write(move |conn| engine::users::end_session(conn, &token)).await
    {
        return e.into_response();
    }
    (jar.remove(removal(SESSION_COOKIE)), Redirect::to("/login")).into_response()
}

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
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if seen.iter().any(|s| *s == name) {
                continue;
            }
            seen.push(name.to_string());
            let value = value.trim().to_string();
            match name.as_ref() {
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

/// An empty field of a page's filter form (`?region=`) filters nothing.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn parse_period(text: Option<&str>) -> Option<Period> {
    text.and_then(|t| t.trim().parse::<Period>().ok())
}

/// The root of the reporting tree (the district); none in a database without regions yet, whose
/// pages then say there is nothing to show rather than fail (SPEC §7).
fn root(world: &engine::World) -> Option<crate::domain::Region> {
    world.tree.root().cloned()
}

#[derive(Serialize)]
struct DashboardRow {
    name: String,
    unit: String,
    decimals: u8,
    #[serde(flatten)]
    progress: crate::domain::progress::Progress,
    status_label: &'static str,
    /// +4.3% or +0.11个百分点 (one rule, `YoyChange`)
    yoy: Option<String>,
    /// children that reported / all children
    coverage: Option<crate::domain::Coverage>,
    /// what the region's own published total leaves to no child (未分配/区本级)
    unallocated: Option<f64>,
}

#[derive(Serialize)]
struct Dashboard {
    region: String,
    period: Option<String>,
    period_label: Option<String>,
    rows: Vec<DashboardRow>,
    charts: Vec<crate::charts::named::NamedChart>,
}

pub async fn dashboard(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Response {
    let charts = state.named_charts.as_ref().clone();
    let asked = parse_period(q.period.as_deref());
    let data = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            // only the named charts this database has something to draw from
            let mut shown_charts = Vec::new();
            for chart in charts {
                if chart.spec.as_ref().map_or(Ok(false), |spec| engine::charts::has_data_for(conn, spec))? {
                    shown_charts.push(chart);
                }
            }
            let charts = shown_charts;
            // the named charts are of the district's indicators: none before it has a region
            let Some(root) = root(&world) else {
                return Ok(Dashboard {
                    region: String::new(),
                    period: None,
                    period_label: None,
                    rows: vec![],
                    charts: vec![],
                });
            };
            let Some(period) = asked.or(engine::latest_period(conn)?) else {
                return Ok(Dashboard { region: root.name, period: None, period_label: None, rows: vec![], charts });
            };
            let shown = world.indicators.shown_for(&world.tree, root.id.as_str(), period);
            let codes: Vec<&str> = shown.iter().map(|i| i.code.as_str()).collect();
            let rows = progress::rows(conn, &world, &[root.id.as_str()], &codes, period)?;
            let rows = rows
                .into_iter()
                .map(|r| {
                    let ind = world.indicator(&r.indicator)?;
                    Ok(DashboardRow {
                        name: ind.name.clone(),
                        unit: ind.unit.clone(),
                        decimals: ind.decimals,
                        status_label: r.progress.status.label(),
                        yoy: r.progress.yoy.map(|c| c.short(ind.decimals)),
                        progress: r.progress,
                        coverage: r.coverage,
                        unallocated: r.unallocated,
                    })
                })
                .collect::<AppResult<_>>()?;
            Ok(Dashboard {
                region: root.name,
                period: Some(period.to_string()),
                period_label: Some(match period {
                    Period::Quarter(q) => format!("{}累计", q.ytd_label()),
                    Period::Year(_) => period.label(),
                }),
                rows,
                charts,
            })
        })
        .await;
    match data {
        Ok(d) => {
            let notice = d.period.as_deref().and_then(|shown| q.notice(&period_label(shown)));
            render_noted("dashboard.html", Some(&who), "首页", &d, notice.as_deref())
        }
        Err(e) => failure(&who, e),
    }
}

#[derive(Serialize)]
struct EntryRow {
    code: String,
    name: String,
    unit: String,
    mode: &'static str,
    decimals: u8,
    last_year: Option<f64>,
    target: Option<f64>,
    value: Option<f64>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct EntryPage {
    regions: Vec<(String, String)>,
    region: String,
    region_name: String,
    period: String,
    period_label: String,
    /// a reporting region's quarter, which is submitted for review; a year's figures and a
    /// parent's own reported totals are not
    reviewed: bool,
    rows: Vec<EntryRow>,
    saved: Option<usize>,
    warnings: Vec<crate::domain::submission::Warning>,
    errors: Vec<FieldError>,
    error: Option<String>,
}

/// The entry form of `region` (default: the user's first reporting region) for `period`: a
/// quarter's quarterly figures, or a year's annual ones (`YYYY`). A region with children is in the
/// list for those who may write its own reported totals (§2.2).
fn entry_page(
    conn: &rusqlite::Connection,
    who: &crate::domain::access::User,
    region: Option<&str>,
    period: Period,
) -> AppResult<EntryPage> {
    let world = engine::world(conn)?;
    let writable: Vec<&crate::domain::Region> = world
        .tree
        .in_display_order()
        .into_iter()
        .filter(|r| r.kind != RegionKind::Benchmark && who.may_write_figures(&world.tree, r.id.as_str()))
        .collect();
    let is_parent = |id: &str| world.tree.has_children(id);
    let regions: Vec<(String, String)> = writable
        .iter()
        .map(|r| {
            let label =
                if is_parent(r.id.as_str()) { format!("{}（本级公布数）", r.name) } else { r.name.clone() };
            (r.id.to_string(), label)
        })
        .collect();
    let region = match given(region) {
        Some(r) if regions.iter().any(|(id, _)| id == r) => r.to_string(),
        Some(r) => {
            let name = world.tree.get(r).map_or(r, |known| known.name.as_str());
            return Err(AppError::Forbidden(format!("不能填报{name}的数据")));
        }
        None => match writable.iter().find(|r| !is_parent(r.id.as_str())).or(writable.first()) {
            Some(r) => r.id.to_string(),
            // a database without reporting regions yet: the page says so (SPEC §7)
            None => {
                return Ok(EntryPage {
                    regions,
                    region: String::new(),
                    region_name: String::new(),
                    period: period.to_string(),
                    period_label: period.label(),
                    reviewed: false,
                    rows: vec![],
                    saved: None,
                    warnings: vec![],
                    errors: vec![],
                    error: None,
                });
            }
        },
    };
    let stored = store::observations::list(conn, &region, period, None)?;
    let last = match year_before(period) {
        Some(p) => store::observations::list(conn, &region, p, None)?,
        None => vec![],
    };
    // A quarter's form holds the quarterly indicators, a year's the annual ones (§2.3).
    let (round, frequency) = match period {
        Period::Quarter(q) => (q, Frequency::Quarterly),
        Period::Year(_) => (period.round(), Frequency::Annual),
    };
    let mut rows = Vec::new();
    for ind in world.indicators.to_report(&world.tree, &region, round).into_iter().filter(|i| i.frequency == frequency)
    {
        let code = ind.code.as_str();
        let now = stored.iter().find(|v| v.indicator == code);
        rows.push(EntryRow {
            code: code.to_string(),
            name: ind.name.clone(),
            unit: ind.unit.clone(),
            mode: match frequency {
                Frequency::Quarterly => ind.mode.label(),
                Frequency::Annual => ind.frequency.label(),
            },
            decimals: ind.decimals,
            last_year: last.iter().find(|v| v.indicator == code).map(|v| v.value),
            target: store::targets::get(conn, &region, code, period.year())?.map(|t| t.value),
            value: now.map(|v| v.value),
            comment: now.and_then(|v| v.comment.clone()),
        });
    }
    Ok(EntryPage {
        region_name: world.region(&region)?.name.clone(),
        reviewed: period.as_quarter().is_some() && !is_parent(&region),
        regions,
        region,
        period: period.to_string(),
        period_label: period.label(),
        rows,
        saved: None,
        warnings: vec![],
        errors: vec![],
        error: None,
    })
}

fn default_entry_quarter() -> Quarter {
    // Figures are reported once a quarter is over.
    let current = engine::current_quarter();
    current.previous().unwrap_or(current)
}

pub async fn entry(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Response {
    let period = parse_period(q.period.as_deref()).unwrap_or_else(|| default_entry_quarter().into());
    let user = who.user.clone();
    let saved = q.saved;
    let region = q.region.clone();
    match state.read(move |conn| entry_page(conn, &user, region.as_deref(), period)).await {
        Ok(page) => {
            let notice = q.notice(&page.period_label);
            render_noted("entry.html", Some(&who), "数据填报", &EntryPage { saved, ..page }, notice.as_deref())
        }
        Err(e) => failure(&who, e),
    }
}

pub async fn save_entry(
    State(state): State<AppState>,
    who: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("csrf") != Some(&who.csrf) {
        return (StatusCode::FORBIDDEN, Html(STALE_PAGE)).into_response();
    }
    let region = form.get("region").cloned().unwrap_or_default();
    let period = form.get("period").cloned().unwrap_or_default();
    let Some(parsed) = parse_period(Some(&period)) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "报告期有误").into_response();
    };
    let user = who.user.clone();
    let chosen = region.clone();
    let result = state
        .write(move |conn| {
            let mut values: Vec<(String, f64, Option<String>)> = Vec::new();
            let mut errors = Vec::new();
            let mut codes: Vec<&String> = form.keys().filter(|k| k.starts_with("v_")).collect();
            codes.sort();
            for key in codes {
                if form[key].trim().is_empty() {
                    continue;
                }
                let code = key.trim_start_matches("v_").to_string();
                // as files are read: `1,234.5` and full-width digits yes, `1,23` no
                match crate::transfer::parse_number(&form[key]) {
                    Ok(v) => {
                        let comment =
                            form.get(&format!("c_{code}")).map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
                        values.push((code, v, comment));
                    }
                    Err(message) => errors.push(FieldError::new(code, message)),
                }
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            let items: Vec<RawItem> = values
                .iter()
                .map(|(c, v, comment)| RawItem { indicator: c, value: *v, comment: comment.as_deref() })
                .collect();
            let outcome =
                engine::values::submit(conn, &user, &region, &period, &items, None, engine::current_quarter())?;
            Ok((region, outcome))
        })
        .await;
    let user = who.user.clone();
    match result {
        Ok((region, outcome)) => match state.read(move |conn| entry_page(conn, &user, Some(&region), parsed)).await {
            Ok(page) => render(
                "entry.html",
                Some(&who),
                "数据填报",
                &EntryPage { saved: Some(outcome.stored), warnings: outcome.warnings, ..page },
            ),
            Err(e) => failure(&who, e),
        },
        Err(e) => {
            let status = e.status();
            let (errors, message) = match e {
                crate::http::error::ApiError::App(AppError::Invalid(errors)) => (errors, None),
                other => {
                    if status.is_server_error() {
                        tracing::error!(error = %other, "saving the entry form failed");
                    }
                    (vec![], Some(other.public_message()))
                }
            };
            match state.read(move |conn| entry_page(conn, &user, Some(&chosen), parsed)).await {
                Ok(page) => {
                    let mut response =
                        render("entry.html", Some(&who), "数据填报", &EntryPage { errors, error: message, ..page });
                    *response.status_mut() = status;
                    response
                }
                Err(e) => failure(&who, e),
            }
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

pub async fn targets(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Response {
    let data = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            let year = match q.year {
                Some(y) => y,
                None => engine::latest_quarter(conn)?.map_or_else(|| engine::current_quarter().year(), |q| q.year()),
            };
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
            let hierarchy: Vec<&crate::domain::Region> =
                world.tree.in_display_order().into_iter().filter(|r| r.kind != RegionKind::Benchmark).collect();
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
        .await;
    match data {
        Ok(d) => {
            render_noted("targets.html", Some(&who), "目标管理", &d, q.notice(&format!("{}年", d.year)).as_deref())
        }
        Err(e) => failure(&who, e),
    }
}

#[derive(Serialize)]
struct BenchmarksPage {
    indicators: Vec<(String, String)>,
    indicator: String,
    period: String,
    decimals: u8,
    unit: String,
    /// none without a district or an indicator
    comparison: Option<crate::domain::benchmark::Comparison>,
}

pub async fn benchmarks(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Response {
    let (asked_period, asked_indicator) = (q.period.clone(), q.indicator.clone());
    let data = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            let period = match parse_period(asked_period.as_deref()) {
                Some(p) => p,
                None => {
                    Period::Year(engine::latest_period(conn)?.map_or(engine::current_quarter().year(), |p| p.year()))
                }
            };
            // the indicators shown for the top region; by default one every region reports
            let offered = match root(&world) {
                Some(r) => world.indicators.shown_for(&world.tree, r.id.as_str(), Period::Year(period.year())),
                None => vec![],
            };
            let indicator = given(asked_indicator.as_deref()).map(str::to_string).or_else(|| {
                let share = offered.iter().find(|i| i.code.as_str() == "rd_share");
                let everywhere = offered.iter().find(|i| i.regions.is_none());
                share.or(everywhere).or(offered.first()).map(|i| i.code.to_string())
            });
            let (Some(root), Some(indicator)) = (root(&world), indicator) else {
                let nothing = BenchmarksPage {
                    indicators: vec![],
                    indicator: String::new(),
                    period: period.to_string(),
                    decimals: 0,
                    unit: String::new(),
                    comparison: None,
                };
                return Ok(nothing);
            };
            let ind = world.indicator(&indicator)?;
            let comparison = Some(engine::benchmarks::benchmarks(conn, root.id.as_str(), &indicator, period, None)?);
            Ok(BenchmarksPage {
                indicators: offered.iter().map(|i| (i.code.to_string(), i.name.clone())).collect(),
                decimals: ind.decimals,
                unit: ind.unit.clone(),
                indicator,
                period: period.to_string(),
                comparison,
            })
        })
        .await;
    match data {
        Ok(d) => {
            render_noted("benchmarks.html", Some(&who), "对标分析", &d, q.notice(&period_label(&d.period)).as_deref())
        }
        Err(e) => failure(&who, e),
    }
}

#[derive(Serialize)]
struct AssessmentPage {
    year: i32,
    result: Option<engine::assessments::Assessment>,
    items: Vec<(String, f64, &'static str)>,
}

pub async fn assessment(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Response {
    let data = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            let year = match q.year {
                Some(y) => y,
                None => engine::latest_quarter(conn)?.map_or(engine::current_quarter().year(), |q| q.year()),
            };
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
        .await;
    match data {
        Ok(d) => {
            render_noted("assessment.html", Some(&who), "年终考核", &d, q.notice(&format!("{}年", d.year)).as_deref())
        }
        Err(e) => failure(&who, e),
    }
}

#[derive(Serialize)]
struct ReportsPage {
    has_regions: bool,
    quarters: Vec<(String, String)>,
    /// each year, and whether it has an assessment scheme (and so a report)
    years: Vec<(i32, bool)>,
}

pub async fn reports(State(state): State<AppState>, who: PageUser) -> Response {
    let data = state
        .read(|conn| {
            // reports are of the reporting tree: none before it has a region
            if root(&*engine::world(conn)?).is_none() {
                return Ok(ReportsPage { has_regions: false, quarters: vec![], years: vec![] });
            }
            // the quarters up to the latest with figures; a database of annual figures has none
            let latest = engine::latest_period(conn)?.unwrap_or_else(|| engine::current_quarter().into());
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
        .await;
    match data {
        Ok(d) => render("reports.html", Some(&who), "报表下载", &d),
        Err(e) => failure(&who, e),
    }
}

#[derive(Serialize)]
struct CompletenessPage {
    period: String,
    period_label: String,
    rows: Vec<engine::completeness::RegionCompleteness>,
}

pub async fn completeness(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Response {
    let asked = parse_period(q.period.as_deref());
    let data = state
        .read(move |conn| {
            let period = match asked {
                Some(p) => p,
                None => engine::latest_quarter(conn)?.unwrap_or_else(default_entry_quarter).into(),
            };
            Ok(CompletenessPage {
                period: period.to_string(),
                period_label: period.label(),
                rows: engine::completeness::for_period(conn, period, None)?,
            })
        })
        .await;
    match data {
        Ok(d) => {
            let notice = q.notice(&d.period_label);
            render_noted("completeness.html", Some(&who), "报送与审核", &d, notice.as_deref())
        }
        Err(e) => failure(&who, e),
    }
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

pub async fn audit(State(state): State<AppState>, who: PageUser, q: PageQuery) -> Response {
    let data = state
        .read(move |conn| {
            let region = given(q.region.as_deref()).map(str::to_string);
            let indicator = given(q.indicator.as_deref()).map(str::to_string);
            let period = given(q.period.as_deref()).map(str::to_string);
            let filter = store::audit::AuditFilter {
                region: region.as_deref(),
                indicator: indicator.as_deref(),
                period: period.as_deref(),
                limit: 200,
            };
            let world = engine::world(conn)?;
            let entries = engine::audit::query(conn, &filter)?;
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
        .await;
    match data {
        Ok(d) => render("audit.html", Some(&who), "修改记录", &d),
        Err(e) => failure(&who, e),
    }
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

    #[test]
    fn the_lock_message_says_how_long_in_seconds_then_minutes() {
        for (seconds, want) in [
            (2, "登录尝试过于频繁，已暂时锁定，请 2 秒后再试。"),
            (59, "登录尝试过于频繁，已暂时锁定，请 59 秒后再试。"),
            (60, "登录尝试过于频繁，已暂时锁定，请 1 分钟后再试。"),
            (61, "登录尝试过于频繁，已暂时锁定，请 2 分钟后再试。"),
            (900, "登录尝试过于频繁，已暂时锁定，请 15 分钟后再试。"),
        ] {
            assert_eq!(locked_message(seconds), want);
        }
    }
}
