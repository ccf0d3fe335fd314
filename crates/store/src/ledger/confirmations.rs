//! The ledger page's header facts: last update (when, by whom) and last confirmation.

use mimamori_domain::ledger::registers::SYSTEMS;
use serde::Serialize;

use super::devices::DeviceFacets;
use crate::{col, Result, Store};

#[derive(Debug, Clone, Default, Serialize)]
pub struct LedgerStatus {
    pub last_updated_at: Option<String>,
    pub last_updated_by: Option<String>,
    pub last_confirmed_at: Option<String>,
    pub last_confirmed_by: Option<String>,
    pub count: i64,
}

impl Store {
    /// Status of a register (vendors, systems, …): count, last update, last confirmation.
    pub async fn register_status(&self, facility_id: i64, register: &str) -> Result<LedgerStatus> {
        let mut status = LedgerStatus::default();
        let count = sqlx::query(
            "SELECT COUNT(*) AS n FROM register_records WHERE facility_id = $1 AND register = $2",
        )
        .bind(facility_id)
        .bind(register)
        .fetch_one(&self.pool)
        .await?;
        status.count = col(&count, "n")?;
        if let Some(row) = sqlx::query(
            "SELECT updated_at, updated_by FROM register_records WHERE facility_id = $1 AND register = $2 ORDER BY updated_at DESC LIMIT 1",
        )
        .bind(facility_id)
        .bind(register)
        .fetch_optional(&self.pool)
        .await?
        {
            status.last_updated_at = Some(col(&row, "updated_at")?);
            status.last_updated_by = Some(col(&row, "updated_by")?);
        }
        self.last_confirmation(facility_id, register, &mut status)
            .await?;
        Ok(status)
    }

    async fn last_confirmation(
        &self,
        facility_id: i64,
        ledger: &str,
        status: &mut LedgerStatus,
    ) -> Result<()> {
        if let Some(row) = sqlx::query(
            "SELECT confirmed_at, confirmed_by FROM ledger_confirmations WHERE facility_id = $1 AND ledger = $2 ORDER BY confirmed_at DESC, id DESC LIMIT 1",
        )
        .bind(facility_id)
        .bind(ledger)
        .fetch_optional(&self.pool)
        .await?
        {
            status.last_confirmed_at = Some(col(&row, "confirmed_at")?);
            status.last_confirmed_by = Some(col(&row, "confirmed_by")?);
        }
        Ok(())
    }

    /// Status of the device ledger of a facility.
    pub async fn device_ledger_status(&self, facility_id: i64) -> Result<LedgerStatus> {
        let mut status = LedgerStatus::default();
        let count = sqlx::query("SELECT COUNT(*) AS n FROM devices WHERE facility_id = $1")
            .bind(facility_id)
            .fetch_one(&self.pool)
            .await?;
        status.count = col(&count, "n")?;
        if let Some(row) = sqlx::query("SELECT updated_at, updated_by FROM devices WHERE facility_id = $1 ORDER BY updated_at DESC LIMIT 1")
            .bind(facility_id)
            .fetch_optional(&self.pool)
            .await?
        {
            status.last_updated_at = Some(col(&row, "updated_at")?);
            status.last_updated_by = Some(col(&row, "updated_by")?);
        }
        self.last_confirmation(facility_id, "devices", &mut status)
            .await?;
        Ok(status)
    }
}

/// What the device list page shows besides its rows — the filters' values, the ledger status
/// and the systems offered for assigning devices — kept per facility while its data is
/// unchanged (see `cache`): the facets cost a scan of the facility's devices, which for a
/// 10,000-device hospital is most of the list page, and the systems two queries per page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListContext {
    pub facets: DeviceFacets,
    pub ledger: LedgerStatus,
    /// The names of the facility's information systems (医療情報システム台帳).
    pub systems: Vec<String>,
}

impl Store {
    /// The list page's context, from the cache when nothing changed.
    pub async fn device_list_context(&self, facility_id: i64) -> Result<ListContext> {
        let stamp = self.stamp(facility_id, None).await?;
        let compute = async {
            Ok(ListContext {
                facets: self.device_facets(facility_id).await?,
                ledger: self.device_ledger_status(facility_id).await?,
                systems: self
                    .all_records(facility_id, &SYSTEMS)
                    .await?
                    .into_iter()
                    .filter_map(|r| r.record.get("name").map(str::to_string))
                    .collect(),
            })
        };
        let context = self
            .ledger_cache
            .get_or_compute(facility_id, stamp, true, compute)
            .await?;
        Ok(context.as_ref().clone())
    }
}
