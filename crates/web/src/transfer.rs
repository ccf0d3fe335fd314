//! What every import shares: options, the report, the upload, the write-or-roll-back decision
//! and the upload → preview → result page.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::i18n::Lang;
use mimamori_formats::write::{self, Encoding};
use mimamori_formats::{group_problems, problem_table, ImportProblem, ProblemGroup};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{FacilityCtx, Principal};
use crate::devices::export::Attachment;
use crate::devices::export::{ExportFormat, Exported};
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

use mimamori_app::import::columns::{
    file_columns, guessed, ledger_fields, value_fields, value_kinds, FileColumn, LedgerField,
    MappedWord, ValueField,
};
use mimamori_app::import::undo::{register_of, undo, UndoError, UndoReport};
pub use mimamori_app::import::{run, unreadable, ImportOptions, ImportReport, Ledger};
use mimamori_domain::ledger::values::ValueMapping;
use mimamori_formats::table::Source;

/// What the import pages show of a ledger.
trait LedgerPage {
    fn list_url(self, facility_code: &str) -> String;
    fn title(self, lang: Lang) -> String;
    fn hint(self, lang: Lang) -> String;
}

impl LedgerPage for Ledger {
    fn list_url(self, facility_code: &str) -> String {
        match self {
            Ledger::Devices => format!("/facilities/{facility_code}/devices"),
            Ledger::Register(spec) => {
                format!("/facilities/{facility_code}/registers/{}", spec.slug)
            }
        }
    }

    fn title(self, lang: Lang) -> String {
        match self {
            Ledger::Devices => lang
                .pick("機器台帳の取り込み", "Import the device ledger")
                .to_string(),
            Ledger::Register(spec) => {
                format!("{} — {}", spec.title(lang), lang.pick("取り込み", "import"))
            }
        }
    }

    fn hint(self, lang: Lang) -> String {
        match self {
            Ledger::Devices => lang.pick(DEVICE_HINT_JA, DEVICE_HINT_EN).to_string(),
            Ledger::Register(spec) => {
                let titles: Vec<&str> = spec.fields.iter().map(|f| f.titles[0]).collect();
                format!(
                    "{}{}",
                    lang.pick(
                        "Excel（.xlsx）または CSV（UTF-8／Shift_JIS）。見出し: ",
                        "Excel (.xlsx) or CSV (UTF-8 or Shift_JIS). Headers: "
                    ),
                    titles.join("、")
                )
            }
        }
    }
}

const DEVICE_HINT_JA: &str = "Excel（.xlsx）または CSV（UTF-8／Shift_JIS）。厚生労働省の機器台帳の例と同じ列見出し（管理番号、メーカー、OS、ソフトウェア、ソフトウェアバージョン、IPアドレス、コンピュータ名、設置場所、利用者、登録日、状態、説明）や英語の見出しを認識します。同じ管理番号の行はソフトウェアの追加として扱います。保存の前に確認画面が出ます。";
const DEVICE_HINT_EN: &str = "Excel (.xlsx) or CSV (UTF-8 or Shift_JIS) with the MHLW example's headers or English ones. Rows repeating a management number add software. You see a preview before anything is saved.";

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
    /// The facility's code, for the undo of a written import.
    pub fctx_code: String,
    pub hint: String,
    pub report: Option<ImportReport>,
    pub problems: ProblemsView,
    pub pending: Option<i64>,
    pub done: bool,
    /// The ledger's fields and the file's columns, for the mapping screen of a kept upload.
    pub fields: Vec<LedgerField>,
    pub columns: Vec<FileColumn>,
    /// The mapping the file's titles give, the screen's default.
    pub guess: ColumnMapping,
    /// Choice fields whose column holds words the ledger does not read by itself.
    pub value_fields: Vec<ValueField>,
}

