//! Register pages: list with search and paging, form, detail with history, delete.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::audit::AuditEntry;
use mimamori_domain::i18n::Lang;
use mimamori_domain::ledger::register::{FieldKind, FieldSpec, RegisterSpec};
use mimamori_domain::ledger::registers;
use mimamori_domain::Issues;
use mimamori_store::facilities::Facility;
use mimamori_store::ledger::confirmations::LedgerStatus;
use mimamori_store::ledger::registers::{RecordFilter, StoredRecord};
use mimamori_store::StoreError;
use serde::Deserialize;

use super::{raw_values, record_filter, spec};
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, render_form, FormErrors, PageCtx};
use crate::AppState;

/// One field as a page shows it.
pub struct FieldView {
    pub key: &'static str,
    pub label: &'static str,
    /// text | textarea | date | flag | choice | vendor | devices
    pub input: &'static str,
    pub value: String,
    pub display: String,
    pub choices: Vec<(&'static str, &'static str)>,
    pub required: bool,
}

fn input_kind(field: &FieldSpec) -> &'static str {
    match field.kind {
        FieldKind::LongText => "textarea",
        FieldKind::Date => "date",
        FieldKind::Flag => "flag",
        FieldKind::Choice(_) => "choice",
        FieldKind::VendorName => "vendor",
        FieldKind::SystemName => "system",
        FieldKind::Number => "number",
        FieldKind::DeviceNumbers => "devices",
        FieldKind::Email => "email",
        FieldKind::Text | FieldKind::Phone | FieldKind::StaffNumbers | FieldKind::Privileges => {
            "text"
        }
    }
}

fn views(spec: &RegisterSpec, values: &BTreeMap<String, String>, lang: Lang) -> Vec<FieldView> {
    spec.fields
        .iter()
        .map(|f| {
            let value = values.get(f.key).cloned().unwrap_or_default();
            FieldView {
                key: f.key,
                label: f.label(lang),
                input: input_kind(f),
                display: f.display(&value, lang),
                value,
                choices: f
                    .choices()
                    .iter()
                    .map(|(code, ja, en)| (*code, lang.pick(ja, en)))
                    .collect(),
                required: f.required,
            }
        })
        .collect()
}

pub struct Tab {
    pub slug: &'static str,
    pub title: &'static str,
    pub current: bool,
}

fn tabs(spec: &RegisterSpec, lang: Lang) -> Vec<Tab> {
    registers::ALL
        .iter()
        .filter(|r| r.group == spec.group)
        .map(|r| Tab {
            slug: r.slug,
            title: r.title(lang),
            current: r.slug == spec.slug,
        })
        .collect()
}

pub struct ListRow {
    pub id: i64,
    pub cells: Vec<String>,
}

/// A filter drop-down of the list (choice and flag fields).
pub struct FilterView {
    pub key: &'static str,
    pub label: &'static str,
    pub choices: Vec<(&'static str, &'static str)>,
    pub selected: String,
}

pub struct HeaderView {
    pub label: &'static str,
    pub sort_link: String,
}

#[derive(Template)]
#[template(path = "registers/list.html")]
struct ListPage {
    ctx: PageCtx,
    facility: Facility,
    slug: &'static str,
    title: &'static str,
    tabs: Vec<Tab>,
    headers: Vec<HeaderView>,
    filters: Vec<FilterView>,
    rows: Vec<ListRow>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    filter_query: String,
    status: LedgerStatus,
    can_edit: bool,
    can_confirm: bool,
    /// (code, label) of the `status` field, when the register has one: offers the bulk change.
    bulk_statuses: Vec<(&'static str, &'static str)>,
}

const PER_PAGE: i64 = 50;

