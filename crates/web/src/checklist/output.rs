//! Output of a form: XLSX in the official layout and an A4 print view. Both are built from the
//! same view; every download is audited.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;
use mimamori_formats::checklist_export::{checklist_xlsx, FormHeader};
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, AuditRecord, Store};

use super::{load_view, AssessmentView};
use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::Attachment;
use crate::devices::export::Exported;
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

/// The XLSX bytes and file name of an assessment; records the export.
pub async fn export_xlsx(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    view: &AssessmentView,
) -> AppResult<(Vec<u8>, String)> {
    let a = &view.assessment;
    let signed_off = a.signed_off_at.as_ref().map(|at| {
        format!(
            "{} {}",
            mimamori_domain::clock::display_jst(at),
            a.signed_off_by.clone().unwrap_or_default()
        )
    });
    let header = FormHeader {
        facility_name: &facility.profile.name,
        fiscal_year: a.fiscal_year,
        vendor: Some(a.vendor.as_str()).filter(|v| !v.is_empty()),
        system: Some(a.system.as_str()).filter(|v| !v.is_empty()),
        signed_off,
    };
    let bytes = checklist_xlsx(&view.edition, &header, |key| view.answer_of(key))
        .map_err(AppError::internal)?;
    let vendor = if a.vendor.is_empty() {
        String::new()
    } else {
        format!("_{}_{}", a.vendor, a.system)
    };
    let name = format!(
        "チェックリスト_{}_{}_{}{vendor}.xlsx",
        facility.profile.code,
        a.fiscal_year,
        a.form.code()
    );
    let detail = serde_json::json!({"assessment": a.id, "format": "xlsx"});
    store
        .record_event(
            actor,
            AuditRecord::new("export", "checklist")
                .facility(Some(facility.id))
                .id(a.id)
                .after(&detail),
        )
        .await?;
    Ok((bytes, name))
}

pub async fn download(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let view = load_view(&state.store, assessment, None, None).await?;
    let (bytes, name) =
        export_xlsx(&state.store, &principal.actor(), &fctx.facility, &view).await?;
    Ok(Exported::xlsx(bytes, name).attachment("checklist"))
}

#[derive(Template)]
#[template(path = "checklist/print.html")]
struct PrintPage {
    ctx: PageCtx,
    facility: Facility,
    view: AssessmentView,
    year_label: String,
}

pub async fn print(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let view = load_view(&state.store, assessment, None, None).await?;
    Ok(render(&PrintPage {
        year_label: super::pages::year_label(view.assessment.fiscal_year),
        facility: fctx.facility,
        view,
        ctx,
    }))
}
