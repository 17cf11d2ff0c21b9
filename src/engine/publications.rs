//! Publications (SPEC §14): a bulletin, an assessment or a rectification report as it was
//! published, with who published it, when, and the SHA-256 of its JSON.
//!
//! A publication keeps its renderings — the JSON, HTML and XLSX bytes exactly as they were
//! published — rather than the means to rebuild them. Figures are revised after they are
//! published (GDP is verified a year later and every ratio over it moves), targets and schemes
//! change, and the code that renders a report changes too; only the stored bytes are the report
//! the leaders received, byte for byte, whatever was revised later. The JSON's hash is kept beside
//! it so that anyone can check a copy against it.
//!
//! The reports are built by the same code as `/reports/{kind}/…`; the engine does not know them
//! (reports sit above it), so the caller passes the builder.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::require_admin;
use crate::domain::access::User;
use crate::domain::{Period, Quarter, RegionId};
use crate::error::{AppError, AppResult};
use crate::store;
pub use crate::store::publications::Rendering;
use crate::store::publications::{NewPublication, PublicationRow};

/// What can be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// 统计公报 of a region, for the year to a quarter or a whole year
    Bulletin,
    /// 年终考核 of a year
    Assessment,
    /// 整改工作进展情况通报 of a quarter
    Rectification,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Bulletin, Kind::Assessment, Kind::Rectification];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bulletin => "bulletin",
            Kind::Assessment => "assessment",
            Kind::Rectification => "rectification",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Bulletin => "统计公报",
            Kind::Assessment => "年终考核报告",
            Kind::Rectification => "整改工作进展情况通报",
        }
    }
}

/// A report to publish, checked: the period in the form its kind takes, the region that of a
/// bulletin (the root when none was named).
#[derive(Debug, Clone)]
pub enum Subject {
    Bulletin { period: Period, region: RegionId },
    Assessment { year: i32 },
    Rectification { quarter: Quarter },
}

impl Subject {
    /// Checks what was asked: 422 naming `period` or `region` when the kind does not take them,
    /// 404 for a region that does not exist.
    pub fn check(conn: &Connection, kind: Kind, period: Period, region: Option<&RegionId>) -> AppResult<Subject> {
        if kind != Kind::Bulletin && region.is_some() {
            return Err(AppError::invalid("region", format!("只有统计公报按地区发布，{}不分地区", kind.label())));
        }
        Ok(match kind {
            Kind::Bulletin => {
                let world = super::world(conn)?;
                let region = match region {
                    Some(r) => world.region(r.as_str())?,
                    None => world.root()?,
                };
                Subject::Bulletin { period, region: region.id.clone() }
            }
            Kind::Assessment => match period {
                Period::Year(year) => Subject::Assessment { year },
                Period::Quarter(_) => {
                    return Err(AppError::invalid("period", "年终考核报告按年度发布：应为 YYYY，如 2023"));
                }
            },
            Kind::Rectification => match period {
                Period::Quarter(quarter) => Subject::Rectification { quarter },
                Period::Year(_) => {
                    return Err(AppError::invalid("period", "整改工作进展情况通报按季度发布：应为 YYYYQn，如 2023Q4"));
                }
            },
        })
    }

    pub fn kind(&self) -> Kind {
        match self {
            Subject::Bulletin { .. } => Kind::Bulletin,
            Subject::Assessment { .. } => Kind::Assessment,
            Subject::Rectification { .. } => Kind::Rectification,
        }
    }

    pub fn period(&self) -> Period {
        match self {
            Subject::Bulletin { period, .. } => *period,
            Subject::Assessment { year } => Period::Year(*year),
            Subject::Rectification { quarter } => Period::Quarter(*quarter),
        }
    }

    pub fn region(&self) -> Option<&RegionId> {
        match self {
            Subject::Bulletin { region, .. } => Some(region),
            _ => None,
        }
    }
}

/// A report rendered the three ways it is served.
pub struct Renderings {
    pub json: Vec<u8>,
    pub html: Vec<u8>,
    pub xlsx: Vec<u8>,
}

