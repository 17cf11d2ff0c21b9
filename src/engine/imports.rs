//! Importing figures from a file (SPEC §6): the rows a parser read are grouped by region and
//! period, and each group is one batch of `PUT /values`, with the same permissions and rules
//! (`values::check`) and the same writes and audit entries (`values::write`).
//!
//! Everything happens in the caller's transaction. A real import with any error writes nothing
//! at all. A dry run writes inside a savepoint and rolls it back, so that its counts and
//! warnings are exactly those of the real import, and nothing is stored.
//!
//! Permissions: a viewer may not import at all (403). A statistician's rows for regions that are
//! not theirs are row errors like any other refused row (422 for a real import), so that one
//! answer names every row that cannot be stored.
//!
//! Approved or locked quarters (SPEC §2.11), as decided: rows of a region's quarter that is closed
//! are row errors too, each saying why (a real import answers 422 and stores nothing; a dry run
//! lists them), rather than one 409 for the whole file, so that a file that mixes open and closed
//! quarters is answered with every row that cannot go in. An admin's import with `?reason=`
//! writes closed quarters, and each such group is audited as an override with that reason.

use std::collections::{BTreeSet, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use super::{World, values, world};
use crate::domain::access::{Role, User};
use crate::domain::submission::{RawItem, Submission};
use crate::domain::{FieldError, Period, Quarter};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::transfer::{ImportRow, Parsed, RowError};

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// figures that were not stored before
    pub created: usize,
    /// stored figures whose value or comment changes
    pub updated: usize,
    /// stored figures that the file repeats exactly
    pub unchanged: usize,
    /// every row that cannot be stored, by row (as a spreadsheet counts it: the header is row 1)
    pub errors: Vec<RowError>,
    pub warnings: Vec<ImportWarning>,
}

/// A warning of SPEC §2.6 about one imported figure.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ImportWarning {
    pub row: usize,
    pub region: String,
    pub period: String,
    pub indicator: String,
    #[schema(example = "ytd_decrease")]
    pub code: &'static str,
    pub message: String,
}

/// The rows of one region and period, in file order.
struct Group<'a> {
    region: &'a str,
    period: &'a str,
    rows: Vec<&'a ImportRow>,
}

fn groups(rows: &[ImportRow]) -> Vec<Group<'_>> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut out: Vec<Group> = Vec::new();
    for row in rows {
        let key = (row.region.as_str(), row.period.as_str());
        let i = *index.entry(key).or_insert_with(|| {
            out.push(Group { region: key.0, period: key.1, rows: Vec::new() });
            out.len() - 1
        });
        out[i].rows.push(row);
    }
    out
}

/// `values[2].value` → (Some(2), "value"); `region` → (None, "region").
fn split_field(field: &str) -> (Option<usize>, &str) {
    let parsed = field.strip_prefix("values[").and_then(|rest| {
        let (index, name) = rest.split_once(']')?;
        Some((index.parse().ok()?, name.trim_start_matches('.')))
    });
    match parsed {
        Some((i, name)) => (Some(i), if name.is_empty() { "value" } else { name }),
        None => (None, field),
    }
}

/// The errors of a refused batch, each on the rows it concerns: an item's error on its own row,
/// a region's or period's on every row of the group.
fn row_errors(group: &Group<'_>, fields: &[FieldError]) -> Vec<RowError> {
    let mut out = Vec::new();
    for e in fields {
        match split_field(&e.field) {
            (Some(i), name) => {
                let row = group.rows.get(i).map_or(0, |r| r.row);
                out.push(RowError::new(row, format!("{name}: {}", e.message)));
            }
            (None, name) => {
                out.extend(group.rows.iter().map(|r| RowError::new(r.row, format!("{name}: {}", e.message))));
            }
        }
    }
    out
}

