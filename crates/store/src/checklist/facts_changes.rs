//! Bringing a facility's kept facts up to date after a change, from the audit log. Every write
//! appends entries naming what it changed, in commit order (`seq`: each write transaction takes
//! the chain's head row first), so the entries after the facts' position say which accounts and
//! devices to read again. The findings of a 60,000-account hospital after one account is edited
//! then read that account, not all 60,000.
//!
//! An account import is taken in as its system's block of accounts, a device import through its
//! per-device entries. Anything the entries do not pin down — an entity not listed here, more
//! entries than `MOST_ENTRIES` — is read in full, as before; another day or a write to data no
//! facility owns re-reads only the small parts.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use mimamori_domain::accounts::Account;
use mimamori_domain::findings::{DeviceFacts, FacilityFacts};
use mimamori_domain::validation::search_key;

use super::facts::KeptFacts;
use crate::write::alters_facility_data;
use crate::{col, Result, Scope, Store};

/// At most this many entries are read back; past it (an import, a day of work) reading
/// everything costs about the same.
const MOST_ENTRIES: i64 = 1_000;

/// Entities whose rows feed only the small parts of the facts (everything but the devices and the
/// accounts): registers, staff, checklist answers, preparedness, account policies and workflow
/// (whose changes to accounts are audited as `account` entries of their own).
const SMALL_PARTS: &[&str] = &[
    "vulnerability_suppression",
    "vendor",
    "system",
    "cloud_service",
    "remote_maintenance",
    "person",
    "contact",
    "escalation_step",
    "backup",
    "drill",
    "appointment",
    "ledger",
    "checklist_assessment",
    "checklist_answer",
    "checklist_evidence",
    "bcp_answer",
    "incident",
    "incident_step",
    "incident_report",
    "incident_timeline",
    "access_policy",
    "account_settings",
    "account_mapping",
    "account_application",
    "access_review",
    "access_review_item",
];

/// What changed since kept facts were read.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    pub accounts: BTreeSet<i64>,
    /// Systems whose accounts were imported (all of them rewritten), by name as logged.
    pub account_systems: BTreeSet<String>,
    pub devices: BTreeSet<i64>,
    /// Whether the small parts are to be read again.
    pub small_parts: bool,
}

impl Changes {
    /// The changes named by audit entries (action, entity, entity id), or `None` when one of
    /// them may have changed the facts in a way only a full read covers.
    pub(crate) fn from_entries<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str, Option<&'a str>)>,
    ) -> Option<Changes> {
        let mut changes = Changes::default();
        for (action, entity, id) in entries {
            if !alters_facility_data(action, entity) {
                continue;
            }
            let number = || id.and_then(|id| id.parse::<i64>().ok());
            match (action, entity) {
                (_, "account") => {
                    changes.accounts.insert(number()?);
                }
                (_, "device") => {
                    changes.devices.insert(number()?);
                }
                // A device import logs every device it creates or changes as an entry of its own.
                ("import", "devices") => {}
                // An account import logs one entry naming the system whose accounts it rewrote.
                ("import", "accounts") => {
                    changes.account_systems.insert(id?.to_string());
                }
                ("update", "facility") => changes.small_parts = true,
                _ if SMALL_PARTS.contains(&entity) => changes.small_parts = true,
                _ => return None,
            }
        }
        Some(changes)
    }
}

/// Puts the current rows of the `changed` ids (`fresh`, as read now) in their places in `list`
/// and drops the ones no longer there. False when a row is new or its sort key changed: its
/// place is the database's to say (its collation), so the caller reads the whole list again.
fn replace_rows<T>(
    list: &mut Vec<T>,
    changed: &BTreeSet<i64>,
    fresh: Vec<T>,
    id: impl Fn(&T) -> i64,
    same_place: impl Fn(&T, &T) -> bool,
) -> bool {
    let mut fresh: HashMap<i64, T> = fresh.into_iter().map(|row| (id(&row), row)).collect();
    let mut moved = false;
    list.retain_mut(|slot| {
        let slot_id = id(slot);
        if !changed.contains(&slot_id) {
            return true;
        }
        match fresh.remove(&slot_id) {
            Some(row) if same_place(slot, &row) => {
                *slot = row;
                true
            }
            Some(_) => {
                moved = true;
                true
            }
            None => false,
        }
    });
    !moved && fresh.is_empty()
}

