//! Importing a ledger, register or account file: read (bounded, off the async runtime),
//! checked, matched with what is stored, and written in one transaction or not at all. The
//! pages, the API and the CLI all call these functions.

pub mod accounts;
pub mod columns;
mod devices;
mod template;
pub mod undo;
mod workers;

use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::ledger::absent::Present;
use mimamori_domain::ledger::changes::RecordChange;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_formats::accounts::file_headers;
use mimamori_formats::header::file_shape;
use mimamori_formats::registers::parse_records_mapped;
use mimamori_formats::table::{collect_sheets, Limits, Source, TableFile};
use mimamori_formats::{ImportProblem, Severity, Sheet, TableError};
use mimamori_store::ledger::ImportCounts;
use mimamori_store::{Actor, AuditRecord, Store, StoreError, WriteTx};
use serde::Serialize;
use utoipa::ToSchema;

pub use template::template;
pub use workers::{off_runtime, streamed, CONCURRENT_READS};

/// The largest file the CLI reads (the server takes `max_upload_bytes`, 64 MiB by default).
/// The reader's own limits (rows, cells, text) stop a file long before memory does; this stops
/// one before it is even read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The largest device ledger the CLI imports: it is read from disk a row at a time and never
/// held, so this bounds the time an import takes (a million devices are ~300 MiB of CSV), not
/// its memory.
pub const MAX_STREAMED_FILE_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Which ledger a file is for: the device ledger or one of the registers.
#[derive(Debug, Clone, Copy)]
pub enum Ledger {
    Devices,
    Register(&'static RegisterSpec),
}

impl Ledger {
    /// Name in URLs, pending uploads and the audit log.
    pub fn slug(self) -> &'static str {
        match self {
            Ledger::Devices => "devices",
            Ledger::Register(spec) => spec.slug,
        }
    }

    fn entity(self) -> &'static str {
        match self {
            Ledger::Devices => "devices",
            Ledger::Register(spec) => spec.entity,
        }
    }
}

/// Reads, validates and (unless told otherwise or invalid) writes a ledger file, all in one
/// transaction. A preview, and a file whose errors stop it, only read: they neither write nor
/// take the write lock. The device ledger is read and written a chunk at a time (see
/// [`devices`]); a register's file is read whole.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    ledger: Ledger,
    file_name: &str,
    source: Source,
    sheet: Option<&str>,
    given: Option<ColumnMapping>,
    options: ImportOptions,
) -> Result<ImportReport, StoreError> {
    let target = Target {
        store,
        facility_id,
        ledger,
        file_name,
        options,
    };
    match ledger {
        Ledger::Devices => devices::run(&target, actor, source, sheet, given).await,
        Ledger::Register(spec) => run_register(&target, actor, spec, source, sheet, given).await,
    }
}

/// What an import is into, and how it runs.
pub(crate) struct Target<'a> {
    pub store: &'a Store,
    pub facility_id: i64,
    pub ledger: Ledger,
    pub file_name: &'a str,
    pub options: ImportOptions,
}

impl Target<'_> {
    /// The key a file's mapping is remembered by: the ledger and the file's header titles.
    fn shape(&self, sheets: &[Sheet]) -> String {
        format!(
            "file-shape:{}:{}",
            self.ledger.slug(),
            file_shape(&file_headers(sheets))
        )
    }

    /// A mapping given is used (and remembered once written) for files of this shape; without
    /// one, the mapping remembered for the shape, else the ledger's own titles.
    async fn mapping(
        &self,
        shape: &str,
        given: Option<ColumnMapping>,
    ) -> Result<Option<ColumnMapping>, StoreError> {
        match given {
            Some(mapping) => Ok(Some(mapping)),
            None => self.store.column_mapping(self.facility_id, shape).await,
        }
    }

    /// Whether a file with these problems is written.
    fn writes(&self, problems: &[ImportProblem]) -> bool {
        !self.options.dry_run
            && (self.options.skip_invalid || !problems.iter().any(is_error))
            && !problems.iter().any(ImportProblem::stops_the_file)
    }
}

