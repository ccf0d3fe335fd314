//! `/api/v1/facilities/{code}/appointments`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use mimamori_domain::governance::AppointmentInput;
use mimamori_store::governance::StoredAppointment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::AppResult;
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentDto {
    pub id: i64,
    pub display: String,
    pub url: String,
    /// security_officer | planning_manager | system_manager | operations_manager | monitoring_manager | connected_device_manager | audit_manager
    pub role: String,
    pub role_ja: String,
    pub person_name: String,
    pub position: Option<String>,
    pub department: Option<String>,
    /// dedicated (専任) | exclusive (専従) | concurrent (兼任); security officer only
    pub tenure: Option<String>,
    pub from_on: Option<String>,
    pub until_on: Option<String>,
    pub note: Option<String>,
}

fn dto(code: &str, s: &StoredAppointment) -> AppointmentDto {
    let a = &s.appointment;
    let role_ja = a.role.label(mimamori_domain::i18n::Lang::Ja).to_string();
    AppointmentDto {
        id: s.id,
        display: format!("{role_ja}: {}", a.person_name),
        url: format!("/api/v1/facilities/{code}/appointments/{}", s.id),
        role: a.role.code().to_string(),
        role_ja,
        person_name: a.person_name.clone(),
        position: a.position.clone(),
        department: a.department.clone(),
        tenure: a.tenure.map(|t| t.code().to_string()),
        from_on: a.from_on.map(|d| d.to_string()),
        until_on: a.until_on.map(|d| d.to_string()),
        note: a.note.clone(),
    }
}

/// An appointment to create or replace. Dates accept 2025-04-01, R7.4.1 or 令和7年4月1日.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AppointmentBody {
    pub role: String,
    pub person_name: String,
    pub position: Option<String>,
    pub department: Option<String>,
    pub tenure: Option<String>,
    pub from_on: Option<String>,
    pub until_on: Option<String>,
    pub note: Option<String>,
}

impl AppointmentBody {
    fn input(self) -> AppointmentInput {
        AppointmentInput {
            role: self.role,
            person_name: self.person_name,
            position: self.position.unwrap_or_default(),
            department: self.department.unwrap_or_default(),
            tenure: self.tenure.unwrap_or_default(),
            from_on: self.from_on.unwrap_or_default(),
            until_on: self.until_on.unwrap_or_default(),
            note: self.note.unwrap_or_default(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/appointments", tag = "governance", params(("code" = String, Path)),
    responses((status = 200, body = [AppointmentDto])))]
pub async fn list(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Json<Vec<AppointmentDto>>> {
    let code = &fctx.facility.profile.code;
    let list = state.store.appointments(fctx.facility.id).await?;
    Ok(Json(list.iter().map(|s| dto(code, s)).collect()))
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/appointments", tag = "governance", params(("code" = String, Path)),
    request_body = AppointmentBody, responses((status = 201, body = AppointmentDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Json(body): Json<AppointmentBody>,
) -> AppResult<(StatusCode, Json<AppointmentDto>)> {
    let appointment = body.input().validate()?;
    let mut tx = state.store.write(&principal.actor()).await?;
    let id = tx
        .create_appointment(fctx.facility.id, &appointment)
        .await?;
    tx.commit().await?;
    let stored = state.store.appointment(fctx.facility.id, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(dto(&fctx.facility.profile.code, &stored)),
    ))
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}/appointments/{id}", tag = "governance",
    params(("code" = String, Path), ("id" = i64, Path)), request_body = AppointmentBody,
    responses((status = 200, body = AppointmentDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Json(body): Json<AppointmentBody>,
) -> AppResult<Json<AppointmentDto>> {
    let id = path.1;
    let before = state.store.appointment(fctx.facility.id, id).await?;
    let appointment = body.input().validate()?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.update_appointment(&before, &appointment).await?;
    tx.commit().await?;
    let stored = state.store.appointment(fctx.facility.id, id).await?;
    Ok(Json(dto(&fctx.facility.profile.code, &stored)))
}

#[utoipa::path(delete, path = "/api/v1/facilities/{code}/appointments/{id}", tag = "governance",
    params(("code" = String, Path), ("id" = i64, Path)), responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<StatusCode> {
    let id = path.1;
    let before = state.store.appointment(fctx.facility.id, id).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.delete_appointment(&before).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
