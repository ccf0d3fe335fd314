//! Importing a system's user export (with its column mapping) and exporting account ledgers and
//! review results. One import function serves the pages, the API and the CLI.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::accounts::{Account, ColumnMapping, ACCOUNTS};
use mimamori_formats::accounts::{account_table, file_headers, guess_mapping, parse_accounts};
use std::collections::HashMap;

use mimamori_domain::ledger::absent::Present;
use mimamori_formats::{read_tables, ImportProblem, Severity};
use mimamori_store::accounts::AccountImport;
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, AuditRecord, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{system, SystemRef};
use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::{ExportFormat, Exported};
use crate::error::AppResult;
use crate::transfer::{unreadable, uploaded_file, ImportOptions, ProblemsView};
use crate::view::{render, PageCtx};
use crate::AppState;

/// What an account import found and did. Created, changed and disabled list login IDs.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct AccountImportReport {
    pub file: String,
    pub system: String,
    pub written: bool,
    pub accounts_in_file: usize,
    pub created: Vec<String>,
    pub changed: Vec<String>,
    pub disabled: Vec<String>,
    /// Accounts whose only change is a newer last sign-in.
    pub sign_ins_updated: usize,
    pub unchanged: usize,
    /// Owners found by staff number in the login ID, and guessed by name (to confirm).
    pub owners_matched: usize,
    pub owners_suggested: usize,
    pub errors: usize,
    pub warnings: usize,
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<ImportProblem>,
    /// The import would stop or disable more than [`MassRemoval`]'s share of the active
    /// accounts and was not written: confirm with `allow_mass_removal`.
    pub needs_confirmation: bool,
    /// The column mapping used (field key → the file's column title).
    #[schema(value_type = Object)]
    pub mapping: std::collections::BTreeMap<String, String>,
}

impl AccountImportReport {
    /// Whether the import stops or removes so many accounts that it asks before writing.
    pub fn asks_mass_removal(&self) -> bool {
        self.problems.iter().any(|p| p.code == "mass_removal")
    }

    pub fn summary(&self) -> String {
        let state = if self.written {
            "書き込みました / written"
        } else {
            "書き込んでいません / nothing written"
        };
        format!(
            "{} ({}): 新規 created {} · 変更 changed {} · 停止・削除 disabled {} · ログイン日のみ sign-ins {} · 変更なし unchanged {} · 持ち主照合 matched {} / 要確認 to confirm {} · 警告 warnings {} · エラー errors {} — {state}",
            self.file,
            self.system,
            self.created.len(),
            self.changed.len(),
            self.disabled.len(),
            self.sign_ins_updated,
            self.unchanged,
            self.owners_matched,
            self.owners_suggested,
            self.warnings,
            self.errors
        )
    }
}

/// Which mapping to read the file with: the one given, else the one saved for the system,
/// else the ledger's own titles.
pub async fn resolve_mapping(
    store: &Store,
    facility_id: i64,
    system: &SystemRef,
    given: Option<ColumnMapping>,
) -> AppResult<Option<ColumnMapping>> {
    Ok(match given {
        Some(mapping) => Some(mapping),
        None => store.column_mapping(facility_id, &system.name).await?,
    })
}

/// Reads, validates, diffs and (unless a dry run or invalid) writes a user export in one
/// transaction; a mapping given explicitly is saved for the system when the import is written.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    system: &SystemRef,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    given: Option<ColumnMapping>,
    options: ImportOptions,
) -> AppResult<AccountImportReport> {
    let sheets = match read_tables(bytes, file_name, sheet) {
        Ok(sheets) => sheets,
        Err(error) => {
            let unreadable = unreadable(file_name, sheet, &error);
            return Ok(AccountImportReport {
                file: file_name.into(),
                system: system.name.clone(),
                errors: 1,
                problems: unreadable.problems,
                ..Default::default()
            });
        }
    };
    let explicit = given.is_some();
    let mapping = resolve_mapping(store, facility_id, system, given).await?;
    let used = mapping
        .clone()
        .unwrap_or_else(|| guess_mapping(&file_headers(&sheets)));
    let parsed = parse_accounts(&system.name, &sheets, mapping.as_ref());
    let errors = parsed.errors();
    let mut report = AccountImportReport {
        file: file_name.into(),
        system: system.name.clone(),
        accounts_in_file: parsed.accounts.len(),
        errors,
        warnings: parsed.problems.len() - errors,
        problems: parsed.problems,
        mapping: used.0.clone(),
        ..Default::default()
    };
    // A file that gives no account is never read as "every account was removed".
    if parsed.accounts.is_empty() {
        return Ok(report);
    }
    let present = Present(&parsed.present);
    let existing = store.all_accounts(facility_id, Some(&system.name)).await?;
    let by_key: HashMap<String, &Account> = existing.iter().map(|a| (a.key(), a)).collect();
    let incoming: Vec<Account> = parsed
        .accounts
        .into_iter()
        .map(|(_, mut account)| {
            if let Some(old) = by_key.get(&account.key()) {
                account.keep_absent(old, present);
            }
            account
        })
        .collect();
    let people = store.people(facility_id).await?;
    let plan = AccountImport::plan(&existing, &incoming, &people);
    let removal = MassRemoval::of(&existing, &plan);
    if let Some(problem) = removal.problem(&report.file, options) {
        if problem.severity == Severity::Error {
            report.errors += 1;
        } else {
            report.warnings += 1;
        }
        report.problems.insert(0, problem);
    }
    report.needs_confirmation = removal.needs_confirmation() && !options.allow_mass_removal;
    // A preview, or a file whose errors stop it, is planned without a write transaction.
    let writes =
        !options.dry_run && (errors == 0 || options.skip_invalid) && !report.needs_confirmation;
    let mut tx = if writes {
        Some(store.write(actor).await?)
    } else {
        None
    };
    let import = match tx.as_mut() {
        Some(tx) => {
            tx.import_accounts(facility_id, &system.name, &existing, &incoming, &people)
                .await?
        }
        None => plan,
    };
    report.created = import.changes.created;
    report.changed = import.changes.changed;
    report.disabled = import.changes.disabled;
    report.sign_ins_updated = import.changes.sign_ins.len();
    report.unchanged = import.changes.unchanged;
    report.owners_matched = import.matched;
    report.owners_suggested = import.suggested;
    if let Some(mut tx) = tx {
        if explicit {
            tx.save_column_mapping(facility_id, &system.name, &used)
                .await?;
        }
        tx.commit().await?;
        report.written = true;
    }
    Ok(report)
}

