//! Records of the registers (vendors, systems, cloud services, remote maintenance).

use std::borrow::Cow;
use std::collections::HashMap;

use mimamori_domain::ledger::absent::Present;
use mimamori_domain::ledger::register::{Record, References, RegisterSpec};
use mimamori_domain::validation::search_key;
use serde::Serialize;
use sqlx::any::AnyRow;

use super::import_plan::{listed_changes, match_items, Match};
use super::ImportCounts;
use crate::{col, AuditRecord, Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct StoredRecord {
    pub id: i64,
    pub facility_id: i64,
    pub record: Record,
    pub updated_at: String,
    pub updated_by: String,
}

const COLUMNS: &str = "id, facility_id, data, updated_at, updated_by";

fn from_row(row: &AnyRow) -> Result<StoredRecord> {
    let data: String = col(row, "data")?;
    Ok(StoredRecord {
        id: col(row, "id")?,
        facility_id: col(row, "facility_id")?,
        record: serde_json::from_str(&data)
            .map_err(|e| StoreError::Unsupported(format!("broken record data: {e}")))?,
        updated_at: col(row, "updated_at")?,
        updated_by: col(row, "updated_by")?,
    })
}

pub(crate) fn record_key(spec: &RegisterSpec, record: &Record) -> String {
    search_key(record.get(spec.key_field).unwrap_or("").trim())
}

pub(crate) fn data(record: &Record) -> String {
    serde_json::to_string(record).unwrap_or_else(|_| "{}".into())
}

/// The filter of a register list, shared by the page and the API.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub q: Option<String>,
    /// (field key, stored value): e.g. ("route", "ssl_vpn"), ("two_factor", "no").
    pub fields: Vec<(String, String)>,
    pub sort: Option<String>,
    pub descending: bool,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordPage {
    pub records: Vec<StoredRecord>,
    pub total: i64,
}

impl WriteTx {
    pub async fn create_record(
        &mut self,
        facility_id: i64,
        spec: &RegisterSpec,
        record: &Record,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO register_records (facility_id, register, record_key, data, search_text, created_at, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
        )
        .bind(facility_id)
        .bind(spec.slug)
        .bind(record_key(spec, record))
        .bind(data(record))
        .bind(spec.search_text(record))
        .bind(self.now.clone())
        .bind(self.actor().display.clone())
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = col(&row, "id")?;
        self.audit(
            AuditRecord::new("create", spec.entity)
                .facility(Some(facility_id))
                .id(id)
                .after(&record.values),
        )
        .await?;
        Ok(id)
    }

    pub async fn update_record(
        &mut self,
        spec: &RegisterSpec,
        before: &StoredRecord,
        record: &Record,
    ) -> Result<()> {
        sqlx::query("UPDATE register_records SET record_key = $1, data = $2, search_text = $3, updated_at = $4, updated_by = $5 WHERE id = $6")
            .bind(record_key(spec, record))
            .bind(data(record))
            .bind(spec.search_text(record))
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .bind(before.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("update", spec.entity)
                .facility(Some(before.facility_id))
                .id(before.id)
                .before(&before.record.values)
                .after(&record.values),
        )
        .await
    }

    pub async fn delete_record(
        &mut self,
        spec: &RegisterSpec,
        before: &StoredRecord,
    ) -> Result<()> {
        sqlx::query("DELETE FROM register_records WHERE id = $1")
            .bind(before.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("delete", spec.entity)
                .facility(Some(before.facility_id))
                .id(before.id)
                .before(&before.record.values),
        )
        .await
    }

    /// Creates the records whose key is not yet in the register and leaves existing ones alone
    /// (seeding entries a facility must complete). Returns how many were added.
    pub async fn add_missing_records(
        &mut self,
        facility_id: i64,
        spec: &RegisterSpec,
        records: &[Record],
    ) -> Result<usize> {
        let rows = sqlx::query(
            "SELECT record_key FROM register_records WHERE facility_id = $1 AND register = $2",
        )
        .bind(facility_id)
        .bind(spec.slug)
        .fetch_all(&mut *self.tx)
        .await?;
        let mut keys = rows
            .iter()
            .map(|r| col::<String>(r, "record_key"))
            .collect::<Result<std::collections::HashSet<_>>>()?;
        let mut added = 0;
        for record in records {
            if keys.insert(record_key(spec, record)) {
                self.create_record(facility_id, spec, record).await?;
                added += 1;
            }
        }
        Ok(added)
    }

    /// Creates or updates records matched by their key field; equal records are left alone.
    pub async fn import_records(
        &mut self,
        facility_id: i64,
        spec: &RegisterSpec,
        records: &[Record],
    ) -> Result<ImportCounts> {
        self.import_records_keeping(facility_id, spec, records, None)
            .await
    }

    /// [`WriteTx::import_records`] of a file that has columns for `present` only: the other
    /// fields of a stored record keep their values.
    pub async fn import_records_keeping(
        &mut self,
        facility_id: i64,
        spec: &RegisterSpec,
        records: &[Record],
        present: Option<Present<'_>>,
    ) -> Result<ImportCounts> {
        let stored = stored_records(&mut self.tx, facility_id, spec).await?;
        let records = &*completed_records(&stored, spec, records, present);
        let matches = match_records(&stored, spec, records);
        for (record, m) in records.iter().zip(&matches) {
            match m {
                Match::New => {
                    self.create_record(facility_id, spec, record).await?;
                }
                Match::Changed(stored) => self.update_record(spec, stored, record).await?,
                Match::Unchanged => {}
            }
        }
        Ok(record_counts(spec, records, &matches))
    }
}

/// The register's records by their key.
async fn stored_records(
    conn: &mut sqlx::AnyConnection,
    facility_id: i64,
    spec: &RegisterSpec,
) -> Result<HashMap<String, StoredRecord>> {
    let sql =
        format!("SELECT {COLUMNS} FROM register_records WHERE facility_id = $1 AND register = $2");
    let rows = sqlx::query(&sql)
        .bind(facility_id)
        .bind(spec.slug)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| from_row(row).map(|r| (record_key(spec, &r.record), r)))
        .collect()
}

