//! Importing a ledger, register or account file: read (bounded, off the async runtime),
//! checked, matched with what is stored, and written in one transaction or not at all. The
//! pages, the API and the CLI all call these functions.

pub mod accounts;
mod workers;

use mimamori_domain::ledger::absent::Present;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_formats::devices::parse_devices;
use mimamori_formats::registers::parse_records;
use mimamori_formats::{read_tables, ImportProblem, Severity, TableError};
use mimamori_store::ledger::ImportCounts;
use mimamori_store::{Actor, AuditRecord, Store, StoreError, WriteTx};
use serde::Serialize;
use utoipa::ToSchema;

pub use workers::{off_runtime, CONCURRENT_READS};

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
    options: ImportOptions,
) -> Result<ImportReport, StoreError> {
    let references = match ledger {
        Ledger::Devices => Default::default(),
        Ledger::Register(_) => store.references(facility_id).await?,
    };
    let parsed = {
        let (bytes, name, wanted) = (
            bytes.to_vec(),
            file_name.to_string(),
            sheet.map(String::from),
        );
        off_runtime(move || {
            let sheets = read_tables(&bytes, &name, wanted.as_deref())?;
            Ok::<_, TableError>(match ledger {
                Ledger::Devices => Parsed::Devices(parse_devices(&sheets)),
                Ledger::Register(spec) => {
                    Parsed::Records(spec, parse_records(spec, &sheets, &references))
                }
            })
        })
        .await
    };
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return Ok(unreadable(file_name, sheet, &error)),
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
    finish(
        tx,
        facility_id,
        ledger.entity(),
        file_name,
        rows,
        counts,
        problems,
    )
    .await
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
    };
    if let Some(mut tx) = tx {
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

/// What a file was read into, by ledger.
enum Parsed {
    Devices(mimamori_formats::devices::DeviceImport),
    Records(
        &'static RegisterSpec,
        mimamori_formats::registers::RecordImport,
    ),
}
