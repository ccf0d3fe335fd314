//! The sessions and facilities that recent requests resolved, so that a page does not read the
//! session, the user, the memberships and the facility again for every request.
//!
//! An entry is served only while this process has committed no write since it was read (the
//! store's write count covers sessions, users, memberships and facilities, so signing out,
//! deactivating a user, changing a role or renaming a facility take effect at the next request),
//! and for at most [`TTL`]: a second server process on the same PostgreSQL database writes
//! without our count moving, and its changes are seen within that time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mimamori_store::facilities::Facility;
use mimamori_store::sessions::Session;
use mimamori_store::users::{Membership, User};

/// The longest an entry is served without reading the database again.
pub const TTL: Duration = Duration::from_secs(2);
/// Entries per map; past that the map starts afresh (sessions are few; this bounds memory).
const MAX_ENTRIES: usize = 10_000;

/// A session with its user and the memberships valid on the day it was read.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub session: Session,
    pub user: User,
    pub memberships: Vec<Membership>,
}

/// The user an API token belongs to and their memberships on the day it was read.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub user: User,
    pub memberships: Vec<Membership>,
    /// The token only reads: every request that writes is refused.
    pub read_only: bool,
}

#[derive(Debug, Default)]
pub struct AuthCache {
    sessions: Kept<SessionRecord>,
    tokens: Kept<TokenRecord>,
    facilities: Kept<Facility>,
}

impl AuthCache {
    pub fn session(&self, id_hash: &str, writes: u64, day: &str) -> Option<SessionRecord> {
        self.sessions.get(id_hash, writes, day)
    }

    pub fn keep_session(&self, id_hash: &str, writes: u64, day: &str, record: SessionRecord) {
        self.sessions.put(id_hash, writes, day, record);
    }

    pub fn token(&self, token_hash: &str, writes: u64, day: &str) -> Option<TokenRecord> {
        self.tokens.get(token_hash, writes, day)
    }

    pub fn keep_token(&self, token_hash: &str, writes: u64, day: &str, record: TokenRecord) {
        self.tokens.put(token_hash, writes, day, record);
    }

    pub fn facility(&self, code: &str, writes: u64) -> Option<Facility> {
        self.facilities.get(code, writes, "")
    }

    pub fn keep_facility(&self, code: &str, writes: u64, facility: Facility) {
        self.facilities.put(code, writes, "", facility);
    }
}

#[derive(Debug)]
struct Kept<T> {
    entries: Mutex<HashMap<String, Entry<T>>>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

#[derive(Debug)]
struct Entry<T> {
    /// The store's write count before the value was read.
    writes: u64,
    day: String,
    read_at: Instant,
    value: T,
}

impl<T: Clone> Kept<T> {
    fn get(&self, key: &str, writes: u64, day: &str) -> Option<T> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.writes == writes && entry.day == day && entry.read_at.elapsed() < TTL)
            .then(|| entry.value.clone())
    }

    fn put(&self, key: &str, writes: u64, day: &str, value: T) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key.to_string(),
            Entry {
                writes,
                day: day.to_string(),
                read_at: Instant::now(),
                value,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_while_nothing_was_written_on_the_same_day() {
        let kept = Kept::default();
        kept.put("a", 7, "2026-11-21", 1);
        assert_eq!(kept.get("a", 7, "2026-11-21"), Some(1));
        assert_eq!(kept.get("a", 8, "2026-11-21"), None, "a write since");
        assert_eq!(kept.get("a", 7, "2026-11-22"), None, "another day");
        assert_eq!(kept.get("b", 7, "2026-11-21"), None);
    }

    #[test]
    fn not_served_after_the_ttl() {
        let kept = Kept::default();
        kept.put("a", 0, "", 1);
        if let Ok(mut entries) = kept.entries.lock() {
            if let Some(entry) = entries.get_mut("a") {
                entry.read_at -= TTL;
            }
        }
        assert_eq!(kept.get("a", 0, ""), None);
    }
}
