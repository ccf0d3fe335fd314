//! `/api/v1/facilities`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use mimamori_domain::access::Action;
use mimamori_domain::facility::FacilityInput;
use mimamori_store::facilities::Facility;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::AppState;

/// A facility as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacilityDto {
    pub id: i64,
    pub display: String,
    pub url: String,
    pub code: String,
    pub name: String,
    /// hospital | clinic | midwifery_home | pharmacy
    pub kind: String,
    pub beds: Option<i64>,
    pub institution_code: Option<String>,
    pub prefecture: Option<String>,
    pub address: Option<String>,
    pub updated_at: String,
}

impl From<&Facility> for FacilityDto {
    fn from(f: &Facility) -> Self {
        let p = &f.profile;
        Self {
            id: f.id,
            display: p.name.clone(),
            url: format!("/api/v1/facilities/{}", p.code),
            code: p.code.clone(),
            name: p.name.clone(),
            kind: p.kind.code().to_string(),
            beds: p.beds,
            institution_code: p.institution_code.clone(),
            prefecture: p.prefecture.clone(),
            address: p.address.clone(),
            updated_at: f.updated_at.clone(),
        }
    }
}

/// A facility to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FacilityBody {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub beds: Option<i64>,
    pub institution_code: Option<String>,
    pub prefecture: Option<String>,
    pub address: Option<String>,
}

impl FacilityBody {
    fn input(self) -> FacilityInput {
        FacilityInput {
            code: self.code,
            name: self.name,
            kind: self.kind,
            beds: self.beds.map(|b| b.to_string()).unwrap_or_default(),
            institution_code: self.institution_code.unwrap_or_default(),
            prefecture: self.prefecture.unwrap_or_default(),
            address: self.address.unwrap_or_default(),
        }
    }
}

/// Facilities the caller may view.
#[utoipa::path(get, path = "/api/v1/facilities", tag = "facilities", responses((status = 200, body = [FacilityDto])))]
pub async fn list(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> AppResult<Json<Vec<FacilityDto>>> {
    let today = state.store.clock().today_jst().to_string();
    let facilities = state
        .store
        .facilities_of_user(principal.user.id, &today)
        .await?;
    Ok(Json(
        facilities
            .iter()
            .filter(|f| principal.can(f, Action::ViewFacility))
            .map(FacilityDto::from)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/facilities", tag = "facilities", request_body = FacilityBody,
    responses((status = 201, body = FacilityDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Json(body): Json<FacilityBody>,
) -> AppResult<(StatusCode, Json<FacilityDto>)> {
    let organisation = principal
        .organisation_for(Action::AdministerOrganisation)
        .ok_or_else(AppError::forbidden)?;
    let profile = body.input().validate()?;
    let mut tx = state.store.write(&principal.actor()).await?;
    let facility = tx.create_facility(organisation, &profile).await?;
    tx.seed_contact_chart(facility.id, profile.prefecture.as_deref())
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(FacilityDto::from(&facility))))
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}", tag = "facilities", params(("code" = String, Path)),
    responses((status = 200, body = FacilityDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(Extension(fctx): Extension<FacilityCtx>) -> Json<FacilityDto> {
    Json(FacilityDto::from(&fctx.facility))
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}", tag = "facilities", params(("code" = String, Path)), request_body = FacilityBody,
    responses((status = 200, body = FacilityDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Json(body): Json<FacilityBody>,
) -> AppResult<Json<FacilityDto>> {
    let profile = body.input().validate()?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.update_facility(&fctx.facility, &profile).await?;
    tx.commit().await?;
    Ok(Json(FacilityDto::from(
        &state.store.facility_by_code(&profile.code).await?,
    )))
}
