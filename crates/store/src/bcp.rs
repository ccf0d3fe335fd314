//! The facility's answers to the BCP confirmation table.

use mimamori_domain::bcp::BcpStatus;
use serde::Serialize;

use crate::{col, AuditRecord, Result, Store, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BcpAnswer {
    pub check_key: String,
    pub status: BcpStatus,
    pub evidence: String,
    pub note: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// A change to one answer; `status: None` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BcpAnswerInput {
    pub check_key: String,
    pub status: Option<BcpStatus>,
    pub evidence: String,
    pub note: String,
}

impl Store {
    pub async fn bcp_answers(&self, facility_id: i64) -> Result<Vec<BcpAnswer>> {
        let rows = sqlx::query(
            "SELECT check_key, status, evidence, note, updated_at, updated_by FROM bcp_answers
             WHERE facility_id = $1 ORDER BY check_key",
        )
        .bind(facility_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|r| {
                let status: String = col(r, "status").ok()?;
                Some(Ok(BcpAnswer {
                    check_key: col(r, "check_key").ok()?,
                    status: BcpStatus::parse(&status)?,
                    evidence: col(r, "evidence").ok()?,
                    note: col(r, "note").ok()?,
                    updated_at: col(r, "updated_at").ok()?,
                    updated_by: col(r, "updated_by").ok()?,
                }))
            })
            .collect()
    }
}

impl WriteTx {
    /// Saves the answers that differ from what is stored, with one audit entry per changed answer.
    pub async fn save_bcp_answers(
        &mut self,
        facility_id: i64,
        stored: &[BcpAnswer],
        inputs: &[BcpAnswerInput],
    ) -> Result<usize> {
        let mut changed = 0;
        for input in inputs {
            let before = stored.iter().find(|a| a.check_key == input.check_key);
            let same = match (before, input.status) {
                (None, None) => true,
                (Some(b), Some(status)) => {
                    b.status == status && b.evidence == input.evidence && b.note == input.note
                }
                _ => false,
            };
            if same {
                continue;
            }
            sqlx::query("DELETE FROM bcp_answers WHERE facility_id = $1 AND check_key = $2")
                .bind(facility_id)
                .bind(input.check_key.clone())
                .execute(&mut *self.tx)
                .await?;
            if let Some(status) = input.status {
                sqlx::query(
                    "INSERT INTO bcp_answers (facility_id, check_key, status, evidence, note, updated_at, updated_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(facility_id)
                .bind(input.check_key.clone())
                .bind(status.code())
                .bind(input.evidence.clone())
                .bind(input.note.clone())
                .bind(self.now.clone())
                .bind(self.actor().display.clone())
                .execute(&mut *self.tx)
                .await?;
            }
            let mut record = AuditRecord::new("update", "bcp_answer")
                .facility(Some(facility_id))
                .id(&input.check_key)
                .after(input);
            if let Some(before) = before {
                record = record.before(before);
            }
            self.audit(record).await?;
            changed += 1;
        }
        Ok(changed)
    }
}
