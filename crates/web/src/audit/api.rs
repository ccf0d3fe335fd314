//! `/api/v1/audit` and `/api/v1/facilities/{code}/audit`.

use axum::extract::{Query, State};
use axum::{Extension, Json};
use mimamori_domain::access::Action;

use super::{AuditEntryDto, AuditQuery};
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::AppState;

/// The organisation's audit log, newest first, 100 per page.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = [AuditEntryDto])))]
pub async fn organisation_log(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Query(query): Query<AuditQuery>,
) -> AppResult<Json<Vec<AuditEntryDto>>> {
    let organisation = principal
        .organisation_for(Action::ViewAudit)
        .ok_or_else(AppError::forbidden)?;
    let entries = state
        .store
        .audit_entries(&query.filter(None, Some(organisation)))
        .await?;
    Ok(Json(entries.into_iter().map(AuditEntryDto::from).collect()))
}

/// One facility's audit log, newest first, 100 per page.
#[utoipa::path(get, path = "/api/v1/facilities/{code}/audit", tag = "audit", params(("code" = String, Path), AuditQuery),
    responses((status = 200, body = [AuditEntryDto])))]
pub async fn facility_log(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<AuditQuery>,
) -> AppResult<Json<Vec<AuditEntryDto>>> {
    let entries = state
        .store
        .audit_entries(&query.filter(Some(fctx.facility.id), None))
        .await?;
    Ok(Json(entries.into_iter().map(AuditEntryDto::from).collect()))
}
