//! Reading the device ledger: one filter for the list page, the API and the export.

use std::collections::HashMap;

use chrono::NaiveDate;
use mimamori_domain::ledger::device::{
    Device, DeviceFilter, DeviceKind, DeviceSort, DeviceStatus, Interface, Software,
};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::dialect::json_ids;
use crate::{col, json_rows, Backend, Result, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct StoredDevice {
    pub id: i64,
    pub facility_id: i64,
    #[serde(flatten)]
    pub device: Device,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

pub(crate) const COLUMNS: &str = "id, facility_id, management_no, kind, maker, model, serial, os_name, os_version, location, users, \
     registered_on, status, disposed_on, description, remote_maintenance, security_measures, auth_method, created_at, updated_at, updated_by";

/// A device's columns in [`COLUMNS`] order: one mapping for rows read column by column and for
/// rows read as JSON (see [`crate::json_rows`]).
#[derive(serde::Deserialize)]
struct DeviceColumns(
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
);

pub(crate) fn from_row(row: &AnyRow) -> Result<StoredDevice> {
    Ok(from_columns(DeviceColumns(
        col(row, "id")?,
        col(row, "facility_id")?,
        col(row, "management_no")?,
        col(row, "kind")?,
        col(row, "maker")?,
        col(row, "model")?,
        col(row, "serial")?,
        col(row, "os_name")?,
        col(row, "os_version")?,
        col(row, "location")?,
        col(row, "users")?,
        col(row, "registered_on")?,
        col(row, "status")?,
        col(row, "disposed_on")?,
        col(row, "description")?,
        col(row, "remote_maintenance")?,
        col(row, "security_measures")?,
        col(row, "auth_method")?,
        col(row, "created_at")?,
        col(row, "updated_at")?,
        col(row, "updated_by")?,
    )))
}

fn day(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
}

fn from_columns(c: DeviceColumns) -> StoredDevice {
    StoredDevice {
        id: c.0,
        facility_id: c.1,
        device: Device {
            management_no: c.2,
            kind: DeviceKind::parse(&c.3).unwrap_or(DeviceKind::Other),
            maker: c.4,
            model: c.5,
            serial: c.6,
            os_name: c.7,
            os_version: c.8,
            location: c.9,
            users: c.10,
            registered_on: day(c.11),
            status: DeviceStatus::parse(&c.12).unwrap_or(DeviceStatus::Active),
            disposed_on: day(c.13),
            description: c.14,
            remote_maintenance: c.15 != 0,
            security_measures: c.16,
            auth_method: c.17,
            software: Vec::new(),
            interfaces: Vec::new(),
        },
        created_at: c.18,
        updated_at: c.19,
        updated_by: c.20,
    }
}

fn sort_column(sort: DeviceSort) -> &'static str {
    match sort {
        DeviceSort::ManagementNo => "management_no",
        DeviceSort::Kind => "kind",
        DeviceSort::Location => "location",
        DeviceSort::Os => "os_name",
        DeviceSort::Status => "status",
        DeviceSort::RegisteredOn => "registered_on",
        DeviceSort::UpdatedAt => "updated_at",
    }
}

/// The facility (`$1`) and search (`$2`, the LIKE pattern, NULL without a search) clauses, chosen
/// per backend and term so that the trigram index is used where it can be: PostgreSQL's pg_trgm
/// serves `LIKE` directly; on SQLite the FTS5 trigram table does, for three or more characters
/// without LIKE wildcards. Anything else scans the facility's devices.
fn search_clause(backend: Backend, filter: &DeviceFilter) -> &'static str {
    match (backend, filter.q_key()) {
        (_, None) => "facility_id = $1 AND $2 IS NULL",
        (Backend::Postgres, Some(_)) => "facility_id = $1 AND search_text LIKE $2",
        // `+facility_id` keeps SQLite from walking the facility's index and probing the matches
        // for each of its devices: the trigram matches drive the query by rowid instead.
        (Backend::Sqlite, Some(term))
            if term.chars().count() >= 3 && !term.contains(['%', '_', '\\']) =>
        {
            "+facility_id = $1 AND id IN (SELECT rowid FROM devices_search WHERE search_text LIKE $2)"
        }
        (Backend::Sqlite, Some(_)) => "facility_id = $1 AND search_text LIKE $2 ESCAPE '\\'",
    }
}

/// The list's filter on `$1`…`$7`; the search clause is chosen by [`search_clause`].
fn where_clause(backend: Backend, filter: &DeviceFilter) -> String {
    format!("{} {FILTERS}", search_clause(backend, filter))
}

const FILTERS: &str = "
    AND ($3 IS NULL OR kind = $3)
    AND ($4 IS NULL OR status = $4)
    AND ($5 IS NULL OR location = $5)
    AND ($6 IS NULL OR os_name = $6)
    AND ($7 IS NULL OR remote_maintenance = $7)";

