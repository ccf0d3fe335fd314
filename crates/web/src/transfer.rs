//! What every import shares: options, the report, the upload, the write-or-roll-back decision
//! and the upload → preview → result page.

use askama::Template;
use axum::extract::Multipart;
use mimamori_formats::{ImportProblem, Severity, TableError};
use mimamori_store::ledger::ImportCounts;
use mimamori_store::{AuditRecord, WriteTx};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::view::PageCtx;

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
    pub records_in_file: usize,
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

/// A report for a file that could not be read at all.
pub fn unreadable(file_name: &str, sheet: Option<&str>, error: &TableError) -> ImportReport {
    ImportReport {
        file: file_name.to_string(),
        errors: 1,
        problems: vec![ImportProblem {
            severity: Severity::Error,
            sheet: sheet.unwrap_or_default().to_string(),
            row: 0,
            column: String::new(),
            value: String::new(),
            code: "unreadable_file".into(),
            message_ja: error.to_string(),
            message_en: error.to_string(),
        }],
        ..Default::default()
    }
}

/// Commits the import's transaction — with an audit entry summing it up — only when it is no dry
/// run and has no error (or errors are to be skipped); otherwise it is rolled back.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    mut tx: WriteTx,
    facility_id: i64,
    entity: &str,
    file_name: &str,
    records_in_file: usize,
    counts: ImportCounts,
    problems: Vec<ImportProblem>,
    options: ImportOptions,
) -> Result<ImportReport, mimamori_store::StoreError> {
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let mut report = ImportReport {
        file: file_name.to_string(),
        written: false,
        records_in_file,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        errors,
        warnings: problems.len() - errors,
        problems,
    };
    if !options.dry_run && (errors == 0 || options.skip_invalid) {
        let summary = serde_json::json!({
            "file": file_name, "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
            "skipped_errors": errors, "warnings": report.warnings,
        });
        tx.audit(
            AuditRecord::new("import", entity)
                .facility(Some(facility_id))
                .after(&summary),
        )
        .await?;
        tx.commit().await?;
        report.written = true;
    }
    Ok(report)
}

/// Reads the `file` field of an upload.
pub async fn uploaded_file(multipart: &mut Multipart) -> AppResult<(String, Vec<u8>)> {
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
    file.filter(|(_, b)| !b.is_empty()).ok_or_else(|| {
        AppError::bad_request("ファイルを選んでください。", "Choose a file to upload.")
    })
}

/// The upload → preview → result page, shared by the device ledger and the registers.
#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub ctx: PageCtx,
    /// The ledger's list URL; the upload posts to `{base}/import`.
    pub base: String,
    pub title: String,
    pub facility_name: String,
    pub hint: String,
    pub report: Option<ImportReport>,
    pub pending: Option<i64>,
    pub done: bool,
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
