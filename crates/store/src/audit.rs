//! Reading and verifying the audit log. Appending happens in [`crate::WriteTx::audit`].

use mimamori_domain::audit::{AuditEntry, ChainBreak, ChainVerifier};
use sqlx::any::AnyRow;

use crate::{col, Result, Store};

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub facility_id: Option<i64>,
    /// Entries of this organisation's facilities and entries without a facility (sign-ins).
    pub organisation_id: Option<i64>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub actor: Option<String>,
    /// Inclusive bounds on the timestamp text (YYYY-MM-DD compares as a prefix).
    pub from: Option<String>,
    pub until: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

const COLUMNS: &str = "seq, at, actor_id, actor, facility_id, action, entity, entity_id, before_json, after_json, prev_hash, hash";

fn from_row(row: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: col(row, "seq")?,
        at: col(row, "at")?,
        actor_id: col(row, "actor_id")?,
        actor: col(row, "actor")?,
        facility_id: col(row, "facility_id")?,
        action: col(row, "action")?,
        entity: col(row, "entity")?,
        entity_id: col(row, "entity_id")?,
        before: col(row, "before_json")?,
        after: col(row, "after_json")?,
        prev_hash: col(row, "prev_hash")?,
        hash: col(row, "hash")?,
    })
}

/// The outcome of a full verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { entries: i64 },
    Broken(ChainBreak),
}

impl Store {
    /// Newest first, filtered, paged by `before_seq`.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let like = self.backend.ilike();
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log
             WHERE ($1 IS NULL OR facility_id = $1)
               AND ($2 IS NULL OR action = $2)
               AND ($3 IS NULL OR entity = $3)
               AND ($4 IS NULL OR actor {like} $4)
               AND ($5 IS NULL OR at >= $5)
               AND ($6 IS NULL OR at < $6)
               AND ($7 IS NULL OR seq < $7)
               AND ($9 IS NULL OR facility_id IS NULL OR facility_id IN (SELECT id FROM facilities WHERE organisation_id = $9))
             ORDER BY seq DESC LIMIT $8"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.facility_id)
            .bind(filter.action.as_deref())
            .bind(filter.entity.as_deref())
            .bind(filter.actor.as_ref().map(|a| format!("%{a}%")))
            .bind(filter.from.as_deref())
            // `until` is inclusive of the whole day: compare with the next character after it.
            .bind(filter.until.as_ref().map(|u| format!("{u}\u{FFFF}")))
            .bind(filter.before_seq)
            .bind(filter.limit.clamp(1, 1000))
            .bind(filter.organisation_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Entries of one record, oldest first (a record's history page).
    /// The entries of one facility with `from <= seq <= until`, in order.
    pub async fn audit_range(
        &self,
        facility_id: i64,
        from: i64,
        until: i64,
    ) -> Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE facility_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq"
        );
        let rows = sqlx::query(&sql)
            .bind(facility_id)
            .bind(from)
            .bind(until)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The entries of one facility after `seq` that name one of `entity`'s ids, in order.
    pub async fn audit_after(
        &self,
        facility_id: i64,
        seq: i64,
        entity: &str,
    ) -> Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE facility_id = $1 AND seq > $2 AND entity = $3 ORDER BY seq"
        );
        let rows = sqlx::query(&sql)
            .bind(facility_id)
            .bind(seq)
            .bind(entity)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn audit_history(&self, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq"
        );
        let rows = sqlx::query(&sql)
            .bind(entity)
            .bind(entity_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Walks the whole chain in pages and compares its end with the head row.
    pub async fn verify_audit(&self) -> Result<Verification> {
        const PAGE: i64 = 5000;
        let mut verifier = ChainVerifier::default();
        let mut after_seq = 0;
        loop {
            let sql =
                format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
            let rows = sqlx::query(&sql)
                .bind(after_seq)
                .bind(PAGE)
                .fetch_all(&self.pool)
                .await?;
            for row in &rows {
                let entry = from_row(row)?;
                if let Err(broken) = verifier.check(&entry) {
                    return Ok(Verification::Broken(broken));
                }
                after_seq = entry.seq;
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_hash: String = col(&head, "hash")?;
        Ok(match verifier.finish(col(&head, "seq")?, &head_hash) {
            Ok(entries) => Verification::Intact { entries },
            Err(broken) => Verification::Broken(broken),
        })
    }
}
