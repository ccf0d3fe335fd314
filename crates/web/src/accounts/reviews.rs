//! Access review pages: start a review of a system, decide on each account (keep / change /
//! disable), see progress, complete it, and export the result as evidence.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::accounts::workflow::ReviewDecision;
use mimamori_domain::accounts::{AccountStatus, Privileges};
use mimamori_domain::i18n::Lang;
use mimamori_domain::jdate::parse_date;
use mimamori_formats::write::{Cell, Table};
use mimamori_store::accounts::{Review, ReviewItem};
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, AuditRecord, Store};
use serde::Deserialize;

use super::{system, systems, SystemRef};
use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::Attachment;
use crate::devices::export::{ExportFormat, Exported};
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "accounts/reviews.html")]
struct ReviewsPage {
    ctx: PageCtx,
    facility: Facility,
    reviews: Vec<Review>,
    systems: Vec<SystemRef>,
    can_edit: bool,
    default_title: String,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let year = mimamori_domain::clock::fiscal_year(state.store.clock().today_jst());
    Ok(render(&ReviewsPage {
        can_edit: principal.can(&fctx.facility, Action::EditFacility),
        reviews: state.store.reviews(fctx.facility.id).await?,
        systems: systems(&state.store, fctx.facility.id).await?,
        default_title: format!("{}年度 アカウント棚卸し", year),
        facility: fctx.facility,
        ctx,
    }))
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    pub system: i64,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub due_on: String,
}

/// Starts a review; returns its id. Shared with the API.
pub async fn start_review(
    state: &AppState,
    actor: &Actor,
    facility: &Facility,
    system: &SystemRef,
    title: &str,
    due_on: &str,
) -> AppResult<i64> {
    let due_on = match due_on.trim() {
        "" => None,
        text => Some(parse_date(text).ok_or_else(|| {
            AppError::bad_request(
                format!("期限「{text}」を日付として読めません。"),
                format!("Cannot read the due date \"{text}\"."),
            )
        })?),
    };
    let title = match title.trim() {
        "" => format!("{} アカウント棚卸し", system.name),
        t => t.to_string(),
    };
    let mut tx = state.store.write(actor).await?;
    let id = tx
        .start_review(facility.id, &system.name, &title, due_on)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn start(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(form): Form<StartForm>,
) -> AppResult<Response> {
    let system = system(&state.store, fctx.facility.id, form.system).await?;
    let id = start_review(
        &state,
        &principal.actor(),
        &fctx.facility,
        &system,
        &form.title,
        &form.due_on,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/reviews/{id}",
        fctx.facility.profile.code
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "accounts/review.html")]
struct ReviewPage {
    ctx: PageCtx,
    facility: Facility,
    review: Review,
    items: Vec<ReviewItem>,
    can_edit: bool,
    can_complete: bool,
    only_open: bool,
}

impl ReviewPage {
    fn base(&self) -> String {
        format!(
            "/facilities/{}/accounts/reviews/{}",
            self.facility.profile.code, self.review.id
        )
    }

    fn privileges(&self, item: &ReviewItem) -> String {
        privileges_text(&item.privileges, self.ctx.lang)
    }

    fn decision(&self, item: &ReviewItem) -> &'static str {
        item.decision
            .as_deref()
            .and_then(ReviewDecision::parse)
            .map(|d| d.label(self.ctx.lang))
            .unwrap_or("")
    }

    fn status(&self, item: &ReviewItem) -> String {
        status_text(&item.status, self.ctx.lang)
    }

    fn shown(&self) -> Vec<&ReviewItem> {
        self.items
            .iter()
            .filter(|i| !self.only_open || i.decision.is_none())
            .collect()
    }
}

fn privileges_text(code: &str, lang: Lang) -> String {
    Privileges::parse(code)
        .map(|p| p.display(lang))
        .unwrap_or_default()
}

