//! The catalogue pages: editions by year and form, an edition's items with their verification,
//! starting a new year's edition as a facility-maintained copy, and editing its items.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use mimamori_domain::checklist::{edition_code, Form as ChecklistForm, Origin, TextStatus};
use mimamori_domain::clock::fiscal_year;
use mimamori_store::checklist::StoredEdition;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "checklist/catalog_list.html")]
struct ListPage {
    ctx: PageCtx,
    editions: Vec<StoredEdition>,
    next_year: i32,
}

impl ListPage {
    fn unverified(&self, e: &StoredEdition) -> usize {
        e.edition
            .items
            .iter()
            .filter(|i| i.text_status == TextStatus::Unverified)
            .count()
    }
}

pub async fn list(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Response> {
    let editions = state.store.editions().await?;
    let current = fiscal_year(state.store.clock().today_jst());
    let latest = editions
        .iter()
        .map(|e| e.edition.fiscal_year)
        .max()
        .unwrap_or(current);
    Ok(render(&ListPage {
        ctx,
        editions,
        next_year: (latest + 1).max(current),
    }))
}

#[derive(Template)]
#[template(path = "checklist/catalog_show.html")]
struct ShowPage {
    ctx: PageCtx,
    stored: StoredEdition,
    editable: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let stored = state.store.edition_by_id(id).await?;
    let editable = ctx.can_administer && stored.edition.origin == Origin::FacilityMaintained;
    Ok(render(&ShowPage {
        ctx,
        stored,
        editable,
    }))
}

#[derive(Debug, Deserialize)]
pub struct CopyForm {
    pub fiscal_year: i32,
}

/// Copies the latest edition of each form into the given fiscal year, as facility-maintained.
pub async fn copy(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Form(form): Form<CopyForm>,
) -> AppResult<Response> {
    if !(2020..=2100).contains(&form.fiscal_year) {
        return Err(AppError::bad_request(
            "年度が正しくありません。",
            "Invalid fiscal year.",
        ));
    }
    let mut tx = state.store.write(&principal.actor()).await?;
    for kind in ChecklistForm::ALL {
        if state.store.edition(form.fiscal_year, kind).await?.is_some() {
            continue;
        }
        if let Some(latest) = state.store.edition_for(form.fiscal_year, kind).await? {
            tx.save_edition(
                &latest
                    .edition
                    .copy_for_year(form.fiscal_year, &edition_code(form.fiscal_year)),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Redirect::to("/checklist/catalog").into_response())
}

#[derive(Debug, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub explanation_ja: String,
}

/// Edits an item of a facility-maintained edition; official editions are never edited here.
pub async fn update_item(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path((id, key)): Path<(i64, String)>,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let mut stored = state.store.edition_by_id(id).await?;
    if stored.edition.origin != Origin::FacilityMaintained {
        return Err(AppError::bad_request(
            "公開資料から作成した版は編集できません。新年度版を作成して編集してください。",
            "Editions built from public sources cannot be edited; create a new year's edition.",
        ));
    }
    let item = stored
        .edition
        .items
        .iter_mut()
        .find(|i| i.key == key)
        .ok_or_else(AppError::not_found)?;
    item.number =
        Some(mimamori_domain::validation::nfkc(form.number.trim())).filter(|s| !s.is_empty());
    item.text = Some(form.text.trim().to_string()).filter(|s| !s.is_empty());
    item.explanation_ja = Some(form.explanation_ja.trim().to_string()).filter(|s| !s.is_empty());
    item.text_status = TextStatus::Unverified;
    item.text_note = Some("施設で編集した文言です。原本で確認してください。".into());
    stored.edition.validate()?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.save_edition(&stored.edition).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/checklist/catalog/{id}#item-{key}")).into_response())
}
