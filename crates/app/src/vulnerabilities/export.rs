//! The facility report as XLSX or CSV: one row per vulnerability of a device (a device with
//! none, but past end of support or not judged, has one row), the page's filter applied; the
//! export is audited.

use chrono::NaiveDate;
use mimamori_formats::write::{Cell, Table};
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, AuditRecord, Store};

use super::{report, DeviceDanger, ReportFilter, VulnerabilityEntry};
use crate::export::{ExportError, ExportFormat, Exported};

const HEADERS: &[(&str, f64)] = &[
    ("管理番号", 14.0),
    ("稼働OS・製品", 28.0),
    ("サポート状態", 14.0),
    ("サポート終了日", 14.0),
    ("外部との接点", 24.0),
    ("脆弱性", 18.0),
    ("悪用（KEV）", 10.0),
    ("CVSS", 7.0),
    ("該当", 12.0),
    ("タイトル（JVN）・概要", 50.0),
    ("対応不要の判断", 36.0),
    ("情報源", 18.0),
];

/// The report of `facility` on `as_of`, filtered, as a file.
pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    filter: &ReportFilter,
    as_of: NaiveDate,
    format: ExportFormat,
) -> Result<Exported, ExportError> {
    let report = report(store, facility.id, as_of).await?;
    let mut preamble = vec![
        "脆弱性・サポート終了一覧".to_string(),
        format!("施設名：{}", facility.profile.name),
        format!("判定日：{as_of}　脆弱性情報：{} 件", report.cve_records),
    ];
    preamble.extend(report.feed_warning_ja.clone());
    preamble.push(report.nvd_notice.clone());
    let mut rows = Vec::new();
    for device in report.filtered(filter) {
        if device.vulnerabilities.is_empty() {
            rows.push(device_cells(device, None));
        }
        for v in &device.vulnerabilities {
            rows.push(device_cells(device, Some(v)));
        }
    }
    let table = Table {
        sheet_name: "脆弱性".into(),
        preamble,
        headers: HEADERS.iter().map(|(h, _)| h.to_string()).collect(),
        widths: HEADERS.iter().map(|(_, w)| *w).collect(),
        rows,
    };
    let stem = format!(
        "脆弱性_{}_{}",
        facility.profile.code,
        as_of.format("%Y%m%d")
    );
    let count = table.rows.len();
    let exported = Exported::from_table(&table, format, &stem, count)?;
    store
        .record_event(
            actor,
            AuditRecord::new("export", "vulnerabilities")
                .facility(Some(facility.id))
                .after(&serde_json::json!({"rows": count, "as_of": as_of.to_string()})),
        )
        .await?;
    Ok(exported)
}

fn state_ja(device: &DeviceDanger) -> &'static str {
    match device.end_of_life_state.as_str() {
        "ended" => "サポート終了",
        "supported" => "サポート中",
        "undetermined" => "判定できない",
        "unidentified" => "OS 判別不能",
        "not_written" => "OS 未記入",
        _ => "データなし",
    }
}

fn device_cells(device: &DeviceDanger, v: Option<&VulnerabilityEntry>) -> Vec<Cell> {
    let ended = device
        .end_of_life
        .iter()
        .map(|e| match e.ended_on {
            Some(on) => format!("{}（{on}）", e.product),
            None => e.product.clone(),
        })
        .collect::<Vec<_>>()
        .join("、");
    let mut cells = vec![
        Cell::text(device.device.clone()),
        Cell::opt(&device.runs),
        Cell::text(state_ja(device)),
        Cell::text(ended),
        Cell::text(device.exposure_ja.join("、")),
    ];
    match v {
        None => cells.extend(std::iter::repeat_n(Cell::Empty, 7)),
        Some(v) => {
            let title = v.title_ja.clone().unwrap_or_else(|| v.summary.clone());
            let suppressed = v
                .suppressed
                .as_ref()
                .map(|s| {
                    let until = s
                        .until
                        .map(|u| format!("{u} まで"))
                        .unwrap_or("解除まで".into());
                    format!("{}：{}（{}、{until}）", s.kind_ja, s.reason, s.decided_by)
                })
                .unwrap_or_default();
            cells.extend([
                Cell::text(v.id.clone()),
                Cell::text(if v.kev { "はい" } else { "" }),
                Cell::text(v.cvss.map(|c| format!("{c:.1}")).unwrap_or_default()),
                Cell::text(if v.status == "affected" {
                    "該当"
                } else {
                    "版不明・要確認"
                }),
                Cell::text(title.chars().take(500).collect::<String>()),
                Cell::text(suppressed),
                Cell::text(v.sources.join("・")),
            ]);
        }
    }
    cells
}
