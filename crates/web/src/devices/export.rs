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
    let exported = match format {
        ExportFormat::Xlsx => Exported {
            bytes: write::xlsx(&table).map_err(AppError::internal)?,
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            file_name: format!("{stem}.xlsx"),
            rows: devices.len(),
        },
        ExportFormat::Csv(encoding) => {
            let (bytes, _lossy) = write::csv(&table, encoding);
            let content_type = if encoding == Encoding::Cp932 {
                "text/csv; charset=Shift_JIS"
            } else {
                "text/csv; charset=utf-8"
            };
            Exported {
                bytes,
                content_type,
                file_name: format!("{stem}.csv"),
                rows: devices.len(),
            }
        }
    };
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
        match self.format.as_str() {
            "" | "xlsx" => Ok(ExportFormat::Xlsx),
            "csv" => {
                let encoding = if self.encoding.is_empty() {
                    Some(Encoding::Utf8Bom)
                } else {
                    Encoding::parse(&self.encoding)
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
    let disposition = format!(
        "attachment; filename=\"devices.{}\"; filename*=UTF-8''{}",
        if format == ExportFormat::Xlsx {
            "xlsx"
        } else {
            "csv"
        },
        urlencoding::encode(&exported.file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, exported.content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        exported.bytes,
    )
        .into_response())
}
