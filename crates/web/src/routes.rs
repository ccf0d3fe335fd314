//! The route table: every route is registered together with its permission rule, so a route
//! without a rule cannot exist, and the `authorize` middleware refuses any request whose route
//! has no rule (fail closed). Tests enumerate [`rules`] × roles.

use std::collections::HashMap;
use std::sync::Arc;

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;
use mimamori_domain::access::{Action, Permission};

use crate::{
    api, audit, auth, devices, facilities, governance, members, pages, registers, AppState,
};

#[derive(Debug, Clone)]
pub struct RouteRule {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
}

pub type RuleMap = Arc<HashMap<(Method, &'static str), Permission>>;

pub struct RouteTable {
    router: Router<AppState>,
    rules: Vec<RouteRule>,
}

macro_rules! verb {
    ($name:ident, $method:expr, $routing:ident) => {
        pub fn $name<H, T>(self, path: &'static str, permission: Permission, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add($method, path, permission, $routing(handler))
        }
    };
}

impl RouteTable {
    fn new() -> Self {
        Self {
            router: Router::new(),
            rules: Vec::new(),
        }
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        permission: Permission,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.rules.push(RouteRule {
            method,
            path,
            permission,
        });
        self.router = self.router.route(path, route);
        self
    }

    verb!(get, Method::GET, get);
    verb!(post, Method::POST, post);
    verb!(put, Method::PUT, put);
    verb!(delete, Method::DELETE, delete);

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteRule>) {
        (self.router, self.rules)
    }
}

