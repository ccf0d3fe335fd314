//! The contact chart (連絡体制図): the escalation drawn as an SVG tree beside the external
//! contacts, printable on A4, exportable as XLSX, seeded with the entries every facility needs.

pub mod chart;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use mimamori_domain::access::Action;
use mimamori_domain::contacts::{
    contact_incomplete, step_incomplete, CATEGORIES, CONTACTS, ESCALATION,
};
use mimamori_store::facilities::Facility;
use mimamori_store::ledger::registers::StoredRecord;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::Attachment;
use crate::devices::export::Exported;
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;
use chart::Chart;

struct Loaded {
    escalation: Vec<StoredRecord>,
    contacts: Vec<StoredRecord>,
}

async fn load(state: &AppState, facility_id: i64) -> AppResult<Loaded> {
    let mut escalation = state.store.all_records(facility_id, &ESCALATION).await?;
    escalation.sort_by_key(|s| s.record.number("order").unwrap_or(u32::MAX));
    let mut contacts = state.store.all_records(facility_id, &CONTACTS).await?;
    let category = |r: &StoredRecord| {
        let code = r.record.get("category").unwrap_or("other");
        CATEGORIES
            .iter()
            .position(|(c, _, _)| *c == code)
            .unwrap_or(CATEGORIES.len())
    };
    contacts.sort_by_key(|c| category(c));
    Ok(Loaded {
        escalation,
        contacts,
    })
}

/// What the chart page and its print view share.
pub struct ChartData {
    pub facility: Facility,
    pub chart: Chart,
    pub escalation: Vec<StoredRecord>,
    pub contacts: Vec<StoredRecord>,
    pub print: bool,
    lang: mimamori_domain::i18n::Lang,
}

impl ChartData {
    fn field(&self, record: &StoredRecord, key: &str) -> String {
        let spec = if record.record.get("organisation").is_some() {
            &CONTACTS
        } else {
            &ESCALATION
        };
        let value = record.record.get(key).unwrap_or("");
        spec.field(key)
            .map(|f| f.display(value, self.lang))
            .unwrap_or_default()
    }
    fn step_open(&self, record: &StoredRecord) -> bool {
        step_incomplete(&record.record)
    }
    fn contact_open(&self, record: &StoredRecord) -> bool {
        record.record.flag("required") && contact_incomplete(&record.record)
    }
}

#[derive(Template)]
#[template(path = "contacts/chart.html")]
struct ChartPage {
    ctx: PageCtx,
    d: ChartData,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "contacts/print.html")]
struct PrintPage {
    ctx: PageCtx,
    d: ChartData,
    today: chrono::NaiveDate,
}

async fn chart_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &crate::auth::Principal,
    fctx: FacilityCtx,
    print: bool,
) -> AppResult<Response> {
    let loaded = load(state, fctx.facility.id).await?;
    let chart = Chart::build(&loaded.escalation, &loaded.contacts, ctx.l());
    let can_edit = principal.can(&fctx.facility, Action::EditFacility);
    let d = ChartData {
        chart,
        escalation: loaded.escalation,
        contacts: loaded.contacts,
        print,
        lang: ctx.l(),
        facility: fctx.facility,
    };
    Ok(if print {
        render(&PrintPage {
            today: state.store.clock().today_jst(),
            ctx,
            d,
        })
    } else {
        render(&ChartPage { ctx, d, can_edit })
    })
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    chart_page(&state, ctx, &principal, fctx, false).await
}

/// The A4 print view: the chart and both lists, without the menus.
pub async fn print(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    chart_page(&state, ctx, &principal, fctx, true).await
}

/// Adds the required contacts and the standard escalation that are missing.
pub async fn seed(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.seed_contact_chart(
        fctx.facility.id,
        fctx.facility.profile.prefecture.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/contact-chart",
        fctx.facility.profile.code
    ))
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/contact-chart/export", tag = "preparedness",
    params(("code" = String, Path)),
    responses((status = 200, description = "連絡体制図 (XLSX: 院内連絡体制, 外部連絡リスト)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let loaded = load(&state, fctx.facility.id).await?;
    let records = |rows: &[StoredRecord]| rows.iter().map(|r| r.record.clone()).collect::<Vec<_>>();
    let tables = mimamori_formats::preparedness::contact_chart_tables(
        &fctx.facility.profile.name,
        &records(&loaded.escalation),
        &records(&loaded.contacts),
    );
    let bytes = mimamori_formats::write::workbook(&tables).map_err(AppError::internal)?;
    state
        .store
        .record_event(
            &principal.actor(),
            mimamori_store::AuditRecord::new("export", "contact_chart")
                .facility(Some(fctx.facility.id)),
        )
        .await?;
    Ok(Exported::xlsx(
        bytes,
        format!("連絡体制図_{}.xlsx", fctx.facility.profile.code),
    )
    .attachment("contact-chart"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactChartDto {
    /// Escalation steps in order (register `escalation`).
    #[schema(value_type = Vec<Object>)]
    pub escalation: serde_json::Value,
    /// External contacts (register `contacts`).
    #[schema(value_type = Vec<Object>)]
    pub contacts: serde_json::Value,
    /// Steps lacking a person, phone or deputy.
    pub incomplete_steps: usize,
    /// Required contacts without any phone or e-mail.
    pub incomplete_contacts: usize,
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/contact-chart", tag = "preparedness",
    params(("code" = String, Path)), responses((status = 200, body = ContactChartDto)))]
pub async fn api_show(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Json<ContactChartDto>> {
    let loaded = load(&state, fctx.facility.id).await?;
    Ok(Json(ContactChartDto {
        incomplete_steps: loaded
            .escalation
            .iter()
            .filter(|s| step_incomplete(&s.record))
            .count(),
        incomplete_contacts: loaded
            .contacts
            .iter()
            .filter(|c| c.record.flag("required") && contact_incomplete(&c.record))
            .count(),
        escalation: serde_json::to_value(&loaded.escalation).unwrap_or_default(),
        contacts: serde_json::to_value(&loaded.contacts).unwrap_or_default(),
    }))
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/contact-chart/seed", tag = "preparedness",
    params(("code" = String, Path)), responses((status = 200, body = ContactChartDto)))]
pub async fn api_seed(
    state: State<AppState>,
    SignedIn(principal): SignedIn,
    fctx: Extension<FacilityCtx>,
) -> AppResult<Json<ContactChartDto>> {
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.seed_contact_chart(
        fctx.facility.id,
        fctx.facility.profile.prefecture.as_deref(),
    )
    .await?;
    tx.commit().await?;
    api_show(state, fctx).await
}