macro_rules! bind_filter {
    ($query:expr, $facility:expr, $filter:expr) => {
        $query
            .bind($facility)
            .bind($filter.q_key().map(|q| crate::dialect::like_pattern(&q)))
            .bind($filter.kind.map(|k| k.code()))
            .bind($filter.status.map(|s| s.code()))
            .bind($filter.location.as_deref())
            .bind($filter.os.as_deref())
            .bind($filter.remote_maintenance.map(i64::from))
    };
}

/// `AND management_no IN ($first, …)` for a restricted filter, binding from `$first`.
fn numbers_clause(filter: &DeviceFilter, first: usize) -> String {
    match &filter.management_nos {
        Some(numbers) if !numbers.is_empty() => {
            let params: Vec<String> = (0..numbers.len())
                .map(|i| format!("${}", first + i))
                .collect();
            format!(" AND management_no IN ({})", params.join(", "))
        }
        Some(_) => " AND 1 = 0".to_string(),
        None => String::new(),
    }
}

fn bind_numbers<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    filter: &'q DeviceFilter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for number in filter.management_nos.iter().flatten() {
        query = query.bind(number.as_str());
    }
    query
}

/// A page of devices and the number matching the filter.
#[derive(Debug, Clone, Serialize)]
pub struct DevicePage {
    pub devices: Vec<StoredDevice>,
    pub total: i64,
}

/// Distinct values offered by the list's filters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeviceFacets {
    pub locations: Vec<String>,
    pub os_names: Vec<String>,
}

impl Store {
    /// One page of the facility's devices, sorted and filtered in the database.
    pub async fn devices(&self, facility_id: i64, filter: &DeviceFilter) -> Result<DevicePage> {
        let order = if filter.descending { "DESC" } else { "ASC" };
        // The count comes with the page (a window over the matches) instead of a second query
        // that would search again.
        let sql = format!(
            "SELECT {COLUMNS}, COUNT(*) OVER () AS matching FROM devices WHERE {}{} ORDER BY {} {order}, management_no {order} LIMIT $8 OFFSET $9",
            where_clause(self.backend, filter),
            numbers_clause(filter, 10),
            sort_column(filter.sort)
        );
        let mut conn = self.pool.acquire().await?;
        let query = bind_filter!(sqlx::query(&sql), facility_id, filter)
            .bind(filter.limit())
            .bind(filter.offset());
        let rows = bind_numbers(query, filter).fetch_all(&mut *conn).await?;
        let total: i64 = match rows.first() {
            Some(row) => col(row, "matching")?,
            // Past the last page: no row carries the count.
            None if filter.offset() > 0 => {
                let count_sql = format!(
                    "SELECT COUNT(*) AS n FROM devices WHERE {}{}",
                    where_clause(self.backend, filter),
                    numbers_clause(filter, 8)
                );
                let count = bind_numbers(
                    bind_filter!(sqlx::query(&count_sql), facility_id, filter),
                    filter,
                );
                col(&count.fetch_one(&mut *conn).await?, "n")?
            }
            None => 0,
        };
        let mut devices = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        load_details(self.backend, &mut conn, &mut devices).await?;
        Ok(DevicePage { devices, total })
    }

    /// Every device matching the filter, in its order (for exports).
    pub async fn all_devices(
        &self,
        facility_id: i64,
        filter: &DeviceFilter,
    ) -> Result<Vec<StoredDevice>> {
        let mut all = Vec::new();
        self.devices_in_batches(facility_id, filter, |batch| {
            all.extend(batch);
            std::future::ready(true)
        })
        .await?;
        Ok(all)
    }