fn filter_views(spec: &RegisterSpec, filter: &RecordFilter, lang: Lang) -> Vec<FilterView> {
    spec.fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Choice(_) | FieldKind::Flag))
        .map(|f| FilterView {
            key: f.key,
            label: f.label(lang),
            choices: match f.kind {
                FieldKind::Flag => vec![
                    ("yes", lang.pick("有", "Yes")),
                    ("no", lang.pick("無", "No")),
                ],
                _ => f
                    .choices()
                    .iter()
                    .map(|(code, ja, en)| (*code, lang.pick(ja, en)))
                    .collect(),
            },
            selected: filter
                .fields
                .iter()
                .find(|(k, _)| k == f.key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        })
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let filter = record_filter(spec, &pairs, PER_PAGE);
    let found = state.store.records(fctx.facility.id, spec, &filter).await?;
    let listed: Vec<&FieldSpec> = spec.fields.iter().filter(|f| f.listed).collect();
    let rows = found
        .records
        .iter()
        .map(|r| ListRow {
            id: r.id,
            cells: listed
                .iter()
                .map(|f| f.display(r.record.get(f.key).unwrap_or(""), ctx.lang))
                .collect(),
        })
        .collect();
    // Links keep the search and the filters.
    let mut kept: Vec<String> = filter
        .fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
        .collect();
    if let Some(q) = &filter.q {
        kept.push(format!("q={}", urlencoding::encode(q)));
    }
    let filter_query = kept.join("&");
    let headers = listed
        .iter()
        .map(|f| {
            let desc = if filter.sort.as_deref() == Some(f.key) && !filter.descending {
                "1"
            } else {
                "0"
            };
            HeaderView {
                label: f.label(ctx.lang),
                sort_link: format!("?{filter_query}&sort={}&desc={desc}", f.key),
            }
        })
        .collect();
    let allows = |action| fctx.roles.iter().any(|r| r.allows(action));
    let view = ListPage {
        slug: spec.slug,
        title: spec.title(ctx.lang),
        tabs: tabs(spec, ctx.lang),
        headers,
        filters: filter_views(spec, &filter, ctx.lang),
        rows,
        total: found.total,
        page: filter.page.max(1),
        pages: (found.total + PER_PAGE - 1) / PER_PAGE,
        q: filter.q.clone().unwrap_or_default(),
        filter_query,
        status: state
            .store
            .register_status(fctx.facility.id, spec.slug)
            .await?,
        can_edit: allows(Action::EditFacility),
        can_confirm: allows(Action::ConfirmLedger),
        bulk_statuses: spec
            .field("status")
            .map(|f| {
                f.choices()
                    .iter()
                    .map(|(c, ja, en)| (*c, ctx.lang.pick(ja, en)))
                    .collect()
            })
            .unwrap_or_default(),
        facility: fctx.facility,
        ctx,
    };
    Ok(render(&view))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    note: String,
}

/// 「台帳を確認しました」 for a register.
pub async fn confirm(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let note = form.note.trim();
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.confirm_ledger(
        fctx.facility.id,
        spec.slug,
        (!note.is_empty()).then_some(note),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&base(&fctx.facility, spec)).into_response())
}

#[derive(Template)]
#[template(path = "registers/form.html")]
struct FormPage {
    ctx: PageCtx,
    facility: Facility,
    slug: &'static str,
    title: &'static str,
    action: String,
    fields: Vec<FieldView>,
    errors: FormErrors,
    vendors: Vec<String>,
    systems: Vec<String>,
    creating: bool,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    facility: Facility,
    spec: &'static RegisterSpec,
    action: String,
    values: &BTreeMap<String, String>,
    issues: Issues,
    creating: bool,
) -> AppResult<Response> {
    let invalid = !issues.is_empty();
    let references = state.store.references(facility.id).await?;
    let page = FormPage {
        slug: spec.slug,
        title: spec.title(ctx.lang),
        fields: views(spec, values, ctx.lang),
        errors: FormErrors::new(ctx.lang, issues),
        vendors: references.vendors,
        systems: references.systems,
        facility,
        action,
        creating,
        ctx,
    };
    Ok(render_form(&page, invalid))
}

