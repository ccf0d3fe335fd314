//! The OpenAPI document of /api/v1. A test checks that every API route of the route table is
//! described here, and that the committed `openapi.json` matches.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    accounts, api, audit, bcp, checklist, contacts, devices, facilities, governance, incidents,
    members, preparedness, registers,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Mimamori API", version = "1", description = "医療機関のサイバーセキュリティ対策 — JSON API. Authenticate with `Authorization: Bearer <token>` (create tokens on the account page). Errors: `{code, message_ja, message_en, fields}`."),
    paths(
        api::me,
        facilities::api::list,
        crate::overview::api::get,
        facilities::api::create,
        facilities::api::show,
        facilities::api::update,
        members::api::list,
        governance::api::list,
        governance::api::create,
        governance::api::update,
        governance::api::delete,
        audit::api::organisation_log,
        audit::api::facility_log,
        devices::api::list,
        devices::api::show,
        devices::api::create,
        devices::api::update,
        devices::api::delete,
        crate::transfer::undo_api,
        devices::api::import,
        export_devices,
        registers::api::list,
        registers::api::show,
        registers::api::create,
        registers::api::update,
        registers::api::delete,
        registers::api::import,
        export_register,
        checklist::api::editions,
        checklist::api::edition,
        checklist::api::list,
        checklist::api::create,
        checklist::api::show,
        checklist::api::answer,
        checklist::api::upload,
        checklist::api::findings,
        crate::vulnerabilities::api::facility_report,
        crate::vulnerabilities::api::status,
        crate::vulnerabilities::api::import,
        crate::vulnerabilities::api::suppress,
        crate::vulnerabilities::api::lift,
        crate::vulnerabilities::search_pages::api,
        crate::vulnerabilities::mappings_pages::api_list,
        crate::vulnerabilities::mappings_pages::api_save,
        crate::vulnerabilities::mappings_pages::api_delete,
        contacts::api_show,
        contacts::api_seed,
        contacts::export,
        preparedness::api_backups,
        bcp::api_show,
        bcp::api_answer,
        bcp::export,
        incidents::api::list,
        incidents::api::show,
        incidents::api::create,
        incidents::api::update,
        incidents::api::export,
        incidents::api::add_entry,
        incidents::api::set_step,
        incidents::api::record_report,
        accounts::api::list,
        accounts::api::show,
        accounts::api::import,
        accounts::api::export,
        accounts::api::policy,
        accounts::api::put_policy,
        accounts::api::reviews,
        accounts::api::start_review,
        accounts::api::review,
        accounts::api::decide,
        accounts::api::complete,
        accounts::api::applications,
        accounts::api::apply,
        accounts::api::decide_application,
        accounts::api::carry_out,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::FieldError)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The device ledger as XLSX (MHLW layout) or CSV, with the list's filter.
#[utoipa::path(get, path = "/api/v1/facilities/{code}/devices/export", tag = "devices",
    params(("code" = String, Path), ("format" = Option<String>, Query, description = "xlsx (default) | csv"),
        ("encoding" = Option<String>, Query, description = "utf-8 (default, with BOM) | cp932"), devices::DeviceQuery),
    responses((status = 200, description = "the file", content_type = "application/octet-stream")))]
#[allow(dead_code)]
fn export_devices() {}

/// A register as XLSX or CSV.
#[utoipa::path(get, path = "/api/v1/facilities/{code}/registers/{register}/export", tag = "registers",
    params(("code" = String, Path), ("register" = String, Path), ("format" = Option<String>, Query, description = "xlsx (default) | csv"),
        ("encoding" = Option<String>, Query, description = "utf-8 (default, with BOM) | cp932")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream")))]
#[allow(dead_code)]
fn export_register() {}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
