//! Exporting the device ledger in the MHLW layout, from the list page (keeping its filter),
//! the API and the CLI. Every export is recorded in the audit log.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use mimamori_domain::ledger::device::DeviceFilter;
use mimamori_formats::write::Encoding;
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, Store};
use serde::Deserialize;

use super::DeviceQuery;
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::AppState;

pub use mimamori_app::export::{ExportFormat, Exported};

/// The download response of an exported file.
pub trait Attachment {
    /// `ascii_stem` names the file for clients without RFC 5987.
    fn attachment(self, ascii_stem: &str) -> Response;
}

impl Attachment for Exported {
    /// The download response; `ascii_stem` names the file for clients without RFC 5987.
    fn attachment(self, ascii_stem: &str) -> Response {
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

impl From<mimamori_app::export::ExportError> for AppError {
    fn from(error: mimamori_app::export::ExportError) -> Self {
        match error {
            mimamori_app::export::ExportError::Store(e) => e.into(),
            other => AppError::internal(other),
        }
    }
}

/// The device ledger as a file (see [`mimamori_app::export::devices`]).
pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    filter: &DeviceFilter,
    format: ExportFormat,
) -> Result<Exported, AppError> {
    Ok(mimamori_app::export::devices(store, actor, facility, filter, format).await?)
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

/// The query of a download that only chooses the file's format (registers, accounts, overview).
#[derive(Debug, Deserialize)]
pub struct FormatQuery {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub encoding: String,
}

impl FormatQuery {
    pub fn export_format(&self) -> AppResult<ExportFormat> {
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
