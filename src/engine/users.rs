//! Users, passwords, sessions and API tokens, and the throttle on repeated logins. A token is 256
//! random bits shown once; only its SHA-256 is stored (a slow password hash adds nothing for a
//! secret this long, and refusing a wrong one costs nothing, so tokens need no throttle).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

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

/// `bytes` random bytes from the system's secure generator, in hex (two characters a byte): tokens,
/// session ids, CSRF values and generated passwords.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    hex::encode(buffer)
}

/// How many random bytes an API token, a session id and its CSRF value carry.
const SECRET_BYTES: usize = 32;

fn new_token() -> String {
    format!("zb_{}", random_hex(SECRET_BYTES))
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
    let hash = hash_password(password).map_err(|e| AppError::Internal(e.to_string()))?;
    store::users::set_password_hash(conn, user.id, &hash)?;
    audit_change::<()>(conn, actor, "update", "password", name, Scope::default(), None, None)
}

/// The user of this name and their password hash, when they have a password. A read: the slow
/// check of the password comes after, outside any transaction (`verify_password`).
pub fn password_of(conn: &Connection, name: &str) -> AppResult<Option<(User, String)>> {
    Ok(store::users::with_password(conn, name.trim())?)
}

/// An argon2id hash of a random password, with the parameters of every stored hash: a name
/// without a password is checked against it, so that refusing it costs as long as refusing a
/// wrong password of a real account and the time of an answer tells no one which names exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password(&random_hex(SECRET_BYTES)).expect("argon2 hashes a password"));

/// An argon2id hash of `password` with a random salt, as stored.
fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Whether `password` matches `hash`; with no hash (no such user, or one without a password) the
/// same work is done against a dummy hash and the answer is no. Slow by design (argon2id, tens of
/// milliseconds): call it on the blocking pool and outside any transaction.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    let (hash, real) = match hash {
        Some(h) => (h, true),
        None => (DUMMY_HASH.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        tracing::error!("a stored password hash is not valid");
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

/// Computes the dummy hash now rather than on the first login with an unknown name.
pub fn prepare_password_checks() {
    LazyLock::force(&DUMMY_HASH);
}

/// A browser session: the cookie's secret and the token forms must carry.
pub struct Session {
    pub token: String,
    pub csrf: String,
}

pub fn new_session(conn: &Connection, user: &User) -> AppResult<Session> {
    let session = Session { token: random_hex(SECRET_BYTES), csrf: random_hex(SECRET_BYTES) };
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

/// Creates a user and returns a fresh API token for them. An officer needs departments: see
/// [`add_with_departments`].
pub fn add(conn: &Connection, actor: &str, name: &str, role: Role, regions: &[RegionId]) -> AppResult<String> {
    add_with_departments(conn, actor, name, role, regions, &[])
}

/// Creates a user bound to regions (a statistician) or to registered departments (an officer) and
/// returns a fresh API token for them; nothing is stored when anything is wrong.
pub fn add_with_departments(
    conn: &Connection,
    actor: &str,
    name: &str,
    role: Role,
    regions: &[RegionId],
    departments: &[String],
) -> AppResult<String> {
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
        Role::Admin | Role::Viewer | Role::Officer if !regions.is_empty() => {
            return Err(AppError::invalid("region", "只有统计员才负责具体地区"));
        }
        _ => {}
    }
    let named = departments.iter().any(|d| crate::domain::text::visible(d).is_some());
    match role {
        Role::Officer if !named => {
            return Err(AppError::invalid("department", "科室干部至少要属于一个科室"));
        }
        Role::Admin | Role::Statistician | Role::Viewer if named => {
            return Err(AppError::invalid("department", "只有科室干部才属于具体科室"));
        }
        _ => {}
    }
    let departments = super::departments::registered(conn, "department", departments)?;
    for region in regions {
        if store::regions::get(conn, region.as_str())?.is_none() {
            return Err(AppError::invalid("region", format!("地区“{region}”不存在")));
        }
    }
    let id = store::users::insert(conn, name, role, regions)?;
    store::rectification::set_departments_of(conn, id, &departments)?;
    let token = new_token();
    store::users::add_token(conn, id, &hash_token(&token))?;
    let record = User { id, name: name.to_string(), role, regions: regions.to_vec(), departments };
    audit_change(conn, actor, "create", "user", name, Scope::default(), None, Some(&record))?;
    Ok(token)
}

pub fn authenticate(conn: &Connection, token: &str) -> AppResult<Option<User>> {
    Ok(store::users::by_token_hash(conn, &hash_token(token))?)
}

/// How repeated logins are slowed down for one kind of key: an account name, or a client address.
/// Every attempt counts when it starts (so that many at once are no way around the limit); a
/// successful one wipes its account's count and takes itself off its address's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRules {
    /// attempts in a row before the first lock
    pub free_attempts: u32,
    /// the first lock; each further attempt after a lock doubles it
    pub first_lock: Duration,
    pub longest_lock: Duration,
    /// a key's attempts are forgotten this long after its last attempt or the end of its lock
    pub forget_after: Duration,
}

