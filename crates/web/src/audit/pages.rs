use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use mimamori_domain::access::Action;
use mimamori_domain::audit::AuditEntry;

use super::AuditQuery;
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    ctx: PageCtx,
    title: String,
    base: String,
    query: AuditQuery,
    entries: Vec<AuditEntry>,
    next: Option<String>,
}

impl AuditPage {
    fn action_label(&self, code: &str) -> &'static str {
        mimamori_domain::audit_labels::action_label(code, self.ctx.l())
    }

    fn actions(&self) -> Vec<(&'static str, &'static str)> {
        mimamori_domain::audit_labels::actions(self.ctx.l())
    }

    fn entity_label(&self, code: &str) -> String {
        mimamori_domain::audit_labels::entity_label(code, self.ctx.l())
    }
}

fn page(
    ctx: PageCtx,
    title: String,
    base: String,
    query: AuditQuery,
    entries: Vec<AuditEntry>,
) -> Response {
    let next = (entries.len() as i64 == super::PAGE_SIZE)
        .then(|| entries.last().map(|e| query.next_page(e.seq)))
        .flatten();
    render(&AuditPage {
        ctx,
        title,
        base,
        query,
        entries,
        next,
    })
}

pub async fn organisation_log(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let organisation = principal
        .organisation_for(Action::ViewAudit)
        .ok_or_else(AppError::forbidden)?;
    let entries = state
        .store
        .audit_entries(&query.filter(None, Some(organisation)))
        .await?;
    let title = ctx.t("監査ログ", "Audit log").to_string();
    Ok(page(ctx, title, "/audit".into(), query, entries))
}

pub async fn facility_log(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let entries = state
        .store
        .audit_entries(&query.filter(Some(fctx.facility.id), None))
        .await?;
    let title = format!(
        "{} — {}",
        ctx.t("監査ログ", "Audit log"),
        fctx.facility.profile.name
    );
    let base = format!("/facilities/{}/audit", fctx.facility.profile.code);
    Ok(page(ctx, title, base, query, entries))
}
