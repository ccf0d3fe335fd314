//! `/api/v1/facilities/{code}/accounts|access-policies|access-reviews|account-applications`.
//! People are the `staff` register: `/api/v1/facilities/{code}/registers/staff`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use mimamori_domain::accounts::Account;
use mimamori_store::accounts::{Application, Review, ReviewItem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::applications::{ApplicationForm, CarryOutForm, DecisionForm as ApplicationDecision};
use super::pages::{policy_cells, ListQuery};
use super::reviews::DecisionForm;
use super::transfer::ExportQuery;
use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::Attachment;
use crate::error::{AppError, AppResult};
use crate::transfer::ImportOptions;
use crate::AppState;
use mimamori_app::import::accounts::AccountImportReport;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDto {
    pub id: i64,
    pub system: String,
    pub login_id: String,
    pub display_name: String,
    /// Staff numbers of the owners (two or more: a shared account).
    pub owners: Vec<String>,
    /// unknown | file | matched | suggested | confirmed
    pub owner_state: String,
    pub role: String,
    /// category code → read | write
    #[schema(value_type = Object)]
    pub privileges: std::collections::BTreeMap<String, String>,
    pub privileged: bool,
    /// active | suspended | deleted
    pub status: String,
    pub created_on: Option<String>,
    pub last_sign_in_on: Option<String>,
    pub expires_on: Option<String>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        Self {
            id: a.id,
            system: a.system,
            login_id: a.login_id,
            display_name: a.display_name,
            owners: a.owners,
            owner_state: a.owner_state.code().into(),
            role: a.role,
            privileges: a
                .privileges
                .0
                .iter()
                .map(|(c, l)| (c.to_string(), l.code().to_string()))
                .collect(),
            privileged: a.privileged,
            status: a.status.code().into(),
            created_on: a.created_on.map(|d| d.to_string()),
            last_sign_in_on: a.last_sign_in_on.map(|d| d.to_string()),
            expires_on: a.expires_on.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    pub total: i64,
    pub accounts: Vec<AccountDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// A system's name; all systems when absent.
    pub system: Option<String>,
    pub q: Option<String>,
    /// active | suspended | deleted
    pub status: Option<String>,
    /// 1: only accounts whose owner is unknown or to confirm.
    pub unmatched: Option<String>,
    pub page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/accounts", tag = "accounts",
    params(("code" = String, Path), AccountQuery), responses((status = 200, body = AccountList)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<AccountQuery>,
) -> AppResult<Json<AccountList>> {
    let list = ListQuery {
        q: query.q.unwrap_or_default(),
        status: query.status.unwrap_or_default(),
        unmatched: query.unmatched.unwrap_or_default(),
        page: query.page,
        imported: String::new(),
    };
    let page = state
        .store
        .accounts(fctx.facility.id, &list.filter(query.system))
        .await?;
    Ok(Json(AccountList {
        total: page.total,
        accounts: page
            .accounts
            .into_iter()
            .map(|s| s.account.into())
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/accounts/{id}", tag = "accounts",
    params(("code" = String, Path), ("id" = i64, Path)), responses((status = 200, body = AccountDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Json<AccountDto>> {
    Ok(Json(
        state
            .store
            .account(fctx.facility.id, path.1)
            .await?
            .account
            .into(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountImportQuery {
    /// The system's name as in the systems register.
    pub system: String,
    #[serde(default)]
    pub file_name: String,
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub skip_invalid: bool,
    /// Write even when the file would stop or delete more than 20 % of the active accounts
    /// (at least 3); without it such an import is refused with `needs_confirmation`.
    #[serde(default)]
    pub allow_mass_removal: bool,
    /// JSON object field key → the file's column title; saved for the system when written.
    /// Without it, the mapping saved for the system (or the ledger's own titles) is used.
    pub mapping: Option<String>,
}

/// A system's user export (XLSX or CSV) as the body: created, changed and disabled accounts are
/// listed; 422 when errors stopped it.
#[utoipa::path(post, path = "/api/v1/facilities/{code}/accounts/import", tag = "accounts",
    params(("code" = String, Path), AccountImportQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = AccountImportReport), (status = 422, body = AccountImportReport)))]
pub async fn import(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<AccountImportQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<AccountImportReport>)> {
    if body.is_empty() {
        return Err(AppError::bad_request(
            "ファイルの内容を本文で送ってください。",
            "Send the file as the request body.",
        ));
    }
    let mapping = crate::transfer::mapping_param(query.mapping.as_deref())?;
    let system = super::system_named(&state.store, fctx.facility.id, &query.system).await?;
    let report = mimamori_app::import::accounts::run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &system.name,
        if query.file_name.is_empty() {
            "upload"
        } else {
            &query.file_name
        },
        &body,
        None,
        mapping,
        ImportOptions {
            dry_run: query.dry_run,
            skip_invalid: query.skip_invalid,
            allow_mass_removal: query.allow_mass_removal,
        },
    )
    .await?;
    let status = if report.errors > 0 && !report.written {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountExportQuery {
    /// One system's name; all systems when absent.
    pub system: Option<String>,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub encoding: String,
}

/// The account ledger as XLSX (default) or CSV (utf-8 with BOM, or cp932).
#[utoipa::path(get, path = "/api/v1/facilities/{code}/accounts/export", tag = "accounts",
    params(("code" = String, Path), AccountExportQuery),
    responses((status = 200, description = "the file", content_type = "application/octet-stream")))]
pub async fn export(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<AccountExportQuery>,
) -> AppResult<Response> {
    let format = ExportQuery {
        format: query.format,
        encoding: query.encoding,
    }
    .export_format()?;
    let exported = super::transfer::export(
        &state.store,
        &principal.actor(),
        &fctx.facility,
        query.system.as_deref(),
        format,
    )
    .await?;
    Ok(exported.attachment("accounts"))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PolicyCellDto {
    pub job_type: String,
    pub category: String,
    /// none | read | write
    pub level: String,
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/access-policies/{system}", tag = "accounts",
    params(("code" = String, Path), ("system" = String, Path)), responses((status = 200, body = [PolicyCellDto])))]
pub async fn policy(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, String)>,
) -> AppResult<Json<Vec<PolicyCellDto>>> {
    let system = super::system_named(&state.store, fctx.facility.id, &path.1).await?;
    Ok(Json(
        state
            .store
            .policies(fctx.facility.id, Some(&system.name))
            .await?
            .into_iter()
            .map(|p| PolicyCellDto {
                job_type: p.job_type,
                category: p.category,
                level: p.level.code().into(),
            })
            .collect(),
    ))
}

/// Replaces the system's policy; cells left out are `none`.
#[utoipa::path(put, path = "/api/v1/facilities/{code}/access-policies/{system}", tag = "accounts",
    params(("code" = String, Path), ("system" = String, Path)), request_body = [PolicyCellDto],
    responses((status = 204), (status = 400, body = crate::error::ErrorBody)))]
pub async fn put_policy(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, String)>,
    Json(cells): Json<Vec<PolicyCellDto>>,
) -> AppResult<StatusCode> {
    let system = super::system_named(&state.store, fctx.facility.id, &path.1).await?;
    let fields = cells
        .iter()
        .map(|c| (format!("p_{}_{}", c.job_type, c.category), c.level.clone()))
        .collect();
    let checked = policy_cells(&fields)?;
    if checked.len() != cells.len() {
        return Err(AppError::bad_request(
            "職種または情報区分のコードが正しくありません。",
            "Unknown job type or category code.",
        ));
    }
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.save_policy(fctx.facility.id, &system.name, &checked)
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    #[schema(value_type = Object)]
    pub review: Review,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ReviewItem>,
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/access-reviews", tag = "accounts",
    params(("code" = String, Path)), responses((status = 200, body = [Object])))]
pub async fn reviews(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Json<Vec<Review>>> {
    Ok(Json(state.store.reviews(fctx.facility.id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StartReview {
    pub system: String,
    #[serde(default)]
    pub title: String,
    /// 2027-03-31, R9.3.31, …
    #[serde(default)]
    pub due_on: String,
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/access-reviews", tag = "accounts",
    params(("code" = String, Path)), request_body = StartReview, responses((status = 201, body = ReviewDto)))]
pub async fn start_review(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Json(body): Json<StartReview>,
) -> AppResult<(StatusCode, Json<ReviewDto>)> {
    let system = super::system_named(&state.store, fctx.facility.id, &body.system).await?;
    let id = super::reviews::start_review(
        &state,
        &principal.actor(),
        &fctx.facility,
        &system,
        &body.title,
        &body.due_on,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(review_dto(&state, fctx.facility.id, id).await?),
    ))
}

async fn review_dto(state: &AppState, facility_id: i64, id: i64) -> AppResult<ReviewDto> {
    let review = state.store.review(facility_id, id).await?;
    let items = state.store.review_items(review.id).await?;
    Ok(ReviewDto { review, items })
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/access-reviews/{id}", tag = "accounts",
    params(("code" = String, Path), ("id" = i64, Path)), responses((status = 200, body = ReviewDto)))]
pub async fn review(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Json<ReviewDto>> {
    Ok(Json(review_dto(&state, fctx.facility.id, path.1).await?))
}

/// Decision `confirm` | `change` (note required) | `disable` (suspends the account).
#[utoipa::path(post, path = "/api/v1/facilities/{code}/access-reviews/{id}/items/{item}", tag = "accounts",
    params(("code" = String, Path), ("id" = i64, Path), ("item" = i64, Path)), request_body = Object,
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, i64)>,
    Json(form): Json<DecisionForm>,
) -> AppResult<StatusCode> {
    super::reviews::decide_item(
        &state,
        &principal.actor(),
        &fctx.facility,
        path.1,
        path.2,
        &form,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/access-reviews/{id}/complete", tag = "accounts",
    params(("code" = String, Path), ("id" = i64, Path)), responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<StatusCode> {
    let review = state.store.review(fctx.facility.id, path.1).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.complete_review(fctx.facility.id, &review).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/account-applications", tag = "accounts",
    params(("code" = String, Path)), responses((status = 200, body = [Object])))]
pub async fn applications(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Json<Vec<Application>>> {
    Ok(Json(state.store.applications(fctx.facility.id).await?))
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/account-applications", tag = "accounts",
    params(("code" = String, Path)), request_body = ApplicationForm, responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Json(form): Json<ApplicationForm>,
) -> AppResult<(StatusCode, Json<Application>)> {
    let id = super::applications::file(&state, &principal.actor(), &fctx.facility, &form).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.application(fctx.facility.id, id).await?),
    ))
}

/// `approve` or `reject`, by someone other than the applicant.
#[utoipa::path(post, path = "/api/v1/facilities/{code}/account-applications/{id}/decision", tag = "accounts",
    params(("code" = String, Path), ("id" = i64, Path)), request_body = ApplicationDecision,
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)))]
pub async fn decide_application(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Json(form): Json<ApplicationDecision>,
) -> AppResult<Json<Application>> {
    super::applications::decide_application(
        &state,
        &principal.actor(),
        &fctx.facility,
        path.1,
        &form,
    )
    .await?;
    Ok(Json(
        state.store.application(fctx.facility.id, path.1).await?,
    ))
}

/// Issues the account, applies the change or revokes it in the ledger.
#[utoipa::path(post, path = "/api/v1/facilities/{code}/account-applications/{id}/carry-out", tag = "accounts",
    params(("code" = String, Path), ("id" = i64, Path)), request_body = CarryOutForm,
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)))]
pub async fn carry_out(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Json(form): Json<CarryOutForm>,
) -> AppResult<Json<Application>> {
    super::applications::carry_out_application(
        &state,
        &principal.actor(),
        &fctx.facility,
        path.1,
        &form,
    )
    .await?;
    Ok(Json(
        state.store.application(fctx.facility.id, path.1).await?,
    ))
}
