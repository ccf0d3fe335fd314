//! Incident pages: the register with its clocks, the form, the incident page and its actions.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::incidents::first_response::{Step, STEPS};
use mimamori_domain::incidents::reporting::{Clock, ClockState};
use mimamori_domain::incidents::{
    choice_label, Incident, KINDS, PERSONAL_DATA, SEVERITIES, STATUSES,
};
use mimamori_domain::ledger::register::Choice;
use mimamori_domain::Issues;
use mimamori_store::facilities::Facility;
use mimamori_store::incidents::{IncidentDetail, StepDone, StoredIncident};
use serde::Deserialize;

use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::Attachment;
use crate::error::AppResult;
use crate::view::{render, render_form, FormErrors, PageCtx};
use crate::AppState;

/// The menu's 「インシデント対応」: the facility's preparedness hub.
pub async fn entry() -> axum::response::Response {
    crate::facilities::choose::area_entry("preparedness")
}

fn base(facility: &Facility) -> String {
    format!("/facilities/{}/incidents", facility.profile.code)
}

pub struct Row {
    pub stored: StoredIncident,
    pub clocks: Vec<Clock>,
}

impl Row {
    pub fn overdue(&self) -> Vec<&Clock> {
        self.clocks
            .iter()
            .filter(|c| c.state == ClockState::Overdue)
            .collect()
    }

    pub fn due(&self) -> Vec<&Clock> {
        self.clocks
            .iter()
            .filter(|c| c.state == ClockState::Due)
            .collect()
    }
}

#[derive(Template)]
#[template(path = "incidents/list.html")]
struct ListPage {
    ctx: PageCtx,
    facility: Facility,
    rows: Vec<Row>,
    show_closed: bool,
    can_edit: bool,
}

impl ListPage {
    fn label(&self, choices: &[Choice], code: &str) -> String {
        choice_label(choices, code, self.ctx.l())
    }
    fn kinds(&self) -> &'static [Choice] {
        KINDS
    }
    fn statuses(&self) -> &'static [Choice] {
        STATUSES
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub closed: String,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let show_closed = query.closed == "1";
    let today = state.store.clock().today_jst();
    let rows = state
        .store
        .incident_clocks(fctx.facility.id, show_closed, today)
        .await?
        .into_iter()
        .map(|(stored, clocks)| Row { stored, clocks })
        .collect();
    Ok(render(&ListPage {
        can_edit: principal.can(&fctx.facility, Action::EditFacility),
        rows,
        show_closed,
        facility: fctx.facility,
        ctx,
    }))
}

#[derive(Template)]
#[template(path = "incidents/form.html")]
struct FormPage {
    ctx: PageCtx,
    facility: Facility,
    action: String,
    values: BTreeMap<String, String>,
    errors: FormErrors,
    creating: bool,
    systems: Vec<String>,
}

impl FormPage {
    fn value(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
    fn choices(&self, key: &str) -> Vec<(&'static str, &'static str)> {
        let list: &[Choice] = match key {
            "kind" => KINDS,
            "personal_data" => PERSONAL_DATA,
            "severity" => SEVERITIES,
            _ => STATUSES,
        };
        list.iter()
            .map(|(c, ja, en)| (*c, self.ctx.t(ja, en)))
            .collect()
    }
    fn selects(&self) -> Vec<(&'static str, &'static str, bool)> {
        vec![
            ("kind", self.ctx.t("種別", "Kind"), true),
            (
                "personal_data",
                self.ctx.t("個人情報の漏えい等", "Personal data affected"),
                false,
            ),
            ("severity", self.ctx.t("重大度", "Severity"), false),
            ("status", self.ctx.t("状態", "Status"), false),
        ]
    }
    fn checked(&self, key: &str) -> bool {
        self.value(key) == "yes"
    }
}

async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    facility: Facility,
    action: String,
    values: BTreeMap<String, String>,
    issues: Issues,
    creating: bool,
) -> AppResult<Response> {
    let invalid = !issues.is_empty();
    let systems = state.store.references(facility.id).await?.systems;
    Ok(render_form(
        &FormPage {
            errors: FormErrors::new(ctx.lang, issues),
            ctx,
            facility,
            action,
            values,
            creating,
            systems,
        },
        invalid,
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let mut values = BTreeMap::new();
    values.insert(
        "discovered_at".to_string(),
        super::now_jst(&state.store)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    );
    // What the register stores when nothing is chosen; the most severe is chosen on purpose.
    values.insert("severity".to_string(), "medium".to_string());
    let action = base(&fctx.facility);
    form_page(
        &state,
        ctx,
        fctx.facility,
        action,
        values,
        Issues::default(),
        true,
    )
    .await
}

/// Checkboxes send nothing when unticked: read them as no.
fn with_flags(mut raw: BTreeMap<String, String>) -> BTreeMap<String, String> {
    for key in ["sensitive_data", "improper_purpose", "care_disrupted"] {
        raw.entry(key.to_string())
            .or_insert_with(|| "no".to_string());
    }
    raw.remove("csrf");
    raw
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(raw): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let raw = with_flags(raw);
    match super::validate(&state.store, &raw) {
        Ok(incident) => {
            let id = super::create(
                &state.store,
                &principal.actor(),
                fctx.facility.id,
                &incident,
            )
            .await?;
            Ok(Redirect::to(&format!("{}/{id}", base(&fctx.facility))).into_response())
        }
        Err(issues) => {
            let action = base(&fctx.facility);
            form_page(&state, ctx, fctx.facility, action, raw, issues, true).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Response> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    let action = format!("{}/{}", base(&fctx.facility), stored.id);
    form_page(
        &state,
        ctx,
        fctx.facility,
        action,
        stored.incident.to_raw(),
        Issues::default(),
        false,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Form(raw): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    let raw = with_flags(raw);
    let url = format!("{}/{}", base(&fctx.facility), stored.id);
    match super::validate(&state.store, &raw) {
        Ok(incident) => {
            super::update(&state.store, &principal.actor(), &stored, &incident).await?;
            Ok(Redirect::to(&url).into_response())
        }
        Err(issues) => form_page(&state, ctx, fctx.facility, url, raw, issues, false).await,
    }
}

#[derive(Template)]
#[template(path = "incidents/show.html")]
struct ShowPage {
    ctx: PageCtx,
    facility: Facility,
    detail: IncidentDetail,
    clocks: Vec<Clock>,
    can_edit: bool,
}

impl ShowPage {
    fn incident(&self) -> &Incident {
        &self.detail.stored.incident
    }
    fn label(&self, choices: &[Choice], code: &str) -> String {
        choice_label(choices, code, self.ctx.l())
    }
    fn kinds(&self) -> &'static [Choice] {
        KINDS
    }
    fn personal(&self) -> &'static [Choice] {
        PERSONAL_DATA
    }
    fn severities(&self) -> &'static [Choice] {
        SEVERITIES
    }
    fn statuses(&self) -> &'static [Choice] {
        STATUSES
    }
    fn steps(&self) -> Vec<(&'static Step, Option<&StepDone>)> {
        STEPS
            .iter()
            .map(|s| (s, self.detail.steps.iter().find(|d| d.step_key == s.key)))
            .collect()
    }
    fn yes_no(&self, flag: &bool) -> &'static str {
        if *flag {
            self.ctx.t("はい", "Yes")
        } else {
            self.ctx.t("いいえ", "No")
        }
    }
    fn base(&self) -> String {
        format!("{}/{}", base(&self.facility), self.detail.stored.id)
    }
}

