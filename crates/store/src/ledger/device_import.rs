//! A device import fed a chunk of devices at a time, so that memory does not grow with the
//! file: each chunk is matched with the stored devices of its 管理番号 only, then written (in
//! the import's one transaction) or, in a preview, only counted. The counts add up to what one
//! matching of the whole file gives.

use mimamori_domain::ledger::absent::Present;
use mimamori_domain::ledger::device::Device;

use super::device_writes::{
    by_number, completed_devices, device_counts, match_devices, ANALYZE_AFTER,
};
use super::devices::{StoredDevice, COLUMNS};
use super::import_plan::{ImportCounts, Match, LISTED_CHANGES};
use crate::{Backend, Result, Store, WriteTx};

/// One device import in progress: what its chunks have done so far.
#[derive(Debug)]
pub struct DeviceImportRun {
    facility_id: i64,
    present: Vec<&'static str>,
    counts: ImportCounts,
    /// Ids of the devices created, first and last (one transaction: nothing else writes
    /// devices between them).
    created: Option<(i64, i64)>,
    search_deferred: bool,
}

impl DeviceImportRun {
    /// Starts an import into `facility_id` of a file with columns for `present` (the other
    /// fields of stored devices keep their values).
    pub async fn start(
        store: &Store,
        facility_id: i64,
        present: Vec<&'static str>,
    ) -> Result<Self> {
        let mut conn = store.pool.acquire().await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM devices WHERE facility_id = $1 AND status = 'active'",
        )
        .bind(facility_id)
        .fetch_one(&mut *conn)
        .await?;
        let in_use: i64 = crate::col(&row, "n")?;
        Ok(DeviceImportRun {
            facility_id,
            present,
            counts: ImportCounts {
                in_use_before: in_use as usize,
                ..Default::default()
            },
            created: None,
            search_deferred: false,
        })
    }

    /// Counts a chunk as the import would do it, writing nothing.
    pub async fn preview(&mut self, store: &Store, devices: &[Device]) -> Result<()> {
        let mut conn = store.pool.acquire().await?;
        self.plan(store.backend, &mut conn, devices).await.map(drop)
    }

    /// Counts a chunk inside `tx` without writing it: the rest of an import whose file turned
    /// out to have errors (the transaction will be dropped) is counted, not written.
    pub async fn count_in(&mut self, tx: &mut WriteTx, devices: &[Device]) -> Result<()> {
        self.plan(tx.backend, &mut tx.tx, devices).await.map(drop)
    }

    /// Writes a chunk: new devices created, changed ones updated, equal ones left alone.
    pub async fn write(&mut self, tx: &mut WriteTx, devices: &[Device]) -> Result<()> {
        let (stored, completed) = self.plan(tx.backend, &mut tx.tx, devices).await?;
        let matches = match_devices(&stored, &completed);
        let new: Vec<Device> = completed
            .iter()
            .zip(&matches)
            .filter(|(_, m)| matches!(m, Match::New))
            .map(|(device, _)| device.clone())
            .collect();
        if !new.is_empty() && !self.search_deferred {
            tx.defer_search_index().await?;
            self.search_deferred = true;
        }
        let ids = tx.insert_new_devices(self.facility_id, &new).await?;
        if let (Some(&first), Some(&last)) = (ids.first(), ids.last()) {
            self.created = Some(match self.created {
                Some((from, _)) => (from, last),
                None => (first, last),
            });
        }
        for (device, m) in completed.iter().zip(&matches) {
            if let Match::Changed(stored) = m {
                tx.update_device(stored, device).await?;
            }
        }
        Ok(())
    }

    /// Ends the import: the devices created are indexed for search and, after many, the
    /// planner's statistics refreshed. The counts of every chunk.
    pub async fn finish(self, tx: Option<&mut WriteTx>) -> Result<ImportCounts> {
        if let Some(tx) = tx {
            if let Some((first, last)) = self.created {
                if self.search_deferred {
                    tx.index_deferred(first, last).await?;
                }
                if (last - first + 1) as usize >= ANALYZE_AFTER {
                    // Fresh statistics, or the planner keeps treating the facility as small
                    // (PostgreSQL then scans instead of using the trigram index).
                    tx.analyze(&["devices", "device_software", "device_interfaces"])
                        .await?;
                }
            } else if self.search_deferred {
                tx.index_deferred(0, -1).await?;
            }
        }
        Ok(self.counts)
    }

    /// Matches a chunk with the stored devices of its 管理番号 and adds its counts; the stored
    /// devices and the chunk as it would be written (absent columns keep stored values).
    async fn plan(
        &mut self,
        backend: Backend,
        conn: &mut sqlx::AnyConnection,
        devices: &[Device],
    ) -> Result<(std::collections::HashMap<String, StoredDevice>, Vec<Device>)> {
        let stored = stored_devices_numbered(backend, conn, self.facility_id, devices).await?;
        let present = Present(&self.present);
        let completed = completed_devices(&stored, devices, Some(present)).into_owned();
        let matches = match_devices(&stored, &completed);
        let chunk = device_counts(&stored, &completed, &matches);
        let counts = &mut self.counts;
        counts.created += chunk.created;
        counts.updated += chunk.updated;
        counts.unchanged += chunk.unchanged;
        counts.taken_out_of_use += chunk.taken_out_of_use;
        let room = LISTED_CHANGES.saturating_sub(counts.changes.len());
        counts.changes.extend(chunk.changes.into_iter().take(room));
        Ok((stored, completed))
    }
}

/// The facility's stored devices whose 管理番号 one of `devices` has, with their details.
async fn stored_devices_numbered(
    backend: Backend,
    conn: &mut sqlx::AnyConnection,
    facility_id: i64,
    devices: &[Device],
) -> Result<std::collections::HashMap<String, StoredDevice>> {
    if devices.is_empty() {
        return Ok(Default::default());
    }
    let numbers: Vec<&str> = devices.iter().map(|d| d.management_no.as_str()).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM devices WHERE facility_id = $1 AND {}",
        backend.in_json_texts("management_no", "$2")
    );
    let rows = sqlx::query(&sql)
        .bind(facility_id)
        .bind(serde_json::Value::from(numbers).to_string())
        .fetch_all(&mut *conn)
        .await?;
    by_number(backend, conn, &rows).await
}
