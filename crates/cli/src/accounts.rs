//! `mimamori import accounts` and `mimamori export accounts`: a system's user export read with
//! its column mapping, and the account ledger written as XLSX or CSV.

use std::process::ExitCode;

use mimamori_app::import::accounts::{registered_system, AccountImportReport, SystemRef};
use mimamori_app::import::ImportOptions;
use mimamori_store::Store;

use crate::cli::{AccountExportArgs, AccountImportArgs, Format};
use crate::commands::cli_actor;
use crate::ledger::{export_format, facility, read_input, write_export};

/// The system the register names, or an error that says to register it first.
async fn system(store: &Store, facility_id: i64, name: &str) -> anyhow::Result<SystemRef> {
    registered_system(store, facility_id, name).await?.ok_or_else(|| {
        anyhow::anyhow!(
            "システム「{name}」は医療情報システム台帳にありません。先に台帳に登録してください / system \"{name}\" is not in the information-systems register: add it there first"
        )
    })
}

pub async fn import(store: &Store, args: AccountImportArgs) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    let facility = facility(store, &common.facility).await?;
    let (name, bytes) = read_input(&common.file)?;
    let mapping = crate::ledger::read_mapping(common.mapping.as_deref())?;
    let system = system(store, facility.id, &args.system).await?;
    let report = mimamori_app::import::accounts::run(
        store,
        &cli_actor(),
        facility.id,
        &system.name,
        &name,
        &bytes,
        common.sheet.as_deref(),
        mapping,
        ImportOptions {
            dry_run: common.dry_run,
            skip_invalid: common.skip_invalid,
            allow_mass_removal: common.allow_mass_removal,
        },
    )
    .await?;
    print_report(&report, common.format, common.dry_run)
}

fn print_report(
    report: &AccountImportReport,
    format: Format,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(report)?),
        Format::Table => {
            for problem in &report.problems {
                let kind = if problem.severity == mimamori_formats::Severity::Error {
                    "エラー/error"
                } else {
                    "警告/warning"
                };
                eprintln!("{kind}: {}", problem.line());
            }
            for (label, ids) in [
                ("新規/created", &report.created),
                ("変更/changed", &report.changed),
                ("停止・削除/disabled", &report.disabled),
            ] {
                if !ids.is_empty() {
                    println!("{label}: {}", ids.join(", "));
                }
            }
            println!("{}", report.summary());
        }
    }
    Ok(if report.errors > 0 && !report.written && !dry_run {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub async fn export(store: &Store, args: AccountExportArgs) -> anyhow::Result<ExitCode> {
    let facility = facility(store, &args.common.facility).await?;
    let format = export_format(&args.common)?;
    let exported = mimamori_app::export::accounts(
        store,
        &cli_actor(),
        &facility,
        args.system.as_deref(),
        format,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    write_export(&args.common, &exported)
}
