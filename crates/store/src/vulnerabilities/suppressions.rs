//! Suppressions of vulnerabilities (migration 0013): kept per facility, audited when added and
//! lifted, never touched by a feed import.

use mimamori_domain::vulnerabilities::suppression::{NewSuppression, Suppression, SuppressionKind};
use mimamori_domain::{Issue, Issues};

use crate::{col, Actor, AuditRecord, Result, Store, StoreError};

fn suppression(row: &sqlx::any::AnyRow) -> Result<Suppression> {
    let kind: String = col(row, "kind")?;
    let until: Option<String> = col(row, "until")?;
    Ok(Suppression {
        id: col(row, "id")?,
        cve_id: col(row, "cve_id")?,
        device_id: col(row, "device_id")?,
        kind: SuppressionKind::parse(&kind)
            .ok_or_else(|| StoreError::Unsupported(format!("suppression kind {kind}")))?,
        reason: col(row, "reason")?,
        until: until.and_then(|u| u.parse().ok()),
        decided_by: col(row, "decided_by")?,
        decided_at: col(row, "decided_at")?,
    })
}

const COLUMNS: &str = "id, cve_id, device_id, kind, reason, until, decided_by, decided_at";

impl Store {
    /// The facility's suppressions, in force or past their day, newest first.
    pub async fn suppressions(&self, facility_id: i64) -> Result<Vec<Suppression>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM vulnerability_suppressions WHERE facility_id = $1 ORDER BY id DESC"
        ))
        .bind(facility_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(suppression).collect()
    }

    /// Keeps `new` for the facility, replacing an earlier one of the same CVE and device (the
    /// latest decision stands; the earlier one stays in the audit log).
    pub async fn add_suppression(
        &self,
        actor: &Actor,
        facility_id: i64,
        new: &NewSuppression,
    ) -> Result<Suppression> {
        let mut tx = self.write(actor).await?;
        let device_id: Option<i64> = match &new.device {
            None => None,
            Some(no) => {
                let row = sqlx::query(
                    "SELECT id FROM devices WHERE facility_id = $1 AND management_no = $2",
                )
                .bind(facility_id)
                .bind(no.as_str())
                .fetch_optional(&mut *tx.tx)
                .await?;
                match row {
                    Some(row) => Some(col(&row, "id")?),
                    None => {
                        return Err(StoreError::Invalid(Issues(vec![Issue::new(
                            "device",
                            "unknown_device",
                        )
                        .with("value", no)])))
                    }
                }
            }
        };
        let earlier = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM vulnerability_suppressions WHERE facility_id = $1 AND cve_id = $2 AND COALESCE(device_id, 0) = $3"
        ))
        .bind(facility_id)
        .bind(new.cve_id.as_str())
        .bind(device_id.unwrap_or(0))
        .fetch_all(&mut *tx.tx)
        .await?;
        for row in &earlier {
            let old = suppression(row)?;
            sqlx::query("DELETE FROM vulnerability_suppressions WHERE id = $1")
                .bind(old.id)
                .execute(&mut *tx.tx)
                .await?;
            tx.audit(
                AuditRecord::new("delete", "vulnerability_suppression")
                    .facility(Some(facility_id))
                    .id(old.id)
                    .before(&old),
            )
            .await?;
        }
        let decided_at = tx.now().to_string();
        let row = sqlx::query(
            "INSERT INTO vulnerability_suppressions (facility_id, cve_id, device_id, kind, reason, until, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(facility_id)
        .bind(new.cve_id.as_str())
        .bind(device_id)
        .bind(new.kind.code())
        .bind(new.reason.as_str())
        .bind(new.until.map(|d| d.to_string()))
        .bind(actor.display.as_str())
        .bind(decided_at.as_str())
        .fetch_one(&mut *tx.tx)
        .await?;
        let kept = Suppression {
            id: col(&row, "id")?,
            cve_id: new.cve_id.clone(),
            device_id,
            kind: new.kind,
            reason: new.reason.clone(),
            until: new.until,
            decided_by: actor.display.clone(),
            decided_at,
        };
        tx.audit(
            AuditRecord::new("create", "vulnerability_suppression")
                .facility(Some(facility_id))
                .id(kept.id)
                .after(&kept),
        )
        .await?;
        tx.commit().await?;
        Ok(kept)
    }

    /// Lifts suppression `id` of the facility: the vulnerability counts again.
    pub async fn lift_suppression(&self, actor: &Actor, facility_id: i64, id: i64) -> Result<()> {
        let mut tx = self.write(actor).await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM vulnerability_suppressions WHERE facility_id = $1 AND id = $2"
        ))
        .bind(facility_id)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let old = suppression(&row)?;
        sqlx::query("DELETE FROM vulnerability_suppressions WHERE id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            AuditRecord::new("delete", "vulnerability_suppression")
                .facility(Some(facility_id))
                .id(id)
                .before(&old),
        )
        .await?;
        tx.commit().await
    }
}
