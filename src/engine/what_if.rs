//! What it would take in the year-end assessment (SPEC §13): loads what the assessment is scored
//! from and asks `domain::assessment_what_if`, which re-scores with `domain::assessment::assess`.

use rusqlite::Connection;

use super::world;
use crate::domain::assessment_what_if::{AssessmentWhatIf, Goal, ItemLabel, what_it_takes};
use crate::error::{AppError, AppResult};

/// For `region` and `goal` (`grade:良好`, `rank:3`, `total:85`) in `year`: each item's smallest
/// change that reaches the goal, or why none does. A malformed goal or a grade the scheme does not
/// have → 422 `goal`; an unknown region → 404; a year without a scheme → 404; a region the scheme
/// does not assess → 422 `region`.
pub fn assessment(conn: &Connection, year: i32, region: &str, goal: &str) -> AppResult<AssessmentWhatIf> {
    let goal = Goal::parse(goal).map_err(|e| AppError::Invalid(vec![e]))?;
    let world = world(conn)?;
    let asked = world.region(region)?;
    let inputs = super::assessments::inputs(conn, year)?;
    if !inputs.regions.iter().any(|r| r.id == region) {
        return Err(AppError::invalid("region", format!("{}不是{year}年考核方案考核的地区", asked.name)));
    }
    let labels = inputs
        .scheme
        .items
        .iter()
        .map(|item| {
            let ind = world.indicator(&item.indicator)?;
            Ok(ItemLabel { name: ind.name.clone(), unit: ind.unit.clone() })
        })
        .collect::<AppResult<Vec<_>>>()?;
    what_it_takes(&inputs.scheme, &inputs.regions, &inputs.figures, &labels, region, &goal)
        .map_err(|e| AppError::Invalid(vec![e]))
}
