//! Importing a system's user export (with its column mapping) and exporting account ledgers and
//! review results. One import function serves the pages, the API and the CLI.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_app::import::accounts::{run, AccountImportReport};
use mimamori_app::import::columns::{
    file_columns, read_columns, value_fields, FileColumn, LedgerField, MappedWord, ValueField,
};
use mimamori_domain::accounts::{ColumnMapping, ACCOUNTS};
use mimamori_domain::ledger::values::register_value_fields;
use mimamori_formats::accounts::guess_mapping;

use mimamori_formats::{ImportProblem, Severity};
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, Store};
use serde::Deserialize;

use super::{system, SystemRef};
use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::Attachment;
use crate::devices::export::{ExportFormat, Exported};
use crate::error::AppResult;
use crate::transfer::{unreadable, uploaded_file, values_from_form, ImportOptions, ProblemsView};
use crate::view::{render, PageCtx};
use crate::AppState;

/// The account ledger as a file (see [`mimamori_app::export::accounts`]).
pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    system: Option<&str>,
    format: ExportFormat,
) -> AppResult<Exported> {
    Ok(mimamori_app::export::accounts(store, actor, facility, system, format).await?)
}

pub use crate::devices::export::FormatQuery as ExportQuery;

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
    /// The file's columns with sample values, shown beside the mapping.
    columns: Vec<FileColumn>,
    mapping: ColumnMapping,
    /// Choice fields whose column holds words the ledger does not read by itself.
    value_fields: Vec<ValueField>,
    report: Option<AccountImportReport>,
    problems: ProblemsView,
    done: bool,
}

impl ImportPage {
    fn samples(&self, title: &str) -> String {
        self.columns
            .iter()
            .find(|c| c.title == title)
            .map(|c| c.samples.join("、"))
            .unwrap_or_default()
    }

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

    fn maps_to(&self, word: &MappedWord, to: &str) -> bool {
        word.to.as_deref() == Some(to)
    }

    /// The file's columns and the mapping, with the words of its choice columns to map.
    fn with_columns(&mut self, columns: Vec<FileColumn>, mapping: ColumnMapping) {
        let titles: Vec<LedgerField> = ACCOUNTS
            .fields
            .iter()
            .map(|f| LedgerField {
                key: f.key,
                title: f.titles[0],
                required: f.required,
            })
            .collect();
        self.value_fields = value_fields(
            &register_value_fields(&ACCOUNTS),
            &titles,
            &columns,
            &mapping,
            self.ctx.lang,
        );
        self.headers = columns.iter().map(|c| c.title.clone()).collect();
        self.columns = columns;
        self.mapping = mapping;
    }
}

fn page(ctx: PageCtx, fctx: FacilityCtx, system: SystemRef) -> ImportPage {
    ImportPage {
        ctx,
        facility: fctx.facility,
        system,
        pending: None,
        headers: Vec::new(),
        columns: Vec::new(),
        mapping: ColumnMapping::default(),
        value_fields: Vec::new(),
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
    let columns = match read_columns(&bytes, &file_name).await {
        Ok(columns) => columns,
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
    let headers: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
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
    view.with_columns(columns, mapping);
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
            values_from_form(&self.fields),
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
        &system.name,
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
    let columns = file_columns(&pending.content, &pending.file_name).await;
    let mut view = page(ctx, fctx, system);
    view.done = report.written;
    view.pending = (!report.written).then_some(pending.id);
    view.with_columns(columns, mapping);
    view.show(report);
    Ok(render(&view))
}