/// What reading and matching a file came to, before it is committed or taken back.
pub(crate) struct Outcome {
    pub tx: Option<WriteTx>,
    pub counts: ImportCounts,
    pub problems: Vec<ImportProblem>,
    pub records_in_file: usize,
    /// The mapping used, and whether a person gave it (then it is remembered for `shape`).
    pub mapping: Option<ColumnMapping>,
    pub explicit: bool,
    pub shape: String,
    /// Errors and warnings found but not listed (past a limit of listed problems).
    pub omitted: (usize, usize),
}

async fn run_register(
    target: &Target<'_>,
    actor: &Actor,
    spec: &'static RegisterSpec,
    source: Source,
    sheet: Option<&str>,
    given: Option<ColumnMapping>,
) -> Result<ImportReport, StoreError> {
    let store = target.store;
    let references = store.references(target.facility_id).await?;
    let sheets = {
        let (name, wanted) = (target.file_name.to_string(), sheet.map(String::from));
        off_runtime(move || {
            let mut file = TableFile::open(source, &name, &Limits::default())?;
            collect_sheets(&mut file, wanted.as_deref())
        })
        .await
    };
    let sheets = match sheets {
        Ok(sheets) => sheets,
        Err(error) => return Ok(unreadable(target.file_name, sheet, &error)),
    };
    let shape = target.shape(&sheets);
    let explicit = given.is_some();
    let mapping = target.mapping(&shape, given).await?;
    let parsed = {
        let mapping = mapping.clone();
        off_runtime(move || parse_records_mapped(spec, &sheets, &references, mapping.as_ref()))
            .await
    };
    let present = Present(&parsed.present);
    let records: Vec<_> = parsed.records.iter().map(|(_, r)| r.clone()).collect();
    let (counts, tx) = if target.writes(&parsed.problems) {
        let mut tx = store.write(actor).await?;
        let counts = tx
            .import_records_keeping(target.facility_id, spec, &records, Some(present))
            .await?;
        (counts, Some(tx))
    } else {
        let counts = store
            .preview_record_import(target.facility_id, spec, &records, Some(present))
            .await?;
        (counts, None)
    };
    conclude(
        target,
        Outcome {
            tx,
            counts,
            problems: parsed.problems,
            records_in_file: records.len(),
            mapping,
            explicit,
            shape,
            omitted: (0, 0),
        },
    )
    .await
}

/// Takes an import back when it would remove too much unasked, remembers a mapping a person
/// gave, and commits what is left to write.
pub(crate) async fn conclude(
    target: &Target<'_>,
    outcome: Outcome,
) -> Result<ImportReport, StoreError> {
    let Outcome {
        mut tx,
        counts,
        mut problems,
        records_in_file,
        mapping,
        explicit,
        shape,
        omitted,
    } = outcome;
    let removal = MassRemoval {
        in_use: counts.in_use_before,
        removed: counts.taken_out_of_use,
        what: Removed::Devices,
    };
    if let Some(problem) = removal.problem(target.file_name, target.options) {
        if problem.severity == Severity::Error {
            // Taken back: the transaction is dropped unwritten.
            tx = None;
        }
        problems.insert(0, problem);
    }
    if let (true, Some(tx), Some(mapping)) = (explicit, tx.as_mut(), &mapping) {
        tx.save_column_mapping(target.facility_id, &shape, mapping)
            .await?;
    }
    let mut report = finish(
        tx,
        target.facility_id,
        target.ledger.entity(),
        target.file_name,
        records_in_file,
        counts,
        problems,
    )
    .await?;
    report.errors += omitted.0;
    report.warnings += omitted.1;
    report.needs_confirmation = removal.needs_confirmation() && !target.options.allow_mass_removal;
    if let Some(mapping) = mapping {
        report.mapping = mapping.0;
        report.values = mapping.1 .0;
    }
    Ok(report)
}

/// What a mass removal removes, for its message.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Removed {
    Accounts,
    Devices,
}

/// How many records in use an import would stop, dispose of or delete, against how many are in
/// use. A file that takes most of a ledger out of use is more often the wrong file, or a
/// filtered one, than what happened: above the share it asks before writing.
pub(crate) struct MassRemoval {
    pub in_use: usize,
    pub removed: usize,
    pub what: Removed,
}

impl MassRemoval {
    /// Removals above this share of the records in use (and at least [`Self::FROM`]) ask first.
    const SHARE_PERCENT: usize = 20;
    const FROM: usize = 3;

    pub fn needs_confirmation(&self) -> bool {
        self.removed >= Self::FROM && self.removed * 100 > self.in_use * Self::SHARE_PERCENT
    }

