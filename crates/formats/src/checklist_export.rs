//! A checklist form as XLSX in the layout of MHLW's form: 項目番号, 確認項目, はい/いいえ,
//! 確認日 (1回目, 2回目), 目標日, 備考, with the facility and fiscal year above.

use mimamori_domain::checklist::{Edition, ItemAnswer};
use mimamori_domain::clock::fiscal_year_label_ja;
use mimamori_domain::i18n::Lang;

use crate::write::{xlsx, Cell, Table, WriteError};

/// Who the form is for: the facility, and for a vendor form the vendor and system.
pub struct FormHeader<'a> {
    pub facility_name: &'a str,
    pub fiscal_year: i32,
    pub vendor: Option<&'a str>,
    pub system: Option<&'a str>,
    pub signed_off: Option<String>,
}

pub const HEADERS: [&str; 7] = [
    "項目番号",
    "確認項目",
    "はい/いいえ",
    "確認日（1回目）",
    "確認日（2回目）",
    "目標日（いいえの場合）",
    "備考",
];

/// The form's table; `answer_of(key)` gives each item's answer.
pub fn checklist_table<'a>(
    edition: &Edition,
    header: &FormHeader,
    answer_of: impl Fn(&str) -> Option<&'a ItemAnswer>,
) -> Table {
    let mut preamble = vec![
        format!(
            "医療機関におけるサイバーセキュリティ対策チェックリスト（{}）",
            edition.form.label(Lang::Ja)
        ),
        format!("医療機関名: {}", header.facility_name),
        format!(
            "対象年度: {}（{}年度）　版: {}",
            fiscal_year_label_ja(header.fiscal_year),
            header.fiscal_year,
            edition.title
        ),
    ];
    if let (Some(vendor), Some(system)) = (header.vendor, header.system) {
        preamble.push(format!("事業者名: {vendor}　システム名: {system}"));
    }
    if let Some(signed) = &header.signed_off {
        preamble.push(format!("承認: {signed}"));
    }
    if edition.items.iter().any(|i| !i.text_status.is_sourced()) {
        preamble.push("※ 項目番号に「※」のある項目は、文言が原本で未確認です。".to_string());
    }
    let rows = edition
        .items
        .iter()
        .map(|item| {
            let mark = if item.text_status.is_sourced() {
                ""
            } else {
                "※"
            };
            let answer = answer_of(&item.key);
            let date = |d: Option<chrono::NaiveDate>| d.map(Cell::Date).unwrap_or(Cell::Empty);
            vec![
                Cell::text(format!("{}{mark}", item.display_number(Lang::Ja))),
                Cell::text(item.display_text(Lang::Ja)),
                answer
                    .and_then(|a| a.answer)
                    .map(|a| Cell::text(a.label(Lang::Ja)))
                    .unwrap_or(Cell::Empty),
                date(answer.and_then(|a| a.first_checked_on)),
                date(answer.and_then(|a| a.second_checked_on)),
                date(answer.and_then(|a| a.target_on)),
                answer.map(|a| Cell::opt(&a.note)).unwrap_or(Cell::Empty),
            ]
        })
        .collect();
    Table {
        sheet_name: edition.form.label(Lang::Ja).to_string(),
        preamble,
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        widths: vec![12.0, 60.0, 11.0, 14.0, 14.0, 16.0, 36.0],
        rows,
    }
}

pub fn checklist_xlsx<'a>(
    edition: &Edition,
    header: &FormHeader,
    answer_of: impl Fn(&str) -> Option<&'a ItemAnswer>,
) -> Result<Vec<u8>, WriteError> {
    xlsx(&checklist_table(edition, header, answer_of))
}
