//! Confirmed mappings of ledger text to products (migration 0013), per organisation, audited.
//! A change touches every facility's findings (the entry names no facility).

use mimamori_domain::vulnerabilities::mapping::{mapping_key, Mappings, ProductMapping};

use crate::{col, Actor, AuditRecord, Result, Store, StoreError};

fn mapping(row: &sqlx::any::AnyRow) -> Result<ProductMapping> {
    Ok(ProductMapping {
        text: col(row, "text")?,
        means: col(row, "means")?,
        decided_by: col(row, "decided_by")?,
        decided_at: col(row, "decided_at")?,
    })
}

impl Store {
    /// The organisation's confirmed mappings, by text.
    pub async fn product_mappings(&self, organisation_id: i64) -> Result<Vec<ProductMapping>> {
        let rows = sqlx::query(
            "SELECT text, means, decided_by, decided_at FROM product_mappings WHERE organisation_id = $1 ORDER BY text_key",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(mapping).collect()
    }

    /// The same, as identification applies them.
    pub async fn mappings(&self, organisation_id: i64) -> Result<Mappings> {
        Ok(Mappings::new(self.product_mappings(organisation_id).await?))
    }

    /// Keeps `text` → `means` for the organisation, replacing an earlier meaning of the text.
    pub async fn save_mapping(
        &self,
        actor: &Actor,
        organisation_id: i64,
        text: &str,
        means: &str,
    ) -> Result<ProductMapping> {
        let key = mapping_key(text);
        let mut tx = self.write(actor).await?;
        let earlier = sqlx::query(
            "SELECT text, means, decided_by, decided_at FROM product_mappings WHERE organisation_id = $1 AND text_key = $2",
        )
        .bind(organisation_id)
        .bind(key.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?
        .map(|r| mapping(&r))
        .transpose()?;
        let kept = ProductMapping {
            text: text.trim().to_string(),
            means: means.trim().to_string(),
            decided_by: actor.display.clone(),
            decided_at: tx.now().to_string(),
        };
        sqlx::query(
            "INSERT INTO product_mappings (organisation_id, text_key, text, means, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (organisation_id, text_key) DO UPDATE SET text = excluded.text, means = excluded.means, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
        )
        .bind(organisation_id)
        .bind(key.as_str())
        .bind(kept.text.as_str())
        .bind(kept.means.as_str())
        .bind(kept.decided_by.as_str())
        .bind(kept.decided_at.as_str())
        .execute(&mut *tx.tx)
        .await?;
        let mut record = AuditRecord::new(
            if earlier.is_some() {
                "update"
            } else {
                "create"
            },
            "product_mapping",
        )
        .id(format!("{organisation_id}:{key}"))
        .after(&kept);
        if let Some(earlier) = &earlier {
            record = record.before(earlier);
        }
        tx.audit(record).await?;
        tx.commit().await?;
        Ok(kept)
    }

    /// Forgets the meaning of `text`: its devices are unidentified again.
    pub async fn delete_mapping(
        &self,
        actor: &Actor,
        organisation_id: i64,
        text: &str,
    ) -> Result<()> {
        let key = mapping_key(text);
        let mut tx = self.write(actor).await?;
        let earlier = sqlx::query(
            "SELECT text, means, decided_by, decided_at FROM product_mappings WHERE organisation_id = $1 AND text_key = $2",
        )
        .bind(organisation_id)
        .bind(key.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let earlier = mapping(&earlier)?;
        sqlx::query("DELETE FROM product_mappings WHERE organisation_id = $1 AND text_key = $2")
            .bind(organisation_id)
            .bind(key.as_str())
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            AuditRecord::new("delete", "product_mapping")
                .id(format!("{organisation_id}:{key}"))
                .before(&earlier),
        )
        .await?;
        tx.commit().await
    }
}
