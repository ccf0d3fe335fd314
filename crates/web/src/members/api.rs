//! `/api/v1/facilities/{code}/members`.

use axum::extract::State;
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::FacilityCtx;
use crate::error::AppResult;
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub id: i64,
    pub display: String,
    pub user_id: i64,
    pub email: String,
    pub name: String,
    /// administrator | security_officer | editor | viewer | vendor | inspector
    pub role: String,
    pub organisation_wide: bool,
    pub expires_on: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/members", tag = "members", params(("code" = String, Path)),
    responses((status = 200, body = [MemberDto])))]
pub async fn list(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Json<Vec<MemberDto>>> {
    let members = state
        .store
        .members_of_facility(fctx.facility.id, fctx.facility.organisation_id)
        .await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| MemberDto {
                id: m.membership_id,
                display: format!("{} ({})", m.name, m.role.code()),
                user_id: m.user_id,
                email: m.email,
                name: m.name,
                role: m.role.code().to_string(),
                organisation_wide: m.organisation_wide,
                expires_on: m.expires_on,
            })
            .collect(),
    ))
}
