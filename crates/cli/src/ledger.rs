//! `mimamori import …` and `mimamori export …`: the same imports and exports as the web pages,
//! for the device ledger and the four registers.

use std::process::ExitCode;

use anyhow::Context;
use mimamori_app::export::{ExportFormat, Exported};
use mimamori_app::import::{ImportOptions, ImportReport, Ledger};
use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::accounts::STAFF;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_domain::ledger::registers::{CLOUD_SERVICES, REMOTE_MAINTENANCE, SYSTEMS, VENDORS};
use mimamori_formats::table::Source;
use mimamori_formats::write::Encoding;
use mimamori_store::Store;

use crate::cli::{ExportArgs, ExportCommand, Format, ImportArgs, ImportCommand, UndoArgs};
use crate::commands::cli_actor;

pub async fn facility(
    store: &Store,
    code: &str,
) -> anyhow::Result<mimamori_store::facilities::Facility> {
    store.facility_by_code(code).await.map_err(|_| {
        anyhow::anyhow!("施設 {code} が見つかりません。mimamori facility list で確認してください / facility {code} not found: see mimamori facility list")
    })
}

pub async fn import(store: &Store, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let (register, args): (Option<&RegisterSpec>, ImportArgs) = match command {
        ImportCommand::Devices(args) => (None, args),
        ImportCommand::Vendors(args) => (Some(&VENDORS), args),
        ImportCommand::Systems(args) => (Some(&SYSTEMS), args),
        ImportCommand::CloudServices(args) => (Some(&CLOUD_SERVICES), args),
        ImportCommand::RemoteMaintenance(args) => (Some(&REMOTE_MAINTENANCE), args),
        ImportCommand::Staff(args) => (Some(&STAFF), args),
        ImportCommand::Accounts(args) => return crate::accounts::import(store, args).await,
        ImportCommand::Undo(args) => return undo(store, args).await,
    };
    let facility = facility(store, &args.facility).await?;
    let ledger = register.map(Ledger::Register).unwrap_or(Ledger::Devices);
    // The device ledger is read from disk a row at a time, whatever its size; a register's
    // file is read whole.
    let (name, source) = match ledger {
        Ledger::Devices => streamed_input(&args.file)?,
        Ledger::Register(_) => {
            let (name, bytes) = read_input(&args.file)?;
            (name, Source::Bytes(bytes.into()))
        }
    };
    let options = ImportOptions {
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        allow_mass_removal: args.allow_mass_removal,
    };
    let sheet = args.sheet.as_deref();
    let report = mimamori_app::import::run(
        store,
        &cli_actor(),
        facility.id,
        ledger,
        &name,
        source,
        sheet,
        read_mapping(args.mapping.as_deref())?,
        options,
    )
    .await?;
    print_report(&report, args.format, args.dry_run)
}

/// The file's name and bytes.
/// The column mapping file of `--mapping` (JSON: field key → the file's column title).
pub fn read_mapping(path: Option<&std::path::Path>) -> anyhow::Result<Option<ColumnMapping>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "{} を読めません / cannot read {}",
            path.display(),
            path.display()
        )
    })?;
    let mapping = serde_json::from_str::<ColumnMapping>(&text).with_context(|| {
        "列の対応付けは {\"管理番号などの項目キー\": \"列名\", …} の JSON にしてください / the mapping must be a JSON object of field key → column title".to_string()
    })?;
    Ok(Some(mapping))
}

/// The file's name and where to read it, for an import that reads it as it goes: any size up
/// to [`mimamori_app::import::MAX_STREAMED_FILE_BYTES`].
fn streamed_input(path: &std::path::Path) -> anyhow::Result<(String, Source)> {
    let size = std::fs::metadata(path)
        .with_context(|| {
            format!(
                "{} を読めません / cannot read {}",
                path.display(),
                path.display()
            )
        })?
        .len();
    over_limit(path, size, mimamori_app::import::MAX_STREAMED_FILE_BYTES)?;
    Ok((file_name(path), Source::Path(path.to_path_buf())))
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn over_limit(path: &std::path::Path, size: u64, limit: u64) -> anyhow::Result<()> {
    if size > limit {
        anyhow::bail!(
            "{} は {} MiB で、取り込めるファイルの上限（{} MiB）を超えています。ファイルを分けて取り込んでください / {} is {} MiB, over the {} MiB an import takes: split the file",
            path.display(),
            size >> 20,
            limit >> 20,
            path.display(),
            size >> 20,
            limit >> 20
        );
    }
    Ok(())
}

pub fn read_input(path: &std::path::Path) -> anyhow::Result<(String, Vec<u8>)> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    over_limit(path, size, mimamori_app::import::MAX_FILE_BYTES)?;
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "{} を読めません / cannot read {}",
            path.display(),
            path.display()
        )
    })?;
    Ok((file_name(path), bytes))
}