fn status_text(code: &str, lang: Lang) -> String {
    AccountStatus::parse(code)
        .map(|s| s.label(lang))
        .unwrap_or_else(|| code.to_string())
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewQuery {
    #[serde(default)]
    pub open: String,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Query(query): Query<ReviewQuery>,
) -> AppResult<Response> {
    let review = state.store.review(fctx.facility.id, path.1).await?;
    let items = state.store.review_items(review.id).await?;
    Ok(render(&ReviewPage {
        can_edit: principal.can(&fctx.facility, Action::EditFacility) && !review.is_complete(),
        can_complete: principal.can(&fctx.facility, Action::ManageGovernance)
            && !review.is_complete(),
        only_open: query.open == "1",
        review,
        items,
        facility: fctx.facility,
        ctx,
    }))
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Records a decision on one item; shared with the API.
pub async fn decide_item(
    state: &AppState,
    actor: &Actor,
    facility: &Facility,
    review_id: i64,
    item_id: i64,
    form: &DecisionForm,
) -> AppResult<()> {
    let review = state.store.review(facility.id, review_id).await?;
    let items = state.store.review_items(review.id).await?;
    let item = items
        .iter()
        .find(|i| i.id == item_id)
        .ok_or_else(AppError::not_found)?;
    let decision = ReviewDecision::parse(&form.decision).ok_or_else(|| {
        AppError::bad_request(
            "継続・変更・停止 から選んでください。",
            "Choose keep, change or disable.",
        )
    })?;
    let mut tx = state.store.write(actor).await?;
    tx.decide_review_item(facility.id, &review, item, decision, &form.note)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn decide(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    decide_item(
        &state,
        &principal.actor(),
        &fctx.facility,
        path.1,
        path.2,
        &form,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/reviews/{}#item-{}",
        fctx.facility.profile.code, path.1, path.2
    ))
    .into_response())
}

pub async fn complete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Response> {
    let review = state.store.review(fctx.facility.id, path.1).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.complete_review(fctx.facility.id, &review).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/reviews/{}",
        fctx.facility.profile.code, review.id
    ))
    .into_response())
}

/// The review's result as a table: header block, then one row per account and decision.
pub fn review_table(facility: &Facility, review: &Review, items: &[ReviewItem]) -> Table {
    let lang = Lang::Ja;
    let preamble = vec![
        format!("アカウント棚卸し結果：{}", review.title),
        format!(
            "施設名：{}　システム：{}",
            facility.profile.name, review.system
        ),
        format!(
            "開始：{} {}　完了：{}",
            mimamori_domain::clock::display_jst(&review.created_at),
            review.created_by,
            review
                .completed_at
                .as_ref()
                .map(|t| format!(
                    "{} {}",
                    mimamori_domain::clock::display_jst(t),
                    review.completed_by.clone().unwrap_or_default()
                ))
                .unwrap_or_else(|| format!(
                    "未完了（{} / {} 件判定済）",
                    review.decided, review.total
                ))
        ),
    ];
    let headers = [
        "利用者ID",
        "利用者名",
        "職員番号",
        "権限",
        "管理者権限",
        "開始時の状態",
        "最終ログイン",
        "判定",
        "メモ",
        "判定者",
        "判定日時",
    ];
    let rows = items
        .iter()
        .map(|i| {
            vec![
                Cell::text(&i.login_id),
                Cell::text(&i.display_name),
                Cell::text(&i.owners),
                Cell::text(privileges_text(&i.privileges, lang)),
                Cell::text(if i.privileged { "あり" } else { "" }),
                Cell::text(status_text(&i.status, lang)),
                i.last_sign_in_on.map(Cell::Date).unwrap_or(Cell::Empty),
                Cell::text(
                    i.decision
                        .as_deref()
                        .and_then(ReviewDecision::parse)
                        .map(|d| d.label(lang))
                        .unwrap_or("未判定"),
                ),
                Cell::text(i.note.clone().unwrap_or_default()),
                Cell::text(i.decided_by.clone().unwrap_or_default()),
                Cell::text(
                    i.decided_at
                        .as_deref()
                        .map(mimamori_domain::clock::display_jst)
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    Table {
        sheet_name: "棚卸し結果".into(),
        preamble,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        widths: vec![
            16.0, 16.0, 12.0, 36.0, 10.0, 12.0, 12.0, 8.0, 30.0, 14.0, 18.0,
        ],
        rows,
    }
}

pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    review_id: i64,
    format: ExportFormat,
) -> AppResult<Exported> {
    let review = store.review(facility.id, review_id).await?;
    let items = store.review_items(review.id).await?;
    let table = review_table(facility, &review, &items);
    let stem = format!(
        "アカウント棚卸し_{}_{}_{}",
        facility.profile.code, review.system, review.id
    );
    let exported = Exported::from_table(&table, format, &stem, items.len())?;
    store
        .record_event(
            actor,
            AuditRecord::new("export", "access_review")
                .facility(Some(facility.id))
                .id(review.id),
        )
        .await?;
    Ok(exported)
}

pub async fn download(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Query(query): Query<super::transfer::ExportQuery>,
) -> AppResult<Response> {
    let exported = export(
        &state.store,
        &principal.actor(),
        &fctx.facility,
        path.1,
        query.export_format()?,
    )
    .await?;
    Ok(exported.attachment("access-review"))
}