fn base(facility: &Facility, spec: &RegisterSpec) -> String {
    format!(
        "/facilities/{}/registers/{}",
        facility.profile.code, spec.slug
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let action = base(&fctx.facility, spec);
    form_page(
        &state,
        ctx,
        fctx.facility,
        spec,
        action,
        &BTreeMap::new(),
        Issues::default(),
        true,
    )
    .await
}

fn duplicate(spec: &RegisterSpec) -> Issues {
    Issues(vec![mimamori_domain::Issue::new(
        spec.key_field,
        "duplicate",
    )])
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    save(&state, ctx, &principal, fctx, spec(&slug)?, None, &pairs).await
}

/// Validates the form and creates (`existing` is `None`) or updates the record; invalid input and
/// a duplicate key come back as the form with messages beside the fields.
async fn save(
    state: &AppState,
    ctx: PageCtx,
    principal: &crate::auth::Principal,
    fctx: FacilityCtx,
    spec: &'static RegisterSpec,
    existing: Option<StoredRecord>,
    pairs: &[(String, String)],
) -> AppResult<Response> {
    let raw = raw_values(spec, pairs);
    let creating = existing.is_none();
    let action = match &existing {
        Some(stored) => format!("{}/{}", base(&fctx.facility, spec), stored.id),
        None => base(&fctx.facility, spec),
    };
    let references = state.store.references(fctx.facility.id).await?;
    let record = match spec.validate(&raw, &references) {
        Ok(checked) => checked.record,
        Err(issues) => {
            return form_page(
                state,
                ctx,
                fctx.facility,
                spec,
                action,
                &raw,
                issues,
                creating,
            )
            .await
        }
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    let written = match &existing {
        Some(stored) => tx
            .update_record(spec, stored, &record)
            .await
            .map(|()| stored.id),
        None => tx.create_record(fctx.facility.id, spec, &record).await,
    };
    let id = match written {
        Ok(id) => id,
        Err(StoreError::Conflict) => {
            return form_page(
                state,
                ctx,
                fctx.facility,
                spec,
                action,
                &raw,
                duplicate(spec),
                creating,
            )
            .await
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Redirect::to(&format!("{}/{id}", base(&fctx.facility, spec))).into_response())
}

#[derive(Template)]
#[template(path = "registers/show.html")]
struct ShowPage {
    ctx: PageCtx,
    facility: Facility,
    slug: &'static str,
    title: &'static str,
    id: i64,
    heading: String,
    fields: Vec<FieldView>,
    updated_at: String,
    updated_by: String,
    history: Vec<AuditEntry>,
    can_edit: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug, id)): Path<(String, String, i64)>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let stored = state.store.record(fctx.facility.id, spec, id).await?;
    let mut history = state
        .store
        .audit_history(spec.entity, &id.to_string())
        .await?;
    history.reverse();
    let page = ShowPage {
        slug: spec.slug,
        title: spec.title(ctx.lang),
        id,
        heading: stored.record.get(spec.key_field).unwrap_or("").to_string(),
        fields: views(spec, &stored.record.values, ctx.lang),
        updated_at: stored.updated_at,
        updated_by: stored.updated_by,
        history,
        can_edit: fctx.roles.iter().any(|r| r.allows(Action::EditFacility)),
        facility: fctx.facility,
        ctx,
    };
    Ok(render(&page))
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug, id)): Path<(String, String, i64)>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let stored = state.store.record(fctx.facility.id, spec, id).await?;
    let action = format!("{}/{id}", base(&fctx.facility, spec));
    let values = stored.record.values.clone();
    form_page(
        &state,
        ctx,
        fctx.facility,
        spec,
        action,
        &values,
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
    Path((_, slug, id)): Path<(String, String, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let stored = state.store.record(fctx.facility.id, spec, id).await?;
    save(&state, ctx, &principal, fctx, spec, Some(stored), &pairs).await
}

pub async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug, id)): Path<(String, String, i64)>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let stored = state.store.record(fctx.facility.id, spec, id).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.delete_record(spec, &stored).await?;
    tx.commit().await?;
    Ok(Redirect::to(&base(&fctx.facility, spec)).into_response())
}

/// Bulk change of the `status` field (registers that have one) for the ticked records.
pub async fn bulk_status(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let field = spec.field("status").ok_or_else(AppError::not_found)?;
    let status = pairs
        .iter()
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.as_str())
        .filter(|v| field.choices().iter().any(|(code, _, _)| code == v))
        .ok_or_else(|| {
            AppError::bad_request("変更後の状態を選んでください。", "Choose the new status.")
        })?;
    let mut records = Vec::new();
    for (_, id) in pairs.iter().filter(|(k, _)| k == "ids") {
        let id: i64 = id
            .parse()
            .map_err(|_| AppError::bad_request("指定が正しくありません。", "Invalid record id."))?;
        records.push(state.store.record(fctx.facility.id, spec, id).await?);
    }
    let mut tx = state.store.write(&principal.actor()).await?;
    for stored in records
        .iter()
        .filter(|r| r.record.get("status") != Some(status))
    {
        let mut record = stored.record.clone();
        record.values.insert("status".into(), status.to_string());
        tx.update_record(spec, stored, &record).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&base(&fctx.facility, spec)).into_response())
}
