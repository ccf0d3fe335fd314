//! Device ledger pages: list with search, filters, sorting and paging; form; detail with history;
//! bulk status change; management confirmation.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::audit::AuditEntry;
use mimamori_domain::i18n::Lang;
use mimamori_domain::ledger::device::{DeviceInput, DeviceKind, DeviceSort, DeviceStatus};
use mimamori_domain::Issues;
use mimamori_store::facilities::Facility;
use mimamori_store::ledger::confirmations::LedgerStatus;
use mimamori_store::ledger::devices::{DeviceFacets, StoredDevice};
use mimamori_store::StoreError;

use super::forms::{device_input, with_blank_rows};
use super::DeviceQuery;
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, render_form, FormErrors, PageCtx};
use crate::AppState;

type Choices = Vec<(&'static str, &'static str)>;

fn kinds(lang: Lang) -> Choices {
    DeviceKind::ALL
        .iter()
        .map(|k| (k.code(), k.label(lang)))
        .collect()
}

fn statuses(lang: Lang) -> Choices {
    DeviceStatus::ALL
        .iter()
        .map(|s| (s.code(), s.label(lang)))
        .collect()
}

/// A list row, ready to show.
pub struct Row {
    pub id: i64,
    pub management_no: String,
    pub kind: String,
    pub maker: String,
    pub os: String,
    pub software: String,
    pub ip: String,
    pub hostname: String,
    pub location: String,
    pub status: String,
    pub status_code: &'static str,
    pub remote: bool,
}

