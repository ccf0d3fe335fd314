//! Evidence for checklist items: uploaded files, stored once per content (SHA-256) inside the
//! database so that a backup holds them and a crash never leaves half a file; or links to
//! ledger records.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use super::Assessment;
use crate::{col, AuditRecord, Result, Store, StoreError, WriteTx};

/// Uploads above this size are refused (a scanned PDF of a contract fits easily).
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub id: i64,
    pub assessment_id: i64,
    pub item_key: String,
    /// "file" or "record".
    pub kind: String,
    pub sha256: Option<String>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub record_kind: Option<String>,
    pub record_id: Option<i64>,
    pub label: String,
    pub created_at: String,
    pub created_by: String,
}

pub struct EvidenceFile {
    pub evidence: Evidence,
    pub content: Vec<u8>,
}

const COLUMNS: &str = "e.id, e.assessment_id, e.item_key, e.kind, e.sha256, e.filename, e.content_type, e.size, e.record_kind, e.record_id, e.label, e.created_at, e.created_by";

fn from_row(row: &AnyRow) -> Result<Evidence> {
    Ok(Evidence {
        id: col(row, "id")?,
        assessment_id: col(row, "assessment_id")?,
        item_key: col(row, "item_key")?,
        kind: col(row, "kind")?,
        sha256: col(row, "sha256")?,
        filename: col(row, "filename")?,
        content_type: col(row, "content_type")?,
        size: col(row, "size")?,
        record_kind: col(row, "record_kind")?,
        record_id: col(row, "record_id")?,
        label: col(row, "label")?,
        created_at: col(row, "created_at")?,
        created_by: col(row, "created_by")?,
    })
}

/// A file name safe to keep and to send back: no directories, no control characters.
fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if cleaned.trim().is_empty() {
        "evidence".to_string()
    } else {
        cleaned
    }
}

impl Store {
    /// Evidence of an assessment, by item, oldest first.
    pub async fn evidence(&self, assessment_id: i64) -> Result<Vec<Evidence>> {
        let sql = format!("SELECT {COLUMNS} FROM checklist_evidence e WHERE e.assessment_id = $1 ORDER BY e.item_key, e.id");
        let rows = sqlx::query(&sql)
            .bind(assessment_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// One evidence file with its content; only through the facility that owns it.
    pub async fn evidence_file(&self, facility_id: i64, evidence_id: i64) -> Result<EvidenceFile> {
        let sql = format!("SELECT {COLUMNS}, b.content FROM checklist_evidence e JOIN checklist_assessments a ON a.id = e.assessment_id JOIN evidence_blobs b ON b.sha256 = e.sha256 WHERE e.id = $1 AND a.facility_id = $2");
        let row = sqlx::query(&sql)
            .bind(evidence_id)
            .bind(facility_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(EvidenceFile {
            evidence: from_row(&row)?,
            content: col(&row, "content")?,
        })
    }
}

impl WriteTx {
    /// Stores an uploaded file for an item. The content is kept once per SHA-256.
    pub async fn add_evidence_file(
        &mut self,
        assessment: &Assessment,
        item_key: &str,
        filename: &str,
        content_type: &str,
        content: &[u8],
    ) -> Result<i64> {
        self.ensure_unlocked(assessment).await?;
        if content.len() > MAX_EVIDENCE_BYTES {
            return Err(StoreError::TooLarge(MAX_EVIDENCE_BYTES / 1024 / 1024));
        }
        let sha256 = hex::encode(Sha256::digest(content));
        let exists = sqlx::query("SELECT sha256 FROM evidence_blobs WHERE sha256 = $1")
            .bind(&sha256)
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_none() {
            sqlx::query("INSERT INTO evidence_blobs (sha256, size, content, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&sha256)
                .bind(content.len() as i64)
                .bind(content.to_vec())
                .bind(self.now.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        let filename = clean_filename(filename);
        let row = sqlx::query("INSERT INTO checklist_evidence (assessment_id, item_key, kind, sha256, filename, content_type, size, label, created_at, created_by) VALUES ($1, $2, 'file', $3, $4, $5, $6, $4, $7, $8) RETURNING id")
            .bind(assessment.id)
            .bind(item_key)
            .bind(&sha256)
            .bind(&filename)
            .bind(content_type)
            .bind(content.len() as i64)
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        let id: i64 = col(&row, "id")?;
        let after = serde_json::json!({"item": item_key, "file": filename, "sha256": sha256, "size": content.len()});
        self.audit(
            AuditRecord::new("create", "checklist_evidence")
                .facility(Some(assessment.facility_id))
                .id(id)
                .after(&after),
        )
        .await?;
        Ok(id)
    }

    /// Links a ledger record (a device, a register record, the ledger confirmation …) as evidence.
    pub async fn add_evidence_record(
        &mut self,
        assessment: &Assessment,
        item_key: &str,
        record_kind: &str,
        record_id: Option<i64>,
        label: &str,
    ) -> Result<i64> {
        self.ensure_unlocked(assessment).await?;
        let row = sqlx::query("INSERT INTO checklist_evidence (assessment_id, item_key, kind, record_kind, record_id, label, created_at, created_by) VALUES ($1, $2, 'record', $3, $4, $5, $6, $7) RETURNING id")
            .bind(assessment.id)
            .bind(item_key)
            .bind(record_kind)
            .bind(record_id)
            .bind(label)
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        let id: i64 = col(&row, "id")?;
        let after = serde_json::json!({"item": item_key, "record_kind": record_kind, "record_id": record_id, "label": label});
        self.audit(
            AuditRecord::new("create", "checklist_evidence")
                .facility(Some(assessment.facility_id))
                .id(id)
                .after(&after),
        )
        .await?;
        Ok(id)
    }

    /// Removes an evidence entry (the file content stays while other entries use it).
    pub async fn delete_evidence(
        &mut self,
        assessment: &Assessment,
        evidence_id: i64,
    ) -> Result<()> {
        self.ensure_unlocked(assessment).await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM checklist_evidence e WHERE e.id = $1 AND e.assessment_id = $2"
        );
        let before = from_row(
            &sqlx::query(&sql)
                .bind(evidence_id)
                .bind(assessment.id)
                .fetch_optional(&mut *self.tx)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        sqlx::query("DELETE FROM checklist_evidence WHERE id = $1")
            .bind(evidence_id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("delete", "checklist_evidence")
                .facility(Some(assessment.facility_id))
                .id(evidence_id)
                .before(&before),
        )
        .await
    }
}
