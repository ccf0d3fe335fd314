//! Uploaded import files kept between the preview and the confirmation.

use crate::{col, Result, Store, StoreError};

pub struct PendingImport {
    pub id: i64,
    pub file_name: String,
    pub content: Vec<u8>,
}

impl Store {
    pub async fn save_pending_import(
        &self,
        facility_id: i64,
        user_id: i64,
        ledger: &str,
        file_name: &str,
        content: &[u8],
    ) -> Result<i64> {
        // Previews older than a day are abandoned.
        let cutoff =
            mimamori_domain::clock::format_timestamp(self.clock.now() - chrono::Duration::days(1));
        sqlx::query("DELETE FROM pending_imports WHERE created_at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query(
            "INSERT INTO pending_imports (facility_id, user_id, ledger, file_name, content, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(facility_id)
        .bind(user_id)
        .bind(ledger)
        .bind(file_name)
        .bind(content.to_vec())
        .bind(self.now_text())
        .fetch_one(&self.pool)
        .await?;
        col(&row, "id")
    }

    /// The upload, only for the user who made it and the facility it was for.
    pub async fn pending_import(
        &self,
        id: i64,
        facility_id: i64,
        user_id: i64,
        ledger: &str,
    ) -> Result<PendingImport> {
        let row = sqlx::query("SELECT id, file_name, content FROM pending_imports WHERE id = $1 AND facility_id = $2 AND user_id = $3 AND ledger = $4")
            .bind(id)
            .bind(facility_id)
            .bind(user_id)
            .bind(ledger)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(PendingImport {
            id: col(&row, "id")?,
            file_name: col(&row, "file_name")?,
            content: col(&row, "content")?,
        })
    }

    pub async fn delete_pending_import(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM pending_imports WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
