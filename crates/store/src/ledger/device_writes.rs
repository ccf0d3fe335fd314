//! Writing the device ledger: create, update, bulk status, and import by 管理番号.

use std::borrow::Cow;
use std::collections::HashMap;

use mimamori_domain::ledger::absent::{Present, DEVICE_FIELDS};
use mimamori_domain::ledger::device::{Device, DeviceStatus};

use super::devices::{from_row, load_details, StoredDevice, COLUMNS};
use super::import_plan::{listed_changes, match_items, ImportCounts, Match};
use crate::bulk::Rows;
use crate::{AuditRecord, Backend, Result, Store, WriteTx};

fn day(date: Option<chrono::NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

/// Binds the device's columns, its search text, the time and the actor, in the order the UPDATE
/// lists them (new devices go through [`DeviceRows`]).
macro_rules! bind_device {
    ($query:expr, $device:expr, $tx:expr) => {
        $query
            .bind($device.management_no.clone())
            .bind($device.kind.code())
            .bind($device.maker.clone())
            .bind($device.model.clone())
            .bind($device.serial.clone())
            .bind($device.os_name.clone())
            .bind($device.os_version.clone())
            .bind($device.location.clone())
            .bind($device.users.clone())
            .bind(day($device.registered_on))
            .bind($device.status.code())
            .bind(day($device.disposed_on))
            .bind($device.description.clone())
            .bind(i64::from($device.remote_maintenance))
            .bind($device.security_measures.clone())
            .bind($device.auth_method.clone())
            .bind($device.search_text())
            .bind($tx.now.clone())
            .bind($tx.actor().display.clone())
    };
}

/// Rows of many new devices with their software and interfaces, ids assigned by the caller.
pub(crate) struct DeviceRows {
    pub devices: Rows,
    pub software: Rows,
    pub interfaces: Rows,
}

impl DeviceRows {
    pub fn new() -> Self {
        Self {
            devices: Rows::new(
                "devices",
                &[
                    "id",
                    "facility_id",
                    "management_no",
                    "kind",
                    "maker",
                    "model",
                    "serial",
                    "os_name",
                    "os_version",
                    "location",
                    "users",
                    "registered_on",
                    "status",
                    "disposed_on",
                    "description",
                    "remote_maintenance",
                    "security_measures",
                    "auth_method",
                    "search_text",
                    "created_at",
                    "updated_at",
                    "updated_by",
                ],
            ),
            software: Rows::new(
                "device_software",
                &["device_id", "position", "name", "version", "vendor"],
            ),
            interfaces: Rows::new(
                "device_interfaces",
                &["device_id", "position", "ip", "mac", "hostname", "segment"],
            ),
        }
    }

    /// Adds a new device with id `id`, written at `now` by `by`.
    pub fn push(&mut self, id: i64, facility_id: i64, device: &Device, now: &str, by: &str) {
        self.devices.push([
            id.into(),
            facility_id.into(),
            device.management_no.clone().into(),
            device.kind.code().into(),
            device.maker.clone().into(),
            device.model.clone().into(),
            device.serial.clone().into(),
            device.os_name.clone().into(),
            device.os_version.clone().into(),
            device.location.clone().into(),
            device.users.clone().into(),
            day(device.registered_on).into(),
            device.status.code().into(),
            day(device.disposed_on).into(),
            device.description.clone().into(),
            device.remote_maintenance.into(),
            device.security_measures.clone().into(),
            device.auth_method.clone().into(),
            device.search_text().into(),
            now.into(),
            now.into(),
            by.into(),
        ]);
        for (position, s) in device.software.iter().enumerate() {
            self.software.push([
                id.into(),
                (position as i64).into(),
                s.name.clone().into(),
                s.version.clone().into(),
                s.vendor.clone().into(),
            ]);
        }
        for (position, i) in device.interfaces.iter().enumerate() {
            self.interfaces.push([
                id.into(),
                (position as i64).into(),
                i.ip.clone().into(),
                i.mac.clone().into(),
                i.hostname.clone().into(),
                i.segment.clone().into(),
            ]);
        }
    }
}

/// Devices whose rows are built and written together by [`WriteTx::create_devices`].
const WRITE_CHUNK: usize = 1_000;

/// Devices created by one import after which the planner's statistics are refreshed.
pub(crate) const ANALYZE_AFTER: usize = 5_000;

impl WriteTx {
    /// Writes the rows collected in `rows`.
    pub(crate) async fn insert_device_rows(&mut self, rows: &DeviceRows) -> Result<()> {
        self.insert_rows(&rows.devices).await?;
        self.insert_rows(&rows.software).await?;
        self.insert_rows(&rows.interfaces).await
    }

    /// Creates many devices with multi-row INSERTs and one audit entry each (as
    /// [`WriteTx::create_device`] would, in a fraction of the round trips).
    pub async fn create_devices(
        &mut self,
        facility_id: i64,
        devices: &[Device],
    ) -> Result<Vec<i64>> {
        let deferred = devices.len() > WRITE_CHUNK;
        if deferred {
            self.defer_search_index().await?;
        }
        let ids = self.insert_new_devices(facility_id, devices).await?;
        if let (true, Some(first), Some(last)) = (deferred, ids.first(), ids.last()) {
            self.index_deferred(*first, *last).await?;
        }
        Ok(ids)
    }

    /// The rows and audit entries of new devices, [`WRITE_CHUNK`] at a time, the search index
    /// left to the caller (written per statement unless deferred).
    pub(crate) async fn insert_new_devices(
        &mut self,
        facility_id: i64,
        devices: &[Device],
    ) -> Result<Vec<i64>> {
        if devices.is_empty() {
            return Ok(Vec::new());
        }
        let first = self.reserve_ids("devices", devices.len()).await?;
        let (now, by) = (self.now.clone(), self.actor().display.clone());
        let ids: Vec<i64> = (0..devices.len() as i64).map(|n| first + n).collect();
        // A chunk's rows and audit entries at a time: building them for a whole 100,000-device
        // ledger first held a value per cell and a JSON tree per device (over a gigabyte).
        let build = |(devices, ids): (&[Device], &[i64])| {
            let mut rows = DeviceRows::new();
            let mut audit = Vec::with_capacity(devices.len());
            for (device, &id) in devices.iter().zip(ids) {
                rows.push(id, facility_id, device, &now, &by);
                audit.push(
                    AuditRecord::new("create", "device")
                        .facility(Some(facility_id))
                        .id(id)
                        .after(device),
                );
            }
            (rows, audit)
        };
        let mut chunks = devices.chunks(WRITE_CHUNK).zip(ids.chunks(WRITE_CHUNK));
        let mut next = chunks.next().map(build);
        while let Some((rows, audit)) = next.take() {
            let audit = self.audit_rows(audit);
            // The database writes a chunk while the next one is built: the statements go to
            // SQLite's worker thread or PostgreSQL's server at the first poll, and building the
            // next chunk then runs beside them instead of after them.
            let (written, built) = futures_util::future::join(
                async {
                    self.insert_device_rows(&rows).await?;
                    self.insert_rows(&audit).await
                },
                async { chunks.next().map(build) },
            )
            .await;
            written?;
            next = built;
        }
        Ok(ids)
    }

    /// Makes SQLite's search index skip the devices this transaction writes from now on, until
    /// [`WriteTx::index_deferred`] indexes them at once (see migration 0011). A bulk write does
    /// this: per statement, the index was written out and merged at each. If a write between the
    /// two fails, the transaction must be dropped, as after any failed write. PostgreSQL's index
    /// has no such cost: nothing to do there.
    pub(crate) async fn defer_search_index(&mut self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("INSERT INTO devices_search_deferred (id) VALUES (1)")
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Adds devices `first`..=`last`, written since [`WriteTx::defer_search_index`], to SQLite's
    /// search index, and ends the deferral.
    pub(crate) async fn index_deferred(&mut self, first: i64, last: i64) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        sqlx::query("DELETE FROM devices_search_deferred")
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO devices_search (rowid, search_text)
             SELECT id, search_text FROM devices WHERE id BETWEEN $1 AND $2",
        )
        .bind(first)
        .bind(last)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Replaces the device's software and interfaces.
    async fn write_details(&mut self, device_id: i64, device: &Device) -> Result<()> {
        sqlx::query("DELETE FROM device_software WHERE device_id = $1")
            .bind(device_id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM device_interfaces WHERE device_id = $1")
            .bind(device_id)
            .execute(&mut *self.tx)
            .await?;
        for (position, s) in device.software.iter().enumerate() {
            sqlx::query("INSERT INTO device_software (device_id, position, name, version, vendor) VALUES ($1, $2, $3, $4, $5)")
                .bind(device_id)
                .bind(position as i64)
                .bind(&s.name)
                .bind(s.version.as_deref())
                .bind(s.vendor.as_deref())
                .execute(&mut *self.tx)
                .await?;
        }
        for (position, i) in device.interfaces.iter().enumerate() {
            sqlx::query("INSERT INTO device_interfaces (device_id, position, ip, mac, hostname, segment) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(device_id)
                .bind(position as i64)
                .bind(i.ip.as_deref())
                .bind(i.mac.as_deref())
                .bind(i.hostname.as_deref())
                .bind(i.segment.as_deref())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn create_device(&mut self, facility_id: i64, device: &Device) -> Result<i64> {
        let ids = self
            .create_devices(facility_id, std::slice::from_ref(device))
            .await?;
        ids.first().copied().ok_or(crate::StoreError::NotFound)
    }

    pub async fn update_device(&mut self, before: &StoredDevice, device: &Device) -> Result<()> {
        let query = sqlx::query(
            "UPDATE devices SET management_no = $1, kind = $2, maker = $3, model = $4, serial = $5, os_name = $6, os_version = $7,
               location = $8, users = $9, registered_on = $10, status = $11, disposed_on = $12, description = $13,
               remote_maintenance = $14, security_measures = $15, auth_method = $16, search_text = $17, updated_at = $18,
               updated_by = $19
             WHERE id = $20",
        );
        bind_device!(query, device, self)
            .bind(before.id)
            .execute(&mut *self.tx)
            .await?;
        self.write_details(before.id, device).await?;
        self.audit(
            AuditRecord::new("update", "device")
                .facility(Some(before.facility_id))
                .id(before.id)
                .before(&before.device)
                .after(device),
        )
        .await
    }

    /// Deletes a device (one created by mistake; a device taken out of use is 廃棄, not
    /// deleted), its software and interfaces with it. The audit entry keeps the whole device.
    pub async fn delete_device(&mut self, before: &StoredDevice) -> Result<()> {
        for table in ["device_software", "device_interfaces"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE device_id = $1"))
                .bind(before.id)
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query("DELETE FROM devices WHERE id = $1")
            .bind(before.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("delete", "device")
                .facility(Some(before.facility_id))
                .id(before.id)
                .before(&before.device),
        )
        .await
    }

    /// Sets the status of several devices (bulk action); returns how many changed.
    pub async fn set_device_status(
        &mut self,
        devices: &[StoredDevice],
        status: DeviceStatus,
    ) -> Result<usize> {
        let mut changed = 0;
        for stored in devices.iter().filter(|d| d.device.status != status) {
            let mut device = stored.device.clone();
            device.status = status;
            if status != DeviceStatus::Disposed {
                device.disposed_on = None;
            }
            self.update_device(stored, &device).await?;
            changed += 1;
        }
        Ok(changed)
    }

    /// Creates or updates devices matched by 管理番号; a device equal to the stored one is left alone.
    pub async fn import_devices(
        &mut self,
        facility_id: i64,
        devices: &[Device],
    ) -> Result<ImportCounts> {
        self.import_devices_keeping(facility_id, devices, None)
            .await
    }

    /// [`WriteTx::import_devices`] of a file that has columns for `present` only: the other
    /// fields of a stored device keep their values.
    pub async fn import_devices_keeping(
        &mut self,
        facility_id: i64,
        devices: &[Device],
        present: Option<Present<'_>>,
    ) -> Result<ImportCounts> {
        let stored = stored_devices(self.backend, &mut self.tx, facility_id).await?;
        let devices = &*completed_devices(&stored, devices, present);
        let matches = match_devices(&stored, devices);
        let new: Vec<Device> = devices
            .iter()
            .zip(&matches)
            .filter(|(_, m)| matches!(m, Match::New))
            .map(|(device, _)| device.clone())
            .collect();
        self.create_devices(facility_id, &new).await?;
        if new.len() >= ANALYZE_AFTER {
            // Fresh statistics, or the planner keeps treating the facility as small (PostgreSQL
            // then scans instead of using the trigram index until autovacuum comes by).
            self.analyze(&["devices", "device_software", "device_interfaces"])
                .await?;
        }
        for (device, m) in devices.iter().zip(&matches) {
            if let Match::Changed(stored) = m {
                self.update_device(stored, device).await?;
            }
        }
        Ok(device_counts(&stored, devices, &matches))
    }

    /// Records that a person checked the ledger (「台帳を確認しました」).
    pub async fn confirm_ledger(
        &mut self,
        facility_id: i64,
        ledger: &str,
        note: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO ledger_confirmations (facility_id, ledger, confirmed_by_id, confirmed_by, confirmed_at, note) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(facility_id)
        .bind(ledger)
        .bind(self.actor().user_id)
        .bind(self.actor().display.clone())
        .bind(&self.now)
        .bind(note)
        .execute(&mut *self.tx)
        .await?;
        let detail = serde_json::json!({"ledger": ledger, "note": note});
        self.audit(
            AuditRecord::new("confirm", "ledger")
                .facility(Some(facility_id))
                .id(ledger)
                .after(&detail),
        )
        .await
    }
}

impl Store {
    /// What [`WriteTx::import_devices`] would do, read without a write transaction: a preview
    /// neither writes nor holds the database's write lock (an import of 100,000 devices holds it
    /// for seconds).
    pub async fn preview_device_import(
        &self,
        facility_id: i64,
        devices: &[Device],
        present: Option<Present<'_>>,
    ) -> Result<ImportCounts> {
        let mut conn = self.pool.acquire().await?;
        let stored = stored_devices(self.backend, &mut conn, facility_id).await?;
        let devices = completed_devices(&stored, devices, present);
        let matches = match_devices(&stored, &devices);
        Ok(device_counts(&stored, &devices, &matches))
    }
}

/// The facility's devices with their details, by 管理番号.
pub(crate) async fn stored_devices(
    backend: Backend,
    conn: &mut sqlx::AnyConnection,
    facility_id: i64,
) -> Result<HashMap<String, StoredDevice>> {
    let sql = format!("SELECT {COLUMNS} FROM devices WHERE facility_id = $1");
    let rows = sqlx::query(&sql)
        .bind(facility_id)
        .fetch_all(&mut *conn)
        .await?;
    by_number(backend, conn, &rows).await
}

/// Stored devices read as `rows`, with their details, by 管理番号.
pub(crate) async fn by_number(
    backend: Backend,
    conn: &mut sqlx::AnyConnection,
    rows: &[sqlx::any::AnyRow],
) -> Result<HashMap<String, StoredDevice>> {
    let mut stored = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
    load_details(backend, conn, &mut stored).await?;
    Ok(stored
        .into_iter()
        .map(|d| (d.device.management_no.clone(), d))
        .collect())
}

/// The incoming devices with the stored values of the fields the file has no column for.
pub(crate) fn completed_devices<'d>(
    stored: &HashMap<String, StoredDevice>,
    devices: &'d [Device],
    present: Option<Present<'_>>,
) -> Cow<'d, [Device]> {
    match present {
        Some(present) if !present.all(DEVICE_FIELDS.iter().copied()) => Cow::Owned(
            devices
                .iter()
                .map(|device| {
                    let mut device = device.clone();
                    if let Some(old) = stored.get(&device.management_no) {
                        device.keep_absent(&old.device, present);
                    }
                    device
                })
                .collect(),
        ),
        _ => Cow::Borrowed(devices),
    }
}

/// The counts of a device import, with how many devices in use it takes out of use.
pub(crate) fn device_counts(
    stored: &HashMap<String, StoredDevice>,
    devices: &[Device],
    matches: &[Match<'_, StoredDevice>],
) -> ImportCounts {
    let in_use = |status: DeviceStatus| status == DeviceStatus::Active;
    ImportCounts {
        taken_out_of_use: devices
            .iter()
            .zip(matches)
            .filter(|(device, m)| {
                matches!(m, Match::Changed(old) if in_use(old.device.status) && !in_use(device.status))
            })
            .count(),
        in_use_before: stored.values().filter(|d| in_use(d.device.status)).count(),
        changes: listed_changes(
            devices.iter().zip(matches),
            |d| d.management_no.clone(),
            |old, new| new.changes_from(&old.device),
        ),
        ..ImportCounts::of(matches)
    }
}

pub(crate) fn match_devices<'s>(
    stored: &'s HashMap<String, StoredDevice>,
    devices: &[Device],
) -> Vec<Match<'s, StoredDevice>> {
    match_items(
        stored,
        devices,
        |d| d.management_no.clone(),
        |s, d| s.device == *d,
    )
}