/// The counts of a register import, with the first changed records' field changes.
fn record_counts(
    spec: &RegisterSpec,
    records: &[Record],
    matches: &[Match<'_, StoredRecord>],
) -> ImportCounts {
    ImportCounts {
        changes: listed_changes(
            records.iter().zip(matches),
            |r| r.get(spec.key_field).unwrap_or_default().to_string(),
            |old, new| new.changes_from(&old.record, spec),
        ),
        ..ImportCounts::of(matches)
    }
}

/// The incoming records with the stored values of the fields the file has no column for.
fn completed_records<'r>(
    stored: &HashMap<String, StoredRecord>,
    spec: &RegisterSpec,
    records: &'r [Record],
    present: Option<Present<'_>>,
) -> Cow<'r, [Record]> {
    match present {
        Some(present) if !present.all(spec.fields.iter().map(|f| f.key)) => Cow::Owned(
            records
                .iter()
                .map(|record| {
                    let mut record = record.clone();
                    if let Some(old) = stored.get(&record_key(spec, &record)) {
                        record.keep_absent(&old.record, spec, present);
                    }
                    record
                })
                .collect(),
        ),
        _ => Cow::Borrowed(records),
    }
}

fn match_records<'s>(
    stored: &'s HashMap<String, StoredRecord>,
    spec: &RegisterSpec,
    records: &[Record],
) -> Vec<Match<'s, StoredRecord>> {
    match_items(
        stored,
        records,
        |r| record_key(spec, r),
        |s, r| s.record == *r,
    )
}

impl Store {
    /// What [`WriteTx::import_records`] would do, read without a write transaction (see
    /// [`Store::preview_device_import`]).
    pub async fn preview_record_import(
        &self,
        facility_id: i64,
        spec: &RegisterSpec,
        records: &[Record],
        present: Option<Present<'_>>,
    ) -> Result<ImportCounts> {
        let mut conn = self.pool.acquire().await?;
        let stored = stored_records(&mut conn, facility_id, spec).await?;
        let records = completed_records(&stored, spec, records, present);
        let matches = match_records(&stored, spec, &records);
        Ok(record_counts(spec, &records, &matches))
    }