/// Problems a page lists one by one; past this it shows them grouped by column and reason, the
/// first ones, and (where the upload is still kept) a download of all: a wrongly mapped column
/// fails every row, and 100,000 table rows would make a page of tens of megabytes.
pub const LISTED_PROBLEMS: usize = 200;

/// A report's problems as an import page shows them.
#[derive(Debug, Default)]
pub struct ProblemsView {
    pub listed: Vec<ImportProblem>,
    pub unlisted: usize,
    pub groups: Vec<ProblemGroup>,
    pub download: Option<String>,
}

impl ProblemsView {
    pub fn unlisted_text(&self) -> String {
        mimamori_formats::problem::count_text(self.unlisted)
    }

    pub fn new(problems: &[ImportProblem], download: Option<String>) -> Self {
        let unlisted = problems.len().saturating_sub(LISTED_PROBLEMS);
        Self {
            listed: problems.iter().take(LISTED_PROBLEMS).cloned().collect(),
            unlisted,
            groups: if unlisted > 0 {
                group_problems(problems)
            } else {
                Vec::new()
            },
            download: download.filter(|_| unlisted > 0),
        }
    }
}

impl ImportPage {
    /// Whether `title` is the column the mapping used (or the titles give) for `key`.
    fn mapped(&self, key: &str, title: &str) -> bool {
        let used = self
            .report
            .as_ref()
            .map(|r| &r.mapping)
            .filter(|m| !m.is_empty())
            .unwrap_or(&self.guess.0);
        used.get(key).is_some_and(|column| column == title)
    }

    /// The page with the kept file's columns, for its mapping screen.
    fn with_columns(mut self, ledger: Ledger, columns: Vec<FileColumn>) -> Self {
        self.guess = guessed(ledger, &columns);
        let used = match self.report.as_ref().filter(|r| !r.mapping.is_empty()) {
            Some(r) => ColumnMapping(r.mapping.clone(), ValueMapping(r.values.clone())),
            None => self.guess.clone(),
        };
        self.value_fields = value_fields(
            &value_kinds(ledger),
            &self.fields,
            &columns,
            &used,
            self.ctx.lang,
        );
        self.columns = columns;
        self
    }

    /// Whether the mapping screen opens by itself: the titles named no key column, or a choice
    /// column holds words the ledger does not read and rows failed.
    fn mapping_open(&self) -> bool {
        self.unmapped()
            || (!self.value_fields.is_empty() && self.report.as_ref().is_some_and(|r| r.errors > 0))
    }

    /// Whether `word` is mapped to `to` on the screen.
    fn maps_to(&self, word: &MappedWord, to: &str) -> bool {
        word.to.as_deref() == Some(to)
    }

    /// Whether the file's titles named no key column: the mapping screen opens by itself.
    fn unmapped(&self) -> bool {
        self.report
            .as_ref()
            .is_some_and(|r| r.problems.iter().any(|p| p.code == "no_header"))
    }

    fn samples(&self, title: &str) -> String {
        self.columns
            .iter()
            .find(|c| c.title == title)
            .map(|c| c.samples.join("、"))
            .unwrap_or_default()
    }

    fn problem_message(&self, problem: &ImportProblem) -> String {
        if self.ctx.is_en() {
            problem.message_en.clone()
        } else {
            problem.message_ja.clone()
        }
    }
}

fn import_page(
    ctx: PageCtx,
    fctx: &FacilityCtx,
    ledger: Ledger,
    report: Option<ImportReport>,
    pending: Option<i64>,
    done: bool,
) -> ImportPage {
    let base = ledger.list_url(&fctx.facility.profile.code);
    let download = pending.map(|id| format!("{base}/import/{id}/problems"));
    let problems = report
        .as_ref()
        .map(|r| ProblemsView::new(&r.problems, download))
        .unwrap_or_default();
    ImportPage {
        base,
        title: ledger.title(ctx.lang),
        facility_name: fctx.facility.profile.name.clone(),
        fctx_code: fctx.facility.profile.code.clone(),
        hint: ledger.hint(ctx.lang),
        ctx,
        report,
        problems,
        pending,
        done,
        fields: ledger_fields(ledger),
        columns: Vec::new(),
        guess: ColumnMapping::default(),
        value_fields: Vec::new(),
    }
}

