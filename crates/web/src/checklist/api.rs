//! `/api/v1/checklist/editions` and `/api/v1/facilities/{code}/assessments|findings`.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use mimamori_domain::checklist::{AnswerInput, TextStatus};
use mimamori_domain::findings::Finding;
use mimamori_domain::i18n::Lang;
use mimamori_store::checklist::{Assessment, Evidence};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::findings::FindingsQuery;
use super::pages::{create_assessment, validate_answer, CreateForm, YearQuery};
use super::{facility_findings, load_view, record_link, ItemView};
use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct EditionDto {
    pub id: i64,
    pub fiscal_year: i32,
    /// facility | pharmacy | vendor
    pub form: String,
    pub edition: String,
    /// official | imported | facility_maintained
    pub origin: String,
    pub title: String,
    pub items: usize,
    /// Items whose wording is not verified against the original.
    pub unverified: usize,
}

#[utoipa::path(get, path = "/api/v1/checklist/editions", tag = "checklist", responses((status = 200, body = [EditionDto])))]
pub async fn editions(State(state): State<AppState>) -> AppResult<Json<Vec<EditionDto>>> {
    let list = state.store.editions().await?;
    Ok(Json(
        list.into_iter()
            .map(|s| EditionDto {
                id: s.id,
                fiscal_year: s.edition.fiscal_year,
                form: s.edition.form.code().into(),
                edition: s.edition.edition.clone(),
                origin: s.edition.origin.code().into(),
                title: s.edition.title.clone(),
                items: s.edition.items.len(),
                unverified: s
                    .edition
                    .items
                    .iter()
                    .filter(|i| i.text_status == TextStatus::Unverified)
                    .count(),
            })
            .collect(),
    ))
}

