//! Writing tables: XLSX with a header block, frozen header row, autofilter and widths; CSV in
//! UTF-8 with BOM or CP932. Cells that a spreadsheet would run as formulas are neutralised.

use rust_xlsxwriter::{
    ConditionalFormatFormula, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

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
    neutralise_owned(text.to_string())
}

/// [`neutralise`] for text already owned: copied only when it needs the prefix.
fn neutralise_owned(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
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
    let mut workbook = new_workbook();
    for table in tables {
        let sheet = if table.rows.len() >= CONSTANT_MEMORY_ROWS {
            workbook.add_worksheet_with_constant_memory()?
        } else {
            workbook.add_worksheet()
        };
        let mut writer = SheetWriter::begin(sheet, table)?;
        for row in &table.rows {
            writer.row(sheet, row.iter().cloned())?;
        }
        writer.end(sheet)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// A workbook compressed at zip level 2 instead of 6. For a 100,000-device ledger: level 6 → 3
/// wrote it about a second sooner; level 3 → 2 (zlib-rs's fast strategy, no lazy matching) another
/// 0.5 s sooner (3.6–3.7 → 3.1–3.2 s) for a 7.6 % larger file (16.8 → 18.1 MB); level 1 was no
/// faster than 2 and 24 MB.
fn new_workbook() -> Workbook {
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(2);
    workbook
}

/// Rows from which a sheet is written in constant-memory mode: rows go out as they are written
/// (inline strings, no shared-string table to hash), which for a 100,000-device ledger halves
/// the time and the memory.
const CONSTANT_MEMORY_ROWS: usize = 5_000;

/// Where a sheet's rows go and how they look: the title block and header row are written by
/// [`SheetWriter::begin`], each row by [`SheetWriter::row`], the filter, frozen header and
/// borders by [`SheetWriter::end`].
///
/// Data cells carry no format of their own: rust_xlsxwriter hashes a cell's whole `Format` to
/// find its style, which was a quarter of a 100,000-device export. Wrapping and top alignment
/// are the columns' format (invisible on empty cells outside the table), dates alone carry
/// theirs, and the table's thin borders are one conditional format over its range, so the
/// sheet looks as before — borders around every cell of the table and nowhere else.
struct SheetWriter {
    date: Format,
    header_row: u32,
    next_row: u32,
    columns: u16,
}

impl SheetWriter {
    fn begin(sheet: &mut Worksheet, head: &Table) -> Result<SheetWriter, WriteError> {
        sheet.set_name(&head.sheet_name)?;
        // Bottom alignment is Excel's default; spelt out, the lines are not the default style,
        // which would take the column's wrapping (a line spans the columns to its right).
        let plain = Format::new().set_align(FormatAlign::Bottom);
        let title = plain.clone().set_bold().set_font_size(14);
        let header = Format::new()
            .set_bold()
            .set_background_color("#DDE6EE")
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_text_wrap();
        for (i, line) in head.preamble.iter().enumerate() {
            let format = if i == 0 { &title } else { &plain };
            sheet.write_string_with_format(i as u32, 0, neutralise(line), format)?;
        }
        let header_row = head.preamble.len() as u32 + usize::from(!head.preamble.is_empty()) as u32;
        let column = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        for (col, name) in head.headers.iter().enumerate() {
            sheet.write_string_with_format(header_row, col as u16, name, &header)?;
            sheet.set_column_format(col as u16, &column)?;
            sheet.set_column_width(col as u16, head.widths.get(col).copied().unwrap_or(12.0))?;
        }
        Ok(SheetWriter {
            date: Format::new()
                .set_num_format("yyyy/mm/dd")
                .set_align(FormatAlign::Top),
            header_row,
            next_row: header_row + 1,
            columns: head.headers.len() as u16,
        })
    }

    fn row(
        &mut self,
        sheet: &mut Worksheet,
        cells: impl IntoIterator<Item = Cell>,
    ) -> Result<(), WriteError> {
        let r = self.next_row;
        for (c, cell) in cells.into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => sheet.write_string(r, c, neutralise_owned(t))?,
                Cell::Date(d) => {
                    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        u16::try_from(chrono::Datelike::year(&d)).unwrap_or(1900),
                        chrono::Datelike::month(&d) as u8,
                        chrono::Datelike::day(&d) as u8,
                    )?;
                    sheet.write_datetime_with_format(r, c, &day, &self.date)?
                }
                Cell::Empty => sheet,
            };
        }
        self.next_row += 1;
        Ok(())
    }

    fn end(self, sheet: &mut Worksheet) -> Result<(), WriteError> {
        let last_col = self.columns.saturating_sub(1);
        let last_row = self.next_row - 1;
        sheet.autofilter(self.header_row, 0, last_row, last_col)?;
        sheet.set_freeze_panes(self.header_row + 1, 0)?;
        if last_row > self.header_row {
            let borders = ConditionalFormatFormula::new()
                .set_rule("=TRUE")
                .set_format(Format::new().set_border(FormatBorder::Thin));
            sheet.add_conditional_format(self.header_row + 1, 0, last_row, last_col, &borders)?;
        }
        Ok(())
    }
}

