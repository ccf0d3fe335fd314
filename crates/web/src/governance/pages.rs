use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::governance::{governance_findings, AppointedRole, AppointmentInput, Tenure};
use mimamori_domain::Issues;
use mimamori_store::facilities::Facility;
use mimamori_store::governance::StoredAppointment;

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::AppResult;
use crate::view::{render_form, FormErrors, PageCtx};
use crate::AppState;

/// A row of the role table (役割表), in the user's language.
pub struct RoleRow {
    pub id: i64,
    pub role: String,
    pub duty: String,
    pub person: String,
    pub position: String,
    pub department: String,
    pub tenure: String,
    pub term: String,
    pub current: bool,
    pub note: String,
}

#[derive(Template)]
#[template(path = "governance/list.html")]
struct ListPage {
    ctx: PageCtx,
    facility: Facility,
    rows: Vec<RoleRow>,
    vacant: Vec<String>,
    findings: Vec<String>,
    can_manage: bool,
    form: AppointmentInput,
    errors: FormErrors,
    roles: Choices,
    tenures: Choices,
    today: String,
}

#[derive(Template)]
#[template(path = "governance/edit.html")]
struct EditPage {
    ctx: PageCtx,
    facility: Facility,
    id: i64,
    form: AppointmentInput,
    errors: FormErrors,
    roles: Choices,
    tenures: Choices,
}

impl ListPage {
    /// The shared form posts to the list when adding.
    fn edit_id(&self) -> Option<i64> {
        None
    }
}

impl EditPage {
    fn edit_id(&self) -> Option<i64> {
        Some(self.id)
    }
}

/// (code, label) pairs for a select box.
type Choices = Vec<(&'static str, &'static str)>;

fn choices(ctx: &PageCtx) -> (Choices, Choices) {
    (
        AppointedRole::ALL
            .iter()
            .map(|r| (r.code(), r.label(ctx.lang)))
            .collect(),
        Tenure::ALL
            .iter()
            .map(|t| (t.code(), t.label(ctx.lang)))
            .collect(),
    )
}

fn row(ctx: &PageCtx, stored: &StoredAppointment, today: chrono::NaiveDate) -> RoleRow {
    let a = &stored.appointment;
    let date = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let term = match (a.from_on, a.until_on) {
        (None, None) => String::new(),
        (from, until) => format!("{} 〜 {}", date(from), date(until)),
    };
    RoleRow {
        id: stored.id,
        role: a.role.label(ctx.lang).to_string(),
        duty: a.role.duty(ctx.lang).to_string(),
        person: a.person_name.clone(),
        position: a.position.clone().unwrap_or_default(),
        department: a.department.clone().unwrap_or_default(),
        tenure: a
            .tenure
            .map(|t| t.label(ctx.lang).to_string())
            .unwrap_or_default(),
        term,
        current: a.is_current(today),
        note: a.note.clone().unwrap_or_default(),
    }
}

async fn list_page(
    state: &AppState,
    ctx: PageCtx,
    fctx: FacilityCtx,
    form: AppointmentInput,
    issues: Issues,
) -> AppResult<Response> {
    let today = state.store.clock().today_jst();
    let stored = state.store.appointments(fctx.facility.id).await?;
    let plain: Vec<_> = stored.iter().map(|a| a.appointment.clone()).collect();
    let findings = governance_findings(
        fctx.facility.profile.kind,
        fctx.facility.profile.beds,
        &plain,
        today,
    )
    .iter()
    .map(|f| f.message(ctx.lang))
    .collect();
    let vacant = AppointedRole::ALL
        .iter()
        .filter(|role| {
            !plain
                .iter()
                .any(|a| a.role == **role && a.is_current(today))
        })
        .map(|role| role.label(ctx.lang).to_string())
        .collect();
    let rows = stored.iter().map(|s| row(&ctx, s, today)).collect();
    let (roles, tenures) = choices(&ctx);
    let invalid = !issues.is_empty();
    let page = ListPage {
        can_manage: fctx
            .roles
            .iter()
            .any(|r| r.allows(Action::ManageGovernance)),
        errors: FormErrors::new(ctx.lang, issues),
        facility: fctx.facility,
        rows,
        vacant,
        findings,
        form,
        roles,
        tenures,
        today: today.format("%Y-%m-%d").to_string(),
        ctx,
    };
    Ok(render_form(&page, invalid))
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let form = AppointmentInput {
        role: "security_officer".into(),
        ..Default::default()
    };
    list_page(&state, ctx, fctx, form, Issues::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(form): Form<AppointmentInput>,
) -> AppResult<Response> {
    let appointment = match form.validate() {
        Ok(a) => a,
        Err(issues) => return list_page(&state, ctx, fctx, form, issues).await,
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.create_appointment(fctx.facility.id, &appointment)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/governance",
        fctx.facility.profile.code
    ))
    .into_response())
}

fn input_of(stored: &StoredAppointment) -> AppointmentInput {
    let a = &stored.appointment;
    let date = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    AppointmentInput {
        role: a.role.code().to_string(),
        person_name: a.person_name.clone(),
        position: a.position.clone().unwrap_or_default(),
        department: a.department.clone().unwrap_or_default(),
        tenure: a.tenure.map(|t| t.code().to_string()).unwrap_or_default(),
        from_on: date(a.from_on),
        until_on: date(a.until_on),
        note: a.note.clone().unwrap_or_default(),
    }
}

fn edit_page(
    ctx: PageCtx,
    facility: Facility,
    id: i64,
    form: AppointmentInput,
    issues: Issues,
) -> Response {
    let (roles, tenures) = choices(&ctx);
    let invalid = !issues.is_empty();
    let errors = FormErrors::new(ctx.lang, issues);
    render_form(
        &EditPage {
            ctx,
            facility,
            id,
            form,
            errors,
            roles,
            tenures,
        },
        invalid,
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let stored = state.store.appointment(fctx.facility.id, id).await?;
    Ok(edit_page(
        ctx,
        fctx.facility,
        id,
        input_of(&stored),
        Issues::default(),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<AppointmentInput>,
) -> AppResult<Response> {
    let stored = state.store.appointment(fctx.facility.id, id).await?;
    let appointment = match form.validate() {
        Ok(a) => a,
        Err(issues) => return Ok(edit_page(ctx, fctx.facility, id, form, issues)),
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.update_appointment(&stored, &appointment).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/governance",
        fctx.facility.profile.code
    ))
    .into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let stored = state.store.appointment(fctx.facility.id, id).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.delete_appointment(&stored).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/governance",
        fctx.facility.profile.code
    ))
    .into_response())
}
