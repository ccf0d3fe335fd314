//! Checklist pages: the year's overview (own form and vendor forms), an assessment with its
//! items, answering, sign-off / unlock and roll-over.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::checklist::{Answer, AnswerInput, Form as ChecklistForm, Gap};
use mimamori_domain::clock::{fiscal_year, fiscal_year_label_ja};
use mimamori_domain::ledger::registers::SYSTEMS;
use mimamori_domain::validation::search_key;
use mimamori_domain::Issues;
use mimamori_store::checklist::{Assessment, AssessmentKey};
use mimamori_store::facilities::Facility;
use serde::Deserialize;

use super::{facility_findings, load_view, own_form, own_key, record_link, AssessmentView};
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, render_form, FormErrors, PageCtx};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<i32>,
}

pub fn year_label(year: i32) -> String {
    format!("{}（{year}年度）", fiscal_year_label_ja(year))
}

/// A row of the overview: one form to collect.
pub struct FormRow {
    pub label: String,
    pub vendor: String,
    pub system: String,
    pub assessment: Option<Assessment>,
    pub ready: usize,
    pub total: usize,
}

#[derive(Template)]
#[template(path = "checklist/overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    facility: Facility,
    year: i32,
    year_label: String,
    years: Vec<i32>,
    own: FormRow,
    vendors: Vec<FormRow>,
    previous_own: Option<Assessment>,
    can_edit: bool,
    findings: usize,
}

async fn row(state: &AppState, label: String, key: &AssessmentKey) -> AppResult<FormRow> {
    let assessment = state.store.find_assessment(key).await?;
    let (ready, total) = match &assessment {
        Some(a) => {
            let view = load_view(&state.store, a.clone(), None, None).await?;
            (view.ready_count(), view.items.len())
        }
        None => (0, 0),
    };
    Ok(FormRow {
        label,
        vendor: key.vendor.clone(),
        system: key.system.clone(),
        assessment,
        ready,
        total,
    })
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let current = fiscal_year(state.store.clock().today_jst());
    let year = q.year.unwrap_or(current);
    let facility = fctx.facility.clone();
    let own_label = own_form(&facility).label(ctx.lang).to_string();
    let own = row(&state, own_label, &own_key(&facility, year)).await?;
    // Every (vendor, system) of the systems register, plus vendor forms already on file.
    let mut pairs: Vec<(String, String)> = state
        .store
        .all_records(facility.id, &SYSTEMS)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some((
                r.record.get("vendor")?.to_string(),
                r.record.get("name")?.to_string(),
            ))
        })
        .collect();
    for a in state.store.assessments(facility.id, Some(year)).await? {
        let known = pairs.iter().any(|(v, s)| {
            search_key(v) == search_key(&a.vendor) && search_key(s) == search_key(&a.system)
        });
        if a.form == ChecklistForm::Vendor && !known {
            pairs.push((a.vendor.clone(), a.system.clone()));
        }
    }
    let mut vendors = Vec::new();
    for (vendor, system) in pairs {
        let key = AssessmentKey {
            facility_id: facility.id,
            fiscal_year: year,
            form: ChecklistForm::Vendor,
            vendor,
            system,
        };
        vendors.push(
            row(
                &state,
                ChecklistForm::Vendor.label(ctx.lang).to_string(),
                &key,
            )
            .await?,
        );
    }
    let previous_own = if own.assessment.is_none() {
        state
            .store
            .find_assessment(&own_key(&facility, year - 1))
            .await?
    } else {
        None
    };
    let (_, findings) = facility_findings(&state.store, &facility).await?;
    let page = OverviewPage {
        can_edit: fctx.roles.iter().any(|r| r.allows(Action::EditFacility)),
        year_label: year_label(year),
        years: (2023..=current + 1).rev().collect(),
        findings: findings.len(),
        facility,
        year,
        own,
        vendors,
        previous_own,
        ctx,
    };
    Ok(render_form(&page, false))
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    pub fiscal_year: i32,
    #[serde(default)]
    pub form: String,
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub system: String,
}

/// Creates an assessment (own form or a vendor form) and opens it.
pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    let id = create_assessment(&state, &principal.actor(), &fctx.facility, &form).await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/checklist/{id}",
        fctx.facility.profile.code
    ))
    .into_response())
}