impl ThrottleRules {
    /// Five attempts in a row, then 1, 2, 4, 8 and at most 15 minutes between attempts; a quiet
    /// quarter of an hour forgets them.
    pub const ACCOUNT: ThrottleRules = ThrottleRules {
        free_attempts: 5,
        first_lock: Duration::from_secs(60),
        longest_lock: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(15 * 60),
    };
    /// One address trying many names (an office behind one NAT address makes more honest mistakes).
    pub const ADDRESS: ThrottleRules = ThrottleRules { free_attempts: 20, ..ThrottleRules::ACCOUNT };

    /// The lock that the `attempt`-th attempt in a row starts: none before `free_attempts`.
    pub fn lock_after(&self, attempt: u32) -> Option<Duration> {
        let doublings = attempt.checked_sub(self.free_attempts)?.min(20);
        Some(self.first_lock.saturating_mul(1 << doublings).min(self.longest_lock))
    }
}

/// The keys followed at most, per kind: a flood of made-up names evicts the oldest first.
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Attempts {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

impl Attempts {
    fn forgotten_at(&self, rules: &ThrottleRules) -> Instant {
        self.locked_until.map_or(self.last, |until| until.max(self.last)) + rules.forget_after
    }
}

struct Tracker {
    rules: ThrottleRules,
    keys: HashMap<String, Attempts>,
}

impl Tracker {
    fn new(rules: ThrottleRules) -> Tracker {
        Tracker { rules, keys: HashMap::new() }
    }

    /// How long `key` must still wait, if it is locked.
    fn wait(&self, key: &str, now: Instant) -> Option<Duration> {
        let until = self.keys.get(key)?.locked_until?;
        (until > now).then(|| until - now)
    }

    fn count(&mut self, key: &str, now: Instant) {
        let rules = self.rules;
        if !self.keys.contains_key(key) && self.keys.len() >= MAX_KEYS {
            self.keys.retain(|_, a| a.forgotten_at(&rules) > now);
            if self.keys.len() >= MAX_KEYS
                && let Some(oldest) =
                    self.keys.iter().min_by_key(|(_, a)| a.forgotten_at(&rules)).map(|(k, _)| k.clone())
            {
                self.keys.remove(&oldest);
            }
        }
        let entry = self.keys.entry(key.to_string()).or_insert(Attempts { count: 0, last: now, locked_until: None });
        if entry.forgotten_at(&rules) <= now {
            *entry = Attempts { count: 0, last: now, locked_until: None };
        }
        entry.count += 1;
        entry.last = now;
        if let Some(lock) = rules.lock_after(entry.count) {
            entry.locked_until = Some(now + lock);
        }
    }

    fn forget(&mut self, key: &str) {
        self.keys.remove(key);
    }

    /// Takes one attempt off `key`: a lock stays only while the rest still call for one.
    fn uncount(&mut self, key: &str) {
        if let Some(a) = self.keys.get_mut(key) {
            a.count = a.count.saturating_sub(1);
            if self.rules.lock_after(a.count).is_none() {
                a.locked_until = None;
            }
        }
    }
}

/// Failed logins slowed down per account and per client address, in memory: a failure then
/// writes nothing to the database (failures would otherwise queue for its write lock, the very
/// thing an attacker floods), and the server is one process. A restart forgets the counts.
pub struct LoginThrottle {
    trackers: Mutex<(Tracker, Tracker)>,
}

impl Default for LoginThrottle {
    fn default() -> LoginThrottle {
        LoginThrottle::new(ThrottleRules::ACCOUNT, ThrottleRules::ADDRESS)
    }
}

impl LoginThrottle {
    pub fn new(account: ThrottleRules, address: ThrottleRules) -> LoginThrottle {
        LoginThrottle { trackers: Mutex::new((Tracker::new(account), Tracker::new(address))) }
    }

    fn account_key(name: &str) -> String {
        name.trim().chars().take(64).collect()
    }

    /// Counts an attempt to sign in as `name` from `address`, or, while either is locked, how
    /// long to wait before the next (nothing is counted then, and nothing need be checked).
    pub fn begin(&self, name: &str, address: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let account = Self::account_key(name);
        let address = address.map(|a| a.to_string());
        let mut guard = self.trackers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (accounts, addresses) = &mut *guard;
        let wait = [accounts.wait(&account, now), address.as_deref().and_then(|a| addresses.wait(a, now))]
            .into_iter()
            .flatten()
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        accounts.count(&account, now);
        if let Some(a) = &address {
            addresses.count(a, now);
        }
        Ok(())
    }

    /// The attempt begun for `name` from `address` was right.
    pub fn succeeded(&self, name: &str, address: Option<IpAddr>) {
        let mut guard = self.trackers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (accounts, addresses) = &mut *guard;
        accounts.forget(&Self::account_key(name));
        if let Some(a) = address {
            addresses.uncount(&a.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: ThrottleRules = ThrottleRules {
        free_attempts: 3,
        first_lock: Duration::from_secs(60),
        longest_lock: Duration::from_secs(300),
        forget_after: Duration::from_secs(900),
    };

    #[test]
    fn locks_grow_from_the_first_attempt_past_the_free_ones_up_to_the_longest() {
        for (attempt, want) in
            [(1, None), (2, None), (3, Some(60)), (4, Some(120)), (5, Some(240)), (6, Some(300)), (60, Some(300))]
        {
            assert_eq!(RULES.lock_after(attempt), want.map(Duration::from_secs), "attempt {attempt}");
        }
        assert_eq!(ThrottleRules::ACCOUNT.lock_after(4), None);
        assert_eq!(ThrottleRules::ACCOUNT.lock_after(5), Some(Duration::from_secs(60)));
        assert_eq!(ThrottleRules::ADDRESS.lock_after(19), None);
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn an_account_is_locked_after_its_free_attempts_and_freed_when_the_lock_ends() {
        let throttle = LoginThrottle::new(RULES, ThrottleRules { free_attempts: 100, ..RULES });
        let t0 = Instant::now();
        let ip: Option<IpAddr> = Some("10.0.0.7".parse().unwrap());
        for i in 0..3 {
            assert_eq!(throttle.begin("jia", ip, t0 + secs(i)), Ok(()), "attempt {i}");
        }
        // the third started a minute's lock: refused, for the account only, whatever the address
        assert_eq!(throttle.begin("jia", None, t0 + secs(2)), Err(secs(60)));
        assert_eq!(throttle.begin(" jia ", ip, t0 + secs(32)), Err(secs(30)));
        assert_eq!(throttle.begin("yi", ip, t0 + secs(32)), Ok(()));
        // after the lock one more attempt, which locks twice as long
        assert_eq!(throttle.begin("jia", ip, t0 + secs(62)), Ok(()));
        assert_eq!(throttle.begin("jia", ip, t0 + secs(63)), Err(secs(119)));
        // a quiet quarter of an hour after the lock ended forgets all
        let later = t0 + secs(62 + 120 + 900);
        for i in 0..3 {
            assert_eq!(throttle.begin("jia", ip, later + secs(i)), Ok(()), "attempt {i} later");
        }
        // a success forgets the account's attempts at once
        throttle.succeeded("jia", ip);
        assert_eq!(throttle.begin("jia", ip, later + secs(3)), Ok(()));
    }

    #[test]
    fn an_address_trying_many_names_is_locked_and_a_success_takes_its_attempt_back() {
        let throttle = LoginThrottle::new(ThrottleRules { free_attempts: 100, ..RULES }, RULES);
        let t0 = Instant::now();
        let ip: Option<IpAddr> = Some("10.0.0.7".parse().unwrap());
        let other: Option<IpAddr> = Some("10.0.0.8".parse().unwrap());
        assert_eq!(throttle.begin("a", ip, t0), Ok(()));
        assert_eq!(throttle.begin("b", ip, t0), Ok(()));
        assert_eq!(throttle.begin("c", ip, t0), Ok(()));
        throttle.succeeded("c", ip);
        // two left: a third starts the lock but is itself checked
        assert_eq!(throttle.begin("d", ip, t0), Ok(()));
        assert_eq!(throttle.begin("e", ip, t0 + secs(1)), Err(secs(59)));
        assert_eq!(throttle.begin("e", other, t0 + secs(1)), Ok(()));
        assert_eq!(throttle.begin("e", None, t0 + secs(1)), Ok(()));
    }

    #[test]
    fn a_flood_of_names_is_held_to_the_most_keys() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..MAX_KEYS + 50 {
            throttle.begin(&format!("name-{i}"), None, t0 + Duration::from_millis(i as u64)).unwrap();
        }
        let guard = throttle.trackers.lock().unwrap();
        assert_eq!(guard.0.keys.len(), MAX_KEYS);
        assert!(!guard.0.keys.contains_key("name-0") && guard.0.keys.contains_key(&format!("name-{}", MAX_KEYS + 49)));
    }

    #[test]
    fn a_name_without_a_password_is_checked_as_slowly_and_refused() {
        assert!(!verify_password(None, "anything"));
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).unwrap();
        let hash = Argon2::default().hash_password(b"right-password", &salt).unwrap().to_string();
        assert!(verify_password(Some(&hash), "right-password"));
        assert!(!verify_password(Some(&hash), "wrong-password"));
        assert!(!verify_password(Some("not a hash"), "right-password"));
        // the dummy hash has the parameters of every real one
        let dummy = PasswordHash::new(&DUMMY_HASH).unwrap();
        let real = PasswordHash::new(&hash).unwrap();
        assert_eq!((dummy.algorithm, dummy.params.to_string()), (real.algorithm, real.params.to_string()));
    }
}