    /// The note in the report: an error when it stops the import, a warning in a preview or
    /// once confirmed.
    pub fn problem(&self, file: &str, options: ImportOptions) -> Option<ImportProblem> {
        if !self.needs_confirmation() {
            return None;
        }
        let percent = self.removed * 100 / self.in_use.max(1);
        let severity = if options.dry_run || options.allow_mass_removal {
            Severity::Warning
        } else {
            Severity::Error
        };
        let (what_ja, what_en) = match self.what {
            Removed::Accounts => ("アカウント", "accounts"),
            Removed::Devices => ("機器", "devices"),
        };
        let issue = mimamori_domain::Issue::new("file", "mass_removal")
            .with("count", self.removed)
            .with("active", self.in_use)
            .with("percent", percent)
            .with("what_ja", what_ja)
            .with("what_en", what_en);
        Some(ImportProblem::new(severity, file, 0, "", "", &issue))
    }
}

#[derive(Debug, Clone, Copy, Default)]
/// How an import runs.
pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_invalid: bool,
    /// Write even when the import stops or removes more than a set share of the records.
    pub allow_mass_removal: bool,
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
    /// What changes in the updated records, field by field (the first 500 records; `updated`
    /// counts them all).
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<RecordChange>,
    /// The column mapping used (field key → the file's column title); empty when the file was
    /// read by the ledger's own titles.
    #[schema(value_type = Object)]
    pub mapping: std::collections::BTreeMap<String, String>,
    /// The file's own words for choices used (field → {word → the ledger's word}).
    #[schema(value_type = Object)]
    pub values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// The audit entry of the written import, by which it can be undone the same day.
    pub import_seq: Option<i64>,
    /// The import would take more than 20 % (and at least 3) of the devices in use out of use
    /// and was not written: check the file, then confirm with `allow_mass_removal`.
    pub needs_confirmation: bool,
}

impl ImportReport {
    /// Updated records whose changes are not listed.
    pub fn unlisted_changes(&self) -> usize {
        self.updated.saturating_sub(self.changes.len())
    }

    /// Whether the import takes so many records out of use that it asks before writing.
    pub fn asks_mass_removal(&self) -> bool {
        self.problems.iter().any(|p| p.code == "mass_removal")
    }

    /// Whether a problem of the whole file stops it, whatever rows are skipped.
    pub fn stopped_by_the_file(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.stops_the_file() && p.code != "mass_removal")
    }

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

/// A report for a file that could not be read at all: one error, located where the reader
/// could locate it.
pub fn unreadable(file_name: &str, sheet: Option<&str>, error: &TableError) -> ImportReport {
    let mut problem = ImportProblem::from_table_error(error);
    if problem.sheet.is_empty() {
        problem.sheet = sheet.unwrap_or_default().to_string();
    }
    ImportReport {
        file: file_name.to_string(),
        errors: 1,
        problems: vec![problem],
        ..Default::default()
    }
}

fn is_error(problem: &ImportProblem) -> bool {
    problem.severity == Severity::Error
}

/// The report; an import that writes (`tx`: no preview, no error or errors to be skipped) is
/// committed with an audit entry summing it up.
#[allow(clippy::too_many_arguments)]
async fn finish(
    tx: Option<WriteTx>,
    facility_id: i64,
    entity: &str,
    file_name: &str,
    records_in_file: usize,
    counts: ImportCounts,
    problems: Vec<ImportProblem>,
) -> Result<ImportReport, StoreError> {
    let errors = problems.iter().filter(|p| is_error(p)).count();
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
        changes: counts.changes.clone(),
        mapping: Default::default(),
        values: Default::default(),
        import_seq: None,
        needs_confirmation: false,
    };
    if let Some(mut tx) = tx {
        // `from_seq`: where this import's entries begin, for its undo.
        let summary = serde_json::json!({
            "file": file_name, "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
            "skipped_errors": errors, "warnings": report.warnings, "from_seq": tx.first_seq(),
        });
        tx.audit(
            AuditRecord::new("import", entity)
                .facility(Some(facility_id))
                .after(&summary),
        )
        .await?;
        report.import_seq = Some(tx.last_seq());
        tx.commit().await?;
        report.written = true;
    }
    Ok(report)
}