/// An undo refused, as the error the pages and the API show.
fn undo_refused(error: UndoError) -> AppError {
    match error {
        UndoError::Store(e) => e.into(),
        UndoError::NotFound => AppError::not_found(),
        other => AppError::new(StatusCode::CONFLICT, "undo_refused", other.ja(), other.en()),
    }
}

/// Undoes an import written today, then shows its ledger.
pub async fn undo_page(
    state: &AppState,
    principal: &Principal,
    fctx: &FacilityCtx,
    seq: i64,
) -> AppResult<Response> {
    let report = undo(&state.store, &principal.actor(), fctx.facility.id, seq)
        .await
        .map_err(undo_refused)?;
    let code = &fctx.facility.profile.code;
    let list = match register_of(&report.entity) {
        Some(spec) => Ledger::Register(spec).list_url(code),
        None => Ledger::Devices.list_url(code),
    };
    Ok(Redirect::to(&list).into_response())
}

/// The API's undo of an import written today: 409 with the reason when it cannot be undone.
#[utoipa::path(post, path = "/api/v1/facilities/{code}/imports/{seq}/undo", tag = "devices",
    params(("code" = String, Path), ("seq" = i64, Path)),
    responses((status = 200, body = UndoReport), (status = 409, body = crate::error::ErrorBody)))]
pub async fn undo_api(
    axum::extract::State(state): axum::extract::State<AppState>,
    crate::auth::SignedIn(principal): crate::auth::SignedIn,
    axum::Extension(fctx): axum::Extension<FacilityCtx>,
    axum::extract::Path(path): axum::extract::Path<(String, i64)>,
) -> AppResult<Json<UndoReport>> {
    let report = undo(&state.store, &principal.actor(), fctx.facility.id, path.1)
        .await
        .map_err(undo_refused)?;
    Ok(Json(report))
}

/// The page's undo button posts here.
pub async fn undo_form(
    axum::extract::State(state): axum::extract::State<AppState>,
    crate::auth::SignedIn(principal): crate::auth::SignedIn,
    axum::Extension(fctx): axum::Extension<FacilityCtx>,
    axum::extract::Path(path): axum::extract::Path<(String, i64)>,
) -> AppResult<Response> {
    undo_page(&state, &principal, &fctx, path.1).await
}

/// The ledger's ひな形 (template) as an XLSX download.
pub fn template(fctx: &FacilityCtx, ledger: Ledger) -> AppResult<Response> {
    let (bytes, file_name) = mimamori_app::import::template(ledger, &fctx.facility.profile.name)
        .map_err(AppError::internal)?;
    Ok(Exported::xlsx(bytes, file_name).attachment(&format!("{}-template", ledger.slug())))
}

/// The upload form.
pub fn form(ctx: PageCtx, fctx: &FacilityCtx, ledger: Ledger) -> Response {
    render(&import_page(ctx, fctx, ledger, None, None, false))
}

