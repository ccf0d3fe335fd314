//! `mimamori import …` and `mimamori export …`: the same import and export as the web pages.

use std::process::ExitCode;

use anyhow::Context;
use mimamori_formats::write::Encoding;
use mimamori_store::Store;
use mimamori_web::devices::export::{export, ExportFormat};
use mimamori_web::devices::import::{run, ImportOptions};

use crate::cli::{ExportArgs, Format, ImportArgs};

async fn facility(
    store: &Store,
    code: &str,
) -> anyhow::Result<mimamori_store::facilities::Facility> {
    store.facility_by_code(code).await.map_err(|_| {
        anyhow::anyhow!("施設 {code} が見つかりません。mimamori facility list で確認してください / facility {code} not found: see mimamori facility list")
    })
}

pub async fn import_devices(store: &Store, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let facility = facility(store, &args.facility).await?;
    let bytes = std::fs::read(&args.file).with_context(|| {
        format!(
            "{} を読めません / cannot read {}",
            args.file.display(),
            args.file.display()
        )
    })?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let options = ImportOptions {
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
    };
    let report = run(
        store,
        &crate::commands::cli_actor(),
        facility.id,
        &name,
        &bytes,
        args.sheet.as_deref(),
        options,
    )
    .await?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
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
            if report.errors > 0 && !report.written && !args.dry_run {
                eprintln!("ファイルを直して再実行するか、--skip-invalid で正しい行だけ取り込んでください / fix the file and run again, or use --skip-invalid to import the valid rows");
            }
        }
    }
    Ok(if report.errors > 0 && !report.written && !args.dry_run {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub async fn export_devices(store: &Store, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let facility = facility(store, &args.facility).await?;
    let format = match args.format.as_str() {
        "xlsx" => ExportFormat::Xlsx,
        "csv" => ExportFormat::Csv(Encoding::parse(&args.encoding).ok_or_else(|| {
            anyhow::anyhow!("--encoding は utf-8 か cp932 です / --encoding must be utf-8 or cp932")
        })?),
        other => {
            anyhow::bail!("--format は xlsx か csv です（{other}）/ --format must be xlsx or csv")
        }
    };
    let filter = mimamori_domain::ledger::device::DeviceFilter::default();
    let exported = export(
        store,
        &crate::commands::cli_actor(),
        &facility,
        &filter,
        format,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{} / {}", e.body.message_ja, e.body.message_en))?;
    std::fs::write(&args.out, &exported.bytes).with_context(|| {
        format!(
            "{} に書き込めません / cannot write {}",
            args.out.display(),
            args.out.display()
        )
    })?;
    println!(
        "{} 台を出力しました / exported {} devices: {}",
        exported.rows,
        exported.rows,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
