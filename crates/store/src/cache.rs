//! Values computed from one facility's data, kept while that data is unchanged.
//!
//! A value is stored with the facility's change counter (`facility_summaries.changes`, bumped
//! by every committed audited write that touched the facility — see `WriteTx::commit`) and with
//! the store's count of writes that touched no facility (catalogue editions, organisation
//! settings), so it is served only while neither moved. The counter is read from the database on
//! every lookup, so a write made by another server process on the same PostgreSQL database is
//! seen at once as well.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What a cached value was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// The facility's change counter.
    pub version: i64,
    /// The process's count of commits that touched no facility.
    pub global: u64,
    /// The day the value was computed for, for values that depend on the date ("" otherwise).
    pub day: String,
}

/// At most `capacity` facilities' values; when full, the least recently used one goes.
#[derive(Debug)]
pub(crate) struct FacilityCache<V> {
    entries: Mutex<HashMap<i64, Entry<V>>>,
    capacity: usize,
    tick: AtomicU64,
}

#[derive(Debug)]
struct Entry<V> {
    stamp: Stamp,
    value: Arc<V>,
    used: u64,
}

impl<V> FacilityCache<V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            tick: AtomicU64::new(0),
        }
    }

    /// The value of `facility_id` if it was computed from the same data (`stamp`).
    pub fn get(&self, facility_id: i64, stamp: &Stamp) -> Option<Arc<V>> {
        let used = self.tick.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries.lock().ok()?;
        let entry = entries.get_mut(&facility_id)?;
        if entry.stamp != *stamp {
            return None;
        }
        entry.used = used;
        Some(entry.value.clone())
    }

    /// Whether the facility has an entry, current or not.
    pub fn contains(&self, facility_id: i64) -> bool {
        self.entries
            .lock()
            .is_ok_and(|entries| entries.contains_key(&facility_id))
    }

    /// The value under `stamp`, else `compute`d; a computed value is kept when `keep` is set
    /// or the facility already had a (stale) entry — someone was looking at it.
    pub async fn get_or_compute<F>(
        &self,
        facility_id: i64,
        stamp: Stamp,
        keep: bool,
        compute: F,
    ) -> crate::Result<Arc<V>>
    where
        F: std::future::Future<Output = crate::Result<V>>,
    {
        if let Some(value) = self.get(facility_id, &stamp) {
            return Ok(value);
        }
        let keep = keep || self.contains(facility_id);
        let value = Arc::new(compute.await?);
        if keep {
            self.put(facility_id, stamp, value.clone());
        }
        Ok(value)
    }

    /// Removes the facility's entry, current or not, and returns it with what it was computed
    /// from.
    pub fn take(&self, facility_id: i64) -> Option<(Stamp, Arc<V>)> {
        let mut entries = self.entries.lock().ok()?;
        entries
            .remove(&facility_id)
            .map(|entry| (entry.stamp, entry.value))
    }

    pub fn put(&self, facility_id: i64, stamp: Stamp, value: Arc<V>) {
        let used = self.tick.fetch_add(1, Ordering::Relaxed);
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity && !entries.contains_key(&facility_id) {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(id, _)| *id)
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(facility_id, Entry { stamp, value, used });
    }
}

impl crate::Store {
    /// What a value of `facility_id` computed now (for `day`, when it depends on the date)
    /// would be computed from.
    pub(crate) async fn stamp(
        &self,
        facility_id: i64,
        day: Option<chrono::NaiveDate>,
    ) -> crate::Result<Stamp> {
        // The global count is read first: a write that lands between the two reads makes the
        // stamp older than the data, never newer, so a stale value cannot be stored as fresh.
        let global = self.global_changes.current();
        Ok(Stamp {
            version: self.facility_version(facility_id).await?,
            global,
            day: day.map(|d| d.to_string()).unwrap_or_default(),
        })
    }
}

/// A count of committed writes of some kind in this process, shared by the store and its write
/// transactions.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(version: i64) -> Stamp {
        Stamp {
            version,
            global: 0,
            day: String::new(),
        }
    }

    #[test]
    fn serves_only_the_same_stamp() {
        let cache = FacilityCache::new(4);
        cache.put(1, stamp(3), Arc::new("three"));
        assert_eq!(cache.get(1, &stamp(3)).as_deref(), Some(&"three"));
        assert!(cache.get(1, &stamp(4)).is_none());
        assert!(cache.get(2, &stamp(3)).is_none());
        let other_day = Stamp {
            day: "2026-11-22".into(),
            ..stamp(3)
        };
        assert!(cache.get(1, &other_day).is_none());
    }

    #[test]
    fn drops_the_least_recently_used_when_full() {
        let cache = FacilityCache::new(2);
        cache.put(1, stamp(0), Arc::new(1));
        cache.put(2, stamp(0), Arc::new(2));
        assert!(cache.get(1, &stamp(0)).is_some());
        cache.put(3, stamp(0), Arc::new(3));
        assert!(
            cache.get(2, &stamp(0)).is_none(),
            "2 was used least recently"
        );
        assert!(cache.get(1, &stamp(0)).is_some());
        assert!(cache.get(3, &stamp(0)).is_some());
    }
}
