//! `GET /api/v1/overview`: the organisation overview as JSON.

use axum::extract::{Query, State};
use axum::Json;
use mimamori_store::overview::FacilitySummary;
use serde::Serialize;
use utoipa::ToSchema;

use super::{organisation_of, OverviewParams};
use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewDto {
    /// Facilities matching every filter.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Facilities matching the filters other than status, per status
    /// (attention, open, clear, pending).
    #[schema(value_type = Object)]
    pub by_status: serde_json::Value,
    /// facility_id, code, name, kind, prefecture, status, findings_high, findings_medium,
    /// findings_low, fiscal_year, checklist_answered, checklist_total, ledger_confirmed_on,
    /// pending_changes (changes not reflected yet), computed_at.
    #[schema(value_type = Vec<Object>)]
    pub facilities: Vec<FacilitySummary>,
}

#[utoipa::path(get, path = "/api/v1/overview", tag = "overview", params(OverviewParams),
    responses((status = 200, body = OverviewDto), (status = 400), (status = 403)))]
pub async fn get(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Query(params): Query<OverviewParams>,
) -> AppResult<Json<OverviewDto>> {
    let query = params.query(organisation_of(&principal)?)?;
    let result = state.store.overview(&query).await?;
    let by_status = result
        .by_status
        .iter()
        .map(|(status, n)| (status.code().to_string(), serde_json::Value::from(*n)))
        .collect::<serde_json::Map<_, _>>();
    Ok(Json(OverviewDto {
        total: result.total,
        page: query.page,
        per_page: query.per_page,
        by_status: by_status.into(),
        facilities: result.rows,
    }))
}
