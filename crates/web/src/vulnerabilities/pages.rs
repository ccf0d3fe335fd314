//! The facility's vulnerabilities and end-of-support page (filters, export, suppressions) and
//! the section of a device's own page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_app::vulnerabilities::{
    self as use_case, suppressions, DeviceDanger, ReportFilter, VulnerabilityReport, SHOW_CHOICES,
};
use mimamori_domain::access::Action;
use mimamori_domain::vulnerabilities::suppression::{SuppressionInput, SuppressionKind};
use mimamori_domain::Issues;
use mimamori_store::facilities::Facility;
use mimamori_store::StoreError;
use serde::Deserialize;

use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::{parse_format, Attachment};
use crate::error::{AppError, AppResult};
use crate::view::{render_form, FormErrors, PageCtx};
use crate::AppState;

/// The page's query: the filter, and a day to judge end of support on.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(flatten)]
    pub filter: ReportFilter,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub encoding: String,
}

impl PageQuery {
    fn as_of(&self, state: &AppState) -> AppResult<chrono::NaiveDate> {
        match self.as_of.trim() {
            "" => Ok(state.store.clock().today_jst()),
            text => text.parse().map_err(|_| {
                AppError::bad_request(
                    "判定日は YYYY-MM-DD で指定してください。",
                    "as_of must be YYYY-MM-DD.",
                )
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "vulnerabilities/facility.html")]
struct FacilityPage {
    ctx: PageCtx,
    facility: Facility,
    report: VulnerabilityReport,
    rows: Vec<DeviceDanger>,
    filter: ReportFilter,
    as_of_text: String,
    can_edit: bool,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    show_choices: &'static [(&'static str, &'static str)],
}

impl FacilityPage {
    fn state_label(&self, state: &str) -> &'static str {
        state_label(state)
    }
}

/// A device's end-of-support state in Japanese.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "ended" => "サポート終了",
        "supported" => "サポート中",
        "undetermined" => "判定できない",
        "unidentified" => "OS を判別できない",
        "not_written" => "OS 未記入",
        _ => "期限データなし",
    }
}

/// The suppression kinds for a select.
pub fn suppression_kinds() -> Vec<(&'static str, &'static str)> {
    SuppressionKind::ALL
        .iter()
        .map(|k| (k.code(), k.label(mimamori_domain::i18n::Lang::Ja)))
        .collect()
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    fctx: FacilityCtx,
    query: PageQuery,
    issues: Issues,
) -> AppResult<Response> {
    let as_of = query.as_of(state)?;
    let report = use_case::report(&state.store, fctx.facility.id, as_of).await?;
    let rows = report.filtered(&query.filter).cloned().collect();
    let invalid = !issues.is_empty();
    let view = FacilityPage {
        can_edit: fctx.roles.iter().any(|r| r.allows(Action::EditFacility)),
        errors: FormErrors::new(ctx.lang, issues),
        kinds: suppression_kinds(),
        show_choices: SHOW_CHOICES,
        as_of_text: query.as_of.trim().to_string(),
        rows,
        report,
        filter: query.filter,
        facility: fctx.facility,
        ctx,
    };
    Ok(render_form(&view, invalid))
}

/// `GET /facilities/{code}/vulnerabilities`.
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    page(&state, ctx, fctx, query, Issues::default()).await
}

/// `GET /facilities/{code}/vulnerabilities/export?format=xlsx|csv`: the filtered report.
pub async fn export(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let format = parse_format(&query.format, &query.encoding)?;
    let as_of = query.as_of(&state)?;
    let exported = use_case::export::export(
        &state.store,
        &principal.actor(),
        &fctx.facility,
        &query.filter,
        as_of,
        format,
    )
    .await?;
    let stem = format!("vulnerabilities_{}", fctx.facility.profile.code);
    Ok(exported.attachment(&stem))
}

/// `POST /facilities/{code}/vulnerabilities/suppressions`: sets a vulnerability aside; an
/// invalid form comes back as the page with the message.
pub async fn suppress(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(input): Form<SuppressionInput>,
) -> AppResult<Response> {
    let today = state.store.clock().today_jst();
    let done = suppressions::suppress(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &input,
        today,
    )
    .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!(
            "/facilities/{}/vulnerabilities?show=suppressed",
            fctx.facility.profile.code
        ))
        .into_response()),
        Err(StoreError::Invalid(issues)) => {
            page(&state, ctx, fctx, PageQuery::default(), issues).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /facilities/{code}/vulnerabilities/suppressions/{id}/lift`.
pub async fn lift(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    suppressions::lift(&state.store, &principal.actor(), fctx.facility.id, id).await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/vulnerabilities?show=suppressed",
        fctx.facility.profile.code
    ))
    .into_response())
}
