//! The enterprise register's pages (企业库): the enterprises a user may see, filtered by region and
//! flag, an enterprise's detail (attributes by year, institutions, figures by period), and the
//! three zeros board (三个零) with its chart. Enterprise lists are confidential: viewers and
//! officers get a page saying so; on the board they see the counts only.

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use serde::Serialize;

use super::{OrPage, PageError, PageUser, render, render_noted};
use crate::app::AppState;
use crate::domain::access::{Role, User};
use crate::domain::enterprise::{Enterprise, Figures, Flag, Institution, Measure};
use crate::domain::{Period, Quarter, RegionTree, text};
use crate::engine;
use crate::error::AppError;
use crate::reports::three_zeros::ThreeZerosReport;

/// The query of the register's pages. Like the other pages' queries it never fails: a value that
/// is not one is as if not given, and the page says so in a note; a name given twice counts once.
#[derive(Default)]
pub struct RegisterQuery {
    region: Option<String>,
    flag: Option<String>,
    period: Option<String>,
}

impl RegisterQuery {
    fn parse(query: &str) -> RegisterQuery {
        let mut q = RegisterQuery::default();
        for (name, value) in super::first_values(query) {
            let value = text::given(Some(&value)).map(str::to_string);
            match name.as_str() {
                "region" => q.region = value,
                "flag" => q.flag = value,
                "period" => q.period = value,
                _ => {}
            }
        }
        q
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RegisterQuery {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RegisterQuery::parse(parts.uri.query().unwrap_or_default()))
    }
}

fn cut(text: &str) -> String {
    text.chars().take(20).collect()
}

/// What viewers and officers are told instead of a list.
const CONFIDENTIAL: &str = "企业库中的企业名单和企业数据属于保密的统计资料，只对管理员和所在地区的统计员开放。\
                            各地区的企业数可在“三个零”页面查看。";

fn confidential(who: &PageUser) -> Result<(), PageError> {
    match who.user.role {
        Role::Admin | Role::Statistician => Ok(()),
        Role::Viewer | Role::Officer => Err(PageError::new(Some(who), AppError::Forbidden(CONFIDENTIAL.into()))),
    }
}

/// The filters of the list, as the register's rules write them, with their labels.
const FILTERS: [(&str, &str); 6] = [
    ("scale", "规模以上"),
    ("high_tech", "高新技术企业"),
    ("sales_over_100m", "销售超亿元"),
    ("major_project", "重大项目企业"),
    ("has_rd_institution", "有研发机构"),
    ("not:has_rd_institution", "无研发机构"),
];

/// The flags a row shows, in the order of the attributes.
const SHOWN_FLAGS: [Flag; 4] = [Flag::Scale, Flag::HighTech, Flag::SalesOver100m, Flag::MajorProject];

/// The regions whose enterprises the user may list: every region of the tree for an admin, a
/// statistician's own regions and those below them.
fn listable(tree: &RegionTree, user: &User) -> Vec<(String, String)> {
    tree.hierarchy()
        .into_iter()
        .filter(|r| user.may_see_enterprises(tree, r.id.as_str()))
        .map(|r| (r.id.to_string(), r.name.clone()))
        .collect()
}

#[derive(Serialize)]
struct EnterpriseRow {
    code: String,
    name: String,
    region_name: String,
    flags: Vec<String>,
    institutions: Vec<String>,
}

#[derive(Serialize)]
struct ListPage {
    region: String,
    region_name: String,
    flag: String,
    flag_label: String,
    regions: Vec<(String, String)>,
    flags: Vec<(&'static str, &'static str)>,
    /// the year whose attributes and institutions are shown
    year: i32,
    /// enterprises in the region, whatever their flags
    total: usize,
    rows: Vec<EnterpriseRow>,
}

