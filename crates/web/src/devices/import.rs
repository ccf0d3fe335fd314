//! Importing a device ledger file, shared by the web upload, the API and the CLI:
//! read → validate every row → apply in one transaction (kept only when asked and valid).

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use mimamori_formats::devices::parse_devices;
use mimamori_formats::{read_tables, ImportProblem, Severity};
use mimamori_store::ledger::ImportCounts;
use mimamori_store::{Actor, AuditRecord, Store};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_invalid: bool,
}

/// What an import found and did. `written` is false for a dry run and whenever an error stopped it.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub file: String,
    pub written: bool,
    pub devices_in_file: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: usize,
    pub warnings: usize,
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<ImportProblem>,
}

impl ImportReport {
    /// The summary line the CLI prints.
    pub fn summary(&self) -> String {
        let state = if self.written {
            "書き込みました / written"
        } else {
            "書き込んでいません / nothing written"
        };
        format!(
            "{}: 新規 created {} · 更新 updated {} · 変更なし unchanged {} · 警告 warnings {} · エラー errors {} — {state}",
            self.file, self.created, self.updated, self.unchanged, self.warnings, self.errors
        )
    }
}

/// Reads, validates and (unless told otherwise or invalid) writes, all in one transaction.
pub async fn run(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    options: ImportOptions,
) -> Result<ImportReport, mimamori_store::StoreError> {
    let mut report = ImportReport {
        file: file_name.to_string(),
        ..Default::default()
    };
    let sheets = match read_tables(bytes, file_name, sheet) {
        Ok(sheets) => sheets,
        Err(error) => {
            report.errors = 1;
            report.problems.push(ImportProblem {
                severity: Severity::Error,
                sheet: sheet.unwrap_or_default().to_string(),
                row: 0,
                column: String::new(),
                value: String::new(),
                code: "unreadable_file".into(),
                message_ja: error.to_string(),
                message_en: error.to_string(),
            });
            return Ok(report);
        }
    };
    let parsed = parse_devices(&sheets);
    report.devices_in_file = parsed.devices.len();
    report.errors = parsed.errors().count();
    report.warnings = parsed.warnings().count();
    let devices: Vec<_> = parsed.devices.iter().map(|p| p.device.clone()).collect();
    let mut tx = store.write(actor).await?;
    let counts: ImportCounts = tx.import_devices(facility_id, &devices).await?;
    report.created = counts.created;
    report.updated = counts.updated;
    report.unchanged = counts.unchanged;
    report.problems = parsed.problems;
    let write = !options.dry_run && (report.errors == 0 || options.skip_invalid);
    if write {
        let summary = serde_json::json!({
            "file": file_name, "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
            "skipped_errors": report.errors, "warnings": report.warnings,
        });
        tx.audit(
            AuditRecord::new("import", "devices")
                .facility(Some(facility_id))
                .after(&summary),
        )
        .await?;
        tx.commit().await?;
        report.written = true;
    }
    Ok(report)
}

#[derive(Template)]
#[template(path = "devices/import.html")]
struct ImportPage {
    ctx: PageCtx,
    code: String,
    name: String,
    report: Option<ImportReport>,
    pending: Option<i64>,
    done: bool,
}

impl ImportPage {
    fn problem_message(&self, problem: &ImportProblem) -> String {
        if self.ctx.is_en() {
            problem.message_en.clone()
        } else {
            problem.message_ja.clone()
        }
    }
}

pub async fn form(ctx: PageCtx, Extension(fctx): Extension<FacilityCtx>) -> Response {
    let f = fctx.facility.profile;
    render(&ImportPage {
        ctx,
        code: f.code,
        name: f.name,
        report: None,
        pending: None,
        done: false,
    })
}

/// Upload → dry run → preview; the file waits for confirmation.
pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::bad_request("アップロードを読めません。", e.to_string()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::bad_request("アップロードを読めません。", e.to_string()))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(AppError::bad_request(
            "ファイルを選んでください。",
            "Choose a file to upload.",
        ));
    };
    let options = ImportOptions {
        dry_run: true,
        skip_invalid: false,
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &file_name,
        &bytes,
        None,
        options,
    )
    .await?;
    let pending = if report.devices_in_file > 0 {
        Some(
            state
                .store
                .save_pending_import(
                    fctx.facility.id,
                    principal.user.id,
                    "devices",
                    &file_name,
                    &bytes,
                )
                .await?,
        )
    } else {
        None
    };
    let f = fctx.facility.profile;
    let mut response = render(&ImportPage {
        ctx,
        code: f.code,
        name: f.name,
        report: Some(report),
        pending,
        done: false,
    });
    *response.status_mut() = StatusCode::OK;
    Ok(response)
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    skip_invalid: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> AppResult<Response> {
    let pending = state
        .store
        .pending_import(id, fctx.facility.id, principal.user.id, "devices")
        .await?;
    let options = ImportOptions {
        dry_run: false,
        skip_invalid: form.skip_invalid == "yes",
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &pending.file_name,
        &pending.content,
        None,
        options,
    )
    .await?;
    if report.written {
        state.store.delete_pending_import(id).await?;
    }
    let f = fctx.facility.profile;
    if report.written && report.errors == 0 && report.warnings == 0 {
        return Ok(Redirect::to(&format!("/facilities/{}/devices", f.code)).into_response());
    }
    Ok(render(&ImportPage {
        ctx,
        code: f.code,
        name: f.name,
        report: Some(report),
        pending: None,
        done: true,
    }))
}
