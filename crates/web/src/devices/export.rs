//! Exporting the device ledger in the MHLW layout, from the list page (keeping its filter),
//! the API and the CLI. Every export is recorded in the audit log.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use mimamori_domain::ledger::device::DeviceFilter;
use mimamori_formats::devices::{device_rows, device_sheet, LedgerHeader};
use mimamori_formats::write::{self, Encoding, TableWriter};
use mimamori_store::facilities::Facility;
use mimamori_store::ledger::devices::StoredDevice;
use mimamori_store::{Actor, AuditRecord, Store};
use serde::Deserialize;

use super::DeviceQuery;
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::AppState;

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
    ) -> Result<Exported, AppError> {
        let bytes = match format {
            ExportFormat::Xlsx => write::xlsx(table).map_err(AppError::internal)?,
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

    /// The download response; `ascii_stem` names the file for clients without RFC 5987.
    pub fn attachment(self, ascii_stem: &str) -> Response {
        let extension = self.file_name.rsplit('.').next().unwrap_or("xlsx");
        let disposition = format!(
            "attachment; filename=\"{ascii_stem}.{extension}\"; filename*=UTF-8''{}",
            urlencoding::encode(&self.file_name)
        );
        (
            [
                (header::CONTENT_TYPE, self.content_type.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            self.bytes,
        )
            .into_response()
    }
}

/// Builds the file and records the export. The rows are written on a blocking thread while the
/// store reads the next batch, so a 100,000-device ledger is never held whole (see
/// [`Store::devices_in_batches`]).
pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    filter: &DeviceFilter,
    format: ExportFormat,
) -> Result<Exported, AppError> {
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
        ExportFormat::Xlsx => TableWriter::xlsx(&sheet).map_err(AppError::internal)?,
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
    let written = writing.await.map_err(AppError::internal)?;
    let devices = read?;
    let (bytes, _) = written.map_err(AppError::internal)?;
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

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub encoding: String,
    #[serde(flatten)]
    pub filter: DeviceQuery,
}

impl ExportQuery {
    pub fn export_format(&self) -> Result<ExportFormat, AppError> {
        parse_format(&self.format, &self.encoding)
    }
}

/// `format` (xlsx, the default, or csv) and `encoding` (utf-8 with BOM, the default, or cp932)
/// of an export request.
pub fn parse_format(format: &str, encoding: &str) -> Result<ExportFormat, AppError> {
    match format {
        "" | "xlsx" => Ok(ExportFormat::Xlsx),
        "csv" => {
            let encoding = if encoding.is_empty() {
                Some(Encoding::Utf8Bom)
            } else {
                Encoding::parse(encoding)
            };
            encoding.map(ExportFormat::Csv).ok_or_else(|| {
                AppError::bad_request(
                    "文字コードは utf-8 か cp932 です。",
                    "Encoding must be utf-8 or cp932.",
                )
            })
        }
        _ => Err(AppError::bad_request(
            "形式は xlsx か csv です。",
            "Format must be xlsx or csv.",
        )),
    }
}

/// Download for the list page and the API.
pub async fn download(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let format = query.export_format()?;
    let exported = export(
        &state.store,
        &principal.actor(),
        &fctx.facility,
        &query.filter.resolve(&state.store, fctx.facility.id).await?,
        format,
    )
    .await?;
    Ok(exported.attachment("devices"))
}
