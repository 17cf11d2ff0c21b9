//! The bureau's departments (科室: 局办公室, 高新技术科 …), registered once by an admin: the
//! departments officers act for and tasks are assigned to.

use rusqlite::Connection;
use serde::Serialize;

use super::{Scope, audit_change, require_admin};
use crate::domain::access::User;
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::store;

/// The longest name of a department.
pub const MAX_NAME_CHARS: usize = 50;

/// A department as registered: its name and its place in the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Department {
    #[schema(example = "高新技术科")]
    pub name: String,
    /// departments are listed by `sort`, then by name
    pub sort: i64,
}

/// The departments' names in their order.
pub fn list(conn: &Connection) -> AppResult<Vec<String>> {
    Ok(store::rectification::departments(conn)?)
}

/// Registers a department (admins only). Without `sort` it goes after those already registered
/// (its place is their number), so that departments added one by one keep the order they came in.
pub fn add(conn: &Connection, user: &User, name: &str, sort: Option<i64>) -> AppResult<Department> {
    require_admin(user)?;
    add_as(conn, &user.name, name, sort)
}

/// [`add`] by the command line or the demo, which act as `actor` without a user.
pub fn add_as(conn: &Connection, actor: &str, name: &str, sort: Option<i64>) -> AppResult<Department> {
    let name = text::name(name, MAX_NAME_CHARS).map_err(|e| AppError::invalid("name", format!("科室{e}")))?;
    let existing = list(conn)?;
    if existing.contains(&name) {
        return Err(AppError::Conflict(format!("科室“{name}”已登记")));
    }
    let sort = sort.unwrap_or(existing.len() as i64);
    store::rectification::save_department(conn, &name, sort)?;
    let department = Department { name, sort };
    audit_change(conn, actor, "create", "department", &department.name, Scope::default(), None, Some(&department))?;
    Ok(department)
}

/// `names` trimmed, blanks and repeats dropped, each a registered department, in the registry's
/// order; a name that is not registered is an error of `field` naming it.
pub fn registered(conn: &Connection, field: &str, names: &[String]) -> AppResult<Vec<String>> {
    let known = list(conn)?;
    let mut wanted: Vec<&str> = Vec::new();
    for name in names.iter().filter_map(|n| text::visible(n)) {
        if !known.iter().any(|k| k == name) {
            return Err(AppError::invalid(field, format!("科室“{name}”未登记，请管理员先登记该科室")));
        }
        wanted.push(name);
    }
    Ok(known.into_iter().filter(|k| wanted.contains(&k.as_str())).collect())
}