/// 企业库: the enterprises the user may see, by region and flag.
pub async fn list(State(state): State<AppState>, who: PageUser, q: RegisterQuery) -> Result<Response, PageError> {
    confidential(&who)?;
    let user = who.user.clone();
    let flag = match q.flag.as_deref() {
        None => Ok(None),
        Some(f) => FILTERS.iter().find(|(v, _)| *v == f).map(|(v, l)| Some((*v, *l))).ok_or_else(|| cut(f)),
    };
    let asked = q.region.clone();
    let wanted: Option<Flag> = flag.clone().ok().flatten().and_then(|(v, _)| v.parse().ok());
    let (page, region_note) = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            let regions = listable(&world.tree, &user);
            let (region, note) = match asked {
                Some(r) if !regions.iter().any(|(id, _)| *id == r) => {
                    (None, Some(format!("“{}”不是您可查看企业的地区，已显示全部。", cut(&r))))
                }
                other => (other, None),
            };
            let enterprises = engine::enterprises::list(conn, &user, region.as_deref())?;
            let year = enterprises
                .iter()
                .filter_map(|e| e.years.last().map(|y| y.year))
                .max()
                .unwrap_or_else(|| engine::current_quarter().year());
            let total = enterprises.len();
            let empty = Figures::new();
            let name_of = |id: &str| world.tree.get(id).map_or_else(|| id.to_string(), |r| r.name.clone());
            let rows = enterprises
                .iter()
                .filter(|e| wanted.as_ref().is_none_or(|f| f.holds(e, year, &empty)))
                .map(|e| EnterpriseRow {
                    code: e.code.to_string(),
                    name: e.name.clone(),
                    region_name: name_of(e.region.as_str()),
                    flags: SHOWN_FLAGS.iter().filter(|f| f.holds(e, year, &empty)).map(Flag::label).collect(),
                    institutions: e.institutions.iter().filter(|i| i.valid_in(year)).map(Institution::label).collect(),
                })
                .collect();
            let region_name = region.as_deref().map(name_of).unwrap_or_default();
            Ok((
                ListPage {
                    region: region.unwrap_or_default(),
                    region_name,
                    flag: String::new(),
                    flag_label: String::new(),
                    regions,
                    flags: FILTERS.to_vec(),
                    year,
                    total,
                    rows,
                },
                note,
            ))
        })
        .await
        .or_page(&who)?;
    let (page, flag_note) = match flag {
        Ok(Some((v, l))) => (ListPage { flag: v.into(), flag_label: l.into(), ..page }, None),
        Ok(None) => (page, None),
        Err(f) => (page, Some(format!("“{f}”不是企业类型，已显示全部企业。"))),
    };
    let notes: Vec<String> = [region_note, flag_note].into_iter().flatten().collect();
    let notice = (!notes.is_empty()).then(|| notes.join(""));
    Ok(render_noted("enterprises.html", Some(&who), "企业库", &page, notice.as_deref()))
}

// ---------------------------------------------------------------------------------------------
// An enterprise

#[derive(Serialize)]
struct YearRow {
    year: i32,
    flags: Vec<bool>,
}

#[derive(Serialize)]
struct InstitutionRow {
    kind: &'static str,
    level: &'static str,
    name: String,
    span: String,
}

#[derive(Serialize)]
struct FigureRow {
    period: String,
    label: String,
    values: Vec<Option<f64>>,
}

#[derive(Serialize)]
struct DetailPage {
    code: String,
    name: String,
    region: String,
    region_name: String,
    flag_names: Vec<String>,
    years: Vec<YearRow>,
    institutions: Vec<InstitutionRow>,
    /// the measures recorded in any period, as column heads with their units
    measures: Vec<String>,
    figures: Vec<FigureRow>,
}

fn detail_page(e: Enterprise, region_name: String, values: Vec<engine::enterprises::PeriodValues>) -> DetailPage {
    let measures: Vec<Measure> = Measure::ALL
        .iter()
        .copied()
        .filter(|m| values.iter().any(|p| p.values.iter().any(|v| v.measure == *m)))
        .collect();
    DetailPage {
        code: e.code.to_string(),
        name: e.name.clone(),
        region: e.region.to_string(),
        region_name,
        flag_names: SHOWN_FLAGS.iter().map(Flag::label).collect(),
        years: e
            .years
            .iter()
            .map(|y| YearRow { year: y.year, flags: vec![y.scale, y.high_tech, y.sales_over_100m, y.major_project] })
            .collect(),
        institutions: e
            .institutions
            .iter()
            .map(|i| InstitutionRow {
                kind: i.kind.label(),
                level: i.level.label(),
                name: i.name.clone().unwrap_or_default(),
                span: match i.until {
                    Some(u) => format!("{}—{u}年", i.since),
                    None => format!("{}年至今", i.since),
                },
            })
            .collect(),
        measures: measures
            .iter()
            .map(|m| if m.is_count() { format!("{}（件）", m.label()) } else { m.label().to_string() })
            .collect(),
        figures: values
            .iter()
            .map(|p| FigureRow {
                label: p.period.parse::<Period>().map_or_else(|_| p.period.clone(), |x| x.label()),
                period: p.period.clone(),
                values: measures.iter().map(|m| p.values.iter().find(|v| v.measure == *m).map(|v| v.value)).collect(),
            })
            .collect(),
    }
}

