//! A system's access policy (job type × information category → level), the saved column
//! mapping of its user export, and the facility's unused-account threshold.

use mimamori_domain::accounts::{ColumnMapping, Level};
use mimamori_domain::findings::{PolicyFacts, DEFAULT_UNUSED_DAYS};
use mimamori_domain::validation::search_key;
use serde::Serialize;
use serde_json::json;

use crate::{col, AuditRecord, Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyCell {
    pub job_type: String,
    pub category: String,
    pub level: String,
}

fn level(code: &str) -> Level {
    Level::ALL
        .into_iter()
        .find(|l| l.code() == code)
        .unwrap_or(Level::None)
}

impl Store {
    /// The policy of one system, or of every system when `system` is None.
    pub async fn policies(
        &self,
        facility_id: i64,
        system: Option<&str>,
    ) -> Result<Vec<PolicyFacts>> {
        let rows = sqlx::query(
            "SELECT system_key, job_type, category, level FROM access_policies
             WHERE facility_id = $1 AND ($2 IS NULL OR system_key = $2)",
        )
        .bind(facility_id)
        .bind(system.map(search_key))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PolicyFacts {
                    system: col(r, "system_key")?,
                    job_type: col(r, "job_type")?,
                    category: col(r, "category")?,
                    level: level(&col::<String>(r, "level")?),
                })
            })
            .collect()
    }

    pub async fn column_mapping(
        &self,
        facility_id: i64,
        system: &str,
    ) -> Result<Option<ColumnMapping>> {
        let row = sqlx::query(
            "SELECT mapping FROM account_mappings WHERE facility_id = $1 AND system_key = $2",
        )
        .bind(facility_id)
        .bind(search_key(system))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            serde_json::from_str(&col::<String>(&r, "mapping")?)
                .map_err(|e| StoreError::Unsupported(format!("broken mapping: {e}")))
        })
        .transpose()
    }

    pub async fn unused_days(&self, facility_id: i64) -> Result<i64> {
        let row = sqlx::query("SELECT unused_days FROM account_settings WHERE facility_id = $1")
            .bind(facility_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => col(&r, "unused_days")?,
            None => DEFAULT_UNUSED_DAYS,
        })
    }
}

impl WriteTx {
    /// Replaces a system's policy with `cells` (cells at `none` are not stored).
    pub async fn save_policy(
        &mut self,
        facility_id: i64,
        system: &str,
        cells: &[PolicyCell],
    ) -> Result<()> {
        let key = search_key(system);
        sqlx::query("DELETE FROM access_policies WHERE facility_id = $1 AND system_key = $2")
            .bind(facility_id)
            .bind(key.clone())
            .execute(&mut *self.tx)
            .await?;
        let stored: Vec<&PolicyCell> = cells.iter().filter(|c| c.level != "none").collect();
        for cell in &stored {
            sqlx::query("INSERT INTO access_policies (facility_id, system_key, job_type, category, level) VALUES ($1, $2, $3, $4, $5)")
                .bind(facility_id)
                .bind(key.clone())
                .bind(cell.job_type.clone())
                .bind(cell.category.clone())
                .bind(cell.level.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        self.audit(
            AuditRecord::new("update", "access_policy")
                .facility(Some(facility_id))
                .id(system)
                .after(&stored),
        )
        .await
    }

    pub async fn save_column_mapping(
        &mut self,
        facility_id: i64,
        system: &str,
        mapping: &ColumnMapping,
    ) -> Result<()> {
        let text = serde_json::to_string(mapping).unwrap_or_default();
        let sql = "INSERT INTO account_mappings (facility_id, system_key, mapping, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (facility_id, system_key) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
        sqlx::query(sql)
            .bind(facility_id)
            .bind(search_key(system))
            .bind(text)
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("update", "account_mapping")
                .facility(Some(facility_id))
                .id(system)
                .after(&mapping.0),
        )
        .await
    }

    pub async fn set_unused_days(&mut self, facility_id: i64, days: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO account_settings (facility_id, unused_days) VALUES ($1, $2)
             ON CONFLICT (facility_id) DO UPDATE SET unused_days = excluded.unused_days",
        )
        .bind(facility_id)
        .bind(days)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            AuditRecord::new("update", "account_settings")
                .facility(Some(facility_id))
                .after(&json!({"unused_days": days})),
        )
        .await
    }
}
