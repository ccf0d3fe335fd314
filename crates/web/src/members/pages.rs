use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Role;
use mimamori_domain::governance::optional_date;
use mimamori_domain::validation::{required_text, Issue, Issues};
use mimamori_store::facilities::Facility;
use mimamori_store::users::Member;
use mimamori_store::StoreError;
use serde::Deserialize;

use crate::auth::setup::normalise_email;
use crate::auth::{self, FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render_form, FormErrors, PageCtx};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    password: String,
}

pub struct MemberRow {
    pub membership_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub scope: String,
    pub expires_on: String,
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "members/list.html")]
struct ListPage {
    ctx: PageCtx,
    facility: Facility,
    members: Vec<MemberRow>,
    form: MemberForm,
    errors: FormErrors,
    roles: Vec<(&'static str, &'static str)>,
}

fn rows(ctx: &PageCtx, members: Vec<Member>) -> Vec<MemberRow> {
    members
        .into_iter()
        .map(|m| MemberRow {
            membership_id: m.membership_id,
            name: m.name,
            email: m.email,
            role: m.role.label(ctx.lang).to_string(),
            scope: if m.organisation_wide {
                ctx.t("組織全体", "Whole organisation")
            } else {
                ctx.t("この施設", "This facility")
            }
            .to_string(),
            expires_on: m.expires_on.unwrap_or_default(),
            removable: !m.organisation_wide,
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    ctx: PageCtx,
    facility: Facility,
    form: MemberForm,
    issues: Issues,
) -> AppResult<Response> {
    let members = state
        .store
        .members_of_facility(facility.id, facility.organisation_id)
        .await?;
    let roles = Role::ALL
        .iter()
        .map(|r| (r.code(), r.label(ctx.lang)))
        .collect();
    let invalid = !issues.is_empty();
    let page = ListPage {
        members: rows(&ctx, members),
        errors: FormErrors::new(ctx.lang, issues),
        facility,
        form,
        roles,
        ctx,
    };
    Ok(render_form(&page, invalid))
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let form = MemberForm {
        role: "viewer".into(),
        ..Default::default()
    };
    list_page(&state, ctx, fctx.facility, form, Issues::default()).await
}

/// Adds an existing user to the facility, or creates the user with an initial password (they
/// enrol their second factor at first sign-in).
pub async fn add(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let mut issues = Issues::default();
    let email = normalise_email(&mut issues, &form.email);
    let role = Role::parse(&form.role);
    if role.is_none() {
        issues.push(Issue::new("role", "invalid_role"));
    }
    let expires_on = optional_date(&mut issues, "expires_on", &form.expires_on);
    if role == Some(Role::Inspector) && expires_on.is_none() {
        issues.push(Issue::new("expires_on", "inspector_needs_expiry"));
    }
    let existing = match state.store.user_by_email(&email).await {
        Ok(user) => Some(user),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let mut new_user = None;
    if existing.is_none() && issues.for_field("email").is_none() {
        let name = required_text(&mut issues, "name", &form.name, 100);
        let second_factor = state.config.require_second_factor;
        if let Err(found) = state
            .config
            .password
            .check(&form.password, &email, second_factor)
        {
            issues.0.extend(found.0);
        }
        new_user = Some(name);
    }
    let (Some(role), true) = (role, issues.is_empty()) else {
        return list_page(&state, ctx, fctx.facility, form, issues).await;
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    let user_id = match (existing, new_user) {
        (Some(user), _) => user.id,
        (None, Some(name)) => {
            let hash = auth::password::hash(&form.password).map_err(AppError::internal)?;
            tx.create_user(&email, &name, &hash, ctx.lang).await?
        }
        (None, None) => return Err(AppError::internal("member without user")),
    };
    let expires = expires_on.map(|d| d.to_string());
    tx.add_membership(
        user_id,
        fctx.facility.organisation_id,
        Some(fctx.facility.id),
        role,
        expires.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/members",
        fctx.facility.profile.code
    ))
    .into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let membership = state.store.membership(id).await?;
    // Only this facility's own memberships can be removed here; organisation-wide roles are not.
    if membership.facility_id != Some(fctx.facility.id) {
        return Err(AppError::not_found());
    }
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.remove_membership(&membership).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/members",
        fctx.facility.profile.code
    ))
    .into_response())
}
