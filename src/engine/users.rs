//! Users and API tokens. A token is 256 random bits shown once; only its SHA-256 is stored
//! (a slow password hash adds nothing for a secret this long).

use rand::RngCore;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::{Scope, audit_change};
use crate::domain::RegionId;
use crate::domain::access::{Role, User};
use crate::error::{AppError, AppResult};
use crate::store;

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("zb_{}", hex::encode(bytes))
}

/// Creates a user and returns a fresh API token for them.
pub fn add(conn: &Connection, actor: &str, name: &str, role: Role, regions: &[RegionId]) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::invalid("name", "a user name has 1 to 64 characters"));
    }
    if store::users::name_taken(conn, name)? {
        return Err(AppError::Conflict(format!("user '{name}' already exists")));
    }
    match role {
        Role::Statistician if regions.is_empty() => {
            return Err(AppError::invalid("region", "a statistician reports for at least one region"));
        }
        Role::Admin | Role::Viewer if !regions.is_empty() => {
            return Err(AppError::invalid("region", "only statisticians are bound to regions"));
        }
        _ => {}
    }
    for region in regions {
        if store::regions::get(conn, region.as_str())?.is_none() {
            return Err(AppError::invalid("region", format!("region '{region}' does not exist")));
        }
    }
    let id = store::users::insert(conn, name, role, regions)?;
    let token = new_token();
    store::users::add_token(conn, id, &hash_token(&token))?;
    let record = User { id, name: name.to_string(), role, regions: regions.to_vec() };
    audit_change(conn, actor, "create", "user", name, Scope::default(), None, Some(&record))?;
    Ok(token)
}

pub fn authenticate(conn: &Connection, token: &str) -> AppResult<Option<User>> {
    Ok(store::users::by_token_hash(conn, &hash_token(token))?)
}