/// Puts the current accounts of the system whose key is `system_key` (`fresh`, in login order)
/// where its accounts were: the list is ordered by system then login, so they are one block.
/// False when the system had no accounts before and has some now (where its block goes is the
/// database's collation to say).
fn replace_system_block(list: &mut Vec<Account>, system_key: &str, fresh: Vec<Account>) -> bool {
    // Keys per system name as written, computed once per name rather than once per account.
    let mut keys: HashMap<String, bool> = HashMap::new();
    let mut in_block = |a: &Account| match keys.get(a.system.as_str()) {
        Some(&hit) => hit,
        None => {
            let hit = search_key(&a.system) == system_key;
            keys.insert(a.system.clone(), hit);
            hit
        }
    };
    let Some(start) = list.iter().position(&mut in_block) else {
        return fresh.is_empty();
    };
    let end = start + list[start..].iter().take_while(|a| in_block(a)).count();
    list.splice(start..end, fresh);
    true
}

/// Facts to bring up to date: the large parts as of the audit log position `seq`, and the small
/// parts when they are still current (same day, no write to data of no facility since).
pub(crate) struct Base {
    pub large: Large,
    pub small: Option<FacilityFacts>,
    pub seq: i64,
}

/// A base opened (see [`Store::opened`]): the changes since its position and its large parts.
pub(crate) struct Opened {
    changes: Changes,
    accounts: Vec<Account>,
    devices: Vec<DeviceFacts>,
}

/// The accounts and devices of a base: in memory, or a snapshot still encoded — decoded on a
/// blocking thread while the log and the small parts are read.
pub(crate) enum Large {
    Kept(Vec<Account>, Vec<DeviceFacts>),
    Encoded(Vec<u8>),
}

impl Large {
    /// The accounts and devices, or `None` (logged) when a snapshot cannot be decoded.
    async fn into_parts(self, facility_id: i64) -> Option<(Vec<Account>, Vec<DeviceFacts>)> {
        let data = match self {
            Large::Kept(accounts, devices) => return Some((accounts, devices)),
            Large::Encoded(data) => data,
        };
        match tokio::task::spawn_blocking(move || super::facts_snapshot::decode(&data)).await {
            Ok(Ok(parts)) => Some(parts),
            Ok(Err(error)) => {
                tracing::warn!(facility_id, %error, "facts snapshot unreadable; reading in full");
                None
            }
            Err(error) => {
                tracing::warn!(facility_id, %error, "facts snapshot not decoded; reading in full");
                None
            }
        }
    }
}

impl Base {
    /// Facts that were kept: owned when nothing else holds them any more (the findings cache
    /// lets go first), else copied.
    pub(crate) fn kept(kept: Arc<KeptFacts>, small_current: bool) -> Base {
        let seq = kept.seq;
        let facts = Arc::try_unwrap(kept).map_or_else(|shared| shared.facts.clone(), |k| k.facts);
        let mut facts = Arc::try_unwrap(facts).unwrap_or_else(|shared| (*shared).clone());
        Base {
            large: Large::Kept(
                std::mem::take(&mut facts.accounts),
                std::mem::take(&mut facts.devices),
            ),
            small: small_current.then_some(facts),
            seq,
        }
    }
}

/// Reads the `changed` rows with `read` and puts them in `list` (see [`replace_rows`]), or reads
/// the whole list again when they do not fit in place.
async fn take_in<T, F>(
    list: &mut Vec<T>,
    changed: &BTreeSet<i64>,
    read: impl Fn(Scope) -> F,
    id: impl Fn(&T) -> i64,
    same_place: impl Fn(&T, &T) -> bool,
) -> Result<()>
where
    F: std::future::Future<Output = Result<Vec<T>>>,
{
    if changed.is_empty() {
        return Ok(());
    }
    let fresh = read(Scope::Ids(changed.iter().copied().collect())).await?;
    if !replace_rows(list, changed, fresh, id, same_place) {
        *list = read(Scope::All).await?;
    }
    Ok(())
}

