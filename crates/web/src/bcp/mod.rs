//! The BCP confirmation table (checklist 3-(3)): answered per facility with status, evidence and
//! note; exported as XLSX/CSV; unverified wording shown as such.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use mimamori_domain::access::Action;
use mimamori_domain::bcp::{catalog, progress, BcpCatalog, BcpStatus, Check, Item, Phase};
use mimamori_store::bcp::{BcpAnswer, BcpAnswerInput};
use mimamori_store::facilities::Facility;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::Attachment;
use crate::devices::export::{parse_format, Exported};
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "bcp/table.html")]
struct TablePage {
    ctx: PageCtx,
    facility: Facility,
    answers: HashMap<String, BcpAnswer>,
    progress: (usize, usize, usize),
    can_edit: bool,
    saved: Option<usize>,
}

impl TablePage {
    fn catalog(&self) -> &'static BcpCatalog {
        catalog()
    }
    fn rows(&self, phase: &'static Phase) -> Vec<(&'static Item, &'static Check)> {
        phase
            .items
            .iter()
            .flat_map(|i| i.checks.iter().map(move |c| (i, c)))
            .collect()
    }
    fn status(&self, key: &str) -> &str {
        self.answers.get(key).map(|a| a.status.code()).unwrap_or("")
    }
    fn evidence(&self, key: &str) -> &str {
        self.answers
            .get(key)
            .map(|a| a.evidence.as_str())
            .unwrap_or("")
    }
    fn note(&self, key: &str) -> &str {
        self.answers.get(key).map(|a| a.note.as_str()).unwrap_or("")
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        BcpStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(self.ctx.l())))
            .collect()
    }
    fn status_label(&self, key: &str) -> &'static str {
        self.answers
            .get(key)
            .map(|a| a.status.label(self.ctx.l()))
            .unwrap_or(self.ctx.t("未回答", "Not answered"))
    }
}

async fn answers(state: &AppState, facility_id: i64) -> AppResult<Vec<BcpAnswer>> {
    Ok(state.store.bcp_answers(facility_id).await?)
}

fn progress_of(answers: &[BcpAnswer]) -> (usize, usize, usize) {
    progress(catalog(), |key| {
        answers
            .iter()
            .find(|a| a.check_key == key)
            .map(|a| a.status)
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub saved: Option<usize>,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let list = answers(&state, fctx.facility.id).await?;
    Ok(render(&TablePage {
        progress: progress_of(&list),
        answers: list.into_iter().map(|a| (a.check_key.clone(), a)).collect(),
        can_edit: principal.can(&fctx.facility, Action::EditFacility),
        saved: query.saved,
        facility: fctx.facility,
        ctx,
    }))
}

/// Reads `status_{key}`, `evidence_{key}`, `note_{key}` for every question of the table.
fn inputs(form: &HashMap<String, String>) -> Result<Vec<BcpAnswerInput>, AppError> {
    catalog()
        .checks()
        .filter(|(_, _, c)| form.contains_key(&format!("status_{}", c.key)))
        .map(|(_, _, c)| {
            let get = |prefix: &str| {
                form.get(&format!("{prefix}_{}", c.key))
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            let status = match get("status").as_str() {
                "" => None,
                text => Some(BcpStatus::parse(text).ok_or_else(|| {
                    AppError::bad_request(
                        format!("{} の状況「{text}」は選べません。", c.key),
                        format!("Unknown status \"{text}\" for {}.", c.key),
                    )
                })?),
            };
            Ok(BcpAnswerInput {
                check_key: c.key.clone(),
                status,
                evidence: get("evidence"),
                note: get("note"),
            })
        })
        .collect()
}

pub async fn save(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let inputs = inputs(&form)?;
    let stored = answers(&state, fctx.facility.id).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    let changed = tx
        .save_bcp_answers(fctx.facility.id, &stored, &inputs)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/bcp?saved={changed}",
        fctx.facility.profile.code
    ))
    .into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// xlsx (default) | csv
    #[serde(default)]
    pub format: String,
    /// For CSV: utf8 (with BOM, default) | cp932
    #[serde(default)]
    pub encoding: String,
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/bcp/export", tag = "preparedness",
    params(("code" = String, Path), FormatQuery),
    responses((status = 200, description = "BCP確認表 with the answers (XLSX or CSV)", content_type = "application/octet-stream")))]
pub async fn export(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<FormatQuery>,
) -> AppResult<Response> {
    let format = parse_format(&query.format, &query.encoding)?;
    let list = answers(&state, fctx.facility.id).await?;
    let table =
        mimamori_formats::preparedness::bcp_table(&fctx.facility.profile.name, catalog(), |key| {
            list.iter().find(|a| a.check_key == key).map(|a| {
                mimamori_formats::preparedness::BcpRow {
                    status: Some(a.status),
                    evidence: &a.evidence,
                    note: &a.note,
                    updated: &a.updated_by,
                }
            })
        });
    let rows = table.rows.len();
    let exported = Exported::from_table(
        &table,
        format,
        &format!("BCP確認表_{}", fctx.facility.profile.code),
        rows,
    )?;
    state
        .store
        .record_event(
            &principal.actor(),
            mimamori_store::AuditRecord::new("export", "bcp_table")
                .facility(Some(fctx.facility.id)),
        )
        .await?;
    Ok(exported.attachment("bcp-table"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BcpDto {
    /// The catalogue: phases → items → checks, with verification flags.
    #[schema(value_type = Object)]
    pub catalog: serde_json::Value,
    /// The facility's answers by check key.
    #[schema(value_type = Vec<Object>)]
    pub answers: serde_json::Value,
    pub answered: usize,
    pub done: usize,
    pub total: usize,
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/bcp", tag = "preparedness",
    params(("code" = String, Path)), responses((status = 200, body = BcpDto)))]
pub async fn api_show(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Json<BcpDto>> {
    let list = answers(&state, fctx.facility.id).await?;
    let (answered, done, total) = progress_of(&list);
    Ok(Json(BcpDto {
        catalog: serde_json::to_value(catalog()).unwrap_or_default(),
        answers: serde_json::to_value(&list).unwrap_or_default(),
        answered,
        done,
        total,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BcpAnswerBody {
    /// done | partial | not_done; null or empty clears the answer.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}/bcp/{key}", tag = "preparedness",
    params(("code" = String, Path), ("key" = String, Path, description = "check key, e.g. 1-2.1")),
    request_body = BcpAnswerBody, responses((status = 200, body = BcpDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_answer(
    state: State<AppState>,
    SignedIn(principal): SignedIn,
    fctx: Extension<FacilityCtx>,
    Path(path): Path<(String, String)>,
    Json(body): Json<BcpAnswerBody>,
) -> AppResult<Json<BcpDto>> {
    if catalog().check(&path.1).is_none() {
        return Err(AppError::not_found());
    }
    let status = match body.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(BcpStatus::parse(text).ok_or_else(|| {
            AppError::bad_request(
                format!("状況「{text}」は選べません（done・partial・not_done）。"),
                format!("Unknown status \"{text}\" (done, partial, not_done)."),
            )
        })?),
    };
    let stored = answers(&state, fctx.facility.id).await?;
    let input = BcpAnswerInput {
        check_key: path.1,
        status,
        evidence: body.evidence.trim().into(),
        note: body.note.trim().into(),
    };
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.save_bcp_answers(fctx.facility.id, &stored, &[input])
        .await?;
    tx.commit().await?;
    api_show(state, fctx).await
}
