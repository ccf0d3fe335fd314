//! `/api/v1/facilities/{code}/registers/{register}` for vendors, systems, cloud-services and
//! remote-maintenance: list (search, paging), CRUD, import.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_store::ledger::registers::StoredRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::spec;
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::transfer::{self, ImportQuery, ImportReport, Ledger};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordDto {
    pub id: i64,
    pub display: String,
    pub url: String,
    pub updated_at: String,
    pub updated_by: String,
    /// Values by field key: dates ISO, flags yes/no, choices by code.
    pub values: BTreeMap<String, String>,
}

fn dto(code: &str, spec: &RegisterSpec, s: StoredRecord) -> RecordDto {
    RecordDto {
        id: s.id,
        display: s.record.get(spec.key_field).unwrap_or("").to_string(),
        url: format!("/api/v1/facilities/{code}/registers/{}/{}", spec.slug, s.id),
        updated_at: s.updated_at,
        updated_by: s.updated_by,
        values: s.record.values,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordList {
    pub items: Vec<RecordDto>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RecordQuery {
    /// Search across all fields (case- and width-insensitive).
    pub q: Option<String>,
    /// Sort by this field key (default: the register's key field).
    pub sort: Option<String>,
    /// 1 for descending.
    pub desc: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// Any choice or flag field may also be given as `field=value` (stored codes, e.g. `route=ssl_vpn`, `two_factor=no`).
    #[param(inline)]
    pub field_filters: Option<String>,
}

/// A record's values by field key; booleans and numbers are accepted for flags and numbers.
fn raw(
    spec: &RegisterSpec,
    body: BTreeMap<String, serde_json::Value>,
) -> AppResult<BTreeMap<String, String>> {
    let mut raw = BTreeMap::new();
    for (key, value) in body {
        if spec.field(&key).is_none() {
            return Err(AppError::bad_request(
                format!("項目「{key}」はありません。"),
                format!("Unknown field \"{key}\"."),
            ));
        }
        let text = match value {
            serde_json::Value::Null => String::new(),
            serde_json::Value::Bool(b) => if b { "yes" } else { "no" }.to_string(),
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        raw.insert(key, text);
    }
    Ok(raw)
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/registers/{register}", tag = "registers",
    params(("code" = String, Path), ("register" = String, Path, description = "vendors | systems | cloud-services | remote-maintenance"), RecordQuery),
    responses((status = 200, body = RecordList)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Json<RecordList>> {
    let spec = spec(&path.1)?;
    let filter = super::record_filter(spec, &pairs, 50);
    let (page, per_page) = (filter.page.max(1), filter.per_page);
    let found = state.store.records(fctx.facility.id, spec, &filter).await?;
    let code = &fctx.facility.profile.code;
    Ok(Json(RecordList {
        items: found
            .records
            .into_iter()
            .map(|r| dto(code, spec, r))
            .collect(),
        total: found.total,
        page,
        per_page,
    }))
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/registers/{register}/{id}", tag = "registers",
    params(("code" = String, Path), ("register" = String, Path), ("id" = i64, Path)), responses((status = 200, body = RecordDto)))]
pub async fn show(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, String, i64)>,
) -> AppResult<Json<RecordDto>> {
    let spec = spec(&path.1)?;
    let stored = state.store.record(fctx.facility.id, spec, path.2).await?;
    Ok(Json(dto(&fctx.facility.profile.code, spec, stored)))
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/registers/{register}", tag = "registers",
    params(("code" = String, Path), ("register" = String, Path)), request_body = BTreeMap<String, String>,
    responses((status = 201, body = RecordDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, String)>,
    Json(body): Json<BTreeMap<String, serde_json::Value>>,
) -> AppResult<(StatusCode, Json<RecordDto>)> {
    let spec = spec(&path.1)?;
    let references = state.store.references(fctx.facility.id).await?;
    let record = spec.validate(&raw(spec, body)?, &references)?.record;
    let mut tx = state.store.write(&principal.actor()).await?;
    let id = tx.create_record(fctx.facility.id, spec, &record).await?;
    tx.commit().await?;
    let stored = state.store.record(fctx.facility.id, spec, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(dto(&fctx.facility.profile.code, spec, stored)),
    ))
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}/registers/{register}/{id}", tag = "registers",
    params(("code" = String, Path), ("register" = String, Path), ("id" = i64, Path)), request_body = BTreeMap<String, String>,
    responses((status = 200, body = RecordDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, String, i64)>,
    Json(body): Json<BTreeMap<String, serde_json::Value>>,
) -> AppResult<Json<RecordDto>> {
    let spec = spec(&path.1)?;
    let stored = state.store.record(fctx.facility.id, spec, path.2).await?;
    let references = state.store.references(fctx.facility.id).await?;
    let record = spec.validate(&raw(spec, body)?, &references)?.record;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.update_record(spec, &stored, &record).await?;
    tx.commit().await?;
    Ok(Json(dto(
        &fctx.facility.profile.code,
        spec,
        state.store.record(fctx.facility.id, spec, path.2).await?,
    )))
}

#[utoipa::path(delete, path = "/api/v1/facilities/{code}/registers/{register}/{id}", tag = "registers",
    params(("code" = String, Path), ("register" = String, Path), ("id" = i64, Path)), responses((status = 204)))]
pub async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, String, i64)>,
) -> AppResult<StatusCode> {
    let spec = spec(&path.1)?;
    let stored = state.store.record(fctx.facility.id, spec, path.2).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.delete_record(spec, &stored).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports an XLSX or CSV sent as the request body, matched by the register's key field.
#[utoipa::path(post, path = "/api/v1/facilities/{code}/registers/{register}/import", tag = "registers",
    params(("code" = String, Path), ("register" = String, Path), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 422, body = ImportReport)))]
pub async fn import(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, String)>,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<ImportReport>)> {
    transfer::api_import(
        &state,
        &principal,
        &fctx,
        Ledger::Register(spec(&path.1)?),
        query,
        body,
    )
    .await
}
