//! ID application pages (seed 004 Art. 12): file an application for a new ID, a change of
//! rights or revocation; the system manager approves or rejects it; then it is carried out in
//! the ledger. Each step shows who and when.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::accounts::workflow::{ApplicationKind, ApplicationStatus};
use mimamori_domain::accounts::{choice_label, distinct_choices, Privileges, JOB_TYPES};
use mimamori_domain::validation::search_key;
use mimamori_store::accounts::{Application, NewApplication};
use mimamori_store::facilities::Facility;
use mimamori_store::Actor;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{systems, SystemRef};
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "accounts/applications.html")]
struct ApplicationsPage {
    ctx: PageCtx,
    facility: Facility,
    applications: Vec<Application>,
    systems: Vec<SystemRef>,
    can_apply: bool,
}

impl ApplicationsPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        ApplicationKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(self.ctx.lang)))
            .collect()
    }

    fn jobs(&self) -> Vec<(&'static str, &'static str)> {
        distinct_choices(JOB_TYPES)
            .into_iter()
            .map(|(c, ja, en)| (*c, self.ctx.t(ja, en)))
            .collect()
    }

    fn kind(&self, a: &Application) -> &'static str {
        a.kind().label(self.ctx.lang)
    }

    fn status(&self, a: &Application) -> &'static str {
        a.status().label(self.ctx.lang)
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    Ok(render(&ApplicationsPage {
        can_apply: principal.can(&fctx.facility, Action::EditFacility),
        applications: state.store.applications(fctx.facility.id).await?,
        systems: systems(&state.store, fctx.facility.id).await?,
        facility: fctx.facility,
        ctx,
    }))
}

/// An application as filed from the form or the API.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplicationForm {
    /// new | change | revoke
    pub kind: String,
    /// The system's name as in the systems register.
    pub system: String,
    pub applicant: String,
    #[serde(default)]
    pub staff_number: String,
    /// Job type code (doctor, nurse, clerk, …).
    #[serde(default)]
    pub job_type: String,
    /// e.g. 「診療記録:更新、画像:参照」.
    #[serde(default)]
    pub privileges: String,
    /// "yes" for administrator rights.
    #[serde(default)]
    pub privileged: String,
    pub reason: String,
    /// The ID wished for (new) or concerned (change, revoke).
    #[serde(default)]
    pub login_id: String,
}

/// Validates and files an application; returns its id. Shared with the API.
pub async fn file(
    state: &AppState,
    actor: &Actor,
    facility: &Facility,
    form: &ApplicationForm,
) -> AppResult<i64> {
    let bad = |ja: String, en: String| AppError::bad_request(ja, en);
    let kind = ApplicationKind::parse(&form.kind).ok_or_else(|| {
        bad(
            "申請の種類を選んでください。".into(),
            "Choose the kind of application.".into(),
        )
    })?;
    let system = super::system_named(&state.store, facility.id, &form.system).await?;
    if form.applicant.trim().is_empty() || form.reason.trim().is_empty() {
        return Err(bad(
            "申請者と理由を入力してください。".into(),
            "Enter the applicant and the reason.".into(),
        ));
    }
    if !form.job_type.is_empty() && !JOB_TYPES.iter().any(|(c, _, _)| *c == form.job_type) {
        return Err(bad(
            format!("職種「{}」は選べません。", form.job_type),
            format!("Unknown job type {}.", form.job_type),
        ));
    }
    let privileges = Privileges::parse(&form.privileges).map_err(|e| {
        bad(
            format!(
                "権限「{}」を読めません。「診療記録:更新、画像:参照」のように書いてください。",
                e.0
            ),
            format!("Cannot read the privilege \"{}\".", e.0),
        )
    })?;
    let account_id = match kind {
        ApplicationKind::New => None,
        ApplicationKind::Change | ApplicationKind::Revoke => {
            let login = search_key(&form.login_id);
            let account = state
                .store
                .all_accounts(facility.id, Some(&system.name))
                .await?
                .into_iter()
                .find(|a| a.key() == login)
                .ok_or_else(|| {
                    bad(
                        format!(
                            "利用者ID「{}」は{}のID台帳にありません。",
                            form.login_id, system.name
                        ),
                        format!(
                            "Login ID {} is not in {}'s ledger.",
                            form.login_id, system.name
                        ),
                    )
                })?;
            Some(account.id)
        }
    };
    let application = NewApplication {
        kind,
        system: system.name,
        account_id,
        applicant: form.applicant.trim().to_string(),
        staff_number: mimamori_domain::validation::nfkc(form.staff_number.trim()),
        job_type: form.job_type.clone(),
        privileges,
        privileged: form.privileged == "yes",
        reason: form.reason.trim().to_string(),
        login_id: form.login_id.trim().to_string(),
    };
    let mut tx = state.store.write(actor).await?;
    let id = tx.file_application(facility.id, &application).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(form): Form<ApplicationForm>,
) -> AppResult<Response> {
    let id = file(&state, &principal.actor(), &fctx.facility, &form).await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/applications/{id}",
        fctx.facility.profile.code
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "accounts/application.html")]
struct ApplicationPage {
    ctx: PageCtx,
    facility: Facility,
    application: Application,
    can_decide: bool,
    can_carry_out: bool,
}