/// Upload → dry run → preview; the file waits in `pending_imports` for confirmation.
pub async fn upload(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    fctx: &FacilityCtx,
    ledger: Ledger,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (file_name, bytes) = uploaded_file(&mut multipart).await?;
    let options = ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        ledger,
        &file_name,
        Source::Bytes(bytes.as_slice().into()),
        None,
        None,
        options,
    )
    .await?;
    // Kept to be confirmed, or for the download of its problems when the page cannot list them
    // all (even when no row is valid).
    // Kept also when every row failed but the file was read (problems at rows): a system's own
    // word in every row is mapped on the screen, not fixed in the file.
    let unmapped = report.problems.iter().any(|p| p.code == "no_header");
    let read_rows = report
        .problems
        .iter()
        .any(|p| p.row > 0 && p.code != "no_header");
    let pending = if report.records_in_file > 0
        || report.problems.len() > LISTED_PROBLEMS
        || unmapped
        || read_rows
    {
        Some(
            state
                .store
                .save_pending_import(
                    fctx.facility.id,
                    principal.user.id,
                    ledger.slug(),
                    &file_name,
                    &bytes,
                )
                .await?,
        )
    } else {
        None
    };
    let columns = match pending {
        Some(_) => file_columns(&bytes, &file_name).await,
        None => Vec::new(),
    };
    let page = import_page(ctx, fctx, ledger, Some(report), pending, false);
    Ok(render(&page.with_columns(ledger, columns)))
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub skip_invalid: String,
    #[serde(default)]
    pub allow_mass_removal: String,
    /// `preview` checks the kept file again (with the mapping chosen); anything else saves.
    #[serde(default)]
    pub action: String,
    /// `map_{field}` = the file's column title chosen on the mapping screen.
    #[serde(flatten)]
    pub fields: std::collections::HashMap<String, String>,
}

impl ConfirmForm {
    /// The mapping chosen on the screen; `None` when the form has none.
    fn mapping(&self) -> Option<ColumnMapping> {
        let chosen: std::collections::BTreeMap<String, String> = self
            .fields
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("map_")?.to_string(), v.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let any = self.fields.keys().any(|k| k.starts_with("map_"));
        any.then_some(ColumnMapping(chosen, values_from_form(&self.fields)))
    }
}

/// The words a mapping screen's value table sends: `word_{field}_{n}` = a word of the file,
/// `to_{field}_{n}` = the ledger's word for it (empty: not mapped).
pub fn values_from_form(fields: &std::collections::HashMap<String, String>) -> ValueMapping {
    let mut values = ValueMapping::default();
    for (name, word) in fields {
        let Some(slot) = name.strip_prefix("word_") else {
            continue;
        };
        let Some((field, _)) = slot.rsplit_once('_') else {
            continue;
        };
        if let Some(to) = fields.get(&format!("to_{slot}")) {
            values.set(field, word, to);
        }
    }
    values
}

/// Every problem of an upload the same person previewed, as CSV (UTF-8 with BOM): the file is
/// checked again exactly as the preview did.
pub async fn problems(
    state: &AppState,
    principal: &Principal,
    fctx: &FacilityCtx,
    ledger: Ledger,
    id: i64,
) -> AppResult<Response> {
    let options = ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    let report = run_pending(state, principal, fctx, ledger, id, None, options).await?;
    let table = problem_table(&report.file, &report.problems);
    let (bytes, _) = write::csv(&table, Encoding::Utf8Bom);
    let stem = format!("取り込みの問題_{}", fctx.facility.profile.code);
    Ok(Exported::file(
        bytes,
        ExportFormat::Csv(Encoding::Utf8Bom),
        &stem,
        report.problems.len(),
    )
    .attachment("import-problems"))
}

/// Runs the kept upload `id` of this person, facility and ledger (anyone else's is not found).
async fn run_pending(
    state: &AppState,
    principal: &Principal,
    fctx: &FacilityCtx,
    ledger: Ledger,
    id: i64,
    mapping: Option<ColumnMapping>,
    options: ImportOptions,
) -> AppResult<ImportReport> {
    let pending = state
        .store
        .pending_import(id, fctx.facility.id, principal.user.id, ledger.slug())
        .await?;
    Ok(run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        ledger,
        &pending.file_name,
        Source::Bytes(pending.content.as_slice().into()),
        None,
        mapping,
        options,
    )
    .await?)
}

