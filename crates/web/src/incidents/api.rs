//! `/api/v1/facilities/{code}/incidents`: the incident register with its reporting clocks.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use mimamori_store::incidents::{IncidentDetail, StoredIncident};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::AppResult;
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentDto {
    pub id: i64,
    pub number: i64,
    /// INC-n
    pub label: String,
    /// title, discovered_at (Japan time), discovered_by, kind, description, systems, devices,
    /// personal_data (none|possible|yes), sensitive_data, improper_purpose, persons_affected,
    /// care_disrupted, severity, status, closed_on
    #[schema(value_type = Object)]
    pub incident: serde_json::Value,
    /// One per report (ppc_preliminary, ppc_final, persons, mhlw, police): required, reason,
    /// deadline, state (not_needed|due|overdue|done), done_on, days_left.
    #[schema(value_type = Vec<Object>)]
    pub clocks: serde_json::Value,
    /// With the detail only: timeline entries, first-response steps done, recorded reports.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

fn dto(
    stored: &StoredIncident,
    clocks: &[mimamori_domain::incidents::reporting::Clock],
    detail: Option<&IncidentDetail>,
) -> IncidentDto {
    IncidentDto {
        id: stored.id,
        number: stored.number,
        label: stored.label(),
        incident: serde_json::to_value(&stored.incident).unwrap_or_default(),
        clocks: serde_json::to_value(clocks).unwrap_or_default(),
        detail: detail.map(
            |d| serde_json::json!({"timeline": d.timeline, "steps": d.steps, "reports": d.reports}),
        ),
    }
}

/// JSON values as the form fields validation reads (true → yes, numbers as text, lists joined).
fn raw(body: BTreeMap<String, serde_json::Value>) -> BTreeMap<String, String> {
    body.into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Bool(b) => if b { "yes" } else { "no" }.to_string(),
                serde_json::Value::Null => String::new(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            (k, text)
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/incidents", tag = "incidents",
    params(("code" = String, Path)), responses((status = 200, body = Vec<IncidentDto>)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Json<Vec<IncidentDto>>> {
    let today = state.store.clock().today_jst();
    let all = state
        .store
        .incident_clocks(fctx.facility.id, true, today)
        .await?;
    Ok(Json(
        all.iter()
            .map(|(stored, clocks)| dto(stored, clocks, None))
            .collect(),
    ))
}

async fn detail_dto(state: &AppState, facility_id: i64, id: i64) -> AppResult<IncidentDto> {
    let detail = state.store.incident_detail(facility_id, id).await?;
    let clocks = detail.clocks(state.store.clock().today_jst());
    Ok(dto(&detail.stored, &clocks, Some(&detail)))
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/incidents/{id}", tag = "incidents",
    params(("code" = String, Path), ("id" = i64, Path)), responses((status = 200, body = IncidentDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Json<IncidentDto>> {
    Ok(Json(detail_dto(&state, fctx.facility.id, path.1).await?))
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/incidents", tag = "incidents",
    params(("code" = String, Path)), request_body(content = Object, description = "the incident's fields (see IncidentDto.incident)"),
    responses((status = 201, body = IncidentDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Json(body): Json<BTreeMap<String, serde_json::Value>>,
) -> AppResult<(StatusCode, Json<IncidentDto>)> {
    let incident = super::validate(&state.store, &raw(body))?;
    let id = super::create(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &incident,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail_dto(&state, fctx.facility.id, id).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}/incidents/{id}", tag = "incidents",
    params(("code" = String, Path), ("id" = i64, Path)), request_body(content = Object, description = "the whole incident"),
    responses((status = 200, body = IncidentDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Json(body): Json<BTreeMap<String, serde_json::Value>>,
) -> AppResult<Json<IncidentDto>> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    let incident = super::validate(&state.store, &raw(body))?;
    super::update(&state.store, &principal.actor(), &stored, &incident).await?;
    Ok(Json(detail_dto(&state, fctx.facility.id, path.1).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TimelineBody {
    /// Japan time; now when absent.
    #[serde(default)]
    pub happened_at: String,
    pub entry: String,
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/incidents/{id}/timeline", tag = "incidents",
    params(("code" = String, Path), ("id" = i64, Path)), request_body = TimelineBody,
    responses((status = 200, body = IncidentDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_entry(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Json(body): Json<TimelineBody>,
) -> AppResult<Json<IncidentDto>> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    super::add_entry(
        &state.store,
        &principal.actor(),
        &stored,
        &body.happened_at,
        &body.entry,
    )
    .await?;
    Ok(Json(detail_dto(&state, fctx.facility.id, path.1).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StepBody {
    pub done: bool,
    #[serde(default)]
    pub done_at: String,
    #[serde(default)]
    pub done_by: String,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}/incidents/{id}/steps/{key}", tag = "incidents",
    params(("code" = String, Path), ("id" = i64, Path), ("key" = String, Path, description = "isolate, tell_management, contact_vendor, preserve_evidence, decide_stop, protect_backups, switch_to_paper, assess_personal_data, contact_authorities")),
    request_body = StepBody, responses((status = 200, body = IncidentDto)))]
pub async fn set_step(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, String)>,
    Json(body): Json<StepBody>,
) -> AppResult<Json<IncidentDto>> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    super::set_step(
        &state.store,
        &principal.actor(),
        &stored,
        &path.2,
        super::StepInput {
            done: body.done,
            at: &body.done_at,
            by: &body.done_by,
            note: &body.note,
        },
    )
    .await?;
    Ok(Json(detail_dto(&state, fctx.facility.id, path.1).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportBody {
    /// done | not_needed | due
    pub state: String,
    /// The date it was done (required for done).
    #[serde(default)]
    pub on: String,
    /// Required for not_needed: why.
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}/incidents/{id}/reports/{key}", tag = "incidents",
    params(("code" = String, Path), ("id" = i64, Path), ("key" = String, Path, description = "ppc_preliminary, ppc_final, persons, mhlw, police")),
    request_body = ReportBody, responses((status = 200, body = IncidentDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn record_report(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, String)>,
    Json(body): Json<ReportBody>,
) -> AppResult<Json<IncidentDto>> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    super::record_report(
        &state.store,
        &principal.actor(),
        &stored,
        &path.2,
        &body.state,
        &body.on,
        &body.note,
    )
    .await?;
    Ok(Json(detail_dto(&state, fctx.facility.id, path.1).await?))
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/incidents/{id}/export", tag = "incidents",
    params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "the incident report (XLSX)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    state: State<AppState>,
    signed_in: SignedIn,
    fctx: Extension<FacilityCtx>,
    path: Path<(String, i64)>,
) -> AppResult<Response> {
    super::pages::export(state, signed_in, fctx, path).await
}
