//! Importing a ledger, register or account file: read (bounded, off the async runtime),
//! checked, matched with what is stored, and written in one transaction or not at all. The
//! pages, the API and the CLI all call these functions.

pub mod accounts;
pub mod columns;
mod template;
pub mod undo;
mod workers;

use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::ledger::absent::Present;
use mimamori_domain::ledger::changes::RecordChange;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_formats::accounts::file_headers;
use mimamori_formats::devices::parse_devices_mapped;
use mimamori_formats::header::file_shape;
use mimamori_formats::registers::parse_records_mapped;
use mimamori_formats::{read_tables, ImportProblem, Severity, TableError};
use mimamori_store::ledger::ImportCounts;
use mimamori_store::{Actor, AuditRecord, Store, StoreError, WriteTx};
use serde::Serialize;
use utoipa::ToSchema;

pub use template::template;
pub use workers::{off_runtime, CONCURRENT_READS};

/// The largest file the CLI reads (the server takes `max_upload_bytes`, 64 MiB by default).
/// The reader's own limits (rows, cells, text) stop a file long before memory does; this stops
/// one before it is even read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

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
/// take the write lock.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    ledger: Ledger,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    given: Option<ColumnMapping>,
    options: ImportOptions,
) -> Result<ImportReport, StoreError> {
    let references = match ledger {
        Ledger::Devices => Default::default(),
        Ledger::Register(_) => store.references(facility_id).await?,
    };
    let sheets = {
        let (bytes, name, wanted) = (
            bytes.to_vec(),
            file_name.to_string(),
            sheet.map(String::from),
        );
        off_runtime(move || read_tables(&bytes, &name, wanted.as_deref())).await
    };
    let sheets = match sheets {
        Ok(sheets) => sheets,
        Err(error) => return Ok(unreadable(file_name, sheet, &error)),
    };
    // A mapping given is used (and remembered once written) for files of this shape; without
    // one, the mapping remembered for the shape, else the ledger's own titles.
    let shape = format!(
        "file-shape:{}:{}",
        ledger.slug(),
        file_shape(&file_headers(&sheets))
    );
    let explicit = given.is_some();
    let mapping = match given {
        Some(mapping) => Some(mapping),
        None => store.column_mapping(facility_id, &shape).await?,
    };
    let parsed = {
        let mapping = mapping.clone();
        off_runtime(move || match ledger {
            Ledger::Devices => Parsed::Devices(parse_devices_mapped(&sheets, mapping.as_ref())),
            Ledger::Register(spec) => Parsed::Records(
                spec,
                parse_records_mapped(spec, &sheets, &references, mapping.as_ref()),
            ),
        })
        .await
    };
    let writes = |problems: &[ImportProblem]| {
        !options.dry_run
            && (options.skip_invalid || !problems.iter().any(is_error))
            && !problems.iter().any(ImportProblem::stops_the_file)
    };
    let (rows, counts, problems, tx) = match parsed {
        Parsed::Devices(parsed) => {
            let present = Present(&parsed.present);
            let devices: Vec<_> = parsed.devices.into_iter().map(|p| p.device).collect();
            let (counts, tx) = if writes(&parsed.problems) {
                let mut tx = store.write(actor).await?;
                let counts = tx
                    .import_devices_keeping(facility_id, &devices, Some(present))
                    .await?;
                (counts, Some(tx))
            } else {
                let counts = store
                    .preview_device_import(facility_id, &devices, Some(present))
                    .await?;
                (counts, None)
            };
            (devices.len(), counts, parsed.problems, tx)
        }
        Parsed::Records(spec, parsed) => {
            let present = Present(&parsed.present);
            let records: Vec<_> = parsed.records.iter().map(|(_, r)| r.clone()).collect();
            let (counts, tx) = if writes(&parsed.problems) {
                let mut tx = store.write(actor).await?;
                let counts = tx
                    .import_records_keeping(facility_id, spec, &records, Some(present))
                    .await?;
                (counts, Some(tx))
            } else {
                let counts = store
                    .preview_record_import(facility_id, spec, &records, Some(present))
                    .await?;
                (counts, None)
            };
            (records.len(), counts, parsed.problems, tx)
        }
    };
    let removal = MassRemoval {
        in_use: counts.in_use_before,
        removed: counts.taken_out_of_use,
        what: Removed::Devices,
    };
    let mut problems = problems;
    let mut tx = tx;
    if let Some(problem) = removal.problem(file_name, options) {
        if problem.severity == Severity::Error {
            // Taken back: the transaction is dropped unwritten.
            tx = None;
        }
        problems.insert(0, problem);
    }
    if let (true, Some(tx), Some(mapping)) = (explicit, tx.as_mut(), &mapping) {
        tx.save_column_mapping(facility_id, &shape, mapping).await?;
    }
    let mut report = finish(
        tx,
        facility_id,
        ledger.entity(),
        file_name,
        rows,
        counts,
        problems,
    )
    .await?;
    report.needs_confirmation = removal.needs_confirmation() && !options.allow_mass_removal;
    report.mapping = mapping.map(|m| m.0).unwrap_or_default();
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
    ImportReport {
        file: file_name.to_string(),
        errors: 1,
        problems: vec![ImportProblem {
            severity: Severity::Error,
            sheet: error.sheet().or(sheet).unwrap_or_default().to_string(),
            row: error.row(),
            column: error.column(),
            value: String::new(),
            code: error.code().into(),
            message_ja: error.ja(),
            message_en: error.en(),
        }],
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

/// What a file was read into, by ledger.
enum Parsed {
    Devices(mimamori_formats::devices::DeviceImport),
    Records(
        &'static RegisterSpec,
        mimamori_formats::registers::RecordImport,
    ),
}
