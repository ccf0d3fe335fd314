//! Importing a system's user export (with its column mapping) into the account ledger: the
//! file is the system's complete user list, so accounts missing from it are deleted — which is
//! why a file that would remove many asks first.

use std::collections::HashMap;

use mimamori_domain::accounts::{Account, ColumnMapping, ACCOUNTS};
use mimamori_domain::ledger::absent::Present;
use mimamori_domain::ledger::changes::RecordChange;
use mimamori_domain::ledger::registers::SYSTEMS;
use mimamori_formats::accounts::{file_headers, guess_mapping, parse_accounts};
use mimamori_formats::{read_tables, ImportProblem, Severity, TableError};
use mimamori_store::accounts::AccountImport;
use mimamori_store::ledger::LISTED_CHANGES;
use mimamori_store::{Actor, Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use super::{off_runtime, unreadable, ImportOptions, MassRemoval, Removed};

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
    /// What changes in the changed and disabled accounts, field by field (the first 500).
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<RecordChange>,
    /// The import would stop or delete more than 20 % (and at least 3) of the active accounts
    /// and was not written: check the file, then confirm with `allow_mass_removal`.
    pub needs_confirmation: bool,
    /// The column mapping used (field key → the file's column title).
    #[schema(value_type = Object)]
    pub mapping: std::collections::BTreeMap<String, String>,
}

impl AccountImportReport {
    /// Changed accounts whose changes are not listed.
    pub fn unlisted_changes(&self) -> usize {
        (self.changed.len() + self.disabled.len()).saturating_sub(self.changes.len())
    }

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

/// An information system of the systems register: its record id and its name as registered.
#[derive(Debug, Clone)]
pub struct SystemRef {
    pub id: i64,
    pub name: String,
}

/// The system the register names `name` (accounts are imported and exported per system);
/// `None` when the register lacks it.
pub async fn registered_system(
    store: &Store,
    facility_id: i64,
    name: &str,
) -> Result<Option<SystemRef>, StoreError> {
    match store.record_by_key(facility_id, &SYSTEMS, name).await {
        Ok(record) => Ok(Some(SystemRef {
            id: record.id,
            name: record.record.get("name").unwrap_or_default().to_string(),
        })),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Which mapping to read the file with: the one given, else the one saved for the system,
/// else the ledger's own titles.
pub async fn resolve_mapping(
    store: &Store,
    facility_id: i64,
    system: &str,
    given: Option<ColumnMapping>,
) -> Result<Option<ColumnMapping>, StoreError> {
    Ok(match given {
        Some(mapping) => Some(mapping),
        None => store.column_mapping(facility_id, system).await?,
    })
}

/// Reads, validates, diffs and (unless a dry run or invalid) writes a user export in one
/// transaction; a mapping given explicitly is saved for the system when the import is written.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    system: &str,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    given: Option<ColumnMapping>,
    options: ImportOptions,
) -> Result<AccountImportReport, StoreError> {
    let explicit = given.is_some();
    let mapping = resolve_mapping(store, facility_id, system, given).await?;
    let read = {
        let (bytes, name, wanted) = (
            bytes.to_vec(),
            file_name.to_string(),
            sheet.map(String::from),
        );
        let (system, mapping) = (system.to_string(), mapping.clone());
        off_runtime(move || {
            let sheets = read_tables(&bytes, &name, wanted.as_deref())?;
            let used = mapping
                .clone()
                .unwrap_or_else(|| guess_mapping(&file_headers(&sheets)));
            Ok::<_, TableError>((used, parse_accounts(&system, &sheets, mapping.as_ref())))
        })
        .await
    };
    let (used, parsed) = match read {
        Ok(read) => read,
        Err(error) => {
            let unreadable = unreadable(file_name, sheet, &error);
            return Ok(AccountImportReport {
                file: file_name.into(),
                system: system.to_string(),
                errors: 1,
                problems: unreadable.problems,
                ..Default::default()
            });
        }
    };
    let errors = parsed.errors();
    let mut report = AccountImportReport {
        file: file_name.into(),
        system: system.to_string(),
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
    let existing = store.all_accounts(facility_id, Some(system)).await?;
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
    let removal = MassRemoval {
        in_use: existing.iter().filter(|a| a.is_active()).count(),
        removed: plan.changes.disabled.len(),
        what: Removed::Accounts,
    };
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
            tx.import_accounts(facility_id, system, &existing, &incoming, &people)
                .await?
        }
        None => plan,
    };
    let by_id: HashMap<i64, &Account> = existing.iter().map(|a| (a.id, a)).collect();
    report.changes = import
        .changes
        .writes
        .iter()
        .filter_map(|(id, new)| Some((by_id.get(id)?, new)))
        .map(|(old, new)| RecordChange {
            key: new.login_id.clone(),
            fields: new.to_record().changes_from(&old.to_record(), &ACCOUNTS),
        })
        .filter(|change| !change.fields.is_empty())
        .take(LISTED_CHANGES)
        .collect();
    report.created = import.changes.created;
    report.changed = import.changes.changed;
    report.disabled = import.changes.disabled;
    report.sign_ins_updated = import.changes.sign_ins.len();
    report.unchanged = import.changes.unchanged;
    report.owners_matched = import.matched;
    report.owners_suggested = import.suggested;
    if let Some(mut tx) = tx {
        if explicit {
            tx.save_column_mapping(facility_id, system, &used).await?;
        }
        tx.commit().await?;
        report.written = true;
    }
    Ok(report)
}
