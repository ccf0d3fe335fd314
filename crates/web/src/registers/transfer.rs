//! Import and export of a register: the same flow as the device ledger's.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::Extension;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_formats::registers::record_table;
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
    let format = crate::devices::export::parse_format(&query.format, &query.encoding)?;
    let exported = export(
        &state.store,
        &principal.actor(),
        &fctx.facility,
        spec,
        format,
    )
    .await?;
    Ok(exported.attachment(spec.slug))
}

pub async fn form(
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(transfer::form(ctx, &fctx, Ledger::Register(spec(&slug)?)))
}

pub async fn template(
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Response> {
    transfer::template(&fctx, Ledger::Register(spec(&slug)?))
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

pub async fn problems(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug, id)): Path<(String, String, i64)>,
) -> AppResult<Response> {
    let ledger = Ledger::Register(spec(&slug)?);
    transfer::problems(&state, &principal, &fctx, ledger, id).await
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
