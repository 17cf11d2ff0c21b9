//! The year-end assessment report (年终目标考核): scores explained, benchmarks, charts.

use rusqlite::Connection;
use serde::Serialize;

use super::{Report, html, xlsx};
use crate::charts::ChartSpec;
use crate::domain::Period;
use crate::domain::assessment::{Grade, RegionScore};
use crate::domain::benchmark::Comparison;
use crate::domain::number::{heading, plain};
use crate::engine;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentReport {
    pub title: String,
    pub year: i32,
    pub parent: String,
    pub parent_name: String,
    pub items: Vec<ItemHead>,
    pub grades: Vec<Grade>,
    /// by rank
    pub regions: Vec<RegionScore>,
    /// the parent region against the benchmark regions, for every indicator they share
    pub benchmarks: Vec<BenchmarkBlock>,
    #[serde(skip)]
    /// drawn when the report is rendered as HTML, after the database is let go
    pub charts: Vec<crate::charts::Chart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemHead {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    pub weight: f64,
    pub method_label: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkBlock {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    pub comparison: Comparison,
}

pub fn build(conn: &Connection, year: i32) -> AppResult<AssessmentReport> {
    let result = engine::assessments::result(conn, year)?;
    let scheme = engine::assessments::scheme(conn, year)?;
    let world = engine::world(conn)?;
    let parent = world.region(&result.parent)?;
    let items = scheme
        .items
        .iter()
        .map(|item| {
            let ind = world.indicator(&item.indicator)?;
            Ok(ItemHead {
                indicator: ind.code.to_string(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                decimals: ind.decimals,
                weight: item.weight,
                method_label: item.method.label(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let mut regions = result.regions;
    regions.sort_by_key(|r| r.rank);
    let mut charts = vec![engine::charts::chart(conn, &ChartSpec::Assessment { year }, None)?];
    let mut benchmarks = Vec::new();
    for ind in world.indicators.in_display_order() {
        let comparison =
            engine::benchmarks::benchmarks(conn, &result.parent, ind.code.as_str(), Period::Year(year), None)?;
        // Only where we and at least one benchmark have a figure.
        if comparison.region.value.is_none() || comparison.count < 2 {
            continue;
        }
        let spec = ChartSpec::Benchmarks {
            region: result.parent.clone(),
            indicator: ind.code.to_string(),
            period: Period::Year(year),
        };
        charts.push(engine::charts::chart(conn, &spec, None)?);
        benchmarks.push(BenchmarkBlock {
            indicator: ind.code.to_string(),
            name: ind.name.clone(),
            unit: ind.unit.clone(),
            decimals: ind.decimals,
            comparison,
        });
    }
    Ok(AssessmentReport {
        title: format!("{}{year}年度科技创新目标考核结果", parent.name),
        year,
        parent: result.parent.clone(),
        parent_name: parent.name.clone(),
        items,
        grades: scheme.grades,
        regions,
        benchmarks,
        charts,
    })
}

impl Report for AssessmentReport {
    fn html(&self) -> AppResult<String> {
        html::render("assessment.html", self, &self.charts)
    }

    fn xlsx(&self) -> AppResult<Vec<u8>> {
        let mut book = xlsx::Book::new();
        let mut headers = vec!["名次".to_string(), "地区".to_string()];
        headers.extend(self.items.iter().map(|i| format!("{}得分（满分{}）", i.name, plain(i.weight))));
        headers.extend(["加减分", "总分", "等级", "否决事项"].map(String::from));
        let mut sheet = book.sheet("考核结果", &self.title, &headers)?;
        let n = self.items.len() as u16;
        for (r, region) in self.regions.iter().enumerate() {
            let row = sheet.data_row(r);
            sheet.number(row, 0, Some(f64::from(region.rank)), 0)?;
            sheet.text(row, 1, &region.name)?;
            for (c, item) in region.items.iter().enumerate() {
                sheet.number(row, 2 + c as u16, item.score, 2)?;
            }
            sheet.number(row, 2 + n, Some(region.adjusted()), 2)?;
            sheet.number(row, 3 + n, Some(region.total), 2)?;
            sheet.text(row, 4 + n, region.grade.as_deref().unwrap_or(""))?;
            sheet.text(row, 5 + n, region.veto.as_deref().unwrap_or(""))?;
        }
        let headers: Vec<String> =
            ["地区", "考核项目", "计分方法", "实际值 A", "目标值 T", "完成率（%）", "得分", "计分说明"]
                .map(String::from)
                .to_vec();
        let mut sheet = book.sheet("得分说明", &format!("{} 得分说明", self.title), &headers)?;
        let mut r = 0;
        for region in &self.regions {
            for (item, head) in region.items.iter().zip(&self.items) {
                let row = sheet.data_row(r);
                sheet.text(row, 0, &region.name)?;
                sheet.text(row, 1, &heading(&head.name, &head.unit))?;
                sheet.text(row, 2, head.method_label)?;
                sheet.number(row, 3, item.actual, head.decimals)?;
                sheet.number(row, 4, item.target, head.decimals)?;
                sheet.number(row, 5, item.completion.map(|c| 100.0 * c), 1)?;
                sheet.number(row, 6, item.score, 2)?;
                sheet.text(row, 7, &item.explanation)?;
                r += 1;
            }
            let row = sheet.data_row(r);
            sheet.text(row, 0, &region.name)?;
            sheet.text(row, 1, "合计")?;
            sheet.number(row, 6, Some(region.total), 2)?;
            sheet.text(row, 7, &region.explanation)?;
            r += 1;
        }
        if !self.benchmarks.is_empty() {
            let headers: Vec<String> = ["指标", "地区", "数值", "差距", "比值", "来源"].map(String::from).to_vec();
            let mut sheet =
                book.sheet("对标分析", &format!("{}{}年与先进地区对比", self.parent_name, self.year), &headers)?;
            let mut r = 0;
            for block in &self.benchmarks {
                let c = &block.comparison;
                let title = heading(&block.name, &block.unit);
                let row = sheet.data_row(r);
                sheet.text(row, 0, &title)?;
                sheet.text(row, 1, &c.region.name)?;
                sheet.number(row, 2, c.region.value, block.decimals)?;
                r += 1;
                for b in &c.benchmarks {
                    let row = sheet.data_row(r);
                    sheet.text(row, 0, &title)?;
                    sheet.text(row, 1, &b.name)?;
                    sheet.number(row, 2, b.value, block.decimals)?;
                    sheet.number(row, 3, b.gap, block.decimals)?;
                    sheet.number(row, 4, b.ratio, 3)?;
                    sheet.text(row, 5, b.source.as_deref().unwrap_or(""))?;
                    r += 1;
                }
            }
        }
        book.save()
    }
}