/// All routes of the product with their permission rules, one line each.
#[rustfmt::skip]
pub fn table() -> RouteTable {
    use Action::*;
    use Permission::*;
    RouteTable::new()
        .get("/healthz", Public, pages::healthz)
        .get("/assets/{file}", Public, pages::asset)
        .get("/", Public, pages::home)
        .get("/setup", Public, auth::setup::form)
        .post("/setup", Public, auth::setup::submit)
        .get("/login", Public, auth::pages::login_form)
        .post("/login", Public, auth::pages::login)
        .get("/login/totp", Public, auth::pages::second_factor_form)
        .post("/login/totp", Public, auth::pages::second_factor)
        .post("/logout", Public, auth::pages::logout)
        .post("/logout/everywhere", SignedIn, auth::pages::logout_everywhere)
        .get("/account", SignedIn, auth::account::page)
        .post("/account/lang", SignedIn, auth::account::set_lang)
        .post("/account/password", SignedIn, auth::account::change_password)
        .post("/account/tokens", SignedIn, auth::account::create_token)
        .post("/account/tokens/{id}/revoke", SignedIn, auth::account::revoke_token)
        // Enrolment is reachable before the second factor exists; the handler checks the session.
        .get("/account/totp", Public, auth::enrol::form)
        .post("/account/totp", Public, auth::enrol::confirm)
        .get("/dashboard", SignedIn, pages::dashboard)
        .get("/ledgers", SignedIn, pages::ledgers)
        .get("/facilities/new", Organisation(AdministerOrganisation), facilities::pages::new_form)
        .post("/facilities", Organisation(AdministerOrganisation), facilities::pages::create)
        .get("/facilities/{code}", Facility(ViewFacility), facilities::pages::show)
        .get("/facilities/{code}/edit", Facility(EditFacility), facilities::pages::edit_form)
        .post("/facilities/{code}", Facility(EditFacility), facilities::pages::update)
        .get("/facilities/{code}/governance", Facility(ViewFacility), governance::pages::list)
        .post("/facilities/{code}/governance", Facility(ManageGovernance), governance::pages::create)
        .get("/facilities/{code}/governance/{id}/edit", Facility(ManageGovernance), governance::pages::edit_form)
        .post("/facilities/{code}/governance/{id}", Facility(ManageGovernance), governance::pages::update)
        .post("/facilities/{code}/governance/{id}/delete", Facility(ManageGovernance), governance::pages::delete)
        .get("/facilities/{code}/members", Facility(ManageMembers), members::pages::list)
        .post("/facilities/{code}/members", Facility(ManageMembers), members::pages::add)
        .post("/facilities/{code}/members/{id}/delete", Facility(ManageMembers), members::pages::remove)
        .get("/facilities/{code}/audit", Facility(ViewAudit), audit::pages::facility_log)
        .get("/facilities/{code}/devices", Facility(ViewFacility), devices::pages::list)
        .post("/facilities/{code}/devices", Facility(EditFacility), devices::pages::create)
        .get("/facilities/{code}/devices/new", Facility(EditFacility), devices::pages::new_form)
        .get("/facilities/{code}/devices/export", Facility(ViewFacility), devices::export::download)
        .get("/facilities/{code}/devices/import", Facility(EditFacility), devices::import::form)
        .post("/facilities/{code}/devices/import", Facility(EditFacility), devices::import::upload)
        .post("/facilities/{code}/devices/import/{id}", Facility(EditFacility), devices::import::confirm)
        .post("/facilities/{code}/devices/status", Facility(EditFacility), devices::pages::bulk_status)
        .post("/facilities/{code}/devices/confirm", Facility(ConfirmLedger), devices::pages::confirm)
        .get("/facilities/{code}/devices/{id}", Facility(ViewFacility), devices::pages::show)
        .get("/facilities/{code}/devices/{id}/edit", Facility(EditFacility), devices::pages::edit_form)
        .post("/facilities/{code}/devices/{id}", Facility(EditFacility), devices::pages::update)
        .get("/facilities/{code}/registers/{register}", Facility(ViewFacility), registers::pages::list)
        .post("/facilities/{code}/registers/{register}", Facility(EditFacility), registers::pages::create)
        .get("/facilities/{code}/registers/{register}/new", Facility(EditFacility), registers::pages::new_form)
        .post("/facilities/{code}/registers/{register}/confirm", Facility(ConfirmLedger), registers::pages::confirm)
        .post("/facilities/{code}/registers/{register}/status", Facility(EditFacility), registers::pages::bulk_status)
        .get("/facilities/{code}/registers/{register}/export", Facility(ViewFacility), registers::transfer::download)
        .get("/facilities/{code}/registers/{register}/import", Facility(EditFacility), registers::transfer::form)
        .post("/facilities/{code}/registers/{register}/import", Facility(EditFacility), registers::transfer::upload)
        .post("/facilities/{code}/registers/{register}/import/{id}", Facility(EditFacility), registers::transfer::confirm)
        .get("/facilities/{code}/registers/{register}/{id}", Facility(ViewFacility), registers::pages::show)
        .get("/facilities/{code}/registers/{register}/{id}/edit", Facility(EditFacility), registers::pages::edit_form)
        .post("/facilities/{code}/registers/{register}/{id}", Facility(EditFacility), registers::pages::update)
        .post("/facilities/{code}/registers/{register}/{id}/delete", Facility(EditFacility), registers::pages::delete)
        .get("/audit", Organisation(ViewAudit), audit::pages::organisation_log)
        .get("/api/v1/openapi.json", Public, api::openapi::document)
        .get("/api/v1/me", SignedIn, api::me)
        .get("/api/v1/facilities", SignedIn, facilities::api::list)
        .post("/api/v1/facilities", Organisation(AdministerOrganisation), facilities::api::create)
        .get("/api/v1/facilities/{code}", Facility(ViewFacility), facilities::api::show)
        .put("/api/v1/facilities/{code}", Facility(EditFacility), facilities::api::update)
        .get("/api/v1/facilities/{code}/members", Facility(ManageMembers), members::api::list)
        .get("/api/v1/facilities/{code}/appointments", Facility(ViewFacility), governance::api::list)
        .post("/api/v1/facilities/{code}/appointments", Facility(ManageGovernance), governance::api::create)
        .put("/api/v1/facilities/{code}/appointments/{id}", Facility(ManageGovernance), governance::api::update)
        .delete("/api/v1/facilities/{code}/appointments/{id}", Facility(ManageGovernance), governance::api::delete)
        .get("/api/v1/facilities/{code}/audit", Facility(ViewAudit), audit::api::facility_log)
        .get("/api/v1/audit", Organisation(ViewAudit), audit::api::organisation_log)
        .get("/api/v1/facilities/{code}/devices", Facility(ViewFacility), devices::api::list)
        .post("/api/v1/facilities/{code}/devices", Facility(EditFacility), devices::api::create)
        .post("/api/v1/facilities/{code}/devices/import", Facility(EditFacility), devices::api::import)
        .get("/api/v1/facilities/{code}/devices/export", Facility(ViewFacility), devices::export::download)
        .get("/api/v1/facilities/{code}/devices/{id}", Facility(ViewFacility), devices::api::show)
        .put("/api/v1/facilities/{code}/devices/{id}", Facility(EditFacility), devices::api::update)
        .get("/api/v1/facilities/{code}/registers/{register}", Facility(ViewFacility), registers::api::list)
        .post("/api/v1/facilities/{code}/registers/{register}", Facility(EditFacility), registers::api::create)
        .post("/api/v1/facilities/{code}/registers/{register}/import", Facility(EditFacility), registers::api::import)
        .get("/api/v1/facilities/{code}/registers/{register}/export", Facility(ViewFacility), registers::transfer::download)
        .get("/api/v1/facilities/{code}/registers/{register}/{id}", Facility(ViewFacility), registers::api::show)
        .put("/api/v1/facilities/{code}/registers/{register}/{id}", Facility(EditFacility), registers::api::update)
        .delete("/api/v1/facilities/{code}/registers/{register}/{id}", Facility(EditFacility), registers::api::delete)
}

/// The rules of every route, for the permission tests and the OpenAPI check.
pub fn rules() -> Vec<RouteRule> {
    table().into_parts().1
}