    /// A page of a register: searched across all fields, filtered by field values, sorted by a
    /// field (else by key), paged — all in the database.
    pub async fn records(
        &self,
        facility_id: i64,
        spec: &RegisterSpec,
        filter: &RecordFilter,
    ) -> Result<RecordPage> {
        let term = crate::dialect::search_pattern(filter.q.as_deref());
        let known = |key: &str| spec.field(key).map(|f| f.key);
        let mut conditions = String::from("facility_id = $1 AND register = $2 AND ($3 IS NULL OR search_text LIKE $3 ESCAPE '\\')");
        let mut values = Vec::new();
        for (key, value) in &filter.fields {
            if let Some(key) = known(key) {
                values.push(value.clone());
                conditions.push_str(&format!(
                    " AND {} = ${}",
                    self.backend.json_text("data", "values", key),
                    3 + values.len()
                ));
            }
        }
        let order = match filter.sort.as_deref().and_then(known) {
            Some(key) => format!(
                "{} {}, record_key",
                self.backend.json_text("data", "values", key),
                if filter.descending { "DESC" } else { "ASC" }
            ),
            None => format!(
                "record_key {}",
                if filter.descending { "DESC" } else { "ASC" }
            ),
        };
        let (limit, offset) = (3 + values.len() + 1, 3 + values.len() + 2);
        let sql = format!("SELECT {COLUMNS} FROM register_records WHERE {conditions} ORDER BY {order} LIMIT ${limit} OFFSET ${offset}");
        let mut query = sqlx::query(&sql)
            .bind(facility_id)
            .bind(spec.slug)
            .bind(term.clone());
        for value in &values {
            query = query.bind(value.as_str());
        }
        let per_page = filter.per_page.clamp(1, i64::MAX / 4);
        let rows = query
            .bind(per_page)
            .bind(mimamori_domain::validation::page_offset(
                filter.page,
                per_page,
            ))
            .fetch_all(&self.pool)
            .await?;
        let total = match crate::total_on_page(filter.page, per_page, rows.len()) {
            Some(total) => total,
            None => {
                let count_sql =
                    format!("SELECT COUNT(*) AS n FROM register_records WHERE {conditions}");
                let mut count = sqlx::query(&count_sql)
                    .bind(facility_id)
                    .bind(spec.slug)
                    .bind(term);
                for value in &values {
                    count = count.bind(value.as_str());
                }
                col(&count.fetch_one(&self.pool).await?, "n")?
            }
        };
        Ok(RecordPage {
            records: rows.iter().map(from_row).collect::<Result<_>>()?,
            total,
        })
    }

    pub async fn all_records(
        &self,
        facility_id: i64,
        spec: &RegisterSpec,
    ) -> Result<Vec<StoredRecord>> {
        let all = RecordFilter {
            per_page: i64::MAX / 4,
            ..Default::default()
        };
        Ok(self.records(facility_id, spec, &all).await?.records)
    }

    /// One record of the facility's register (another facility's is not found).
    pub async fn record(
        &self,
        facility_id: i64,
        spec: &RegisterSpec,
        id: i64,
    ) -> Result<StoredRecord> {
        let sql = format!("SELECT {COLUMNS} FROM register_records WHERE id = $1 AND facility_id = $2 AND register = $3");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(facility_id)
            .bind(spec.slug)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// A record by its key field's value (compared in search form).
    pub async fn record_by_key(
        &self,
        facility_id: i64,
        spec: &RegisterSpec,
        key: &str,
    ) -> Result<StoredRecord> {
        let sql = format!("SELECT {COLUMNS} FROM register_records WHERE facility_id = $1 AND register = $2 AND record_key = $3");
        let row = sqlx::query(&sql)
            .bind(facility_id)
            .bind(spec.slug)
            .bind(search_key(key.trim()))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// The facility's vendor and system names and 管理番号, against which references are checked.
    pub async fn references(&self, facility_id: i64) -> Result<References> {
        let vendors = self
            .all_records(facility_id, &mimamori_domain::ledger::registers::VENDORS)
            .await?
            .into_iter()
            .filter_map(|r| r.record.get("name").map(str::to_string))
            .collect();
        let rows = sqlx::query("SELECT management_no FROM devices WHERE facility_id = $1")
            .bind(facility_id)
            .fetch_all(&self.pool)
            .await?;
        let devices = rows
            .iter()
            .map(|r| col::<String>(r, "management_no"))
            .collect::<Result<_>>()?;
        let systems = self
            .all_records(facility_id, &mimamori_domain::ledger::registers::SYSTEMS)
            .await?
            .into_iter()
            .filter_map(|r| r.record.get("name").map(str::to_string))
            .collect();
        Ok(References {
            vendors,
            systems,
            devices,
        })
    }
}
