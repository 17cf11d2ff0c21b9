//! Users and API tokens. A token is 256 random bits shown once; only its SHA-256 is stored
//! (a slow password hash adds nothing for a secret this long).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
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

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn new_token() -> String {
    format!("zb_{}", random_hex())
}

pub const MIN_PASSWORD_CHARS: usize = 8;
/// How long a browser session lasts: a working day.
pub const SESSION_HOURS: i64 = 12;

/// Sets a user's password, stored as an argon2id hash.
pub fn set_password(conn: &Connection, actor: &str, name: &str, password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid("password", format!("密码至少 {MIN_PASSWORD_CHARS} 个字符")));
    }
    let user = store::users::with_name(conn, name)?.ok_or_else(|| AppError::NotFound(format!("没有用户“{name}”")))?;
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .to_string();
    store::users::set_password_hash(conn, user.id, &hash)?;
    audit_change::<()>(conn, actor, "update", "password", name, Scope::default(), None, None)
}

/// The user with this name and password, if both match.
pub fn login(conn: &Connection, name: &str, password: &str) -> AppResult<Option<User>> {
    let Some((user, hash)) = store::users::with_password(conn, name.trim())? else { return Ok(None) };
    let parsed = PasswordHash::new(&hash).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok().then_some(user))
}

/// A browser session: the cookie's secret and the token forms must carry.
pub struct Session {
    pub token: String,
    pub csrf: String,
}

pub fn new_session(conn: &Connection, user: &User) -> AppResult<Session> {
    let session = Session { token: random_hex(), csrf: random_hex() };
    let expires = (chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    store::users::add_session(conn, &hash_token(&session.token), user.id, &session.csrf, &expires)?;
    Ok(session)
}

/// The user of a live session and its CSRF token.
pub fn session(conn: &Connection, token: &str) -> AppResult<Option<(User, String)>> {
    Ok(store::users::by_session_hash(conn, &hash_token(token), &store::now())?)
}

pub fn end_session(conn: &Connection, token: &str) -> AppResult<()> {
    Ok(store::users::delete_session(conn, &hash_token(token))?)
}

/// Creates a user and returns a fresh API token for them.
pub fn add(conn: &Connection, actor: &str, name: &str, role: Role, regions: &[RegionId]) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::invalid("name", "用户名应为 1 到 64 个字符"));
    }
    if store::users::name_taken(conn, name)? {
        return Err(AppError::Conflict(format!("用户“{name}”已存在")));
    }
    match role {
        Role::Statistician if regions.is_empty() => {
            return Err(AppError::invalid("region", "统计员至少要负责一个地区"));
        }
        Role::Admin | Role::Viewer if !regions.is_empty() => {
            return Err(AppError::invalid("region", "只有统计员才负责具体地区"));
        }
        _ => {}
    }
    for region in regions {
        if store::regions::get(conn, region.as_str())?.is_none() {
            return Err(AppError::invalid("region", format!("地区“{region}”不存在")));
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
