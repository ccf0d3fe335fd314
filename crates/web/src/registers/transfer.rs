//! Import and export of a register: the same flow as the device ledger's.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_formats::registers::record_table;
use mimamori_formats::write::{self, Encoding};
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, AuditRecord, Store};
use serde::Deserialize;

use super::spec;
use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::{ExportFormat, Exported};
use crate::error::{AppError, AppResult};
use crate::transfer::{self, ConfirmForm, Ledger};
use crate::view::PageCtx;
use crate::AppState;

pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    spec: &RegisterSpec,
    format: ExportFormat,
) -> Result<Exported, AppError> {
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
    let exported = match format {
        ExportFormat::Xlsx => Exported {
            bytes: write::xlsx(&table).map_err(AppError::internal)?,
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            file_name: format!("{stem}.xlsx"),
            rows: records.len(),
        },
        ExportFormat::Csv(encoding) => Exported {
            bytes: write::csv(&table, encoding).0,
            content_type: if encoding == Encoding::Cp932 {
                "text/csv; charset=Shift_JIS"
            } else {
                "text/csv; charset=utf-8"
            },
            file_name: format!("{stem}.csv"),
            rows: records.len(),
        },
    };
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

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    encoding: String,
}

pub async fn download(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let format = match (
        query.format.as_str(),
        Encoding::parse(if query.encoding.is_empty() {
            "utf-8"
        } else {
            &query.encoding
        }),
    ) {
        ("" | "xlsx", _) => ExportFormat::Xlsx,
        ("csv", Some(encoding)) => ExportFormat::Csv(encoding),
        _ => {
            return Err(AppError::bad_request(
                "形式は xlsx か csv、文字コードは utf-8 か cp932 です。",
                "Use format xlsx or csv and encoding utf-8 or cp932.",
            ))
        }
    };
    let exported = export(
        &state.store,
        &principal.actor(),
        &fctx.facility,
        spec,
        format,
    )
    .await?;
    let extension = if format == ExportFormat::Xlsx {
        "xlsx"
    } else {
        "csv"
    };
    let disposition = format!(
        "attachment; filename=\"{}.{extension}\"; filename*=UTF-8''{}",
        spec.slug,
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

pub async fn form(
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(transfer::form(ctx, &fctx, Ledger::Register(spec(&slug)?)))
}

pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    multipart: Multipart,
) -> AppResult<Response> {
    transfer::upload(
        &state,
        ctx,
        &principal,
        &fctx,
        Ledger::Register(spec(&slug)?),
        multipart,
    )
    .await
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug, id)): Path<(String, String, i64)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> AppResult<Response> {
    transfer::confirm(
        &state,
        ctx,
        &principal,
        &fctx,
        Ledger::Register(spec(&slug)?),
        id,
        form,
    )
    .await
}