/// Applies an upload the same person previewed, or (`action=preview`) checks it again with the
/// column mapping chosen on the page.
pub async fn confirm(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    fctx: &FacilityCtx,
    ledger: Ledger,
    id: i64,
    form: ConfirmForm,
) -> AppResult<Response> {
    let preview = form.action == "preview";
    let options = ImportOptions {
        dry_run: preview,
        skip_invalid: form.skip_invalid == "yes",
        allow_mass_removal: form.allow_mass_removal == "yes",
    };
    let pending = state
        .store
        .pending_import(id, fctx.facility.id, principal.user.id, ledger.slug())
        .await?;
    // The file's columns are read only when a mapping was sent (to compare it with what the
    // titles give: the screen sends its selects always, and such a mapping is not the user's,
    // nor remembered) or when the page shows the mapping screen again.
    let submitted = form.mapping();
    let mut columns = match &submitted {
        Some(_) => Some(file_columns(&pending.content, &pending.file_name).await),
        None => None,
    };
    let mapping = submitted
        .zip(columns.as_deref())
        .map(|(chosen, columns)| (chosen, guessed(ledger, columns)))
        .and_then(|(chosen, guess)| (chosen != guess).then_some(chosen));
    let report = run_pending(state, principal, fctx, ledger, id, mapping, options).await?;
    if report.written {
        state.store.delete_pending_import(id).await?;
    }
    if !preview && report.written && report.errors == 0 && report.warnings == 0 {
        return Ok(Redirect::to(&ledger.list_url(&fctx.facility.profile.code)).into_response());
    }
    // A save that did not write keeps its upload for another try; one that wrote is done.
    let kept = (!report.written).then_some(id);
    let columns = match (kept, columns.take()) {
        (None, _) => Vec::new(),
        (Some(_), Some(columns)) => columns,
        (Some(_), None) => file_columns(&pending.content, &pending.file_name).await,
    };
    let page = import_page(ctx, fctx, ledger, Some(report), kept, kept.is_none());
    Ok(render(&page.with_columns(ledger, columns)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name (its extension is not needed: XLSX and CSV are told apart by content).
    #[serde(default)]
    pub file_name: String,
    /// Show what would change without writing.
    #[serde(default)]
    pub dry_run: bool,
    /// Write the valid rows and report the invalid ones.
    #[serde(default)]
    pub skip_invalid: bool,
    /// Write even when the import would stop or remove more than 20 % of the records.
    #[serde(default)]
    pub allow_mass_removal: bool,
    pub sheet: Option<String>,
    /// JSON object field key → the file's column title (`{"management_no": "資産No", "hostname":
    /// "端末"}`); remembered for files of the same columns when written. Without it, the mapping
    /// remembered for the file's columns, else the ledger's own titles.
    pub mapping: Option<String>,
}

/// The `mapping` parameter of an import (JSON: field key → the file's column title).
pub fn mapping_param(text: Option<&str>) -> AppResult<Option<ColumnMapping>> {
    text.map(serde_json::from_str::<ColumnMapping>)
        .transpose()
        .map_err(|e| {
            AppError::bad_request(
                format!("mapping を JSON として読めません: {e}"),
                format!("mapping is not valid JSON: {e}"),
            )
        })
}

/// The API's import: the file is the request body; 422 when errors stopped it.
pub async fn api_import(
    state: &AppState,
    principal: &Principal,
    fctx: &FacilityCtx,
    ledger: Ledger,
    query: ImportQuery,
    body: Bytes,
) -> AppResult<(StatusCode, Json<ImportReport>)> {
    if body.is_empty() {
        return Err(AppError::bad_request(
            "ファイルの内容を本文で送ってください。",
            "Send the file as the request body.",
        ));
    }
    let name = if query.file_name.is_empty() {
        "upload"
    } else {
        &query.file_name
    };
    let options = ImportOptions {
        dry_run: query.dry_run,
        skip_invalid: query.skip_invalid,
        allow_mass_removal: query.allow_mass_removal,
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        ledger,
        name,
        Source::Bytes(body.as_ref().into()),
        query.sheet.as_deref(),
        mapping_param(query.mapping.as_deref())?,
        options,
    )
    .await?;
    let status = if report.errors > 0 && !report.written {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}
