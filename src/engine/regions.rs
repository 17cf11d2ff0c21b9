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
    AppError::NotFound(format!("地区“{id}”不存在"))
}

/// Checks that the tree stays valid with `region` in place. A parent may hold figures: they
/// become its reported totals.
fn check_place(conn: &Connection, region: &Region) -> AppResult<()> {
    let mut all: Vec<Region> = store::regions::all(conn)?.into_iter().filter(|r| r.id != region.id).collect();
    all.push(region.clone());
    RegionTree::new(all).map_err(|e| AppError::invalid("parent", e.to_string()))?;
    Ok(())
}

pub fn create(conn: &Connection, user: &User, region: Region) -> AppResult<Region> {
    require_admin(user)?;
    if store::regions::get(conn, region.id.as_str())?.is_some() {
        return Err(AppError::Conflict(format!("地区“{}”已存在", region.id)));
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
        return Err(AppError::Conflict(format!("地区“{id}”已有数据、目标或统计员，不能在对标地区与报送地区之间切换")));
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
    let world = world(conn)?;
    if world.tree.has_children(id) {
        return Err(AppError::Conflict(format!("地区“{id}”有下级地区，请先移走或删除下级地区")));
    }
    // An indicator reported only in this region's subtree would silently apply nowhere.
    if let Some(ind) = world
        .indicators
        .in_display_order()
        .into_iter()
        .find(|i| i.regions.as_ref().is_some_and(|ids| ids.iter().any(|r| r.as_str() == id)))
    {
        return Err(AppError::Conflict(format!("指标“{}”只由地区“{id}”报送，请先修改该指标的适用地区", ind.name)));
    }
    if store::regions::has_figures(conn, id)? || store::regions::has_targets(conn, id)? {
        return Err(AppError::Conflict(format!("地区“{id}”已有数据或目标，不能删除")));
    }
    if store::regions::has_enterprises(conn, id)? {
        return Err(AppError::Conflict(format!("地区“{id}”的企业库中有企业，请先移走或删除这些企业")));
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
