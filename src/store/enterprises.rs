//! The enterprise register's tables: `enterprises`, `enterprise_years`, `enterprise_institutions`
//! and `enterprise_values`.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::domain::enterprise::{
    CreditCode, Enterprise, Figures, Institution, InstitutionKind, Level, Measure, YearAttributes,
};
use crate::domain::{Period, RegionId};

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

/// Writes the enterprise whole: its row, its years and its institutions replace what was stored.
pub fn save(conn: &Connection, e: &Enterprise) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO enterprises (code, name, region) VALUES (?1, ?2, ?3)
         ON CONFLICT (code) DO UPDATE SET name = ?2, region = ?3",
    )?
    .execute(params![e.code.as_str(), e.name, e.region.as_str()])?;
    conn.prepare_cached("DELETE FROM enterprise_years WHERE code = ?1")?.execute([e.code.as_str()])?;
    conn.prepare_cached("DELETE FROM enterprise_institutions WHERE code = ?1")?.execute([e.code.as_str()])?;
    let mut year = conn.prepare_cached(
        "INSERT INTO enterprise_years (code, year, scale, high_tech, sales_over_100m, major_project)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for y in &e.years {
        year.execute(params![e.code.as_str(), y.year, y.scale, y.high_tech, y.sales_over_100m, y.major_project])?;
    }
    let mut institution = conn.prepare_cached(
        "INSERT INTO enterprise_institutions (code, kind, level, name, since, until) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for i in &e.institutions {
        institution.execute(params![e.code.as_str(), i.kind.as_str(), i.level.as_str(), i.name, i.since, i.until])?;
    }
    Ok(())
}

pub fn delete(conn: &Connection, code: &str) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached("DELETE FROM enterprises WHERE code = ?1")?.execute([code])? > 0)
}

