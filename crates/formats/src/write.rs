//! Writing tables: XLSX with a header block, frozen header row, autofilter and widths; CSV in
//! UTF-8 with BOM or CP932. Cells that a spreadsheet would run as formulas are neutralised.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(chrono::NaiveDate),
    Empty,
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    pub fn opt(value: &Option<String>) -> Cell {
        value.clone().map(Cell::Text).unwrap_or(Cell::Empty)
    }

    fn as_text(&self) -> String {
        match self {
            Cell::Text(t) => neutralise(t),
            Cell::Date(d) => d.format("%Y/%m/%d").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// Prefixes `'` to text beginning with = + - @ (or a tab / carriage return), so that Excel and
/// LibreOffice show it instead of evaluating it (CSV/formula injection).
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Undoes [`neutralise`] on import, so export → import changes nothing.
pub fn unneutralise(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// A table with a title block above it.
pub struct Table {
    pub sheet_name: String,
    /// Lines above the header row (title, facility, last update, …).
    pub preamble: Vec<String>,
    pub headers: Vec<String>,
    /// Column widths in characters (one per header).
    pub widths: Vec<f64>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
#[error("XLSX を作成できません / cannot write XLSX: {0}")]
pub struct WriteError(String);

impl From<rust_xlsxwriter::XlsxError> for WriteError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        WriteError(e.to_string())
    }
}

pub fn xlsx(table: &Table) -> Result<Vec<u8>, WriteError> {
    workbook(std::slice::from_ref(table))
}

/// Several tables, one sheet each (e.g. an incident report: summary, timeline, reports).
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    for table in tables {
        write_sheet(&mut workbook, table)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// Rows from which a sheet is written in constant-memory mode: rows go out as they are written
/// (inline strings, no shared-string table to hash), which for a 100,000-device ledger halves
/// the time and the memory.
const CONSTANT_MEMORY_ROWS: usize = 5_000;

fn write_sheet(workbook: &mut Workbook, table: &Table) -> Result<(), WriteError> {
    let sheet = if table.rows.len() >= CONSTANT_MEMORY_ROWS {
        workbook.add_worksheet_with_constant_memory()
    } else {
        workbook.add_worksheet()
    };
    sheet.set_name(&table.sheet_name)?;
    let title = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDE6EE")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let text = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let date = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("yyyy/mm/dd")
        .set_align(FormatAlign::Top);
    for (i, line) in table.preamble.iter().enumerate() {
        let format = if i == 0 { &title } else { &Format::new() };
        sheet.write_string_with_format(i as u32, 0, neutralise(line), format)?;
    }
    let header_row = table.preamble.len() as u32 + usize::from(!table.preamble.is_empty()) as u32;
    for (col, name) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, col as u16, name, &header)?;
        sheet.set_column_width(col as u16, table.widths.get(col).copied().unwrap_or(12.0))?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = header_row + 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => sheet.write_string_with_format(r, c, neutralise(t), &text)?,
                Cell::Date(d) => {
                    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        u16::try_from(chrono::Datelike::year(d)).unwrap_or(1900),
                        chrono::Datelike::month(d) as u8,
                        chrono::Datelike::day(d) as u8,
                    )?;
                    sheet.write_datetime_with_format(r, c, &day, &date)?
                }
                Cell::Empty => sheet.write_blank(r, c, &text)?,
            };
        }
    }
    let last_row = header_row + table.rows.len() as u32;
    let last_col = table.headers.len().saturating_sub(1) as u16;
    sheet.autofilter(header_row, 0, last_row, last_col)?;
    sheet.set_freeze_panes(header_row + 1, 0)?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 with BOM, which Japanese Excel opens correctly.
    Utf8Bom,
    Cp932,
}

impl Encoding {
    pub fn parse(text: &str) -> Option<Encoding> {
        match text.to_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" | "utf-8-bom" => Some(Encoding::Utf8Bom),
            "cp932" | "shift-jis" | "sjis" | "windows-31j" => Some(Encoding::Cp932),
            _ => None,
        }
    }
}

/// CSV with the preamble omitted (a CSV is read by programs too): header row, then rows.
/// Returns the bytes and whether some characters could not be written in CP932.
pub fn csv(table: &Table, encoding: Encoding) -> (Vec<u8>, bool) {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = writer.write_record(&table.headers);
    for row in &table.rows {
        let _ = writer.write_record(row.iter().map(Cell::as_text));
    }
    let text = String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default();
    match encoding {
        Encoding::Utf8Bom => {
            let mut bytes = b"\xEF\xBB\xBF".to_vec();
            bytes.extend(text.as_bytes());
            (bytes, false)
        }
        Encoding::Cp932 => {
            let (bytes, _, lossy) = encoding_rs::SHIFT_JIS.encode(&text);
            (bytes.into_owned(), lossy)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet large enough for constant-memory mode reads back whole: title, header, every row
    /// in order, text and dates.
    #[test]
    fn large_sheets_are_written_in_constant_memory_and_read_back() {
        let rows = CONSTANT_MEMORY_ROWS + 7;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
        let table = Table {
            sheet_name: "機器台帳".into(),
            preamble: vec!["機器台帳".into()],
            headers: vec!["管理番号".into(), "設置場所".into(), "登録日".into()],
            widths: vec![12.0, 12.0, 12.0],
            rows: (0..rows)
                .map(|i| {
                    vec![
                        Cell::text(format!("PC-{i:05}")),
                        Cell::text(if i % 2 == 0 { "外来" } else { "=病棟" }),
                        Cell::Date(day),
                    ]
                })
                .collect(),
        };
        let bytes = xlsx(&table).expect("written");
        let sheets = crate::read_tables(&bytes, "x.xlsx", None).expect("read back");
        let read = &sheets[0].rows;
        assert_eq!(read[0][0], "機器台帳");
        let header = read
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "管理番号"));
        let header = header.expect("header row");
        let data = &read[header + 1..];
        assert_eq!(data.len(), rows);
        assert_eq!(data[rows - 1][0], format!("PC-{:05}", rows - 1));
        assert_eq!(data[1][1], "'=病棟", "formula-like text stays neutralised");
        assert!(data[3][2].contains("2026"), "{:?}", data[3]);
    }

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for text in ["=1+1", "+81", "-x", "@SUM(A1)"] {
            assert!(neutralise(text).starts_with('\''));
            assert_eq!(unneutralise(&neutralise(text)), text);
        }
        assert_eq!(neutralise("普通"), "普通");
        assert_eq!(unneutralise("'quote"), "'quote");
    }
}
