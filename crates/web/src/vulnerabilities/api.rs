//! `/api/v1/facilities/{code}/vulnerabilities` and `/api/v1/feeds`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::NaiveDate;
use mimamori_app::feeds::{self, FeedFileReport, FeedState};
use mimamori_app::vulnerabilities::{report, suppressions, SuppressionView, VulnerabilityReport};
use mimamori_domain::vulnerabilities::suppression::SuppressionInput;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::FacilityCtx;
use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// Judge end of support on this day (YYYY-MM-DD; default today).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

/// The facility's devices in use: end of support, vulnerabilities (CISA KEV first, then
/// exposure, then CVSS), and the devices whose OS could not be identified.
#[utoipa::path(get, path = "/api/v1/facilities/{code}/vulnerabilities", tag = "vulnerabilities",
    params(("code" = String, Path), ReportQuery), responses((status = 200, body = VulnerabilityReport)))]
pub async fn facility_report(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<ReportQuery>,
) -> AppResult<Json<VulnerabilityReport>> {
    let as_of = query
        .as_of
        .unwrap_or_else(|| state.store.clock().today_jst());
    Ok(Json(report(&state.store, fctx.facility.id, as_of).await?))
}

/// Each feed: records held, the newest data date and its age in days.
#[utoipa::path(get, path = "/api/v1/feeds", tag = "vulnerabilities",
    responses((status = 200, body = [FeedState])))]
pub async fn status(State(state): State<AppState>) -> AppResult<Json<Vec<FeedState>>> {
    let today = state.store.clock().today_jst();
    Ok(Json(feeds::status(&state.store, today).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FeedUploadQuery {
    /// The file's name (it names the product of endoflife.date release files: `ubuntu.json`).
    pub file: String,
}

/// Imports one feed file sent as the body (JSON, `.json.gz`, CSV, XML; the kind is told from
/// the content). A file with a fault imports nothing: 422 with the error.
#[utoipa::path(post, path = "/api/v1/feeds", tag = "vulnerabilities", params(FeedUploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = FeedFileReport), (status = 422, body = FeedFileReport)))]
pub async fn import(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Query(query): Query<FeedUploadQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<FeedFileReport>)> {
    let today = state.store.clock().today_jst();
    let name: String = query.file.chars().take(200).collect();
    let report = feeds::import(&state.store, &principal.actor(), &name, today, move || {
        Ok(std::io::Cursor::new(body))
    })
    .await?;
    let status = if report.written {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)))
}

/// Sets a vulnerability aside for a device (`device`: its 管理番号) or, with `device` blank,
/// every device of the facility: `kind` risk_accepted | not_applicable | mitigated, a `reason`,
/// and `until` (YYYY-MM-DD, blank: until lifted). Audited; feed re-imports keep it.
#[utoipa::path(post, path = "/api/v1/facilities/{code}/vulnerabilities/suppressions", tag = "vulnerabilities",
    params(("code" = String, Path)), request_body(content = Object, description = "cve_id, device, kind, reason, until"),
    responses((status = 201, body = SuppressionView), (status = 422)))]
pub async fn suppress(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Json(input): Json<SuppressionInput>,
) -> AppResult<(StatusCode, Json<SuppressionView>)> {
    let today = state.store.clock().today_jst();
    let kept = suppressions::suppress(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &input,
        today,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(kept)))
}

/// Lifts a suppression: the vulnerability counts again.
#[utoipa::path(delete, path = "/api/v1/facilities/{code}/vulnerabilities/suppressions/{id}", tag = "vulnerabilities",
    params(("code" = String, Path), ("id" = i64, Path)), responses((status = 204), (status = 404)))]
pub async fn lift(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<StatusCode> {
    suppressions::lift(&state.store, &principal.actor(), fctx.facility.id, path.1).await?;
    Ok(StatusCode::NO_CONTENT)
}