pub fn get(conn: &Connection, code: &str) -> Result<Option<Enterprise>, StoreError> {
    let row: Option<(String, String, String)> = conn
        .prepare_cached("SELECT code, name, region FROM enterprises WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let mut all = assemble(vec![row], years(conn, Some(code))?, institutions(conn, Some(code))?)?;
    Ok(all.pop())
}

/// Every enterprise registered in one of `regions` (all when none), by code.
pub fn in_regions(conn: &Connection, regions: Option<&HashSet<&str>>) -> Result<Vec<Enterprise>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT code, name, region FROM enterprises ORDER BY code")?;
    let all: Vec<(String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    let rows =
        all.into_iter().filter(|(_, _, region)| regions.is_none_or(|keep| keep.contains(region.as_str()))).collect();
    assemble(rows, years(conn, None)?, institutions(conn, None)?)
}

fn assemble(
    rows: Vec<(String, String, String)>,
    mut years: HashMap<String, Vec<YearAttributes>>,
    mut institutions: HashMap<String, Vec<Institution>>,
) -> Result<Vec<Enterprise>, StoreError> {
    rows.into_iter()
        .map(|(code, name, region)| {
            Ok(Enterprise {
                years: years.remove(&code).unwrap_or_default(),
                institutions: institutions.remove(&code).unwrap_or_default(),
                code: CreditCode::parse(&code).map_err(corrupt)?,
                name,
                region: RegionId::parse(&region).map_err(|e| corrupt(e.to_string()))?,
            })
        })
        .collect()
}

fn years(conn: &Connection, code: Option<&str>) -> Result<HashMap<String, Vec<YearAttributes>>, StoreError> {
    // one enterprise through the key, or all of them; `?1 IS NULL OR code = ?1` would scan the table
    let mut stmt = conn.prepare_cached(if code.is_some() {
        "SELECT code, year, scale, high_tech, sales_over_100m, major_project FROM enterprise_years
         WHERE code = ?1 ORDER BY code, year"
    } else {
        "SELECT code, year, scale, high_tech, sales_over_100m, major_project FROM enterprise_years
         WHERE ?1 IS NULL ORDER BY code, year"
    })?;
    let mut out: HashMap<String, Vec<YearAttributes>> = HashMap::new();
    let mut rows = stmt.query([code])?;
    while let Some(r) = rows.next()? {
        let attributes = YearAttributes {
            year: r.get(1)?,
            scale: r.get(2)?,
            high_tech: r.get(3)?,
            sales_over_100m: r.get(4)?,
            major_project: r.get(5)?,
        };
        out.entry(r.get(0)?).or_default().push(attributes);
    }
    Ok(out)
}

fn institutions(conn: &Connection, code: Option<&str>) -> Result<HashMap<String, Vec<Institution>>, StoreError> {
    let mut stmt = conn.prepare_cached(if code.is_some() {
        "SELECT code, kind, level, name, since, until FROM enterprise_institutions WHERE code = ?1 ORDER BY code, id"
    } else {
        "SELECT code, kind, level, name, since, until FROM enterprise_institutions WHERE ?1 IS NULL ORDER BY code, id"
    })?;
    let mut out: HashMap<String, Vec<Institution>> = HashMap::new();
    let mut rows = stmt.query([code])?;
    while let Some(r) = rows.next()? {
        let (kind, level): (String, String) = (r.get(1)?, r.get(2)?);
        let institution = Institution {
            kind: InstitutionKind::parse(&kind).ok_or_else(|| corrupt(format!("institution kind {kind}")))?,
            level: Level::parse(&level).ok_or_else(|| corrupt(format!("institution level {level}")))?,
            name: r.get(3)?,
            since: r.get(4)?,
            until: r.get(5)?,
        };
        out.entry(r.get(0)?).or_default().push(institution);
    }
    Ok(out)
}

/// Stores an enterprise's figures of a period (replacing those of the same measures).
pub fn put_values(conn: &Connection, code: &str, period: Period, values: &[(Measure, f64)]) -> Result<(), StoreError> {
    let (year, quarter) = (period.year(), period.quarter_number());
    let mut stmt = conn.prepare_cached(
        "INSERT INTO enterprise_values (code, measure, year, quarter, value) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code, measure, year, quarter) DO UPDATE SET value = ?5",
    )?;
    for (measure, value) in values {
        stmt.execute(params![code, measure.as_str(), year, quarter, value])?;
    }
    Ok(())
}

/// The figures of `measures` in the years `from..=to`, by enterprise and period.
pub fn values(
    conn: &Connection,
    measures: &[Measure],
    from: i32,
    to: i32,
) -> Result<HashMap<String, HashMap<Period, Figures>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, year, quarter, value FROM enterprise_values WHERE measure = ?1 AND year BETWEEN ?2 AND ?3",
    )?;
    let mut out: HashMap<String, HashMap<Period, Figures>> = HashMap::new();
    for measure in measures {
        let mut rows = stmt.query(params![measure.as_str(), from, to])?;
        while let Some(r) = rows.next()? {
            let (year, quarter): (i32, u8) = (r.get(1)?, r.get(2)?);
            let period = Period::from_parts(year, quarter)
                .ok_or_else(|| corrupt(format!("enterprise figure period {year}/{quarter}")))?;
            out.entry(r.get(0)?).or_default().entry(period).or_default().insert(*measure, r.get(3)?);
        }
    }
    Ok(out)
}

/// An enterprise's figures, every period, by period.
pub fn values_of(conn: &Connection, code: &str) -> Result<Vec<(Period, Measure, f64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT year, quarter, measure, value FROM enterprise_values WHERE code = ?1 ORDER BY year, quarter, measure",
    )?;
    let mut rows = stmt.query([code])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (year, quarter, measure): (i32, u8, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        out.push((
            Period::from_parts(year, quarter).ok_or_else(|| corrupt(format!("period {year}/{quarter} of {code}")))?,
            Measure::parse(&measure).ok_or_else(|| corrupt(format!("measure {measure} of {code}")))?,
            r.get(3)?,
        ));
    }
    Ok(out)
}

/// The register's span: the first year with attributes, and the latest quarter with a figure of
/// an enterprise (none when no figure is recorded) and the latest year with attributes.
pub struct Span {
    pub first_year: Option<i32>,
    pub last_attribute_year: Option<i32>,
    pub last_figure: Option<(i32, u8)>,
}

pub fn span(conn: &Connection) -> Result<Span, StoreError> {
    let (first_year, last_attribute_year) = conn
        .prepare_cached("SELECT MIN(year), MAX(year) FROM enterprise_years")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let last: Option<i64> = conn
        .prepare_cached("SELECT MAX(year * 10 + CASE quarter WHEN 0 THEN 4 ELSE quarter END) FROM enterprise_values")?
        .query_row([], |r| r.get(0))?;
    Ok(Span { first_year, last_attribute_year, last_figure: last.map(|yq| ((yq / 10) as i32, (yq % 10) as u8)) })
}
