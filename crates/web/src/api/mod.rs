//! JSON API under /api/v1: shared pieces and the caller's own identity.

pub mod openapi;

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::SignedIn;

#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub id: i64,
    pub display: String,
    pub email: String,
    pub name: String,
    pub lang: String,
    pub totp_enabled: bool,
    pub memberships: Vec<MembershipDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipDto {
    pub organisation_id: i64,
    /// `null` for an organisation-wide role.
    pub facility_id: Option<i64>,
    pub role: String,
    pub expires_on: Option<String>,
}

/// The signed-in user (or the owner of the API token).
#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = MeDto), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(SignedIn(principal): SignedIn) -> Json<MeDto> {
    let user = &principal.user;
    Json(MeDto {
        id: user.id,
        display: user.name.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        lang: user.lang.code().to_string(),
        totp_enabled: user.totp_enabled,
        memberships: principal
            .memberships
            .iter()
            .map(|m| MembershipDto {
                organisation_id: m.organisation_id,
                facility_id: m.facility_id,
                role: m.role.code().to_string(),
                expires_on: m.expires_on.clone(),
            })
            .collect(),
    })
}
