//! Exports: the device ledger, a register and the account ledger as XLSX or CSV, each audited.
//! One function per ledger, called by the pages, the API and the CLI alike.

use mimamori_domain::ledger::device::DeviceFilter;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_formats::accounts::account_table;
use mimamori_formats::devices::{device_rows, device_sheet, LedgerHeader};
use mimamori_formats::registers::record_table;
use mimamori_formats::write::{self, Encoding, TableWriter};
use mimamori_store::facilities::Facility;
use mimamori_store::ledger::devices::StoredDevice;
use mimamori_store::{Actor, AuditRecord, Store, StoreError};

/// Why an export failed: the store, or writing the file.
#[derive(Debug)]
pub enum ExportError {
    Store(StoreError),
    Write(String),
}

impl ExportError {
    fn write(error: impl std::fmt::Display) -> Self {
        ExportError::Write(error.to_string())
    }
}

impl From<StoreError> for ExportError {
    fn from(error: StoreError) -> Self {
        ExportError::Store(error)
    }
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Store(e) => write!(f, "{e}"),
            ExportError::Write(e) => write!(f, "writing the file: {e}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv(Encoding),
}

pub struct Exported {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
    pub rows: usize,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl Exported {
    /// A table as an XLSX or CSV file named `{stem}.xlsx` / `{stem}.csv`.
    pub fn from_table(
        table: &mimamori_formats::write::Table,
        format: ExportFormat,
        stem: &str,
        rows: usize,
    ) -> Result<Exported, ExportError> {
        let bytes = match format {
            ExportFormat::Xlsx => write::xlsx(table).map_err(ExportError::write)?,
            ExportFormat::Csv(encoding) => write::csv(table, encoding).0,
        };
        Ok(Exported::file(bytes, format, stem, rows))
    }

    /// Bytes already written in `format`, named `{stem}.xlsx` / `{stem}.csv`.
    pub fn file(bytes: Vec<u8>, format: ExportFormat, stem: &str, rows: usize) -> Exported {
        let (content_type, extension) = match format {
            ExportFormat::Xlsx => (XLSX, "xlsx"),
            ExportFormat::Csv(Encoding::Cp932) => ("text/csv; charset=Shift_JIS", "csv"),
            ExportFormat::Csv(Encoding::Utf8Bom) => ("text/csv; charset=utf-8", "csv"),
        };
        Exported {
            bytes,
            content_type,
            file_name: format!("{stem}.{extension}"),
            rows,
        }
    }

    /// An XLSX workbook already written.
    pub fn xlsx(bytes: Vec<u8>, file_name: String) -> Exported {
        Exported {
            bytes,
            content_type: XLSX,
            file_name,
            rows: 0,
        }
    }
}

/// Builds the file and records the export. The rows are written on a blocking thread while the
/// store reads the next batch, so a 100,000-device ledger is never held whole (see
/// [`Store::devices_in_batches`]).
pub async fn devices(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    filter: &DeviceFilter,
    format: ExportFormat,
) -> Result<Exported, ExportError> {
    let status = store.device_ledger_status(facility.id).await?;
    let header = LedgerHeader {
        title: "機器台帳".into(),
        facility: facility.profile.name.clone(),
        last_updated: status
            .last_updated_at
            .map(|t| mimamori_domain::clock::display_jst(&t)),
        last_updated_by: status.last_updated_by,
        last_confirmed: status.last_confirmed_at.map(|t| {
            format!(
                "{} {}",
                mimamori_domain::clock::display_jst(&t),
                status.last_confirmed_by.unwrap_or_default()
            )
        }),
    };
    let sheet = device_sheet(&header);
    let mut writer = match format {
        ExportFormat::Xlsx => TableWriter::xlsx(&sheet).map_err(ExportError::write)?,
        ExportFormat::Csv(encoding) => TableWriter::csv(&sheet, encoding),
    };
    let (batches, mut received) = tokio::sync::mpsc::channel::<Vec<StoredDevice>>(2);
    let writing = tokio::task::spawn_blocking(move || {
        while let Some(batch) = received.blocking_recv() {
            for stored in &batch {
                for row in device_rows(&stored.device) {
                    writer.row(row)?;
                }
            }
        }
        writer.finish()
    });
    let read = store
        .devices_in_batches(facility.id, filter, |batch| {
            let batches = batches.clone();
            // A closed channel means the writer failed; its error is reported below.
            async move { batches.send(batch).await.is_ok() }
        })
        .await;
    drop(batches);
    let written = writing.await.map_err(ExportError::write)?;
    let devices = read?;
    let (bytes, _) = written.map_err(ExportError::write)?;
    let today = store.clock().today_jst().format("%Y%m%d");
    let stem = format!("機器台帳_{}_{today}", facility.profile.code);
    let exported = Exported::file(bytes, format, &stem, devices);
    let detail = serde_json::json!({"format": exported.file_name.rsplit('.').next(), "devices": exported.rows});
    store
        .record_event(
            actor,
            AuditRecord::new("export", "devices")
                .facility(Some(facility.id))
                .after(&detail),
        )
        .await?;
    Ok(exported)
}

pub async fn register(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    spec: &RegisterSpec,
    format: ExportFormat,
) -> Result<Exported, ExportError> {
    let records: Vec<_> = store
        .all_records(facility.id, spec)
        .await?
        .into_iter()
        .map(|r| r.record)
        .collect();
    let today = store.clock().today_jst();
    let status = store.register_status(facility.id, spec.slug).await?;
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let preamble = vec![
        format!("{}台帳", spec.title_ja),
        format!("施設名：{}", facility.profile.name),
        format!(
            "最終更新日：{}　最終更新者：{}",
            dash(
                status
                    .last_updated_at
                    .map(|t| mimamori_domain::clock::display_jst(&t))
            ),
            dash(status.last_updated_by)
        ),
        format!(
            "最終確認：{}",
            dash(status.last_confirmed_at.map(|t| format!(
                "{} {}",
                mimamori_domain::clock::display_jst(&t),
                status.last_confirmed_by.clone().unwrap_or_default()
            )))
        ),
        format!("出力日：{today}"),
    ];
    let table = record_table(spec, preamble, &records);
    let stem = format!(
        "{}台帳_{}_{}",
        spec.title_ja,
        facility.profile.code,
        today.format("%Y%m%d")
    );
    let exported = Exported::from_table(&table, format, &stem, records.len())?;
    let detail = serde_json::json!({"register": spec.slug, "rows": exported.rows});
    store
        .record_event(
            actor,
            AuditRecord::new("export", spec.entity)
                .facility(Some(facility.id))
                .after(&detail),
        )
        .await?;
    Ok(exported)
}

/// The account ledger (of one system, or all) as a file; the export is audited.
pub async fn accounts(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    system: Option<&str>,
    format: ExportFormat,
) -> Result<Exported, ExportError> {
    let accounts = store.all_accounts(facility.id, system).await?;
    let today = store.clock().today_jst();
    let preamble = vec![
        format!("ID台帳（{}）", system.unwrap_or("全システム")),
        format!("施設名：{}", facility.profile.name),
        format!("出力日：{today}"),
    ];
    let table = account_table(preamble, &accounts);
    let stem = format!(
        "ID台帳_{}_{}{}",
        facility.profile.code,
        today.format("%Y%m%d"),
        system.map(|s| format!("_{s}")).unwrap_or_default()
    );
    let exported = Exported::from_table(&table, format, &stem, accounts.len())?;
    store
        .record_event(
            actor,
            AuditRecord::new("export", "accounts")
                .facility(Some(facility.id))
                .after(&serde_json::json!({"system": system, "rows": exported.rows})),
        )
        .await?;
    Ok(exported)
}
