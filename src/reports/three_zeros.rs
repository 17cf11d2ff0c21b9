//! 三个零: the three lists of a region in a period as the board page and the lists for the towns'
//! visits show them — counts per town with the change since the period before, the enterprises
//! named to those who may see them, who joined and who left, the register indicator's target and
//! progress, and the chart of the three counts by town. XLSX (a sheet per list and a summary) and
//! JSON. Built from the engine's answers only.

use rusqlite::Connection;
use serde::Serialize;

use super::{Format, xlsx};
use crate::charts::Chart;
use crate::charts::model::{Body, ThreeZeroCounts, ZeroCounts};
use crate::domain::access::{Role, User};
use crate::domain::enterprise::ThreeZero;
use crate::domain::progress::Status;
use crate::domain::{Period, number};
use crate::engine::enterprises::{Listed, ThreeZeros};
use crate::engine::progress::{Scope, for_indicator};
use crate::engine::{self, enterprises};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreeZerosReport {
    pub title: String,
    /// `2024Q1`
    pub period: String,
    /// 2024年一季度
    pub period_label: String,
    /// the period compared with, as people read it
    pub previous_label: Option<String>,
    pub region: String,
    pub region_name: String,
    /// the user may see some of the region's enterprises: the lists name them, and may be exported
    pub named: bool,
    pub lists: Vec<ListSection>,
    /// per reporting region at or below the region, its count on each list
    pub towns: Vec<TownCounts>,
    #[serde(skip)]
    pub chart: Chart,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListSection {
    pub list: ThreeZero,
    pub label: &'static str,
    pub count: usize,
    pub previous_count: usize,
    /// count − previous count
    pub change: i64,
    /// the enterprises on the list the user may see, those new on it marked
    pub enterprises: Vec<ListedEnterprise>,
    pub left: Vec<Listed>,
    /// on the list, not named to this user
    pub hidden: usize,
    /// the register indicator counting the list, with its target for the year, if it has one
    pub target: Option<ListTarget>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedEnterprise {
    #[serde(flatten)]
    pub enterprise: Listed,
    /// not on the list in the period before
    pub joined: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListTarget {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub target: f64,
    /// 清零 for a target of 0, else the figure with its unit
    pub target_label: String,
    pub actual: Option<f64>,
    /// completion in percent
    pub completion_pct: Option<f64>,
    pub status: Status,
    pub status_label: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TownCounts {
    pub region: String,
    pub name: String,
    /// on each list, in the order of `ThreeZero::ALL`
    pub counts: Vec<usize>,
    /// the change on each list since the period before (none when there is no period before)
    pub changes: Vec<Option<i64>>,
}

/// The board of `region` (the root when none) in `period` as `user` may see it.
pub fn build(conn: &Connection, user: &User, period: Period, region: Option<&str>) -> AppResult<ThreeZerosReport> {
    let board = enterprises::three_zeros(conn, user, period, region)?;
    from_board(conn, user, board)
}

/// The report of the lists to export as `format` (`XLSX`, `JSON`): 403 to whoever may see none of
/// the region's enterprises; the export is audited.
pub fn export(
    conn: &Connection,
    user: &User,
    period: Period,
    region: Option<&str>,
    format: &str,
) -> AppResult<ThreeZerosReport> {
    let board = engine::three_zeros::export(conn, user, period, region, format)?;
    from_board(conn, user, board)
}

fn label_of(period: &str) -> String {
    period.parse::<Period>().map_or_else(|_| period.to_string(), |p| p.label())
}

fn from_board(conn: &Connection, user: &User, board: ThreeZeros) -> AppResult<ThreeZerosReport> {
    let world = engine::world(conn)?;
    let period: Period = board.period.parse().map_err(|_| AppError::Internal(format!("period {}", board.period)))?;
    let before = match board.previous.as_deref().and_then(|p| p.parse::<Period>().ok()) {
        Some(p) => Some(enterprises::three_zeros(conn, user, p, Some(&board.region))?),
        None => None,
    };
    let named = match user.role {
        Role::Admin => true,
        Role::Statistician => {
            world.tree.reporting_under(&board.region).iter().any(|r| user.may_see_enterprises(&world.tree, r.as_str()))
        }
        Role::Viewer | Role::Officer => false,
    };
    let mut lists = Vec::new();
    for l in &board.lists {
        let joined: Vec<&str> = l.joined.iter().map(|e| e.code.as_str()).collect();
        let target = match &l.indicator {
            Some(code) => list_target(conn, &world, code, period, &board.region)?,
            None => None,
        };
        lists.push(ListSection {
            list: l.list,
            label: l.label,
            count: l.count,
            previous_count: l.previous_count,
            change: l.count as i64 - l.previous_count as i64,
            enterprises: l
                .enterprises
                .iter()
                .map(|e| ListedEnterprise { joined: joined.contains(&e.code.as_str()), enterprise: e.clone() })
                .collect(),
            left: l.left.clone(),
            hidden: l.hidden,
            target,
        });
    }
    let towns: Vec<TownCounts> = board
        .lists
        .first()
        .map(|l| l.by_region.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let count_in = |b: &ThreeZeros, k: usize| {
                b.lists.get(k).and_then(|l| l.by_region.iter().find(|c| c.region == r.region)).map_or(0, |c| c.count)
            };
            let counts: Vec<usize> = (0..board.lists.len()).map(|k| count_in(&board, k)).collect();
            let changes = (0..board.lists.len())
                .map(|k| before.as_ref().map(|b| counts[k] as i64 - count_in(b, k) as i64))
                .collect();
            TownCounts { region: r.region.clone(), name: r.name.clone(), counts, changes }
        })
        .collect();
    let period_label = period.label();
    let chart = Chart {
        title: format!("{period_label}{}各地区“三个零”企业数", board.region_name),
        body: if towns.is_empty() {
            Body::NoData
        } else {
            Body::ThreeZeros(ThreeZeroCounts {
                rows: towns.iter().map(|t| ZeroCounts { name: t.name.clone(), counts: t.counts.clone() }).collect(),
            })
        },
    };
    Ok(ThreeZerosReport {
        title: format!("{period_label}{}“三个零”企业名单", board.region_name),
        period: board.period.clone(),
        period_label,
        previous_label: board.previous.as_deref().map(label_of),
        region: board.region.clone(),
        region_name: board.region_name.clone(),
        named,
        lists,
        towns,
        chart,
    })
}

/// The target of the list's register indicator in the region for the period's year, and its
/// progress, when it has a target.
fn list_target(
    conn: &Connection,
    world: &engine::World,
    code: &str,
    period: Period,
    region: &str,
) -> AppResult<Option<ListTarget>> {
    let Some(indicator) = world.indicators.get(code) else { return Ok(None) };
    let Some(row) = for_indicator(conn, code, period, Scope::Region(region))?.into_iter().next() else {
        return Ok(None);
    };
    let p = row.progress;
    let Some(target) = p.target else { return Ok(None) };
    let target_label = if target == 0.0 {
        "清零".to_string()
    } else {
        format!("{}{}", number::fixed(target, indicator.decimals), indicator.unit)
    };
    Ok(Some(ListTarget {
        indicator: code.to_string(),
        name: indicator.name.clone(),
        unit: indicator.unit.clone(),
        target,
        target_label,
        actual: p.actual,
        completion_pct: p.completion.map(|c| number::percent(100.0 * c)),
        status: p.status,
        status_label: p.status.label(),
    }))
}

impl ThreeZerosReport {
    /// The report as a workbook or JSON (there is no HTML form: the board page is it).
    pub fn render(&self, format: Format) -> AppResult<Vec<u8>> {
        match format {
            Format::Xlsx => self.xlsx(),
            Format::Json => super::json(self),
            Format::Html => Err(AppError::NotFound("“三个零”名单只有 XLSX 和 JSON 两种格式".into())),
        }
    }

    fn xlsx(&self) -> AppResult<Vec<u8>> {
        let mut book = xlsx::Book::new();
        let mut headers = vec!["地区".to_string()];
        for l in &self.lists {
            headers.push(format!("{}（家）", l.label));
            headers.push("较上期增减（家）".to_string());
        }
        let mut sheet = book.sheet("汇总", &self.title, &headers)?;
        for (r, t) in self.towns.iter().enumerate() {
            let row = sheet.data_row(r);
            sheet.text(row, 0, &t.name)?;
            for (k, (count, change)) in t.counts.iter().zip(&t.changes).enumerate() {
                sheet.number(row, 1 + 2 * k as u16, Some(*count as f64), 0)?;
                sheet.number(row, 2 + 2 * k as u16, change.map(|c| c as f64), 0)?;
            }
        }
        let row = sheet.data_row(self.towns.len());
        sheet.text(row, 0, &format!("{}合计", self.region_name))?;
        for (k, l) in self.lists.iter().enumerate() {
            sheet.number(row, 1 + 2 * k as u16, Some(l.count as f64), 0)?;
            let change = self.previous_label.as_ref().map(|_| l.change as f64);
            sheet.number(row, 2 + 2 * k as u16, change, 0)?;
        }
        let headers: Vec<String> = ["统一社会信用代码", "企业名称", "所在地区", "较上期"].map(String::from).to_vec();
        for l in &self.lists {
            let hidden = if l.hidden > 0 {
                format!("，其中{}家不在查看范围内，未列出", l.hidden)
            } else {
                String::new()
            };
            let title = format!("{}：{}（共{}家{hidden}）", self.title, l.label, l.count);
            let mut sheet = book.sheet(l.label, &title, &headers)?;
            for (r, e) in l.enterprises.iter().enumerate() {
                let row = sheet.data_row(r);
                sheet.text(row, 0, &e.enterprise.code)?;
                sheet.text(row, 1, &e.enterprise.name)?;
                sheet.text(row, 2, &e.enterprise.region_name)?;
                sheet.text(row, 3, if e.joined { "新增" } else { "" })?;
            }
        }
        book.save()
    }
}