/// Checks every group as `PUT /values` would and, unless a real import found errors, writes
/// them. `progress` hears how many rows have been written so far.
pub fn import(
    conn: &Connection,
    user: &User,
    parsed: Parsed,
    dry_run: bool,
    reason: Option<&str>,
    current: Quarter,
    progress: &mut dyn FnMut(usize),
) -> AppResult<ImportOutcome> {
    if user.role == Role::Viewer {
        return Err(AppError::Forbidden(format!("user '{}' may not import figures", user.name)));
    }
    let world = world(conn)?;
    let _cache = store::LargePageCache::raise(conn)?;
    let Parsed { rows, mut errors } = parsed;
    let groups = groups(&rows);
    let mut checked: Vec<(&Group, Submission)> = Vec::with_capacity(groups.len());
    for group in &groups {
        let items: Vec<RawItem> = group
            .rows
            .iter()
            .map(|r| RawItem { indicator: &r.indicator, value: r.value, comment: r.comment.as_deref() })
            .collect();
        match values::check(conn, &world, user, group.region, group.period, &items, reason, current) {
            Ok(sub) => checked.push((group, sub)),
            Err(AppError::Invalid(fields)) => errors.extend(row_errors(group, &fields)),
            Err(AppError::Forbidden(m) | AppError::Conflict(m) | AppError::NotFound(m)) => {
                errors.extend(group.rows.iter().map(|r| RowError::new(r.row, m.clone())));
            }
            Err(e) => return Err(e),
        }
    }
    errors.sort_by_key(|e| e.row);
    let mut out = ImportOutcome { errors, ..ImportOutcome::default() };
    if !dry_run && !out.errors.is_empty() {
        return Ok(out);
    }
    if dry_run {
        conn.execute_batch("SAVEPOINT dry_run")?;
    }
    let written = write_all(conn, &world, user, &checked, reason, progress);
    if dry_run {
        conn.execute_batch("ROLLBACK TO dry_run; RELEASE dry_run")?;
    }
    let (changes, warnings) = written?;
    out.created = changes.created;
    out.updated = changes.updated;
    out.unchanged = changes.unchanged;
    out.warnings = warnings;
    if rows.is_empty() && out.errors.is_empty() {
        out.warnings.push(ImportWarning {
            row: 0,
            region: String::new(),
            period: String::new(),
            indicator: String::new(),
            code: "empty_import",
            message: "文件中没有填报任何数值".into(),
        });
    }
    Ok(out)
}

fn write_all(
    conn: &Connection,
    world: &World,
    user: &User,
    checked: &[(&Group<'_>, Submission)],
    reason: Option<&str>,
    progress: &mut dyn FnMut(usize),
) -> AppResult<(values::Changes, Vec<ImportWarning>)> {
    let at = store::now();
    let mut total = values::Changes::default();
    let mut done = 0;
    for (group, sub) in checked {
        let c = values::write(conn, user, sub, reason, &at)?;
        total.created += c.created;
        total.updated += c.updated;
        total.unchanged += c.unchanged;
        done += group.rows.len();
        progress(done);
    }
    Ok((total, warnings(conn, world, checked)?))
}

/// The warnings of §2.6 for every imported figure, on the figures as they stand after the
/// writes: as `values::warnings` computes them for one batch, with the stored figures loaded
/// once for the whole file rather than once per batch.
fn warnings(conn: &Connection, world: &World, checked: &[(&Group<'_>, Submission)]) -> AppResult<Vec<ImportWarning>> {
    let mut regions: BTreeSet<&str> = BTreeSet::new();
    let mut codes: BTreeSet<&str> = BTreeSet::new();
    let mut years: Option<(i32, i32)> = None;
    for (_, sub) in checked {
        let Period::Quarter(q) = sub.period else { continue };
        regions.insert(sub.region.as_str());
        codes.extend(sub.items.iter().map(|i| i.indicator.as_str()));
        years = Some(years.map_or((q.year(), q.year()), |(a, b)| (a.min(q.year()), b.max(q.year()))));
    }
    let observations = match years {
        Some((first, last)) => {
            let regions: Vec<&str> = regions.into_iter().collect();
            let codes: Vec<&str> = codes.into_iter().collect();
            world.observations(conn, &regions, &codes, first - 1, last)?
        }
        None => Default::default(),
    };
    let calc = world.calculator(&observations);
    let mut out = Vec::new();
    for (group, sub) in checked {
        let found = values::warnings_with(&calc, world, sub);
        for w in found {
            let row = group.rows.iter().find(|r| r.indicator == w.indicator).map_or(0, |r| r.row);
            out.push(ImportWarning {
                row,
                region: sub.region.to_string(),
                period: sub.period.to_string(),
                indicator: w.indicator,
                code: w.code,
                message: w.message,
            });
        }
    }
    out.sort_by_key(|w| w.row);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_a_batch_name_their_item() {
        let cases = [
            ("values[2].value", (Some(2), "value")),
            ("values[0].indicator", (Some(0), "indicator")),
            ("values[11].comment", (Some(11), "comment")),
            ("region", (None, "region")),
            ("period", (None, "period")),
            ("values", (None, "values")),
            ("values[x].value", (None, "values[x].value")),
        ];
        for (field, want) in cases {
            assert_eq!(split_field(field), want, "{field}");
        }
    }

    #[test]
    fn errors_land_on_their_rows() {
        let row = |row, indicator: &str| ImportRow {
            row,
            region: "town-a".into(),
            indicator: indicator.into(),
            period: "2023Q1".into(),
            value: 1.0,
            comment: None,
        };
        let rows = vec![row(2, "gdp"), row(5, "rd"), row(9, "x")];
        let groups = groups(&rows);
        assert_eq!(groups.len(), 1);
        let errors = row_errors(
            &groups[0],
            &[FieldError::new("values[1].value", "cannot be negative"), FieldError::new("period", "is locked")],
        );
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (5, "value: cannot be negative"),
                (2, "period: is locked"),
                (5, "period: is locked"),
                (9, "period: is locked")
            ]
        );
    }
}
