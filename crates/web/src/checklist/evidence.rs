//! Evidence for an item: file uploads (stored by SHA-256, downloaded as attachments) and links
//! to the ledgers as they stood when linked.

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::ledger::registers;
use mimamori_store::checklist::Assessment;
use serde::Deserialize;

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::transfer::uploaded_file;
use crate::AppState;

fn back(code: &str, id: i64, key: &str) -> Response {
    Redirect::to(&format!("/facilities/{code}/checklist/{id}#item-{key}")).into_response()
}

async fn item_of(
    state: &AppState,
    fctx: &FacilityCtx,
    id: i64,
    key: &str,
) -> AppResult<Assessment> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    super::edition_item(&state.store, &assessment, key).await?;
    Ok(assessment)
}

/// A content type from the file name; the download is always an attachment, so this only
/// helps the browser pick an application.
fn content_type(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("csv") => "text/csv",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
}

pub async fn upload(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id, key)): Path<(String, i64, String)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let assessment = item_of(&state, &fctx, id, &key).await?;
    let (name, bytes) = uploaded_file(&mut multipart).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.add_evidence_file(&assessment, &key, &name, content_type(&name), &bytes)
        .await?;
    tx.commit().await?;
    Ok(back(&fctx.facility.profile.code, id, &key))
}

#[derive(Debug, Deserialize)]
pub struct LedgerLink {
    pub ledger: String,
}

/// Links a ledger as evidence, labelled with its size and last confirmation at that moment.
pub async fn link_ledger(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id, key)): Path<(String, i64, String)>,
    Form(form): Form<LedgerLink>,
) -> AppResult<Response> {
    let assessment = item_of(&state, &fctx, id, &key).await?;
    let facility = fctx.facility.id;
    let (name, status) = match form.ledger.as_str() {
        "devices" => (
            "機器台帳".to_string(),
            Some(state.store.device_ledger_status(facility).await?),
        ),
        "governance" => ("体制・任命".to_string(), None),
        slug => {
            let spec = registers::by_slug(slug).ok_or_else(AppError::not_found)?;
            (
                spec.title_ja.to_string(),
                Some(state.store.register_status(facility, slug).await?),
            )
        }
    };
    let label = match status {
        Some(s) => format!(
            "{name}（{} 件、最終確認 {}）",
            s.count,
            s.last_confirmed_at
                .as_deref()
                .map(mimamori_domain::clock::display_jst)
                .unwrap_or_else(|| "なし".into())
        ),
        None => name,
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.add_evidence_record(&assessment, &key, &form.ledger, None, &label)
        .await?;
    tx.commit().await?;
    Ok(back(&fctx.facility.profile.code, id, &key))
}

pub async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id, evidence_id)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.delete_evidence(&assessment, evidence_id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/checklist/{id}",
        fctx.facility.profile.code
    ))
    .into_response())
}

/// Sends a file as an attachment (never rendered inline: uploads are untrusted).
pub async fn download(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, evidence_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let file = state
        .store
        .evidence_file(fctx.facility.id, evidence_id)
        .await?;
    let name = file.evidence.filename.unwrap_or_else(|| "evidence".into());
    let disposition = format!(
        "attachment; filename=\"evidence\"; filename*=UTF-8''{}",
        urlencoding::encode(&name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        file.content,
    )
        .into_response())
}