/// How many active accounts an import would stop or delete, against how many there are. A
/// user export that lacks most accounts is more often the wrong file, or a filtered one, than
/// a mass departure: above the share it asks before writing.
struct MassRemoval {
    active: usize,
    removed: usize,
}

impl MassRemoval {
    /// Removals above this share of the active accounts (and at least [`Self::FROM`]) ask first.
    const SHARE_PERCENT: usize = 20;
    const FROM: usize = 3;

    fn of(existing: &[Account], plan: &AccountImport) -> Self {
        MassRemoval {
            active: existing.iter().filter(|a| a.is_active()).count(),
            removed: plan.changes.disabled.len(),
        }
    }

    fn needs_confirmation(&self) -> bool {
        self.removed >= Self::FROM && self.removed * 100 > self.active * Self::SHARE_PERCENT
    }

    /// The note in the report: an error when it stops the import, a warning in a preview or
    /// once confirmed.
    fn problem(&self, file: &str, options: ImportOptions) -> Option<ImportProblem> {
        if !self.needs_confirmation() {
            return None;
        }
        let percent = self.removed * 100 / self.active.max(1);
        let severity = if options.dry_run || options.allow_mass_removal {
            Severity::Warning
        } else {
            Severity::Error
        };
        let issue = mimamori_domain::Issue::new("file", "mass_removal")
            .with("count", self.removed)
            .with("active", self.active)
            .with("percent", percent);
        Some(ImportProblem::new(severity, file, 0, "", "", &issue))
    }
}

/// The account ledger (of one system, or all) as a file; the export is audited.
pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    system: Option<&str>,
    format: ExportFormat,
) -> AppResult<Exported> {
    let accounts = store.all_accounts(facility.id, system).await?;
    let today = store.clock().today_jst();
    let preamble = vec![
        format!("ID台帳（{}）", system.unwrap_or("全システム")),
        format!("施設名：{}", facility.profile.name),
        format!("出力日：{today}"),
    ];
    let table = account_table(preamble, &accounts);
    let stem = format!(
        "ID台帳_{}_{}{}",
        facility.profile.code,
        today.format("%Y%m%d"),
        system.map(|s| format!("_{s}")).unwrap_or_default()
    );
    let exported = Exported::from_table(&table, format, &stem, accounts.len())?;
    store
        .record_event(
            actor,
            AuditRecord::new("export", "accounts")
                .facility(Some(facility.id))
                .after(&serde_json::json!({"system": system, "rows": exported.rows})),
        )
        .await?;
    Ok(exported)
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub encoding: String,
}

impl ExportQuery {
    pub fn export_format(&self) -> AppResult<ExportFormat> {
        crate::devices::export::parse_format(&self.format, &self.encoding)
    }
}

pub async fn download(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let system = system(&state.store, fctx.facility.id, path.1).await?;
    let exported = export(
        &state.store,
        &principal.actor(),
        &fctx.facility,
        Some(&system.name),
        query.export_format()?,
    )
    .await?;
    Ok(exported.attachment("accounts"))
}

// ---- The import pages: upload → column mapping → preview → confirm ----

#[derive(askama::Template)]
#[template(path = "accounts/import.html")]
struct ImportPage {
    ctx: PageCtx,
    facility: Facility,
    system: SystemRef,
    /// The pending upload and its column titles, once a file is uploaded.
    pending: Option<i64>,
    headers: Vec<String>,
    mapping: ColumnMapping,
    report: Option<AccountImportReport>,
    problems: ProblemsView,
    done: bool,
}

