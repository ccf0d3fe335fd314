//! `/api/v1/facilities/{code}/devices`: list (the list page's filter), CRUD and import.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use mimamori_domain::ledger::device::{Device, DeviceInput, InterfaceInput, SoftwareInput};
use mimamori_store::ledger::devices::StoredDevice;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::DeviceQuery;
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::AppResult;
pub use crate::transfer::ImportQuery;
use crate::transfer::{self, ImportReport, Ledger};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceDto {
    pub id: i64,
    pub display: String,
    pub url: String,
    pub updated_at: String,
    pub updated_by: String,
    /// management_no, kind, maker, model, serial, os_name, os_version, location, users, registered_on, status,
    /// disposed_on, description, remote_maintenance, security_measures, auth_method, software[], interfaces[]
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub device: Device,
}

fn dto(code: &str, s: StoredDevice) -> DeviceDto {
    DeviceDto {
        id: s.id,
        display: s.device.management_no.clone(),
        url: format!("/api/v1/facilities/{code}/devices/{}", s.id),
        updated_at: s.updated_at,
        updated_by: s.updated_by,
        device: s.device,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceList {
    pub items: Vec<DeviceDto>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SoftwareBody {
    pub name: String,
    pub version: Option<String>,
    pub vendor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InterfaceBody {
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub hostname: Option<String>,
    pub segment: Option<String>,
}

/// A device to create or replace. Dates accept 2020-12-01, 2020/12/1, R2.12.1 or 令和2年12月1日.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceBody {
    pub management_no: String,
    pub kind: Option<String>,
    pub maker: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub location: Option<String>,
    pub users: Option<String>,
    pub registered_on: Option<String>,
    pub status: Option<String>,
    pub disposed_on: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub remote_maintenance: bool,
    pub security_measures: Option<String>,
    pub auth_method: Option<String>,
    #[serde(default)]
    pub software: Vec<SoftwareBody>,
    #[serde(default)]
    pub interfaces: Vec<InterfaceBody>,
}

impl DeviceBody {
    fn input(self) -> DeviceInput {
        let s = Option::unwrap_or_default;
        DeviceInput {
            management_no: self.management_no,
            kind: s(self.kind),
            maker: s(self.maker),
            model: s(self.model),
            serial: s(self.serial),
            os_name: s(self.os_name),
            os_version: s(self.os_version),
            location: s(self.location),
            users: s(self.users),
            registered_on: s(self.registered_on),
            status: s(self.status),
            disposed_on: s(self.disposed_on),
            description: s(self.description),
            remote_maintenance: if self.remote_maintenance {
                "yes".into()
            } else {
                "no".into()
            },
            security_measures: s(self.security_measures),
            auth_method: s(self.auth_method),
            software: self
                .software
                .into_iter()
                .map(|x| SoftwareInput {
                    name: x.name,
                    version: s(x.version),
                    vendor: s(x.vendor),
                })
                .collect(),
            interfaces: self
                .interfaces
                .into_iter()
                .map(|x| InterfaceInput {
                    ip: s(x.ip),
                    mac: s(x.mac),
                    hostname: s(x.hostname),
                    segment: s(x.segment),
                })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/devices", tag = "devices", params(("code" = String, Path), DeviceQuery),
    responses((status = 200, body = DeviceList)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<DeviceQuery>,
) -> AppResult<Json<DeviceList>> {
    let filter = query.resolve(&state.store, fctx.facility.id).await?;
    let page = state.store.devices(fctx.facility.id, &filter).await?;
    let code = &fctx.facility.profile.code;
    Ok(Json(DeviceList {
        items: page.devices.into_iter().map(|d| dto(code, d)).collect(),
        total: page.total,
        page: filter.page,
        per_page: filter.limit(),
    }))
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/devices/{id}", tag = "devices", params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = DeviceDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Json<DeviceDto>> {
    let stored = state.store.device(fctx.facility.id, path.1).await?;
    Ok(Json(dto(&fctx.facility.profile.code, stored)))
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/devices", tag = "devices", params(("code" = String, Path)), request_body = DeviceBody,
    responses((status = 201, body = DeviceDto), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Json(body): Json<DeviceBody>,
) -> AppResult<(StatusCode, Json<DeviceDto>)> {
    let device = body.input().validate()?.device;
    let mut tx = state.store.write(&principal.actor()).await?;
    let id = tx.create_device(fctx.facility.id, &device).await?;
    tx.commit().await?;
    let stored = state.store.device(fctx.facility.id, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(dto(&fctx.facility.profile.code, stored)),
    ))
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}/devices/{id}", tag = "devices", params(("code" = String, Path), ("id" = i64, Path)),
    request_body = DeviceBody, responses((status = 200, body = DeviceDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Json(body): Json<DeviceBody>,
) -> AppResult<Json<DeviceDto>> {
    let stored = state.store.device(fctx.facility.id, path.1).await?;
    let device = body.input().validate()?.device;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.update_device(&stored, &device).await?;
    tx.commit().await?;
    Ok(Json(dto(
        &fctx.facility.profile.code,
        state.store.device(fctx.facility.id, path.1).await?,
    )))
}

/// Deletes a device entered by mistake (a device taken out of use is set to `disposed`); the
/// audit log keeps it whole.
#[utoipa::path(delete, path = "/api/v1/facilities/{code}/devices/{id}", tag = "devices", params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<StatusCode> {
    let stored = state.store.device(fctx.facility.id, path.1).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.delete_device(&stored).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports an XLSX or CSV (UTF-8, UTF-8 with BOM or CP932) sent as the request body.
#[utoipa::path(post, path = "/api/v1/facilities/{code}/devices/import", tag = "devices", params(("code" = String, Path), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 422, body = ImportReport)))]
pub async fn import(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<ImportReport>)> {
    transfer::api_import(&state, &principal, &fctx, Ledger::Devices, query, body).await
}