/// A table written one row at a time, as XLSX (constant-memory mode) or CSV: an export of any
/// size without holding its rows, and while they are still being read.
pub enum TableWriter {
    Xlsx(Box<XlsxStream>),
    Csv(Box<CsvStream>),
}

pub struct XlsxStream {
    workbook: Workbook,
    sheet: Worksheet,
    writer: SheetWriter,
}

pub struct CsvStream {
    writer: csv::Writer<Vec<u8>>,
    encoding: Encoding,
}

impl TableWriter {
    /// Starts an XLSX sheet with `head`'s title block and headers (its rows are not written).
    pub fn xlsx(head: &Table) -> Result<TableWriter, WriteError> {
        let mut workbook = new_workbook();
        let mut sheet = workbook.new_worksheet_with_constant_memory()?;
        let writer = SheetWriter::begin(&mut sheet, head)?;
        Ok(TableWriter::Xlsx(Box::new(XlsxStream {
            workbook,
            sheet,
            writer,
        })))
    }

    /// Starts a CSV with `head`'s header row (the preamble is omitted, see [`csv`]).
    pub fn csv(head: &Table, encoding: Encoding) -> TableWriter {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let _ = writer.write_record(&head.headers);
        TableWriter::Csv(Box::new(CsvStream { writer, encoding }))
    }

    pub fn row(&mut self, cells: impl IntoIterator<Item = Cell>) -> Result<(), WriteError> {
        match self {
            TableWriter::Xlsx(x) => x.writer.row(&mut x.sheet, cells),
            TableWriter::Csv(c) => {
                let record: Vec<String> = cells.into_iter().map(|c| c.as_text()).collect();
                let _ = c.writer.write_record(&record);
                Ok(())
            }
        }
    }

    /// The file's bytes, and whether some characters could not be written in CP932.
    pub fn finish(self) -> Result<(Vec<u8>, bool), WriteError> {
        match self {
            TableWriter::Xlsx(x) => {
                let XlsxStream {
                    mut workbook,
                    mut sheet,
                    writer,
                } = *x;
                writer.end(&mut sheet)?;
                workbook.push_worksheet(sheet);
                Ok((workbook.save_to_buffer()?, false))
            }
            TableWriter::Csv(c) => {
                let text = String::from_utf8(c.writer.into_inner().unwrap_or_default())
                    .unwrap_or_default();
                Ok(encode(text, c.encoding))
            }
        }
    }
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
    let mut writer = TableWriter::csv(table, encoding);
    for row in &table.rows {
        let _ = writer.row(row.iter().cloned());
    }
    writer.finish().unwrap_or_default()
}

