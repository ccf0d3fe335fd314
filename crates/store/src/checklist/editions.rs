//! Catalogue editions: the built-in ones are synchronised at start; administrators import files
//! or copy the latest edition into a new fiscal year.

use mimamori_domain::checklist::{Edition, Form, Origin};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{col, Actor, AuditRecord, Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct StoredEdition {
    pub id: i64,
    pub edition: Edition,
    pub updated_at: String,
    pub updated_by: String,
}

fn from_row(row: &AnyRow) -> Result<StoredEdition> {
    let data: String = col(row, "data")?;
    Ok(StoredEdition {
        id: col(row, "id")?,
        edition: serde_json::from_str(&data)
            .map_err(|e| StoreError::Unsupported(format!("broken edition data: {e}")))?,
        updated_at: col(row, "updated_at")?,
        updated_by: col(row, "updated_by")?,
    })
}

const COLUMNS: &str = "id, data, updated_at, updated_by";

impl Store {
    /// Writes the built-in editions: new ones are added and official ones refreshed; an edition
    /// an administrator imported or maintains for the same year and form is left alone.
    pub async fn sync_builtin_editions(&self, editions: &[Edition]) -> Result<usize> {
        let mut changed = 0;
        for edition in editions {
            let existing = self.edition(edition.fiscal_year, edition.form).await?;
            let same = existing.as_ref().is_some_and(|e| e.edition == *edition);
            let ours = existing
                .as_ref()
                .is_none_or(|e| e.edition.origin == Origin::Official);
            if same || !ours {
                continue;
            }
            let mut tx = self.write(&Actor::system("mimamori")).await?;
            tx.save_edition(edition).await?;
            tx.commit().await?;
            changed += 1;
        }
        Ok(changed)
    }

    pub async fn editions(&self) -> Result<Vec<StoredEdition>> {
        let sql =
            format!("SELECT {COLUMNS} FROM checklist_editions ORDER BY fiscal_year DESC, form");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn edition_by_id(&self, id: i64) -> Result<StoredEdition> {
        let sql = format!("SELECT {COLUMNS} FROM checklist_editions WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// The edition of exactly this fiscal year and form.
    pub async fn edition(&self, fiscal_year: i32, form: Form) -> Result<Option<StoredEdition>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checklist_editions WHERE fiscal_year = $1 AND form = $2"
        );
        let row = sqlx::query(&sql)
            .bind(i64::from(fiscal_year))
            .bind(form.code())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The edition to answer for a fiscal year: that year's, or else the latest earlier one.
    pub async fn edition_for(&self, fiscal_year: i32, form: Form) -> Result<Option<StoredEdition>> {
        let sql = format!("SELECT {COLUMNS} FROM checklist_editions WHERE fiscal_year <= $1 AND form = $2 ORDER BY fiscal_year DESC LIMIT 1");
        let row = sqlx::query(&sql)
            .bind(i64::from(fiscal_year))
            .bind(form.code())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}

impl WriteTx {
    /// Creates or replaces the edition of its fiscal year and form (validated by the caller).
    pub async fn save_edition(&mut self, edition: &Edition) -> Result<i64> {
        let data =
            serde_json::to_string(edition).map_err(|e| StoreError::Unsupported(e.to_string()))?;
        let before = sqlx::query(
            "SELECT id, data FROM checklist_editions WHERE fiscal_year = $1 AND form = $2",
        )
        .bind(i64::from(edition.fiscal_year))
        .bind(edition.form.code())
        .fetch_optional(&mut *self.tx)
        .await?;
        let id: i64 = match &before {
            Some(row) => {
                let id: i64 = col(row, "id")?;
                sqlx::query("UPDATE checklist_editions SET edition = $1, origin = $2, data = $3, updated_at = $4, updated_by = $5 WHERE id = $6")
                    .bind(&edition.edition)
                    .bind(edition.origin.code())
                    .bind(&data)
                    .bind(self.now.clone())
                    .bind(self.actor().display.clone())
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await?;
                id
            }
            None => {
                let row = sqlx::query("INSERT INTO checklist_editions (fiscal_year, form, edition, origin, data, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                    .bind(i64::from(edition.fiscal_year))
                    .bind(edition.form.code())
                    .bind(&edition.edition)
                    .bind(edition.origin.code())
                    .bind(&data)
                    .bind(self.now.clone())
                    .bind(self.actor().display.clone())
                    .fetch_one(&mut *self.tx)
                    .await?;
                col(&row, "id")?
            }
        };
        let action = if before.is_some() { "update" } else { "create" };
        let mut record = AuditRecord::new(action, "checklist_edition")
            .id(id)
            .after(edition);
        if let Some(row) = &before {
            record.before = Some(col(row, "data")?);
        }
        self.audit(record).await?;
        Ok(id)
    }
}