impl ImportPage {
    fn show(&mut self, report: AccountImportReport) {
        self.problems = ProblemsView::new(&report.problems, None);
        self.report = Some(report);
    }

    fn fields(&self) -> Vec<(&'static str, &'static str, bool)> {
        ACCOUNTS
            .fields
            .iter()
            .map(|f| (f.key, f.label(self.ctx.lang), f.required))
            .collect()
    }

    fn base(&self) -> String {
        format!(
            "/facilities/{}/accounts/systems/{}",
            self.facility.profile.code, self.system.id
        )
    }

    fn mapped(&self, key: &str, header: &str) -> bool {
        self.mapping.0.get(key).is_some_and(|h| h == header)
    }

    fn is_error(&self, problem: &ImportProblem) -> bool {
        problem.severity == Severity::Error
    }
}

fn page(ctx: PageCtx, fctx: FacilityCtx, system: SystemRef) -> ImportPage {
    ImportPage {
        ctx,
        facility: fctx.facility,
        system,
        pending: None,
        headers: Vec::new(),
        mapping: ColumnMapping::default(),
        report: None,
        problems: ProblemsView::default(),
        done: false,
    }
}

pub async fn form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Response> {
    let system = system(&state.store, fctx.facility.id, path.1).await?;
    Ok(render(&page(ctx, fctx, system)))
}

fn pending_slug(system: &SystemRef) -> String {
    format!("accounts:{}", system.id)
}

/// Upload: keep the file pending and show the mapping screen, prefilled with the mapping saved
/// for the system or guessed from the titles.
pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let system = system(&state.store, fctx.facility.id, path.1).await?;
    let (file_name, bytes) = uploaded_file(&mut multipart).await?;
    let sheets = match read_tables(&bytes, &file_name, None) {
        Ok(sheets) => sheets,
        Err(error) => {
            let mut view = page(ctx, fctx, system);
            view.show(AccountImportReport {
                file: file_name.clone(),
                errors: 1,
                problems: unreadable(&file_name, None, &error).problems,
                ..Default::default()
            });
            return Ok(render(&view));
        }
    };
    let headers = file_headers(&sheets);
    let mapping = match state
        .store
        .column_mapping(fctx.facility.id, &system.name)
        .await?
    {
        Some(saved) => saved,
        None => guess_mapping(&headers),
    };
    let slug = pending_slug(&system);
    let pending = state
        .store
        .save_pending_import(
            fctx.facility.id,
            principal.user.id,
            &slug,
            &file_name,
            &bytes,
        )
        .await?;
    let mut view = page(ctx, fctx, system);
    view.pending = Some(pending);
    view.headers = headers;
    view.mapping = mapping;
    Ok(render(&view))
}

/// The mapping screen's form: `map_{field}` = the file's column title (empty = not imported).
#[derive(Debug, Deserialize)]
pub struct MappingForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub skip_invalid: String,
    #[serde(default)]
    pub allow_mass_removal: String,
    #[serde(flatten)]
    pub fields: std::collections::HashMap<String, String>,
}

impl MappingForm {
    fn mapping(&self) -> ColumnMapping {
        ColumnMapping(
            ACCOUNTS
                .fields
                .iter()
                .filter_map(|f| {
                    self.fields
                        .get(&format!("map_{}", f.key))
                        .filter(|v| !v.trim().is_empty())
                        .map(|v| (f.key.to_string(), v.trim().to_string()))
                })
                .collect(),
        )
    }
}

/// Preview (dry run) or confirm an upload with the mapping chosen on the screen.
pub async fn apply(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64, i64)>,
    Form(form): Form<MappingForm>,
) -> AppResult<Response> {
    let system = system(&state.store, fctx.facility.id, path.1).await?;
    let pending = state
        .store
        .pending_import(
            path.2,
            fctx.facility.id,
            principal.user.id,
            &pending_slug(&system),
        )
        .await?;
    let mapping = form.mapping();
    let confirm = form.action == "confirm";
    let options = ImportOptions {
        dry_run: !confirm,
        skip_invalid: form.skip_invalid == "yes",
        allow_mass_removal: form.allow_mass_removal == "yes",
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &system,
        &pending.file_name,
        &pending.content,
        None,
        Some(mapping.clone()),
        options,
    )
    .await?;
    if report.written {
        state.store.delete_pending_import(pending.id).await?;
        if report.errors == 0 && report.warnings == 0 {
            return Ok(Redirect::to(&format!(
                "/facilities/{}/accounts/systems/{}?imported={}-{}-{}",
                fctx.facility.profile.code,
                system.id,
                report.created.len(),
                report.changed.len(),
                report.disabled.len()
            ))
            .into_response());
        }
    }
    let sheets = read_tables(&pending.content, &pending.file_name, None).unwrap_or_default();
    let mut view = page(ctx, fctx, system);
    view.done = report.written;
    view.pending = (!report.written).then_some(pending.id);
    view.headers = file_headers(&sheets);
    view.mapping = mapping;
    view.show(report);
    Ok(render(&view))
}