#[derive(Template)]
#[template(path = "incidents/print.html")]
struct PrintPage {
    p: ShowPage,
    today: chrono::NaiveDate,
}

async fn show_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &crate::auth::Principal,
    fctx: FacilityCtx,
    id: i64,
    print: bool,
) -> AppResult<Response> {
    let detail = state.store.incident_detail(fctx.facility.id, id).await?;
    let today = state.store.clock().today_jst();
    let page = ShowPage {
        can_edit: principal.can(&fctx.facility, Action::EditFacility) && !print,
        clocks: detail.clocks(today),
        detail,
        facility: fctx.facility,
        ctx,
    };
    Ok(if print {
        render(&PrintPage { p: page, today })
    } else {
        render(&page)
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Response> {
    show_page(&state, ctx, &principal, fctx, path.1, false).await
}

/// The A4 print view of the incident report.
pub async fn print(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Response> {
    show_page(&state, ctx, &principal, fctx, path.1, true).await
}

pub async fn export(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Response> {
    let detail = state
        .store
        .incident_detail(fctx.facility.id, path.1)
        .await?;
    let exported = super::report_xlsx(
        &fctx.facility.profile.name,
        &detail,
        state.store.clock().today_jst(),
    )?;
    state
        .store
        .record_event(
            &principal.actor(),
            mimamori_store::AuditRecord::new("export", "incident")
                .facility(Some(fctx.facility.id))
                .id(path.1),
        )
        .await?;
    Ok(exported.attachment(&format!("incident-{}", detail.stored.number)))
}

#[derive(Debug, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    pub happened_at: String,
    #[serde(default)]
    pub entry: String,
}

pub async fn add_entry(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Form(form): Form<EntryForm>,
) -> AppResult<Response> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    super::add_entry(
        &state.store,
        &principal.actor(),
        &stored,
        &form.happened_at,
        &form.entry,
    )
    .await?;
    Ok(Redirect::to(&format!("{}/{}#timeline", base(&fctx.facility), stored.id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub done: String,
    #[serde(default)]
    pub done_at: String,
    #[serde(default)]
    pub done_by: String,
    #[serde(default)]
    pub note: String,
}

pub async fn set_step(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, String)>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    super::set_step(
        &state.store,
        &principal.actor(),
        &stored,
        &path.2,
        super::StepInput {
            done: form.done == "1",
            at: &form.done_at,
            by: &form.done_by,
            note: &form.note,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("{}/{}#steps", base(&fctx.facility), stored.id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub note: String,
}

pub async fn record_report(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, String)>,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    let stored = state.store.incident(fctx.facility.id, path.1).await?;
    super::record_report(
        &state.store,
        &principal.actor(),
        &stored,
        &path.2,
        &form.state,
        &form.on,
        &form.note,
    )
    .await?;
    Ok(Redirect::to(&format!("{}/{}#reports", base(&fctx.facility), stored.id)).into_response())
}
