//! `/api/v1/facilities/{code}/vulnerabilities` and `/api/v1/feeds`.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::NaiveDate;
use mimamori_app::feeds::{self, FeedFileReport, FeedState};
use mimamori_app::vulnerabilities::{report, VulnerabilityReport};
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
