//! The organisation overview as a file (XLSX or CSV): every facility matching the overview's
//! filters, in its order, for a group's meeting or the vendor's own spreadsheet. One function
//! for the page's download and any other caller.

use mimamori_domain::i18n::Lang;
use mimamori_formats::write::{Cell, Table};
use mimamori_store::overview::{FacilitySummary, OverviewQuery};
use mimamori_store::Store;

use crate::export::{ExportError, ExportFormat, Exported};

/// Facilities in one file at most (an organisation larger than this filters first).
pub const MAX_ROWS: usize = 200_000;
/// Facilities read per query.
const PAGE: i64 = 500;

/// The overview's facilities matching `query` (its page and page size ignored), in its order.
pub async fn export(
    store: &Store,
    query: &OverviewQuery,
    format: ExportFormat,
) -> Result<Exported, ExportError> {
    let mut query = query.clone();
    query.per_page = PAGE;
    query.page = 1;
    let mut rows = Vec::new();
    loop {
        let page = store.overview(&query).await?;
        let got = page.rows.len();
        rows.extend(page.rows.iter().map(row));
        if got < PAGE as usize || rows.len() >= MAX_ROWS {
            break;
        }
        query.page += 1;
    }
    rows.truncate(MAX_ROWS);
    let count = rows.len();
    let day = store.clock().today_jst();
    let table = Table {
        sheet_name: "組織の概況".into(),
        preamble: vec![
            "組織の概況（全施設の指摘事項・進捗）".into(),
            format!("作成日 {day}　{count} 施設"),
        ],
        headers: [
            "施設コード",
            "施設名",
            "種別",
            "都道府県",
            "状況",
            "指摘（高）",
            "指摘（中）",
            "指摘（低）",
            "年度",
            "チェックリスト回答済",
            "チェックリスト項目数",
            "台帳の最終確認",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![
            12.0, 30.0, 10.0, 10.0, 22.0, 9.0, 9.0, 9.0, 7.0, 12.0, 12.0, 14.0,
        ],
        rows,
    };
    Exported::from_table(&table, format, &format!("組織の概況_{day}"), count)
}

fn row(summary: &FacilitySummary) -> Vec<Cell> {
    let number = |n: i64| Cell::text(n.to_string());
    vec![
        Cell::text(&summary.code),
        Cell::text(&summary.name),
        Cell::text(summary.kind.label(Lang::Ja)),
        Cell::text(&summary.prefecture),
        Cell::text(summary.status.label(Lang::Ja)),
        number(summary.findings_high),
        number(summary.findings_medium),
        number(summary.findings_low),
        Cell::opt(&summary.fiscal_year.map(|y| y.to_string())),
        number(summary.checklist_answered),
        number(summary.checklist_total),
        Cell::opt(&summary.ledger_confirmed_on),
    ]
}
