//! 考核测算: an official picks a town and a goal (a grade, a place, a total) and reads, item by
//! item, what it would take to reach it, in Chinese. The numbers are the engine's
//! (`engine::what_if::assessment`); the page only arranges them.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;

use super::{OrPage, PageError, PageUser, render_noted};
use crate::app::AppState;
use crate::domain::Period;
use crate::domain::assessment_what_if::{AssessmentWhatIf, Goal};
use crate::engine;
use crate::error::{AppError, AppResult};

/// What the page was asked; like the other pages' queries it never fails.
#[derive(Default)]
struct Asked {
    year: Option<String>,
    region: Option<String>,
    goal: Option<String>,
    total: Option<String>,
}

impl Asked {
    fn parse(query: &str) -> Asked {
        let mut q = Asked::default();
        for (name, value) in super::first_values(query) {
            let value = (!value.is_empty()).then_some(value);
            match name.as_str() {
                "year" => q.year = value,
                "region" => q.region = value,
                "goal" => q.goal = value,
                "total" => q.total = value,
                _ => {}
            }
        }
        q
    }
}

#[derive(Serialize)]
struct WhatIfPage {
    year: i32,
    /// whether the year has a scheme
    scheme: bool,
    /// (id, name) of the assessed regions
    regions: Vec<(String, String)>,
    region: String,
    /// (goal, how it reads) to pick from
    goals: Vec<(String, String)>,
    goal: String,
    /// the total typed, when the goal is a total
    total: String,
    answer: Option<AssessmentWhatIf>,
}

fn cut(text: &str) -> String {
    text.chars().take(20).collect()
}

/// `/assessment/what-if?year=&region=&goal=` (`goal` as the API takes it; `total=85` stands for `goal=total:85`).
pub async fn page(
    State(state): State<AppState>,
    who: PageUser,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let asked = Asked::parse(query.as_deref().unwrap_or_default());
    let (page, notes) = state.read(move |conn| build(conn, &asked)).await.or_page(&who)?;
    let notice = (!notes.is_empty()).then(|| notes.join(""));
    Ok(render_noted("what_if.html", Some(&who), "考核测算", &page, notice.as_deref()))
}

fn build(conn: &rusqlite::Connection, asked: &Asked) -> AppResult<(WhatIfPage, Vec<String>)> {
    let mut notes = Vec::new();
    let year = match asked.year.as_deref() {
        None => engine::assessments::year_shown(conn, None)?,
        Some(text) => match text.parse::<i32>().ok().filter(|y| Period::from_parts(*y, 0).is_some()) {
            Some(y) => y,
            None => {
                let y = engine::assessments::year_shown(conn, None)?;
                notes.push(format!("“{}”不是年份（应为 1900 至 2200 年的 YYYY），已显示{y}年。", cut(text)));
                y
            }
        },
    };
    let mut page = WhatIfPage {
        year,
        scheme: false,
        regions: vec![],
        region: String::new(),
        goals: vec![],
        goal: String::new(),
        total: asked.total.clone().unwrap_or_default(),
        answer: None,
    };
    let inputs = match engine::assessments::inputs(conn, year) {
        Ok(inputs) => inputs,
        Err(AppError::NotFound(_)) => return Ok((page, notes)),
        Err(e) => return Err(e),
    };
    page.scheme = true;
    page.regions = inputs.regions.iter().map(|r| (r.id.clone(), r.name.clone())).collect();
    let Some((first, _)) = page.regions.first().cloned() else { return Ok((page, notes)) };
    page.region = match asked.region.as_deref() {
        Some(id) if page.regions.iter().any(|(r, _)| r == id) => id.to_string(),
        Some(id) => {
            notes.push(format!("“{}”不是{year}年考核的地区，已显示{}。", cut(id), page.regions[0].1));
            first
        }
        None => first,
    };
    // the grades from the best, then the places
    let mut grades = inputs.scheme.grades.clone();
    grades.sort_by(|a, b| b.min.total_cmp(&a.min));
    // every region has the lowest grade at least: no goal to reach
    let worth_reaching = &grades[..grades.len().saturating_sub(1)];
    page.goals = worth_reaching.iter().map(|g| (format!("grade:{}", g.name), format!("达到{}", g.name))).collect();
    for n in [1u32, 3, 5].into_iter().filter(|n| (*n as usize) < page.regions.len()) {
        let goal = Goal::Rank(n);
        page.goals.push((goal.code(), goal.text()));
    }
    // a total typed counts when the goal chosen is the total (or none is chosen): a goal picked
    // from the list after a total was typed is the one asked
    page.goals.push(("total".into(), "总分达到（右侧填写）".into()));
    let wanted = match (asked.goal.as_deref(), asked.total.as_deref()) {
        (None | Some("total"), Some(total)) => Some(format!("total:{total}")),
        (Some("total"), None) => None,
        (goal, _) => goal.map(str::to_string),
    };
    let asked_answer = match wanted {
        None => None,
        Some(wanted) => match engine::what_if::assessment(conn, year, &page.region, &wanted) {
            Ok(answer) => Some((wanted, answer)),
            Err(AppError::Invalid(errors)) => {
                let why = errors.first().map(|e| e.message.clone()).unwrap_or_default();
                notes.push(format!("目标“{}”无法测算（{why}），已按默认目标显示。", cut(&wanted)));
                page.total.clear();
                None
            }
            Err(e) => return Err(e),
        },
    };
    let (goal, answer) = match asked_answer {
        Some(found) => found,
        None => {
            // by default the next grade up from where the region stands; first place from the top
            let now = engine::what_if::assessment(conn, year, &page.region, "rank:1")?;
            let at = now.current.grade.as_ref().and_then(|g| grades.iter().position(|x| x.name == *g));
            let goal = match at {
                Some(i) if i > 0 => format!("grade:{}", grades[i - 1].name),
                _ => "rank:1".to_string(),
            };
            let answer = engine::what_if::assessment(conn, year, &page.region, &goal)?;
            (goal, answer)
        }
    };
    // the list shows a total as 总分达到 with the total in its box; another goal empties the box
    if goal.starts_with("total:") {
        page.goal = "total".into();
    } else {
        page.goal = goal;
        page.total.clear();
    }
    page.answer = Some(answer);
    Ok((page, notes))
}
