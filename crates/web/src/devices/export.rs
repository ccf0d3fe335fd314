//! Exporting the device ledger in the MHLW layout, from the list page (keeping its filter),
//! the API and the CLI. Every export is recorded in the audit log.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use mimamori_domain::ledger::device::DeviceFilter;
use mimamori_formats::devices::{device_table, LedgerHeader};
use mimamori_formats::write::{self, Encoding};
use mimamori_store::facilities::Facility;
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
        Ok(match format {
            ExportFormat::Xlsx => Exported {
                bytes: write::xlsx(table).map_err(AppError::internal)?,
                content_type: XLSX,
                file_name: format!("{stem}.xlsx"),
                rows,
            },
            ExportFormat::Csv(encoding) => Exported {
                bytes: write::csv(table, encoding).0,
                content_type: if encoding == Encoding::Cp932 {
                    "text/csv; charset=Shift_JIS"
                } else {
                    "text/csv; charset=utf-8"
                },
                file_name: format!("{stem}.csv"),
                rows,
            },
        })
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

/// Builds the file and records the export.
pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    filter: &DeviceFilter,
    format: ExportFormat,
) -> Result<Exported, AppError> {
    let devices: Vec<_> = store
        .all_devices(facility.id, filter)
        .await?
        .into_iter()
        .map(|d| d.device)
        .collect();
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
    let table = device_table(&header, &devices);
    let today = store.clock().today_jst().format("%Y%m%d");
    let stem = format!("機器台帳_{}_{today}", facility.profile.code);
    let exported = Exported::from_table(&table, format, &stem, devices.len())?;
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