fn print_report(report: &ImportReport, format: Format, dry_run: bool) -> anyhow::Result<ExitCode> {
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
            println!("{}", report.summary());
            if let Some(seq) = report.import_seq {
                println!("取り込み番号 import {seq}（当日中は `mimamori import undo {seq} --facility …` で取り消せます / can be undone today)");
            }
            if report.errors > 0 && !report.written && !dry_run {
                eprintln!("ファイルを直して再実行するか、--skip-invalid で正しい行だけ取り込んでください / fix the file and run again, or use --skip-invalid to import the valid rows");
            }
        }
    }
    Ok(if report.errors > 0 && !report.written && !dry_run {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Undoes an import written today.
async fn undo(store: &Store, args: UndoArgs) -> anyhow::Result<ExitCode> {
    let facility = facility(store, &args.facility).await?;
    match mimamori_app::import::undo::undo(store, &cli_actor(), facility.id, args.import).await {
        Ok(report) => {
            println!(
                "取り込み {} を取り消しました: 削除 deleted {} · 復元 restored {} / import undone",
                report.import_seq, report.deleted, report.restored
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("{} / {}", error.ja(), error.en());
            Ok(ExitCode::FAILURE)
        }
    }
}

pub async fn export(store: &Store, command: ExportCommand) -> anyhow::Result<ExitCode> {
    let (register, args): (Option<&RegisterSpec>, ExportArgs) = match command {
        ExportCommand::Devices(args) => (None, args),
        ExportCommand::Vendors(args) => (Some(&VENDORS), args),
        ExportCommand::Systems(args) => (Some(&SYSTEMS), args),
        ExportCommand::CloudServices(args) => (Some(&CLOUD_SERVICES), args),
        ExportCommand::RemoteMaintenance(args) => (Some(&REMOTE_MAINTENANCE), args),
        ExportCommand::Checklist(args) => return crate::checklist::export(store, args).await,
        ExportCommand::Staff(args) => (Some(&STAFF), args),
        ExportCommand::Accounts(args) => return crate::accounts::export(store, args).await,
    };
    let facility = facility(store, &args.facility).await?;
    let format = export_format(&args)?;
    let exported: Exported = match register {
        None => {
            let filter = mimamori_domain::ledger::device::DeviceFilter::default();
            mimamori_app::export::devices(store, &cli_actor(), &facility, &filter, format).await
        }
        Some(spec) => {
            mimamori_app::export::register(store, &cli_actor(), &facility, spec, format).await
        }
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    write_export(&args, &exported)
}

/// `--format` and `--encoding` of an export command.
pub fn export_format(args: &ExportArgs) -> anyhow::Result<ExportFormat> {
    Ok(match args.format.as_str() {
        "xlsx" => ExportFormat::Xlsx,
        "csv" => ExportFormat::Csv(Encoding::parse(&args.encoding).ok_or_else(|| {
            anyhow::anyhow!("--encoding は utf-8 か cp932 です / --encoding must be utf-8 or cp932")
        })?),
        other => {
            anyhow::bail!("--format は xlsx か csv です（{other}）/ --format must be xlsx or csv")
        }
    })
}

/// Writes an export to `--out` and says how many rows it holds.
pub fn write_export(args: &ExportArgs, exported: &Exported) -> anyhow::Result<ExitCode> {
    std::fs::write(&args.out, &exported.bytes).with_context(|| {
        format!(
            "{} に書き込めません / cannot write {}",
            args.out.display(),
            args.out.display()
        )
    })?;
    println!(
        "{} 件を出力しました / exported {} rows: {}",
        exported.rows,
        exported.rows,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
