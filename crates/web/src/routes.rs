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
    accounts, api, audit, auth, bcp, checklist, contacts, devices, facilities, governance,
    incidents, members, overview, pages, preparedness, registers, vulnerabilities, AppState,
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
        .get("/metrics", Public, crate::metrics::page)
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
        .get("/choose", SignedIn, crate::facilities::choose::choose)
        .get("/overview", Organisation(ViewFacility), overview::pages::page)
        .get("/overview/export", Organisation(ViewFacility), overview::pages::export)
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
        .get("/facilities/{code}/vulnerabilities", Facility(ViewFacility), vulnerabilities::pages::show)
        .get("/facilities/{code}/vulnerabilities/export", Facility(ViewFacility), vulnerabilities::pages::export)
        .post("/facilities/{code}/vulnerabilities/suppressions", Facility(EditFacility), vulnerabilities::pages::suppress)
        .post("/facilities/{code}/vulnerabilities/suppressions/{id}/lift", Facility(EditFacility), vulnerabilities::pages::lift)
        .get("/feeds", SignedIn, vulnerabilities::feeds_pages::show)
        .post("/feeds", Organisation(AdministerOrganisation), vulnerabilities::feeds_pages::upload)
        .get("/vulnerabilities/search", SignedIn, vulnerabilities::search_pages::page)
        .get("/vulnerabilities/mappings", Organisation(AdministerOrganisation), vulnerabilities::mappings_pages::show)
        .post("/vulnerabilities/mappings", Organisation(AdministerOrganisation), vulnerabilities::mappings_pages::save)
        .post("/vulnerabilities/mappings/delete", Organisation(AdministerOrganisation), vulnerabilities::mappings_pages::delete)
        .get("/facilities/{code}/devices", Facility(ViewFacility), devices::pages::list)
        .post("/facilities/{code}/devices", Facility(EditFacility), devices::pages::create)
        .get("/facilities/{code}/devices/new", Facility(EditFacility), devices::pages::new_form)
        .get("/facilities/{code}/devices/export", Facility(ViewFacility), devices::export::download)
        .get("/facilities/{code}/devices/import", Facility(EditFacility), devices::import::form)
        .get("/facilities/{code}/devices/import/template", Facility(EditFacility), devices::import::template)
        .post("/facilities/{code}/imports/{seq}/undo", Facility(EditFacility), crate::transfer::undo_form)
        .post("/facilities/{code}/devices/import", Facility(EditFacility), devices::import::upload)
        .post("/facilities/{code}/devices/import/{id}", Facility(EditFacility), devices::import::confirm)
        .get("/facilities/{code}/devices/import/{id}/problems", Facility(EditFacility), devices::import::problems)
        .post("/facilities/{code}/devices/status", Facility(EditFacility), devices::pages::bulk_status)
        .post("/facilities/{code}/devices/confirm", Facility(ConfirmLedger), devices::pages::confirm)
        .get("/facilities/{code}/devices/{id}", Facility(ViewFacility), devices::pages::show)
        .get("/facilities/{code}/devices/{id}/edit", Facility(EditFacility), devices::pages::edit_form)
        .post("/facilities/{code}/devices/{id}", Facility(EditFacility), devices::pages::update)
        .post("/facilities/{code}/devices/{id}/delete", Facility(EditFacility), devices::pages::delete)
        .get("/facilities/{code}/registers/{register}", Facility(ViewFacility), registers::pages::list)
        .post("/facilities/{code}/registers/{register}", Facility(EditFacility), registers::pages::create)
        .get("/facilities/{code}/registers/{register}/new", Facility(EditFacility), registers::pages::new_form)
        .post("/facilities/{code}/registers/{register}/confirm", Facility(ConfirmLedger), registers::pages::confirm)
        .post("/facilities/{code}/registers/{register}/status", Facility(EditFacility), registers::pages::bulk_status)
        .get("/facilities/{code}/registers/{register}/export", Facility(ViewFacility), registers::transfer::download)
        .get("/facilities/{code}/registers/{register}/import", Facility(EditFacility), registers::transfer::form)
        .get("/facilities/{code}/registers/{register}/import/template", Facility(EditFacility), registers::transfer::template)
        .post("/facilities/{code}/registers/{register}/import", Facility(EditFacility), registers::transfer::upload)
        .post("/facilities/{code}/registers/{register}/import/{id}", Facility(EditFacility), registers::transfer::confirm)
        .get("/facilities/{code}/registers/{register}/import/{id}/problems", Facility(EditFacility), registers::transfer::problems)
        .get("/facilities/{code}/registers/{register}/{id}", Facility(ViewFacility), registers::pages::show)
        .get("/facilities/{code}/registers/{register}/{id}/edit", Facility(EditFacility), registers::pages::edit_form)
        .post("/facilities/{code}/registers/{register}/{id}", Facility(EditFacility), registers::pages::update)
        .post("/facilities/{code}/registers/{register}/{id}/delete", Facility(EditFacility), registers::pages::delete)
        .get("/checklist", SignedIn, checklist::pages::entry)
        .get("/checklist/catalog", SignedIn, checklist::catalog::list)
        .post("/checklist/catalog/copy", Organisation(AdministerOrganisation), checklist::catalog::copy)
        .get("/checklist/catalog/{id}", SignedIn, checklist::catalog::show)
        .post("/checklist/catalog/{id}/items/{key}", Organisation(AdministerOrganisation), checklist::catalog::update_item)
        .get("/facilities/{code}/checklist", Facility(ViewFacility), checklist::pages::overview)
        .post("/facilities/{code}/checklist", Facility(EditFacility), checklist::pages::create)
        .get("/facilities/{code}/checklist/evidence/{id}", Facility(ViewFacility), checklist::evidence::download)
        .get("/facilities/{code}/checklist/{id}", Facility(ViewFacility), checklist::pages::show)
        .post("/facilities/{code}/checklist/{id}/items/{key}", Facility(EditFacility), checklist::pages::answer)
        .post("/facilities/{code}/checklist/{id}/items/{key}/evidence", Facility(EditFacility), checklist::evidence::upload)
        .post("/facilities/{code}/checklist/{id}/items/{key}/evidence/ledger", Facility(EditFacility), checklist::evidence::link_ledger)
        .post("/facilities/{code}/checklist/{id}/evidence/{evidence}/delete", Facility(EditFacility), checklist::evidence::delete)
        .post("/facilities/{code}/checklist/{id}/sign-off", Facility(ManageGovernance), checklist::pages::sign_off)
        .post("/facilities/{code}/checklist/{id}/unlock", Facility(ManageGovernance), checklist::pages::unlock)
        .post("/facilities/{code}/checklist/{id}/roll-over", Facility(EditFacility), checklist::pages::roll_over)
        .get("/facilities/{code}/checklist/{id}/export", Facility(ViewFacility), checklist::output::download)
        .get("/facilities/{code}/checklist/{id}/print", Facility(ViewFacility), checklist::output::print)
        .get("/accounts", SignedIn, accounts::pages::entry)
        .get("/facilities/{code}/accounts", Facility(ViewFacility), accounts::pages::overview)
        .get("/facilities/{code}/accounts/export", Facility(ViewFacility), accounts::api::export)
        .post("/facilities/{code}/accounts/settings", Facility(EditFacility), accounts::pages::save_settings)
        .get("/facilities/{code}/accounts/systems/{id}", Facility(ViewFacility), accounts::pages::system_page)
        .get("/facilities/{code}/accounts/systems/{id}/export", Facility(ViewFacility), accounts::transfer::download)
        .get("/facilities/{code}/accounts/systems/{id}/import", Facility(EditFacility), accounts::transfer::form)
        .post("/facilities/{code}/accounts/systems/{id}/import", Facility(EditFacility), accounts::transfer::upload)
        .post("/facilities/{code}/accounts/systems/{id}/import/{pending}", Facility(EditFacility), accounts::transfer::apply)
        .get("/facilities/{code}/accounts/systems/{id}/policy", Facility(ViewFacility), accounts::pages::policy)
        .post("/facilities/{code}/accounts/systems/{id}/policy", Facility(EditFacility), accounts::pages::save_policy)
        .get("/facilities/{code}/accounts/reviews", Facility(ViewFacility), accounts::reviews::list)
        .post("/facilities/{code}/accounts/reviews", Facility(EditFacility), accounts::reviews::start)
        .get("/facilities/{code}/accounts/reviews/{id}", Facility(ViewFacility), accounts::reviews::show)
        .get("/facilities/{code}/accounts/reviews/{id}/export", Facility(ViewFacility), accounts::reviews::download)
        .post("/facilities/{code}/accounts/reviews/{id}/items/{item}", Facility(EditFacility), accounts::reviews::decide)
        .post("/facilities/{code}/accounts/reviews/{id}/complete", Facility(ManageGovernance), accounts::reviews::complete)
        .get("/facilities/{code}/accounts/applications", Facility(ViewFacility), accounts::applications::list)
        .post("/facilities/{code}/accounts/applications", Facility(EditFacility), accounts::applications::create)
        .get("/facilities/{code}/accounts/applications/{id}", Facility(ViewFacility), accounts::applications::show)
        .post("/facilities/{code}/accounts/applications/{id}/decision", Facility(ManageGovernance), accounts::applications::decide)
        .post("/facilities/{code}/accounts/applications/{id}/carry-out", Facility(EditFacility), accounts::applications::carry_out)
        .get("/facilities/{code}/accounts/{id}", Facility(ViewFacility), accounts::pages::show)
        .post("/facilities/{code}/accounts/{id}/owner", Facility(EditFacility), accounts::pages::set_owner)
        .post("/facilities/{code}/accounts/{id}/status", Facility(EditFacility), accounts::pages::set_status)
        .get("/preparedness", SignedIn, incidents::pages::entry)
        .get("/facilities/{code}/preparedness", Facility(ViewFacility), preparedness::hub)
        .get("/facilities/{code}/contact-chart", Facility(ViewFacility), contacts::page)
        .get("/facilities/{code}/contact-chart/print", Facility(ViewFacility), contacts::print)
        .get("/facilities/{code}/contact-chart/export", Facility(ViewFacility), contacts::export)
        .post("/facilities/{code}/contact-chart/seed", Facility(EditFacility), contacts::seed)
        .get("/facilities/{code}/bcp", Facility(ViewFacility), bcp::page)
        .post("/facilities/{code}/bcp", Facility(EditFacility), bcp::save)
        .get("/facilities/{code}/bcp/export", Facility(ViewFacility), bcp::export)
        .get("/facilities/{code}/incidents", Facility(ViewFacility), incidents::pages::list)
        .post("/facilities/{code}/incidents", Facility(EditFacility), incidents::pages::create)
        .get("/facilities/{code}/incidents/new", Facility(EditFacility), incidents::pages::new_form)
        .get("/facilities/{code}/incidents/{id}", Facility(ViewFacility), incidents::pages::show)
        .post("/facilities/{code}/incidents/{id}", Facility(EditFacility), incidents::pages::update)
        .get("/facilities/{code}/incidents/{id}/edit", Facility(EditFacility), incidents::pages::edit_form)
        .get("/facilities/{code}/incidents/{id}/print", Facility(ViewFacility), incidents::pages::print)
        .get("/facilities/{code}/incidents/{id}/export", Facility(ViewFacility), incidents::pages::export)
        .post("/facilities/{code}/incidents/{id}/timeline", Facility(EditFacility), incidents::pages::add_entry)
        .post("/facilities/{code}/incidents/{id}/steps/{key}", Facility(EditFacility), incidents::pages::set_step)
        .post("/facilities/{code}/incidents/{id}/reports/{key}", Facility(EditFacility), incidents::pages::record_report)
        .get("/facilities/{code}/findings", Facility(ViewFacility), checklist::findings::page)
        .get("/facilities/{code}/readiness", Facility(ViewFacility), checklist::findings::readiness)
        .get("/audit", Organisation(ViewAudit), audit::pages::organisation_log)
        .get("/api/v1/openapi.json", Public, api::openapi::document)
        .get("/api/v1/me", SignedIn, api::me)
        .get("/api/v1/facilities", SignedIn, facilities::api::list)
        .get("/api/v1/overview", Organisation(ViewFacility), overview::api::get)
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
        .get("/api/v1/checklist/editions", SignedIn, checklist::api::editions)
        .get("/api/v1/checklist/editions/{id}", SignedIn, checklist::api::edition)
        .get("/api/v1/facilities/{code}/assessments", Facility(ViewFacility), checklist::api::list)
        .post("/api/v1/facilities/{code}/assessments", Facility(EditFacility), checklist::api::create)
        .get("/api/v1/facilities/{code}/assessments/{id}", Facility(ViewFacility), checklist::api::show)
        .put("/api/v1/facilities/{code}/assessments/{id}/answers/{key}", Facility(EditFacility), checklist::api::answer)
        .post("/api/v1/facilities/{code}/assessments/{id}/answers/{key}/evidence", Facility(EditFacility), checklist::api::upload)
        .get("/api/v1/facilities/{code}/findings", Facility(ViewFacility), checklist::api::findings)
        .get("/api/v1/facilities/{code}/vulnerabilities", Facility(ViewFacility), vulnerabilities::api::facility_report)
        .post("/api/v1/facilities/{code}/vulnerabilities/suppressions", Facility(EditFacility), vulnerabilities::api::suppress)
        .delete("/api/v1/facilities/{code}/vulnerabilities/suppressions/{id}", Facility(EditFacility), vulnerabilities::api::lift)
        .get("/api/v1/vulnerabilities/search", SignedIn, vulnerabilities::search_pages::api)
        .get("/api/v1/product-mappings", Organisation(AdministerOrganisation), vulnerabilities::mappings_pages::api_list)
        .post("/api/v1/product-mappings", Organisation(AdministerOrganisation), vulnerabilities::mappings_pages::api_save)
        .delete("/api/v1/product-mappings", Organisation(AdministerOrganisation), vulnerabilities::mappings_pages::api_delete)
        .get("/api/v1/feeds", Organisation(ViewFacility), vulnerabilities::api::status)
        .post("/api/v1/feeds", Organisation(AdministerOrganisation), vulnerabilities::api::import)
        .get("/api/v1/facilities/{code}/devices", Facility(ViewFacility), devices::api::list)
        .post("/api/v1/facilities/{code}/devices", Facility(EditFacility), devices::api::create)
        .post("/api/v1/facilities/{code}/devices/import", Facility(EditFacility), devices::api::import)
        .post("/api/v1/facilities/{code}/imports/{seq}/undo", Facility(EditFacility), crate::transfer::undo_api)
        .get("/api/v1/facilities/{code}/devices/export", Facility(ViewFacility), devices::export::download)
        .get("/api/v1/facilities/{code}/devices/{id}", Facility(ViewFacility), devices::api::show)
        .put("/api/v1/facilities/{code}/devices/{id}", Facility(EditFacility), devices::api::update)
        .delete("/api/v1/facilities/{code}/devices/{id}", Facility(EditFacility), devices::api::delete)
        .get("/api/v1/facilities/{code}/accounts", Facility(ViewFacility), accounts::api::list)
        .get("/api/v1/facilities/{code}/accounts/export", Facility(ViewFacility), accounts::api::export)
        .post("/api/v1/facilities/{code}/accounts/import", Facility(EditFacility), accounts::api::import)
        .get("/api/v1/facilities/{code}/accounts/{id}", Facility(ViewFacility), accounts::api::show)
        .get("/api/v1/facilities/{code}/access-policies/{system}", Facility(ViewFacility), accounts::api::policy)
        .put("/api/v1/facilities/{code}/access-policies/{system}", Facility(EditFacility), accounts::api::put_policy)
        .get("/api/v1/facilities/{code}/access-reviews", Facility(ViewFacility), accounts::api::reviews)
        .post("/api/v1/facilities/{code}/access-reviews", Facility(EditFacility), accounts::api::start_review)
        .get("/api/v1/facilities/{code}/access-reviews/{id}", Facility(ViewFacility), accounts::api::review)
        .post("/api/v1/facilities/{code}/access-reviews/{id}/items/{item}", Facility(EditFacility), accounts::api::decide)
        .post("/api/v1/facilities/{code}/access-reviews/{id}/complete", Facility(ManageGovernance), accounts::api::complete)
        .get("/api/v1/facilities/{code}/account-applications", Facility(ViewFacility), accounts::api::applications)
        .post("/api/v1/facilities/{code}/account-applications", Facility(EditFacility), accounts::api::apply)
        .post("/api/v1/facilities/{code}/account-applications/{id}/decision", Facility(ManageGovernance), accounts::api::decide_application)
        .post("/api/v1/facilities/{code}/account-applications/{id}/carry-out", Facility(EditFacility), accounts::api::carry_out)
        .get("/api/v1/facilities/{code}/contact-chart", Facility(ViewFacility), contacts::api_show)
        .post("/api/v1/facilities/{code}/contact-chart/seed", Facility(EditFacility), contacts::api_seed)
        .get("/api/v1/facilities/{code}/contact-chart/export", Facility(ViewFacility), contacts::export)
        .get("/api/v1/facilities/{code}/backup-evaluation", Facility(ViewFacility), preparedness::api_backups)
        .get("/api/v1/facilities/{code}/bcp", Facility(ViewFacility), bcp::api_show)
        .get("/api/v1/facilities/{code}/bcp/export", Facility(ViewFacility), bcp::export)
        .put("/api/v1/facilities/{code}/bcp/{key}", Facility(EditFacility), bcp::api_answer)
        .get("/api/v1/facilities/{code}/incidents", Facility(ViewFacility), incidents::api::list)
        .post("/api/v1/facilities/{code}/incidents", Facility(EditFacility), incidents::api::create)
        .get("/api/v1/facilities/{code}/incidents/{id}", Facility(ViewFacility), incidents::api::show)
        .put("/api/v1/facilities/{code}/incidents/{id}", Facility(EditFacility), incidents::api::update)
        .get("/api/v1/facilities/{code}/incidents/{id}/export", Facility(ViewFacility), incidents::api::export)
        .post("/api/v1/facilities/{code}/incidents/{id}/timeline", Facility(EditFacility), incidents::api::add_entry)
        .put("/api/v1/facilities/{code}/incidents/{id}/steps/{key}", Facility(EditFacility), incidents::api::set_step)
        .put("/api/v1/facilities/{code}/incidents/{id}/reports/{key}", Facility(EditFacility), incidents::api::record_report)
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