pub async fn create_assessment(
    state: &AppState,
    actor: &mimamori_store::Actor,
    facility: &Facility,
    form: &CreateForm,
) -> AppResult<i64> {
    let kind = if form.form.is_empty() {
        own_form(facility)
    } else {
        ChecklistForm::parse(&form.form).ok_or_else(|| {
            AppError::bad_request(
                "様式は facility / pharmacy / vendor です。",
                "Form must be facility, pharmacy or vendor.",
            )
        })?
    };
    let vendor_form = kind == ChecklistForm::Vendor;
    if vendor_form && (form.vendor.trim().is_empty() || form.system.trim().is_empty()) {
        let mut issues = Issues::default();
        issues.push(mimamori_domain::Issue::new("vendor", "required"));
        return Err(AppError::invalid(&issues));
    }
    if !(2020..=2100).contains(&form.fiscal_year) {
        return Err(AppError::bad_request(
            "年度が正しくありません。",
            "Invalid fiscal year.",
        ));
    }
    if state
        .store
        .edition_for(form.fiscal_year, kind)
        .await?
        .is_none()
    {
        return Err(AppError::bad_request(
            "この年度・様式のチェックリスト版がありません。",
            "No checklist edition exists for this year and form.",
        ));
    }
    let key = AssessmentKey {
        facility_id: facility.id,
        fiscal_year: form.fiscal_year,
        form: kind,
        vendor: if vendor_form {
            form.vendor.trim().to_string()
        } else {
            String::new()
        },
        system: if vendor_form {
            form.system.trim().to_string()
        } else {
            String::new()
        },
    };
    let mut tx = state.store.write(actor).await?;
    let id = tx.create_assessment(&key).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Template)]
#[template(path = "checklist/assessment.html")]
struct AssessmentPage {
    ctx: PageCtx,
    facility: Facility,
    view: AssessmentView,
    year_label: String,
    can_edit: bool,
    can_sign: bool,
    /// The item whose form failed validation, its input and messages.
    failed: Option<(String, AnswerInput)>,
    errors: FormErrors,
}

impl AssessmentPage {
    fn base(&self) -> String {
        format!(
            "/facilities/{}/checklist/{}",
            self.facility.profile.code, self.view.assessment.id
        )
    }

    fn input_for(&self, key: &str) -> AnswerInput {
        if let Some((failed, input)) = &self.failed {
            if failed == key {
                return input.clone();
            }
        }
        self.view
            .answer_of(key)
            .map(|a| a.to_input())
            .unwrap_or_default()
    }

    fn errors_for(&self, key: &str, field: &str) -> String {
        match &self.failed {
            Some((failed, _)) if failed == key => self.errors.get(field).unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn gap_text(&self, gap: &Gap) -> &'static str {
        gap.message(self.ctx.lang)
    }

    fn link(&self, record: &mimamori_domain::findings::RecordRef) -> String {
        record_link(&self.facility.profile.code, record)
    }

    fn answer_codes(&self, iv: &super::ItemView) -> Vec<(&'static str, &'static str)> {
        let allow_na = iv.item.allow_not_applicable;
        Answer::ALL
            .iter()
            .filter(|a| allow_na || **a != Answer::NotApplicable)
            .map(|a| (a.code(), a.label(self.ctx.lang)))
            .collect()
    }

    fn date_fields(&self, input: &AnswerInput) -> Vec<(&'static str, &'static str, String)> {
        let t = |ja, en| self.ctx.lang.pick(ja, en);
        vec![
            (
                "first_checked_on",
                t("確認日（1回目）", "1st check"),
                input.first_checked_on.clone(),
            ),
            (
                "second_checked_on",
                t("確認日（2回目）", "2nd check"),
                input.second_checked_on.clone(),
            ),
            (
                "target_on",
                t("目標日（いいえの場合）", "Target date (if No)"),
                input.target_on.clone(),
            ),
        ]
    }

    fn short_hash(&self, e: &mimamori_store::checklist::Evidence) -> String {
        e.sha256
            .as_deref()
            .unwrap_or_default()
            .chars()
            .take(12)
            .collect()
    }

    fn answer_text(&self, answer: &mimamori_domain::checklist::ItemAnswer) -> &'static str {
        super::answer_label(answer.answer, self.ctx.lang)
    }
}

