//! `mimamori feeds import|status` and `mimamori vulnerabilities`: the feed import and the
//! facility report of the use-case crate, printed as a table or JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use mimamori_app::feeds::{self, FeedFileReport, STALE_DAYS};
use mimamori_app::vulnerabilities::report;
use mimamori_app::vulnerabilities::search::{self, SearchQuery};
use mimamori_store::Store;

use crate::cli::{FeedsCommand, Format};
use crate::commands::cli_actor;
use crate::ledger::facility;

/// Files a folder holds, in name order; sub-folders too (a downloaded feed tree).
fn files_in(path: &Path, into: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()?;
        entries.sort();
        for entry in entries {
            files_in(&entry, into)?;
        }
    } else {
        into.push(path.to_path_buf());
    }
    Ok(())
}

pub async fn feeds_command(store: &Store, command: FeedsCommand) -> anyhow::Result<ExitCode> {
    match command {
        FeedsCommand::Import { paths, format } => import(store, &paths, format).await,
        FeedsCommand::Status { format } => status(store, format).await,
    }
}

async fn import(store: &Store, paths: &[PathBuf], format: Format) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    for path in paths {
        files_in(path, &mut files).map_err(|e| {
            anyhow::anyhow!(
                "{} を読めません / cannot read {}: {e}",
                path.display(),
                path.display()
            )
        })?;
    }
    let actor = cli_actor();
    let today = store.clock().today_jst();
    let mut reports: Vec<FeedFileReport> = Vec::new();
    for file in files {
        // A product file carries no date: its modification day stands for it.
        let as_of = std::fs::metadata(&file)
            .and_then(|m| m.modified())
            .ok()
            .map(|t| chrono::DateTime::<chrono::Utc>::from(t).date_naive())
            .unwrap_or(today);
        let name = file.display().to_string();
        let path = file.clone();
        let report = feeds::import(store, &actor, &name, as_of, move || {
            std::fs::File::open(path)
        })
        .await?;
        if format == Format::Table {
            println!("{}", report.summary());
        }
        reports.push(report);
    }
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(if reports.iter().any(|r| r.error.is_some()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn status(store: &Store, format: Format) -> anyhow::Result<ExitCode> {
    let today = store.clock().today_jst();
    let states = feeds::status(store, today).await?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&states)?),
        Format::Table => {
            for s in &states {
                let age = match s.age_days {
                    Some(days) if days > STALE_DAYS => format!("{days} 日前（古い / old）"),
                    Some(days) => format!("{days} 日前 / days old"),
                    None => "未取込 / not imported".into(),
                };
                let origin = if s.embedded {
                    " 組み込み / embedded"
                } else {
                    ""
                };
                println!(
                    "{:<22} {:>8} 件 records · 最新 newest {} · {age}{origin}",
                    s.title,
                    s.records,
                    s.newest.as_deref().unwrap_or("-")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn vulnerabilities(
    store: &Store,
    code: &str,
    as_of: Option<NaiveDate>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let facility = facility(store, code).await?;
    let as_of = as_of.unwrap_or_else(|| store.clock().today_jst());
    let report = report(store, facility.id, as_of).await?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Table => {
            println!(
                "{code} {as_of}: 悪用されている脆弱性のある機器 {} 台（うち外部に露出 {} 台）· サポート終了 {} 台 · OS 判別不可 {} 台",
                report.exploited_devices,
                report.exploited_exposed_devices,
                report.end_of_life_devices,
                report.unidentified.len()
            );
            if report.cve_records == 0 {
                println!("  脆弱性フィードが未取込です（mimamori feeds import）/ no vulnerability feed imported yet");
            }
            for d in report
                .devices
                .iter()
                .filter(|d| !d.end_of_life.is_empty() || !d.vulnerabilities.is_empty())
            {
                let exposure = if d.exposure_ja.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", d.exposure_ja.join("・"))
                };
                println!(
                    "{} {}{exposure}",
                    d.device,
                    d.runs.as_deref().unwrap_or("-")
                );
                for e in &d.end_of_life {
                    let on = e
                        .ended_on
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into());
                    println!(
                        "    サポート終了 end of support: {} ({on}) — {}",
                        e.product, e.source
                    );
                }
                for v in d.vulnerabilities.iter().take(20) {
                    let kev = if v.kev {
                        " KEV（悪用あり / exploited）"
                    } else {
                        ""
                    };
                    let status = if v.status == "affected" {
                        "該当 affected"
                    } else {
                        "版不明・要確認 version unknown"
                    };
                    let score = v.cvss.map(|s| format!(" CVSS {s}")).unwrap_or_default();
                    println!("    {}{kev}{score} {status}", v.id);
                }
                if d.vulnerabilities.len() > 20 {
                    println!("    … ほか {} 件 / more", d.vulnerabilities.len() - 20);
                }
            }
            for u in &report.unidentified {
                println!("  OS 判別不可 unidentified: {} 「{}」", u.device, u.text);
            }
            if report.cve_records > 0 {
                println!("{}", report.nvd_notice);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `mimamori vulnerabilities --cve … | --runs …`: every facility (or the one named) searched.
pub async fn search(
    store: &Store,
    code: Option<&str>,
    query: &SearchQuery,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let facilities = match code {
        Some(code) => vec![facility(store, code).await?],
        None => store.facilities(None).await?,
    };
    let today = store.clock().today_jst();
    let report = search::search(store, &facilities, query, today).await?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Table => {
            if report.cve_not_held {
                println!(
                    "{} は取り込んだ脆弱性情報にありません（mimamori feeds import）/ not in the imported data",
                    report.cve.as_deref().unwrap_or_default()
                );
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "{} 施設中 {} 施設・{} 台が該当 / {} facilities searched, {} facilities and {} devices found",
                report.facilities_searched,
                report.facilities_hit,
                report.devices_hit,
                report.facilities_searched,
                report.facilities_hit,
                report.devices_hit
            );
            for h in &report.hits {
                let status = match h.status.as_str() {
                    "affected" => "該当 affected",
                    "version_unknown" => "版不明・要確認 version unknown",
                    _ => "稼働 runs",
                };
                let suppressed = if h.suppressed {
                    " （対応不要と判断済み / set aside）"
                } else {
                    ""
                };
                println!(
                    "{}\t{}\t{}\t{status}{suppressed}\t{}",
                    h.facility,
                    h.device,
                    h.runs.as_deref().unwrap_or("-"),
                    h.exposure_ja.join("・")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