/// An enterprise: its attributes by year, institutions and figures by period.
pub async fn detail(
    State(state): State<AppState>,
    who: PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    confidential(&who)?;
    let user = who.user.clone();
    let page = state
        .read(move |conn| {
            let e = engine::enterprises::get(conn, &user, &code)?;
            let values = engine::enterprises::values(conn, &user, &code)?;
            let world = engine::world(conn)?;
            let region_name =
                world.tree.get(e.region.as_str()).map_or_else(|| e.region.to_string(), |r| r.name.clone());
            Ok(detail_page(e, region_name, values))
        })
        .await
        .or_page(&who)?;
    let title = page.name.clone();
    Ok(render("enterprises_detail.html", Some(&who), &title, &page))
}

// ---------------------------------------------------------------------------------------------
// 三个零

#[derive(Serialize)]
struct BoardPage {
    /// none before the tree has a region
    #[serde(flatten)]
    report: Option<ThreeZerosReport>,
    regions: Vec<(String, String)>,
    /// the chart of the counts by town, inline SVG
    chart: String,
    /// list labels, for the table heads
    labels: Vec<&'static str>,
}

/// 三个零: the three lists of a region in a quarter, with counts for everyone and names for those
/// who may see them.
pub async fn board(State(state): State<AppState>, who: PageUser, q: RegisterQuery) -> Result<Response, PageError> {
    let user = who.user.clone();
    let asked_period = q.period.clone();
    let asked_region = q.region.clone();
    let (report, regions, notes) = state
        .read(move |conn| {
            let world = engine::world(conn)?;
            let mut notes = Vec::new();
            if world.tree.root().is_none() {
                return Ok((None, Vec::new(), notes));
            }
            let regions: Vec<(String, String)> =
                world.tree.hierarchy().into_iter().map(|r| (r.id.to_string(), r.name.clone())).collect();
            let region = match asked_region {
                Some(r) if !regions.iter().any(|(id, _)| *id == r) => {
                    notes.push(format!("“{}”不是地区，已显示{}。", cut(&r), world.root()?.name));
                    None
                }
                other => other,
            };
            let period = match asked_period.as_deref().map(|p| p.parse::<Quarter>()) {
                Some(Ok(q)) => Period::Quarter(q),
                Some(Err(_)) => {
                    let shown = engine::three_zeros::period_shown(conn)?;
                    let text = asked_period.as_deref().map(cut).unwrap_or_default();
                    notes.push(format!("“{text}”不是季度（应为 YYYYQn，如 2024Q1），已显示{}。", shown.label()));
                    shown
                }
                None => engine::three_zeros::period_shown(conn)?,
            };
            let report = crate::reports::three_zeros::build(conn, &user, period, region.as_deref())?;
            Ok((Some(report), regions, notes))
        })
        .await
        .or_page(&who)?;
    let chart = match &report {
        Some(r) => crate::charts::draw::svg(&r.chart).map_err(|e| PageError::new(Some(&who), AppError::from(e)))?,
        None => String::new(),
    };
    let labels = report.as_ref().map(|r| r.lists.iter().map(|l| l.label).collect()).unwrap_or_default();
    let page = BoardPage { regions, chart, labels, report };
    let notice = (!notes.is_empty()).then(|| notes.join(""));
    Ok(render_noted("three_zeros.html", Some(&who), "三个零", &page, notice.as_deref()))
}