impl ApplicationPage {
    fn kind(&self) -> &'static str {
        self.application.kind().label(self.ctx.lang)
    }

    fn status(&self) -> &'static str {
        self.application.status().label(self.ctx.lang)
    }

    fn job(&self) -> String {
        choice_label(JOB_TYPES, &self.application.job_type, self.ctx.lang)
    }

    fn privileges(&self) -> String {
        Privileges::parse(&self.application.privileges)
            .map(|p| p.display(self.ctx.lang))
            .unwrap_or_default()
    }

    fn base(&self) -> String {
        format!(
            "/facilities/{}/accounts/applications/{}",
            self.facility.profile.code, self.application.id
        )
    }

    fn is_new(&self) -> bool {
        self.application.kind() == ApplicationKind::New
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Response> {
    let application = state.store.application(fctx.facility.id, path.1).await?;
    let status = application.status();
    Ok(render(&ApplicationPage {
        can_decide: status == ApplicationStatus::Applied
            && principal.can(&fctx.facility, Action::ManageGovernance),
        can_carry_out: status == ApplicationStatus::Approved
            && principal.can(&fctx.facility, Action::EditFacility),
        application,
        facility: fctx.facility,
        ctx,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionForm {
    /// approve | reject
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

pub async fn decide_application(
    state: &AppState,
    actor: &Actor,
    facility: &Facility,
    id: i64,
    form: &DecisionForm,
) -> AppResult<()> {
    let application = state.store.application(facility.id, id).await?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(AppError::bad_request(
                "承認か却下を選んでください。",
                "Choose approve or reject.",
            ))
        }
    };
    let mut tx = state.store.write(actor).await?;
    tx.decide_application(facility.id, &application, approve, &form.note)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn decide(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    decide_application(&state, &principal.actor(), &fctx.facility, path.1, &form).await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/applications/{}",
        fctx.facility.profile.code, path.1
    ))
    .into_response())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CarryOutForm {
    /// The login ID issued (new IDs; defaults to the one applied for).
    #[serde(default)]
    pub login_id: String,
}

pub async fn carry_out_application(
    state: &AppState,
    actor: &Actor,
    facility: &Facility,
    id: i64,
    form: &CarryOutForm,
) -> AppResult<i64> {
    let application = state.store.application(facility.id, id).await?;
    let mut tx = state.store.write(actor).await?;
    let account = tx
        .carry_out_application(facility.id, &application, &form.login_id)
        .await?;
    tx.commit().await?;
    Ok(account)
}

pub async fn carry_out(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Form(form): Form<CarryOutForm>,
) -> AppResult<Response> {
    carry_out_application(&state, &principal.actor(), &fctx.facility, path.1, &form).await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/applications/{}",
        fctx.facility.profile.code, path.1
    ))
    .into_response())
}