    /// Every device of the facility matching `filter`, in the list's order, with software and
    /// interfaces, handed to `each` a batch at a time; `each` returns false to stop early.
    /// An export of 100,000 devices holds one batch, not the ledger, and writes a batch while the
    /// next is read. The order is fixed by one query for the ids; each batch then reads its rows
    /// on one connection at a time (never two at once, so exports cannot starve the pool). A
    /// device deleted meanwhile is left out. Returns how many devices were handed over.
    pub async fn devices_in_batches<F, Fut>(
        &self,
        facility_id: i64,
        filter: &DeviceFilter,
        mut each: F,
    ) -> Result<usize>
    where
        F: FnMut(Vec<StoredDevice>) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let order = if filter.descending { "DESC" } else { "ASC" };
        // The ids as one JSON text too: 100,000 rows of one column would each be handed over.
        let sql = self.backend.json_rows(
            "id",
            &format!(
                "devices WHERE {}{}",
                where_clause(self.backend, filter),
                numbers_clause(filter, 8)
            ),
            &format!(
                "{} {order}, management_no {order}",
                sort_column(filter.sort)
            ),
        );
        let row = bind_numbers(bind_filter!(sqlx::query(&sql), facility_id, filter), filter)
            .fetch_one(&self.pool)
            .await?;
        let ids: Vec<i64> = json_rows::<(i64,)>(&row)?
            .into_iter()
            .map(|(id,)| id)
            .collect();
        let mut handed = 0;
        for chunk in ids.chunks(DETAIL_BATCH) {
            let mut conn = self.pool.acquire().await?;
            // The batch as one JSON text (see `Backend::json_rows`) instead of 500 rows of 21
            // columns through `Any`.
            let sql = self.backend.json_rows(
                COLUMNS,
                &format!("devices WHERE {}", self.backend.in_json_ids("id", "$1")),
                "id",
            );
            let row = sqlx::query(&sql)
                .bind(json_ids(chunk))
                .fetch_one(&mut *conn)
                .await?;
            let mut by_id: HashMap<i64, StoredDevice> = json_rows::<DeviceColumns>(&row)?
                .into_iter()
                .map(|c| (c.0, from_columns(c)))
                .collect();
            let mut batch: Vec<StoredDevice> =
                chunk.iter().filter_map(|id| by_id.remove(id)).collect();
            load_details(self.backend, &mut conn, &mut batch).await?;
            drop(conn);
            handed += batch.len();
            if !each(batch).await {
                break;
            }
        }
        Ok(handed)
    }

    /// One device of the facility (another facility's device is not found).
    pub async fn device(&self, facility_id: i64, id: i64) -> Result<StoredDevice> {
        let sql = format!("SELECT {COLUMNS} FROM devices WHERE id = $1 AND facility_id = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(facility_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut devices = vec![from_row(&row)?];
        load_details(self.backend, &mut *self.pool.acquire().await?, &mut devices).await?;
        Ok(devices.remove(0))
    }

    pub async fn device_facets(&self, facility_id: i64) -> Result<DeviceFacets> {
        let distinct = |column: &'static str| {
            let sql = format!("SELECT DISTINCT {column} AS v FROM devices WHERE facility_id = $1 AND {column} IS NOT NULL ORDER BY {column}");
            async move {
                let rows = sqlx::query(&sql)
                    .bind(facility_id)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| col::<String>(r, "v"))
                    .collect::<Result<Vec<_>>>()
            }
        };
        Ok(DeviceFacets {
            locations: distinct("location").await?,
            os_names: distinct("os_name").await?,
        })
    }
}

/// Loads software and interfaces for the devices in two queries per 500 devices (no N+1).
/// Devices whose details are read in one statement.
const DETAIL_BATCH: usize = 500;

pub(crate) async fn load_details(
    backend: Backend,
    conn: &mut sqlx::AnyConnection,
    devices: &mut [StoredDevice],
) -> Result<()> {
    {
        if devices.is_empty() {
            return Ok(());
        }
        let mut index: HashMap<i64, usize> = HashMap::new();
        for (i, d) in devices.iter().enumerate() {
            index.insert(d.id, i);
        }
        for chunk in devices
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>()
            .chunks(DETAIL_BATCH)
        {
            // Software and interfaces in one round trip (`part` 0 and 1), in their order, as one
            // JSON text (see `Backend::json_rows`); the ids are one parameter, so the statement
            // is prepared once per connection (planning it took PostgreSQL ~3× its execution).
            let ids = backend.in_json_ids("device_id", "$1");
            let sql = backend.json_rows(
                "device_id, part, a, b, c, d",
                &format!(
                    "(SELECT device_id, 0 AS part, position, name AS a, version AS b, vendor AS c, CAST(NULL AS TEXT) AS d
                        FROM device_software WHERE {ids}
                      UNION ALL
                      SELECT device_id, 1 AS part, position, ip AS a, mac AS b, hostname AS c, segment AS d
                        FROM device_interfaces WHERE {ids}) details"
                ),
                "device_id, part, position",
            );
            let row = sqlx::query(&sql)
                .bind(json_ids(chunk))
                .fetch_one(&mut *conn)
                .await?;
            type Detail = (
                i64,
                i64,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
            );
            for (device_id, part, a, b, c, d) in json_rows::<Detail>(&row)? {
                let Some(&i) = index.get(&device_id) else {
                    continue;
                };
                let device = &mut devices[i].device;
                if part == 0 {
                    device.software.push(Software {
                        name: a.unwrap_or_default(),
                        version: b,
                        vendor: c,
                    });
                } else {
                    device.interfaces.push(Interface {
                        ip: a,
                        mac: b,
                        hostname: c,
                        segment: d,
                    });
                }
            }
        }
        Ok(())
    }
}