fn encode(text: String, encoding: Encoding) -> (Vec<u8>, bool) {
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

    /// A sheet streamed row by row reads back as the same sheet written from a whole table, in
    /// XLSX and in both CSV encodings.
    #[test]
    fn streamed_tables_equal_whole_ones() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
        let table = Table {
            sheet_name: "機器台帳".into(),
            preamble: vec!["機器台帳".into(), "施設名：見守り病院".into()],
            headers: vec!["管理番号".into(), "設置場所".into(), "登録日".into()],
            widths: vec![12.0, 12.0, 12.0],
            rows: (0..40)
                .map(|i| {
                    vec![
                        Cell::text(format!("ＰＣ-{i:03}")),
                        if i % 3 == 0 {
                            Cell::Empty
                        } else {
                            Cell::text("+病棟")
                        },
                        Cell::Date(day),
                    ]
                })
                .collect(),
        };
        let streamed = |mut writer: TableWriter| {
            for row in &table.rows {
                writer.row(row.iter().cloned()).expect("row");
            }
            writer.finish().expect("finished").0
        };
        let read = |bytes: &[u8], name: &str| crate::read_tables(bytes, name, None).expect("read");
        let whole = xlsx(&table).expect("written");
        let stream = streamed(TableWriter::xlsx(&table).expect("begun"));
        assert_eq!(
            read(&stream, "s.xlsx")[0].rows,
            read(&whole, "w.xlsx")[0].rows
        );
        for encoding in [Encoding::Utf8Bom, Encoding::Cp932] {
            let stream = streamed(TableWriter::csv(&table, encoding));
            assert_eq!(stream, csv(&table, encoding).0);
            assert!(read(&stream, "s.csv")[0].rows.len() > 40);
        }
    }

    /// How a table looks, read from the sheet's XML: thin borders on exactly the table's cells
    /// (one conditional format over the data range; the header carries its own), data cells
    /// in the columns' wrapping style with blank cells left out, the title block unwrapped.
    #[test]
    fn tables_are_bordered_exactly_and_only_data_cells_wrap() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
        for rows in [3, CONSTANT_MEMORY_ROWS + 1] {
            let table = Table {
                sheet_name: "機器台帳".into(),
                preamble: vec!["機器台帳".into(), "施設名：見守り病院".into()],
                headers: vec!["管理番号".into(), "設置場所".into(), "登録日".into()],
                widths: vec![12.0, 12.0, 12.0],
                rows: (0..rows)
                    .map(|i| vec![Cell::text(format!("PC-{i}")), Cell::Empty, Cell::Date(day)])
                    .collect(),
            };
            let bytes = xlsx(&table).expect("written");
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
            let mut part = |name: &str| {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut text)
                    .expect("read");
                text
            };
            let sheet = part("xl/worksheets/sheet1.xml");
            let styles = part("xl/styles.xml");
            // Title block rows 1–2, a blank row, the header on row 4, data from row 5.
            let last = 4 + rows;
            assert!(
                sheet.contains(&format!(
                    r#"<conditionalFormatting sqref="A5:C{last}"><cfRule type="expression" dxfId="0" priority="1"><formula>TRUE</formula>"#
                )),
                "{rows} rows: borders over the data range"
            );
            let style = |cell: &str| {
                let start = sheet.find(&format!(r#"<c r="{cell}""#)).expect(cell);
                let tag = &sheet[start..start + sheet[start..].find('>').expect("tag end")];
                tag.split(r#"s=""#)
                    .nth(1)
                    .map(|s| s[..s.find('"').unwrap_or(0)].to_string())
            };
            let column = sheet.split(r#"<col min="1" "#).nth(1).expect("col");
            let column = column.split(r#"style=""#).nth(1).expect("column style");
            let column = &column[..column.find('"').unwrap_or(0)];
            assert_eq!(
                style("A5").as_deref(),
                Some(column),
                "data cells take the column's style"
            );
            assert!(
                !sheet.contains(r#"<c r="B5""#),
                "blank cells are not written"
            );
            assert!(
                style("C5").is_some_and(|s| s != column),
                "dates carry their format"
            );
            assert!(
                style("A2").is_some_and(|s| s != column),
                "the title block does not wrap"
            );
            assert!(
                style("A4").is_some_and(|s| s != column),
                "the header has its own format"
            );
            let dxf = styles.split("<dxfs").nth(1).expect("dxfs");
            assert!(
                dxf.contains(r#"<left style="thin">"#) && dxf.contains(r#"<bottom style="thin">"#)
            );
        }
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
