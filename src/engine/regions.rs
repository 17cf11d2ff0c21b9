//! Creating, changing and removing regions, keeping the tree valid.

use rusqlite::Connection;

use super::{Scope, audit_change, require_admin, world};
use crate::domain::access::User;
use crate::domain::{Region, RegionKind, RegionTree};
use crate::error::{AppError, AppResult};
use crate::store;

pub fn list(conn: &Connection) -> AppResult<Vec<Region>> {
    Ok(world(conn)?.tree.in_display_order().into_iter().cloned().collect())
}

pub fn get(conn: &Connection, id: &str) -> AppResult<Region> {
    store::regions::get(conn, id)?.ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("region '{id}' does not exist"))
}

/// Checks that the tree stays valid with `region` in place, and that a new parent has no figures
/// of its own (a region with children only aggregates).
fn check_place(conn: &Connection, region: &Region) -> AppResult<()> {
    let mut all: Vec<Region> = store::regions::all(conn)?.into_iter().filter(|r| r.id != region.id).collect();
    all.push(region.clone());
    RegionTree::new(all).map_err(|e| AppError::invalid("parent", e.to_string()))?;
    if let Some(parent) = &region.parent
        && store::regions::has_figures(conn, parent.as_str())?
    {
        return Err(AppError::invalid(
            "parent",
            format!("region '{parent}' has submitted figures, so it cannot have children"),
        ));
    }
    Ok(())
}

pub fn create(conn: &Connection, user: &User, region: Region) -> AppResult<Region> {
    require_admin(user)?;
    if store::regions::get(conn, region.id.as_str())?.is_some() {
        return Err(AppError::Conflict(format!("region '{}' already exists", region.id)));
    }
    check_place(conn, &region)?;
    store::regions::save(conn, &region)?;
    audit_change(
        conn,
        &user.name,
        "create",
        "region",
        region.id.as_str(),
        Scope { region: Some(region.id.as_str()), ..Default::default() },
        None,
        Some(&region),
    )?;
    Ok(region)
}

pub fn update(conn: &Connection, user: &User, region: Region) -> AppResult<Region> {
    require_admin(user)?;
    let old = get(conn, region.id.as_str())?;
    check_place(conn, &region)?;
    // A benchmark's figures are annual and outside the tree; a reporting region's are quarterly
    // and summed into its parent. Switching one into the other would silently change history.
    let id = region.id.as_str();
    if (old.kind == RegionKind::Benchmark) != (region.kind == RegionKind::Benchmark)
        && (store::regions::has_figures(conn, id)?
            || store::regions::has_targets(conn, id)?
            || !store::users::bound_to(conn, id)?.is_empty())
    {
        return Err(AppError::Conflict(format!(
            "region '{id}' has figures, targets or statisticians, so it cannot switch between benchmark and reporting region"
        )));
    }
    store::regions::save(conn, &region)?;
    audit_change(
        conn,
        &user.name,
        "update",
        "region",
        region.id.as_str(),
        Scope { region: Some(region.id.as_str()), ..Default::default() },
        Some(&old),
        Some(&region),
    )?;
    Ok(region)
}

/// What the audit keeps of a deleted region: the region and who was bound to it.
#[derive(serde::Serialize)]
struct Deleted<'a> {
    #[serde(flatten)]
    region: &'a Region,
    statisticians: Vec<String>,
}

/// Removes a region that nothing depends on; the audit keeps what it was and who reported for it.
pub fn delete(conn: &Connection, user: &User, id: &str) -> AppResult<Region> {
    require_admin(user)?;
    let old = get(conn, id)?;
    if world(conn)?.tree.has_children(id) {
        return Err(AppError::Conflict(format!("region '{id}' has children; move or delete them first")));
    }
    if store::regions::has_figures(conn, id)? || store::regions::has_targets(conn, id)? {
        return Err(AppError::Conflict(format!("region '{id}' has figures or targets and cannot be deleted")));
    }
    let statisticians = store::users::bound_to(conn, id)?;
    store::workflow::delete_region(conn, id)?;
    store::regions::delete(conn, id)?;
    audit_change(
        conn,
        &user.name,
        "delete",
        "region",
        id,
        Scope { region: Some(id), ..Default::default() },
        Some(&Deleted { region: &old, statisticians }),
        None,
    )?;
    Ok(old)
}
