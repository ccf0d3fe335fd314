//! Import and export of a register: the same flow as the device ledger's.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::Extension;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, Store};

use super::spec;
use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::Attachment;
use crate::devices::export::{ExportFormat, Exported};
use crate::error::{AppError, AppResult};
use crate::transfer::{self, ConfirmForm, Ledger};
use crate::view::PageCtx;
use crate::AppState;

/// A register as a file (see [`mimamori_app::export::register`]).
pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    spec: &RegisterSpec,
    format: ExportFormat,
) -> Result<Exported, AppError> {
    Ok(mimamori_app::export::register(store, actor, facility, spec, format).await?)
}

use crate::devices::export::FormatQuery as ExportQuery;

pub async fn download(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let format = query.export_format()?;
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
