use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::facility::{FacilityInput, FacilityKind};
use mimamori_domain::Issues;
use mimamori_store::facilities::Facility;
use mimamori_store::governance::StoredAppointment;

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, render_form, FormErrors, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "facilities/form.html")]
struct FacilityForm {
    ctx: PageCtx,
    action: String,
    input: FacilityInput,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    creating: bool,
}

fn form_page(
    ctx: PageCtx,
    action: String,
    input: FacilityInput,
    issues: Issues,
    creating: bool,
) -> Response {
    let kinds = FacilityKind::ALL
        .iter()
        .map(|k| (k.code(), k.label(ctx.lang)))
        .collect();
    let invalid = !issues.is_empty();
    let errors = FormErrors::new(ctx.lang, issues);
    render_form(
        &FacilityForm {
            ctx,
            action,
            input,
            errors,
            kinds,
            creating,
        },
        invalid,
    )
}

pub fn input_of(facility: &Facility) -> FacilityInput {
    let p = &facility.profile;
    FacilityInput {
        code: p.code.clone(),
        name: p.name.clone(),
        kind: p.kind.code().to_string(),
        beds: p.beds.map(|b| b.to_string()).unwrap_or_default(),
        institution_code: p.institution_code.clone().unwrap_or_default(),
        prefecture: p.prefecture.clone().unwrap_or_default(),
        address: p.address.clone().unwrap_or_default(),
    }
}

pub async fn new_form(ctx: PageCtx) -> Response {
    let input = FacilityInput {
        kind: "clinic".into(),
        ..Default::default()
    };
    form_page(ctx, "/facilities".into(), input, Issues::default(), true)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Form(input): Form<FacilityInput>,
) -> AppResult<Response> {
    let organisation = principal
        .organisation_for(Action::AdministerOrganisation)
        .ok_or_else(AppError::forbidden)?;
    let profile = match input.validate() {
        Ok(profile) => profile,
        Err(issues) => return Ok(form_page(ctx, "/facilities".into(), input, issues, true)),
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    let facility = match tx.create_facility(organisation, &profile).await {
        Ok(facility) => facility,
        Err(mimamori_store::StoreError::Conflict) => {
            let issues = Issues(vec![mimamori_domain::Issue::new("code", "duplicate")]);
            return Ok(form_page(ctx, "/facilities".into(), input, issues, true));
        }
        Err(e) => return Err(e.into()),
    };
    // A new facility starts with the contacts every facility needs, to be completed.
    tx.seed_contact_chart(facility.id, profile.prefecture.as_deref())
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/facilities/{}", facility.profile.code)).into_response())
}

#[derive(Template)]
#[template(path = "facilities/show.html")]
struct ShowPage {
    ctx: PageCtx,
    facility: Facility,
    kind: String,
    roles: Vec<String>,
    status: super::status::FacilityStatus,
    appointments: Vec<StoredAppointment>,
    can_edit: bool,
    can_members: bool,
    can_audit: bool,
}

impl ShowPage {
    fn role_label(&self, a: &StoredAppointment) -> &'static str {
        a.appointment.role.label(self.ctx.lang)
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let today = state.store.clock().today_jst();
    let appointments = state.store.appointments(fctx.facility.id).await?;
    let status = super::status::facility_status(&state.store, &fctx.facility, ctx.lang).await?;
    let allows = |action| fctx.roles.iter().any(|r| r.allows(action));
    let page = ShowPage {
        kind: fctx.facility.profile.kind.label(ctx.lang).to_string(),
        roles: fctx
            .roles
            .iter()
            .map(|r| r.label(ctx.lang).to_string())
            .collect(),
        status,
        appointments: appointments
            .into_iter()
            .filter(|a| a.appointment.is_current(today))
            .collect(),
        can_edit: allows(Action::EditFacility),
        can_members: allows(Action::ManageMembers),
        can_audit: allows(Action::ViewAudit),
        facility: fctx.facility,
        ctx,
    };
    Ok(render(&page))
}

pub async fn edit_form(ctx: PageCtx, Extension(fctx): Extension<FacilityCtx>) -> Response {
    let action = format!("/facilities/{}", fctx.facility.profile.code);
    form_page(
        ctx,
        action,
        input_of(&fctx.facility),
        Issues::default(),
        false,
    )
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(input): Form<FacilityInput>,
) -> AppResult<Response> {
    let action = format!("/facilities/{}", fctx.facility.profile.code);
    let profile = match input.validate() {
        Ok(profile) => profile,
        Err(issues) => return Ok(form_page(ctx, action, input, issues, false)),
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    match tx.update_facility(&fctx.facility, &profile).await {
        Ok(()) => {}
        Err(mimamori_store::StoreError::Conflict) => {
            let issues = Issues(vec![mimamori_domain::Issue::new("code", "duplicate")]);
            return Ok(form_page(ctx, action, input, issues, false));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/facilities/{}", profile.code)).into_response())
}