/// The whole edition in the catalogue schema (docs/catalog.md).
#[utoipa::path(get, path = "/api/v1/checklist/editions/{id}", tag = "checklist", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn edition(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<serde_json::Value>> {
    let stored = state.store.edition_by_id(id).await?;
    Ok(Json(
        serde_json::to_value(stored.edition).map_err(AppError::internal)?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: i64,
    pub url: String,
    pub fiscal_year: i32,
    pub form: String,
    pub vendor: String,
    pub system: String,
    pub signed_off_at: Option<String>,
    pub signed_off_by: Option<String>,
}

fn assessment_dto(code: &str, a: &Assessment) -> AssessmentDto {
    AssessmentDto {
        id: a.id,
        url: format!("/api/v1/facilities/{code}/assessments/{}", a.id),
        fiscal_year: a.fiscal_year,
        form: a.form.code().into(),
        vendor: a.vendor.clone(),
        system: a.system.clone(),
        signed_off_at: a.signed_off_at.clone(),
        signed_off_by: a.signed_off_by.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceDto {
    pub id: i64,
    /// file | record
    pub kind: String,
    pub label: String,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    /// Download address for files.
    pub download: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

fn evidence_dto(code: &str, e: &Evidence) -> EvidenceDto {
    EvidenceDto {
        id: e.id,
        kind: e.kind.clone(),
        label: e.label.clone(),
        sha256: e.sha256.clone(),
        size: e.size,
        download: (e.kind == "file")
            .then(|| format!("/facilities/{code}/checklist/evidence/{}", e.id)),
        created_at: e.created_at.clone(),
        created_by: e.created_by.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDto {
    pub key: String,
    pub number: Option<String>,
    pub text: Option<String>,
    /// verified | manual_heading | secondary_single | unverified
    pub text_status: String,
    /// yes | no | na, or null when not answered
    pub answer: Option<String>,
    pub first_checked_on: Option<String>,
    pub second_checked_on: Option<String>,
    pub target_on: Option<String>,
    pub note: Option<String>,
    /// Carried over from last year, not yet re-checked.
    pub recheck: bool,
    /// What an inspector would find missing (messages in Japanese).
    pub gaps: Vec<String>,
    /// The ledgers' suggestion: yes | no, with reasons in Japanese.
    pub suggested: Option<String>,
    pub suggestion_reasons: Vec<String>,
    pub evidence: Vec<EvidenceDto>,
}

fn item_dto(code: &str, iv: &ItemView) -> ItemDto {
    let a = iv.answer.clone().unwrap_or_default();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    ItemDto {
        key: iv.item.key.clone(),
        number: iv.item.number.clone(),
        text: iv.item.text.clone(),
        text_status: iv.item.text_status.code().into(),
        answer: a.answer.map(|x| x.code().to_string()),
        first_checked_on: date(a.first_checked_on),
        second_checked_on: date(a.second_checked_on),
        target_on: date(a.target_on),
        note: a.note.clone(),
        recheck: a.recheck,
        gaps: iv
            .gaps
            .iter()
            .map(|g| g.message(Lang::Ja).to_string())
            .collect(),
        suggested: iv.suggestion.as_ref().map(|s| s.answer.code().to_string()),
        suggestion_reasons: iv
            .suggestion
            .as_ref()
            .map(|s| s.reasons_ja.clone())
            .unwrap_or_default(),
        evidence: iv.evidence.iter().map(|e| evidence_dto(code, e)).collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDetailDto {
    #[serde(flatten)]
    pub assessment: AssessmentDto,
    pub edition: String,
    pub ready: usize,
    pub items: Vec<ItemDto>,
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/assessments", tag = "checklist", params(("code" = String, Path), ("year" = Option<i32>, Query)), responses((status = 200, body = [AssessmentDto])))]
pub async fn list(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<AssessmentDto>>> {
    let list = state.store.assessments(fctx.facility.id, q.year).await?;
    Ok(Json(
        list.iter()
            .map(|a| assessment_dto(&fctx.facility.profile.code, a))
            .collect(),
    ))
}

/// Starts an assessment. `form` defaults to the facility's own form; vendor forms need `vendor` and `system`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateBody {
    pub fiscal_year: i32,
    pub form: Option<String>,
    pub vendor: Option<String>,
    pub system: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/facilities/{code}/assessments", tag = "checklist", params(("code" = String, Path)), request_body = CreateBody,
    responses((status = 201, body = AssessmentDto), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Json(body): Json<CreateBody>,
) -> AppResult<(StatusCode, Json<AssessmentDto>)> {
    let form = CreateForm {
        fiscal_year: body.fiscal_year,
        form: body.form.unwrap_or_default(),
        vendor: body.vendor.unwrap_or_default(),
        system: body.system.unwrap_or_default(),
    };
    let id = create_assessment(&state, &principal.actor(), &fctx.facility, &form).await?;
    let a = state.store.assessment(fctx.facility.id, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(assessment_dto(&fctx.facility.profile.code, &a)),
    ))
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/assessments/{id}", tag = "checklist", params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = AssessmentDetailDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Json<AssessmentDetailDto>> {
    let id = path.1;
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let (facts, findings) = facility_findings(&state.store, &fctx.facility).await?;
    let view = load_view(&state.store, assessment, Some(&findings), Some(&facts)).await?;
    let code = &fctx.facility.profile.code;
    Ok(Json(AssessmentDetailDto {
        assessment: assessment_dto(code, &view.assessment),
        edition: view.edition.edition.clone(),
        ready: view.ready_count(),
        items: view.items.iter().map(|iv| item_dto(code, iv)).collect(),
    }))
}

/// An answer. Dates accept 2026-05-01, R8.5.1 or 令和8年5月1日; `answer` is yes | no | na (or はい / いいえ / 該当なし).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    pub answer: Option<String>,
    pub first_checked_on: Option<String>,
    pub second_checked_on: Option<String>,
    pub target_on: Option<String>,
    pub note: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/facilities/{code}/assessments/{id}/answers/{key}", tag = "checklist",
    params(("code" = String, Path), ("id" = i64, Path), ("key" = String, Path)), request_body = AnswerBody,
    responses((status = 200, body = ItemDto), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, String)>,
    Json(body): Json<AnswerBody>,
) -> AppResult<Json<ItemDto>> {
    let (_, id, key) = path;
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    let input = AnswerInput {
        answer: body.answer.unwrap_or_default(),
        first_checked_on: body.first_checked_on.unwrap_or_default(),
        second_checked_on: body.second_checked_on.unwrap_or_default(),
        target_on: body.target_on.unwrap_or_default(),
        note: body.note.unwrap_or_default(),
    };
    let answer = validate_answer(&state, &assessment, &key, &input).await??;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.save_answer(&assessment, &key, &answer).await?;
    tx.commit().await?;
    let view = load_view(
        &state.store,
        state.store.assessment(fctx.facility.id, id).await?,
        None,
        None,
    )
    .await?;
    let iv = view
        .items
        .iter()
        .find(|i| i.item.key == key)
        .ok_or_else(AppError::not_found)?;
    Ok(Json(item_dto(&fctx.facility.profile.code, iv)))
}

/// Uploads a file (multipart field `file`) as evidence for an item.
#[utoipa::path(post, path = "/api/v1/facilities/{code}/assessments/{id}/answers/{key}/evidence", tag = "checklist",
    params(("code" = String, Path), ("id" = i64, Path), ("key" = String, Path)), request_body(content_type = "multipart/form-data", content = Object),
    responses((status = 201, body = EvidenceDto), (status = 409, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, String)>,
    mut multipart: Multipart,
) -> AppResult<(StatusCode, Json<EvidenceDto>)> {
    let (_, id, key) = path;
    let assessment = state.store.assessment(fctx.facility.id, id).await?;
    super::edition_item(&state.store, &assessment, &key).await?;
    let (name, bytes) = crate::transfer::uploaded_file(&mut multipart).await?;
    let mut tx = state.store.write(&principal.actor()).await?;
    let eid = tx
        .add_evidence_file(&assessment, &key, &name, "application/octet-stream", &bytes)
        .await?;
    tx.commit().await?;
    let e = state
        .store
        .evidence(id)
        .await?
        .into_iter()
        .find(|e| e.id == eid)
        .ok_or_else(AppError::not_found)?;
    Ok((
        StatusCode::CREATED,
        Json(evidence_dto(&fctx.facility.profile.code, &e)),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordDto {
    /// device | remote_maintenance | system | appointment | answer | ledger
    pub kind: String,
    pub id: Option<i64>,
    pub label: String,
    /// The page where the record is fixed.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDto {
    pub rule: String,
    /// high | medium | low
    pub severity: String,
    pub title_ja: String,
    pub title_en: String,
    pub detail_ja: String,
    pub detail_en: String,
    /// Checklist item keys it bears on.
    pub items: Vec<String>,
    pub guideline_refs: Vec<String>,
    pub records: Vec<RecordDto>,
}

pub fn finding_dto(code: &str, f: &Finding) -> FindingDto {
    FindingDto {
        rule: f.rule.clone(),
        severity: f.severity.code().into(),
        title_ja: f.title_ja.clone(),
        title_en: f.title_en.clone(),
        detail_ja: f.detail_ja.clone(),
        detail_en: f.detail_en.clone(),
        items: f.items.clone(),
        guideline_refs: f.guideline_refs.clone(),
        records: f
            .records
            .iter()
            .map(|r| RecordDto {
                kind: r.kind.code().into(),
                id: r.id,
                label: r.label.clone(),
                url: record_link(code, r),
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/findings", tag = "checklist",
    params(("code" = String, Path), ("severity" = Option<String>, Query), ("item" = Option<String>, Query)), responses((status = 200, body = [FindingDto])))]
pub async fn findings(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
    Query(q): Query<FindingsQuery>,
) -> AppResult<Json<Vec<FindingDto>>> {
    let (_, findings) = facility_findings(&state.store, &fctx.facility).await?;
    Ok(Json(
        q.apply(findings)
            .iter()
            .map(|f| finding_dto(&fctx.facility.profile.code, f))
            .collect(),
    ))
}