impl Store {
    /// The audit log's position: the sequence number of the last committed entry.
    pub(crate) async fn audit_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        col(&row, "seq")
    }

    /// What changed in the facility's data after `seq`, or `None` when only a full read covers
    /// it.
    async fn changes_since(&self, facility_id: i64, seq: i64) -> Result<Option<Changes>> {
        let rows = sqlx::query(
            "SELECT action, entity, entity_id FROM audit_log WHERE facility_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(facility_id)
        .bind(seq)
        .bind(MOST_ENTRIES + 1)
        .fetch_all(&self.pool)
        .await?;
        if rows.len() as i64 > MOST_ENTRIES {
            return Ok(None);
        }
        let entries = rows
            .iter()
            .map(|row| {
                Ok((
                    col::<String>(row, "action")?,
                    col::<String>(row, "entity")?,
                    col::<Option<String>>(row, "entity_id")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Changes::from_entries(entries.iter().map(
            |(action, entity, id)| (action.as_str(), entity.as_str(), id.as_deref()),
        )))
    }

    /// What changed since the base's position, read while a snapshot is decoded; `None` when
    /// only a full read covers the changes or the snapshot cannot be decoded.
    pub(crate) async fn opened(
        &self,
        facility_id: i64,
        base_seq: i64,
        large: Large,
    ) -> Result<Option<Opened>> {
        let (changes, parts) = tokio::join!(
            self.changes_since(facility_id, base_seq),
            large.into_parts(facility_id),
        );
        Ok(match (changes?, parts) {
            (Some(changes), Some((accounts, devices))) => Some(Opened {
                changes,
                accounts,
                devices,
            }),
            _ => None,
        })
    }

    /// Kept facts with the changes since their position taken in (`seq`: the log's position
    /// read before this call). The small parts are read again alongside, unless still current.
    pub(crate) async fn brought_up_to_date(
        &self,
        facility_id: i64,
        today: NaiveDate,
        base: Base,
        seq: i64,
    ) -> Result<FacilityFacts> {
        let Base {
            large,
            small,
            seq: base_seq,
        } = base;
        let read_small = small.is_none();
        let (opened, fresh) = tokio::join!(self.opened(facility_id, base_seq, large), async {
            match read_small {
                true => Some(self.small_facts(facility_id, today).await),
                false => None,
            }
        });
        let fresh = fresh.transpose()?;
        self.taken_in(facility_id, today, seq, opened?, small, fresh)
            .await
    }

    /// `opened` with its changes taken in, or everything read again when it is `None`. The
    /// small parts are `fresh` when read after `seq`, else `kept` while no change touched them.
    pub(crate) async fn taken_in(
        &self,
        facility_id: i64,
        today: NaiveDate,
        seq: i64,
        opened: Option<Opened>,
        kept: Option<FacilityFacts>,
        fresh: Option<FacilityFacts>,
    ) -> Result<FacilityFacts> {
        let Some(Opened {
            changes,
            accounts,
            devices,
        }) = opened
        else {
            return self.read_in_full(facility_id, today, seq, fresh).await;
        };
        self.facts_reads.updated.bump();
        let mut facts = match (fresh, kept) {
            (Some(fresh), _) => fresh,
            (None, Some(kept)) if !changes.small_parts => kept,
            (None, _) => self.small_facts(facility_id, today).await?,
        };
        // Kept small parts hold the lifecycle of their day: an import since may have changed it.
        facts.lifecycle = self.lifecycle().await?;
        facts.accounts = accounts;
        facts.devices = devices;
        for system in &changes.account_systems {
            let key = search_key(system);
            let fresh = self
                .live_accounts_in(facility_id, &Scope::System(key.clone()))
                .await?;
            if !replace_system_block(&mut facts.accounts, &key, fresh) {
                facts.accounts = self.live_accounts(facility_id).await?;
            }
        }
        take_in(
            &mut facts.accounts,
            &changes.accounts,
            |scope| async move { self.live_accounts_in(facility_id, &scope).await },
            |a| a.id,
            |a, b| a.system == b.system && a.login_id == b.login_id,
        )
        .await?;
        take_in(
            &mut facts.devices,
            &changes.devices,
            |scope| async move { self.device_facts_in(facility_id, &scope).await },
            |d| d.id,
            |a, b| a.management_no == b.management_no,
        )
        .await?;
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_name_rows_or_parts_or_ask_for_a_full_read() {
        let changes = Changes::from_entries([
            ("update", "account", Some("7")),
            ("create", "device", Some("3")),
            ("export", "devices", None),
            ("sign_in", "user", Some("1")),
            ("update", "checklist_answer", Some("x")),
        ])
        .expect("every entry understood");
        assert_eq!(changes.accounts, BTreeSet::from([7]));
        assert_eq!(changes.devices, BTreeSet::from([3]));
        assert!(changes.small_parts);
        assert_eq!(
            Changes::from_entries([("update", "device", Some("2"))]),
            Some(Changes {
                devices: BTreeSet::from([2]),
                ..Changes::default()
            })
        );
        let imports = Changes::from_entries([
            ("create", "device", Some("4")),
            ("import", "devices", None),
            ("import", "accounts", Some("電子カルテ")),
        ])
        .expect("imports understood");
        assert_eq!(imports.devices, BTreeSet::from([4]));
        assert_eq!(
            imports.account_systems,
            BTreeSet::from(["電子カルテ".to_string()])
        );
        for unknown in [
            ("import", "accounts", None),
            ("update", "account", None),
            ("create", "facility", Some("1")),
            ("create", "something_new", Some("1")),
        ] {
            assert_eq!(Changes::from_entries([unknown]), None, "{unknown:?}");
        }
    }

    #[test]
    fn a_system_block_is_replaced_where_it_was() {
        let account = |system: &str, login: &str| Account {
            system: system.into(),
            login_id: login.into(),
            ..Account::from_record(system, &Default::default())
        };
        let list = vec![
            account("PACS", "a"),
            account("ｒｉｓ", "b"),
            account("RIS", "c"),
            account("電子カルテ", "d"),
        ];
        let mut replaced = list.clone();
        assert!(replace_system_block(
            &mut replaced,
            &search_key("RIS"),
            vec![account("RIS", "x")]
        ));
        let logins: Vec<&str> = replaced.iter().map(|a| a.login_id.as_str()).collect();
        assert_eq!(
            logins,
            ["a", "x", "d"],
            "both spellings of the key replaced"
        );
        let mut emptied = list.clone();
        assert!(replace_system_block(
            &mut emptied,
            &search_key("PACS"),
            vec![]
        ));
        assert_eq!(emptied.len(), 3);
        let mut new_system = list.clone();
        assert!(!replace_system_block(
            &mut new_system,
            &search_key("検査"),
            vec![account("検査", "e")]
        ));
        assert!(replace_system_block(
            &mut new_system,
            &search_key("検査"),
            vec![]
        ));
    }

    #[test]
    fn rows_are_replaced_in_place_or_the_list_is_read_again() {
        type Row = (i64, &'static str, &'static str);
        let list: Vec<Row> = vec![(1, "a", "old"), (2, "b", "old"), (3, "c", "old")];
        let id = |r: &Row| r.0;
        let same = |a: &Row, b: &Row| a.1 == b.1;

        let mut edited = list.clone();
        let changed = BTreeSet::from([2, 3]);
        assert!(replace_rows(
            &mut edited,
            &changed,
            vec![(2, "b", "new")],
            id,
            same
        ));
        assert_eq!(edited, vec![(1, "a", "old"), (2, "b", "new")], "3 is gone");

        let mut renamed = list.clone();
        let changed = BTreeSet::from([1]);
        assert!(!replace_rows(
            &mut renamed,
            &changed,
            vec![(1, "z", "old")],
            id,
            same
        ));
        let mut added = list.clone();
        let changed = BTreeSet::from([4]);
        assert!(!replace_rows(
            &mut added,
            &changed,
            vec![(4, "d", "new")],
            id,
            same
        ));
    }
}
