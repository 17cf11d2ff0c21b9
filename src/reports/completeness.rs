//! Completeness of a quarter: who has not reported what.

use rusqlite::Connection;
use serde::Serialize;

use super::{Report, html, xlsx};
use crate::domain::{Period, RegionId};
use crate::engine::completeness::{RegionCompleteness, for_period};
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletenessReport {
    pub title: String,
    pub period: String,
    pub period_label: String,
    /// regions that reported every required indicator
    pub complete: usize,
    pub regions: Vec<RegionCompleteness>,
}

pub fn build(conn: &Connection, period: impl Into<Period>, parent: Option<&RegionId>) -> AppResult<CompletenessReport> {
    let period = period.into();
    let regions = for_period(conn, period, parent)?;
    Ok(CompletenessReport {
        title: format!("{}统计数据报送情况", period.label()),
        period: period.to_string(),
        period_label: period.label(),
        complete: regions.iter().filter(|r| r.missing.is_empty()).count(),
        regions,
    })
}

impl Report for CompletenessReport {
    fn html(&self) -> AppResult<String> {
        html::render("completeness.html", self, &[])
    }

    fn xlsx(&self) -> AppResult<Vec<u8>> {
        let mut book = xlsx::Book::new();
        let headers: Vec<String> =
            ["地区", "状态", "应报指标（项）", "已报指标（项）", "未报指标", "最近报送时间"].map(String::from).to_vec();
        let mut sheet = book.sheet("报送情况", &self.title, &headers)?;
        for (r, region) in self.regions.iter().enumerate() {
            let row = sheet.data_row(r);
            sheet.text(row, 0, &region.name)?;
            sheet.text(row, 1, region.state_name)?;
            sheet.number(row, 2, Some(region.required as f64), 0)?;
            sheet.number(row, 3, Some(region.reported as f64), 0)?;
            sheet.text(row, 4, &region.missing_names.join("、"))?;
            sheet.text(
                row,
                5,
                &region.submitted_at.as_deref().and_then(super::format::beijing_time).unwrap_or_default(),
            )?;
        }
        book.save()
    }
}
