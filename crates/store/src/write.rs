//! Every logical write is one transaction that also appends its audit entries to the hash chain.
//! The transaction starts by updating the chain's head row, which takes the write lock at once
//! (no read-then-upgrade on SQLite) and serialises appends to the chain on PostgreSQL.

use serde::Serialize;
use sqlx::{Any, Transaction};

use std::sync::Arc;

use crate::cache::Counter;
use crate::{col, Result, Store};

/// Who makes a change: a signed-in user, or the system / command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub display: String,
}

impl Actor {
    pub fn user(id: i64, display: impl Into<String>) -> Self {
        Self {
            user_id: Some(id),
            display: display.into(),
        }
    }

    pub fn system(display: impl Into<String>) -> Self {
        Self {
            user_id: None,
            display: display.into(),
        }
    }
}

/// One audit entry to append.
pub struct AuditRecord<'a> {
    pub facility_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    /// The entity before and after the change, as JSON text: written straight from the value
    /// (no JSON tree in between — a 100,000-device import writes 100,000 of them).
    pub before: Option<String>,
    pub after: Option<String>,
}

impl<'a> AuditRecord<'a> {
    pub fn new(action: &'a str, entity: &'a str) -> Self {
        Self {
            facility_id: None,
            action,
            entity,
            entity_id: None,
            before: None,
            after: None,
        }
    }

    pub fn facility(mut self, id: Option<i64>) -> Self {
        self.facility_id = id;
        self
    }

    pub fn id(mut self, id: impl ToString) -> Self {
        self.entity_id = Some(id.to_string());
        self
    }

    pub fn before(mut self, value: &impl Serialize) -> Self {
        self.before = serde_json::to_string(value).ok();
        self
    }

    pub fn after(mut self, value: &impl Serialize) -> Self {
        self.after = serde_json::to_string(value).ok();
        self
    }

    /// Whether the entry can change what is kept per facility (facts, findings, the device
    /// list's context, overview summaries). An export only reads; sign-ins, passwords, second
    /// factors, API tokens and memberships change who may do what, not a facility's data — and
    /// a sign-in, which names no facility, would otherwise make every facility's values stale.
    pub fn alters_facility_data(&self) -> bool {
        alters_facility_data(self.action, self.entity)
    }
}

/// See [`AuditRecord::alters_facility_data`]; also used when reading back the audit log.
pub(crate) fn alters_facility_data(action: &str, entity: &str) -> bool {
    const ACCESS_ONLY: &[&str] = &["user", "api_token", "membership"];
    action != "export" && !ACCESS_ONLY.contains(&entity)
}

pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    actor: Actor,
    pub(crate) now: String,
    pub(crate) seq: i64,
    /// The seq this transaction's first audit entry takes: its entries are consecutive, since
    /// every write transaction holds the chain's head row.
    first_seq: i64,
    pub(crate) hash: String,
    pub(crate) appended: bool,
    /// Facilities whose data this transaction changed: their overview summaries go stale.
    pub(crate) touched: std::collections::BTreeSet<i64>,
    /// Whether an entry touched no facility (a catalogue edition, an organisation setting):
    /// values cached per facility may depend on such data, so all of them go stale.
    touched_global: bool,
    global_changes: Arc<Counter>,
    writes: Arc<Counter>,
    pub(crate) backend: crate::Backend,
}

impl Store {
    /// Begins a write transaction on behalf of `actor`.
    pub async fn write(&self, actor: &Actor) -> Result<WriteTx> {
        let mut tx = self.pool.begin().await?;
        let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        Ok(WriteTx {
            tx,
            actor: actor.clone(),
            now: self.now_text(),
            seq: col(&head, "seq")?,
            first_seq: col::<i64>(&head, "seq")? + 1,
            hash: col(&head, "hash")?,
            appended: false,
            touched: Default::default(),
            touched_global: false,
            global_changes: self.global_changes.clone(),
            writes: self.writes.clone(),
            backend: self.backend,
        })
    }
}

impl WriteTx {
    pub fn now(&self) -> &str {
        &self.now
    }

    /// The seq of this transaction's first audit entry (see [`WriteTx::last_seq`]).
    pub fn first_seq(&self) -> i64 {
        self.first_seq
    }

    /// The seq of the last audit entry this transaction appended.
    pub fn last_seq(&self) -> i64 {
        self.seq
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Appends an entry to the audit chain inside this transaction.
    pub async fn audit(&mut self, record: AuditRecord<'_>) -> Result<()> {
        self.audit_many(vec![record]).await
    }

    /// Records which facility's data an audited change touched (none: data of every facility);
    /// entries that change no facility's data (see [`AuditRecord::alters_facility_data`]) leave
    /// the values kept per facility and the overview's summaries as they are.
    pub(crate) fn note_touched(&mut self, record: &AuditRecord<'_>) {
        if !record.alters_facility_data() {
            return;
        }
        match record.facility_id {
            Some(id) => {
                self.touched.insert(id);
            }
            None => self.touched_global = true,
        }
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.appended {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.seq)
                .bind(&self.hash)
                .execute(&mut *self.tx)
                .await?;
        }
        crate::overview::mark_changed(&mut self.tx, &self.touched).await?;
        self.tx.commit().await?;
        if self.touched_global {
            self.global_changes.bump();
        }
        self.writes.bump();
        Ok(())
    }
}

impl Store {
    /// Records an event that changes nothing else (e.g. a failed sign-in for an unknown address).
    pub async fn record_event(&self, actor: &Actor, record: AuditRecord<'_>) -> Result<()> {
        let mut tx = self.write(actor).await?;
        tx.audit(record).await?;
        tx.commit().await
    }
}

impl WriteTx {
    /// Number of users, read inside the transaction (setup must see no user).
    pub async fn user_count(&mut self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&mut *self.tx)
            .await?;
        col(&row, "n")
    }
}