/// A publication as listed (its renderings are served apart).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Publication {
    pub id: i64,
    pub kind: Kind,
    /// `YYYYQn` or `YYYY`
    #[schema(example = "2023Q4")]
    pub period: String,
    /// the region a bulletin is of; none for the assessment and rectification reports
    #[schema(example = "district")]
    pub region: Option<String>,
    /// when it was published (UTC, RFC 3339 with milliseconds, as the audit stamps)
    #[schema(example = "2024-01-20T02:15:00.000Z")]
    pub published_at: String,
    /// the admin who published it
    pub published_by: String,
    /// the moment the report was built as of: the moment it was published
    #[schema(example = "2024-01-20T02:15:00.000Z")]
    pub as_of: String,
    /// the SHA-256 of the JSON rendering, 64 hex digits
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
}

fn publication(row: PublicationRow) -> AppResult<Publication> {
    let kind = Kind::parse(&row.kind)
        .ok_or_else(|| AppError::Store(store::StoreError::Corrupt(format!("publication kind {}", row.kind))))?;
    Ok(Publication {
        id: row.id,
        kind,
        period: row.period,
        region: row.region,
        published_at: row.published_at,
        published_by: row.published_by,
        as_of: row.as_of,
        sha256: row.sha256,
    })
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Publishes a report (admins only): checks what was asked, builds and renders it with `build` in
/// the caller's transaction — so that the report is exactly the data as of the moment stamped —,
/// stores the renderings with the JSON's hash, and audits it (entity `publication`, action
/// `create`, stamped with the same moment).
pub fn create(
    conn: &Connection,
    user: &User,
    kind: Kind,
    period: Period,
    region: Option<&RegionId>,
    build: impl FnOnce(&Connection, &Subject) -> AppResult<Renderings>,
) -> AppResult<Publication> {
    require_admin(user)?;
    let subject = Subject::check(conn, kind, period, region)?;
    let at = store::now();
    let rendered = build(conn, &subject)?;
    let sha256 = sha256_hex(&rendered.json);
    let period = subject.period().to_string();
    let region = subject.region().map(RegionId::as_str);
    let id = store::publications::insert(
        conn,
        &NewPublication {
            kind: kind.as_str(),
            period: &period,
            region,
            published_at: &at,
            published_by: &user.name,
            as_of: &at,
            sha256: &sha256,
            json: &rendered.json,
            html: &rendered.html,
            xlsx: &rendered.xlsx,
        },
    )?;
    let published = Publication {
        id,
        kind,
        period: period.clone(),
        region: region.map(str::to_string),
        published_at: at.clone(),
        published_by: user.name.clone(),
        as_of: at.clone(),
        sha256,
    };
    store::audit::record(
        conn,
        &store::audit::AuditRecord {
            at,
            user: user.name.clone(),
            action: "create".into(),
            entity: "publication".into(),
            key: id.to_string(),
            region: region.map(str::to_string),
            indicator: None,
            period: Some(period),
            old: None,
            // the id is the key, the moment and the user the entry's own
            new: Some(serde_json::json!({"kind": kind, "period": &published.period, "region": region,
                                         "sha256": &published.sha256})),
            reason: None,
        },
    )?;
    Ok(published)
}

/// The publications, newest first; of one kind when asked. For everyone signed in.
pub fn list(conn: &Connection, kind: Option<Kind>) -> AppResult<Vec<Publication>> {
    store::publications::list(conn, kind.map(Kind::as_str))?.into_iter().map(publication).collect()
}

/// One publication; 404 when there is none with `id`.
pub fn get(conn: &Connection, id: i64) -> AppResult<Publication> {
    publication(store::publications::get(conn, id)?.ok_or_else(|| not_found(id))?)
}

/// A publication's rendering as published; 404 when there is none with `id`.
pub fn rendering(conn: &Connection, id: i64, format: Rendering) -> AppResult<Vec<u8>> {
    store::publications::rendering(conn, id, format)?.ok_or_else(|| not_found(id))
}

fn not_found(id: impl std::fmt::Display) -> AppError {
    AppError::NotFound(format!("已发布的报告“{id}”不存在"))
}

/// 404 for a publication id that is not one (`abc`, `0`).
pub fn id_of(text: &str) -> AppResult<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| not_found(text.chars().take(40).collect::<String>()))
}