async fn assessment_page(
    state: &AppState,
    ctx: PageCtx,
    fctx: FacilityCtx,
    id: i64,
    failed: Option<(String, AnswerInput)>,
    issues: Issues,
) -> AppResult<Response> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let (facts, findings) = facility_findings(&state.store, &fctx.facility).await?;
    let view = load_view(&state.store, assessment, Some(&findings), Some(&facts)).await?;
    let invalid = !issues.is_empty();
    let page = AssessmentPage {
        year_label: year_label(view.assessment.fiscal_year),
        can_edit: fctx.roles.iter().any(|r| r.allows(Action::EditFacility)),
        can_sign: fctx
            .roles
            .iter()
            .any(|r| r.allows(Action::ManageGovernance)),
        facility: fctx.facility,
        view,
        failed,
        errors: FormErrors::new(ctx.lang, issues),
        ctx,
    };
    Ok(render_form(&page, invalid))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    assessment_page(&state, ctx, fctx, id, None, Issues::default()).await
}

/// Validates and writes one item's answer; on error the page comes back with the message next
/// to the field and the input kept.
pub async fn answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id, key)): Path<(String, i64, String)>,
    Form(input): Form<AnswerInput>,
) -> AppResult<Response> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let answer = match validate_answer(&state, &assessment, &key, &input).await? {
        Ok(answer) => answer,
        Err(issues) => {
            return assessment_page(&state, ctx, fctx, id, Some((key, input)), issues).await
        }
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.save_answer(&assessment, &key, &answer).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/checklist/{id}#item-{key}",
        fctx.facility.profile.code
    ))
    .into_response())
}

/// The item must exist in the assessment's edition; then the domain validates the answer.
pub async fn validate_answer(
    state: &AppState,
    assessment: &Assessment,
    key: &str,
    input: &AnswerInput,
) -> AppResult<Result<mimamori_domain::checklist::ItemAnswer, Issues>> {
    let item = super::edition_item(&state.store, assessment, key).await?;
    Ok(input.validate(&item, assessment.fiscal_year))
}

#[derive(Debug, Default, Deserialize)]
pub struct SignOffForm {
    /// Set by the confirmation page: sign off although items are unanswered.
    #[serde(default)]
    pub incomplete: String,
}

/// Items not answered yet, listed before an incomplete assessment is signed off.
pub struct Unanswered {
    pub number: String,
    pub text: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "checklist/sign_off_confirm.html")]
struct SignOffConfirmPage {
    ctx: PageCtx,
    base: String,
    total: usize,
    unanswered: Vec<Unanswered>,
}

/// Signs off (locks) the assessment; with items unanswered it first asks, listing them.
pub async fn sign_off(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<SignOffForm>,
) -> AppResult<Response> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let base = format!("/facilities/{}/checklist/{id}", fctx.facility.profile.code);
    if form.incomplete != "1" {
        let view = load_view(&state.store, assessment.clone(), None, None).await?;
        let unanswered: Vec<Unanswered> = view
            .items
            .iter()
            .filter(|iv| iv.answer.as_ref().and_then(|a| a.answer).is_none())
            .map(|iv| Unanswered {
                number: iv.item.display_number(ctx.lang),
                text: iv.item.display_text(ctx.lang),
                link: format!("{base}#item-{}", iv.item.key),
            })
            .collect();
        if !unanswered.is_empty() {
            return Ok(render(&SignOffConfirmPage {
                total: view.items.len(),
                ctx,
                base,
                unanswered,
            }));
        }
    }
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.sign_off(&assessment).await?;
    tx.commit().await?;
    Ok(Redirect::to(&base).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct UnlockForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn unlock(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<UnlockForm>,
) -> AppResult<Response> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    if form.reason.trim().is_empty() {
        let mut issues = Issues::default();
        issues.push(mimamori_domain::Issue::new("reason", "required"));
        return Err(AppError::invalid(&issues));
    }
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.unlock(&assessment, form.reason.trim()).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/checklist/{id}",
        fctx.facility.profile.code
    ))
    .into_response())
}

/// Starts the next fiscal year from this assessment (answers to re-check).
pub async fn roll_over(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let answers = state.store.answers(id).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    let next = tx.roll_over(&assessment, &answers).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/checklist/{next}",
        fctx.facility.profile.code
    ))
    .into_response())
}

/// The navigation entry: the user's only facility's checklist, or a choice of facility.
pub async fn entry() -> Response {
    crate::facilities::choose::area_entry("checklist")
}
