//! The device ledger's import pages: the shared flow of [`crate::transfer`] for `Ledger::Devices`.

use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::{Extension, Form};

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::AppResult;
use crate::transfer::{self, ConfirmForm, Ledger};
use crate::view::PageCtx;
use crate::AppState;

pub async fn form(ctx: PageCtx, Extension(fctx): Extension<FacilityCtx>) -> Response {
    transfer::form(ctx, &fctx, Ledger::Devices)
}

pub async fn template(Extension(fctx): Extension<FacilityCtx>) -> AppResult<Response> {
    transfer::template(&fctx, Ledger::Devices)
}

pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    multipart: Multipart,
) -> AppResult<Response> {
    transfer::upload(&state, ctx, &principal, &fctx, Ledger::Devices, multipart).await
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    transfer::confirm(&state, ctx, &principal, &fctx, Ledger::Devices, id, form).await
}

pub async fn problems(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    transfer::problems(&state, &principal, &fctx, Ledger::Devices, id).await
}