fn row(lang: Lang, stored: &StoredDevice) -> Row {
    let d = &stored.device;
    let join = |items: Vec<String>| {
        items
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Row {
        id: stored.id,
        management_no: d.management_no.clone(),
        kind: d.kind.label(lang).to_string(),
        maker: d.maker.clone().unwrap_or_default(),
        os: join(vec![
            d.os_name.clone().unwrap_or_default(),
            d.os_version.clone().unwrap_or_default(),
        ])
        .replace(", ", " "),
        software: join(
            d.software
                .iter()
                .map(|s| {
                    format!("{} {}", s.name, s.version.clone().unwrap_or_default())
                        .trim()
                        .to_string()
                })
                .collect(),
        ),
        ip: join(
            d.interfaces
                .iter()
                .map(|i| i.ip.clone().unwrap_or_default())
                .collect(),
        ),
        hostname: join(
            d.interfaces
                .iter()
                .map(|i| i.hostname.clone().unwrap_or_default())
                .collect(),
        ),
        location: d.location.clone().unwrap_or_default(),
        status: d.status.label(lang).to_string(),
        status_code: d.status.code(),
        remote: d.remote_maintenance,
    }
}

#[derive(Template)]
#[template(path = "devices/list.html")]
struct ListPage {
    ctx: PageCtx,
    facility: Facility,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    query: DeviceQuery,
    facets: DeviceFacets,
    systems: Vec<String>,
    kinds: Choices,
    statuses: Choices,
    ledger: LedgerStatus,
    can_edit: bool,
    can_confirm: bool,
    sort_columns: Vec<(&'static str, &'static str)>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<DeviceQuery>,
) -> AppResult<Response> {
    let filter = query.resolve(&state.store, fctx.facility.id).await?;
    let page = state.store.devices(fctx.facility.id, &filter).await?;
    let context = state.store.device_list_context(fctx.facility.id).await?;
    let allows = |action| fctx.roles.iter().any(|r| r.allows(action));
    let lang = ctx.lang;
    let sort_columns = DeviceSort::ALL
        .iter()
        .map(|s| {
            let label = match s {
                DeviceSort::ManagementNo => lang.pick("管理番号", "No."),
                DeviceSort::Kind => lang.pick("種別", "Kind"),
                DeviceSort::Location => lang.pick("設置場所", "Location"),
                DeviceSort::Os => "OS",
                DeviceSort::Status => lang.pick("状態", "Status"),
                DeviceSort::RegisteredOn => lang.pick("登録日", "Registered"),
                DeviceSort::UpdatedAt => lang.pick("更新日時", "Updated"),
            };
            (s.code(), label)
        })
        .collect();
    let view = ListPage {
        rows: page.devices.iter().map(|d| row(lang, d)).collect(),
        total: page.total,
        page: filter.page,
        pages: (page.total + filter.limit() - 1) / filter.limit(),
        facets: context.facets,
        systems: context.systems,
        ledger: context.ledger,
        kinds: kinds(lang),
        statuses: statuses(lang),
        can_edit: allows(Action::EditFacility),
        can_confirm: allows(Action::ConfirmLedger),
        sort_columns,
        facility: fctx.facility,
        query,
        ctx,
    };
    Ok(render(&view))
}

#[derive(Template)]
#[template(path = "devices/form.html")]
struct FormPage {
    ctx: PageCtx,
    facility: Facility,
    action: String,
    input: DeviceInput,
    errors: FormErrors,
    kinds: Choices,
    statuses: Choices,
    creating: bool,
}

fn form_page(
    ctx: PageCtx,
    facility: Facility,
    action: String,
    input: DeviceInput,
    issues: Issues,
    creating: bool,
) -> Response {
    let invalid = !issues.is_empty();
    let (k, s) = (kinds(ctx.lang), statuses(ctx.lang));
    let page = FormPage {
        errors: FormErrors::new(ctx.lang, issues),
        input: with_blank_rows(input),
        kinds: k,
        statuses: s,
        ctx,
        facility,
        action,
        creating,
    };
    render_form(&page, invalid)
}

pub async fn new_form(ctx: PageCtx, Extension(fctx): Extension<FacilityCtx>) -> Response {
    let action = format!("/facilities/{}/devices", fctx.facility.profile.code);
    let input = DeviceInput {
        status: "active".into(),
        kind: "pc".into(),
        ..Default::default()
    };
    form_page(ctx, fctx.facility, action, input, Issues::default(), true)
}

fn duplicate() -> Issues {
    Issues(vec![mimamori_domain::Issue::new(
        "management_no",
        "duplicate",
    )])
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    save(&state, ctx, &principal, fctx, None, &pairs).await
}

/// Validates the form and creates (`existing` is `None`) or updates the device; invalid input
/// and a duplicate 管理番号 come back as the form with messages beside the fields.
async fn save(
    state: &AppState,
    ctx: PageCtx,
    principal: &crate::auth::Principal,
    fctx: FacilityCtx,
    existing: Option<StoredDevice>,
    pairs: &[(String, String)],
) -> AppResult<Response> {
    let input = device_input(pairs);
    let list = format!("/facilities/{}/devices", fctx.facility.profile.code);
    let creating = existing.is_none();
    let action = match &existing {
        Some(stored) => format!("{list}/{}", stored.id),
        None => list.clone(),
    };
    let device = match input.validate() {
        Ok(checked) => checked.device,
        Err(issues) => {
            return Ok(form_page(
                ctx,
                fctx.facility,
                action,
                input,
                issues,
                creating,
            ))
        }
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    let written = match &existing {
        Some(stored) => tx.update_device(stored, &device).await.map(|()| stored.id),
        None => tx.create_device(fctx.facility.id, &device).await,
    };
    let id = match written {
        Ok(id) => id,
        Err(StoreError::Conflict) => {
            return Ok(form_page(
                ctx,
                fctx.facility,
                action,
                input,
                duplicate(),
                creating,
            ))
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Redirect::to(&format!("{list}/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "devices/show.html")]
struct ShowPage {
    ctx: PageCtx,
    facility: Facility,
    stored: StoredDevice,
    kind: String,
    status: String,
    history: Vec<AuditEntry>,
    can_edit: bool,
    /// Its end of support and vulnerabilities (see `vulnerabilities/device_section.html`).
    danger: Option<mimamori_app::vulnerabilities::DeviceDanger>,
    cve_records: i64,
    kinds: Vec<(&'static str, &'static str)>,
}

impl ShowPage {
    fn state_label(&self, state: &str) -> &'static str {
        crate::vulnerabilities::pages::state_label(state)
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let stored = state.store.device(fctx.facility.id, id).await?;
    let mut history = state.store.audit_history("device", &id.to_string()).await?;
    history.reverse();
    let today = state.store.clock().today_jst();
    let danger =
        mimamori_app::vulnerabilities::device_report(&state.store, fctx.facility.id, id, today)
            .await?;
    let page = ShowPage {
        danger: Some(danger),
        cve_records: state.store.cve_count().await?,
        kinds: crate::vulnerabilities::pages::suppression_kinds(),
        kind: stored.device.kind.label(ctx.lang).to_string(),
        status: stored.device.status.label(ctx.lang).to_string(),
        can_edit: fctx.roles.iter().any(|r| r.allows(Action::EditFacility)),
        stored,
        history,
        facility: fctx.facility,
        ctx,
    };
    Ok(render(&page))
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let stored = state.store.device(fctx.facility.id, id).await?;
    let action = format!("/facilities/{}/devices/{id}", fctx.facility.profile.code);
    Ok(form_page(
        ctx,
        fctx.facility,
        action,
        DeviceInput::from(&stored.device),
        Issues::default(),
        false,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let stored = state.store.device(fctx.facility.id, id).await?;
    save(&state, ctx, &principal, fctx, Some(stored), &pairs).await
}

/// Deletes a device entered by mistake; the audit log keeps it whole.
pub async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let stored = state.store.device(fctx.facility.id, id).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.delete_device(&stored).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/devices",
        fctx.facility.profile.code
    ))
    .into_response())
}

/// Bulk status change of the devices ticked on the list.
pub async fn bulk_status(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let status = pairs
        .iter()
        .find(|(k, _)| k == "status")
        .and_then(|(_, v)| DeviceStatus::parse(v))
        .ok_or_else(|| {
            AppError::bad_request("変更後の状態を選んでください。", "Choose the new status.")
        })?;
    let mut devices = Vec::new();
    for (_, id) in pairs.iter().filter(|(k, _)| k == "ids") {
        let id: i64 = id.parse().map_err(|_| {
            AppError::bad_request("機器の指定が正しくありません。", "Invalid device id.")
        })?;
        devices.push(state.store.device(fctx.facility.id, id).await?);
    }
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.set_device_status(&devices, status).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/devices",
        fctx.facility.profile.code
    ))
    .into_response())
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    note: String,
}

/// 「台帳を確認しました」
pub async fn confirm(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let note = form.note.trim();
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.confirm_ledger(
        fctx.facility.id,
        "devices",
        (!note.is_empty()).then_some(note),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/devices",
        fctx.facility.profile.code
    ))
    .into_response())
}
