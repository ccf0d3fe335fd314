//! Reading a spreadsheet or CSV file into rows of text, whatever its format and encoding —
//! bounded by construction: XLSX is read cell by cell from its XML (never as a dense range),
//! CSV by our own tokenizer that locates every fault, and both stop at [`Limits`] with an error
//! that names the limit, the sheet and the row.

mod csv;
mod dates;
mod error;
mod xlsx;

pub use error::{column_letters, cut, TableError};

/// One sheet of text cells. CSV files give one sheet named after the file.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

/// What one file may hold. The defaults admit any ledger an office keeps (Excel's own row and
/// cell-length limits) while keeping the rows read under ~200 MB whatever the file claims.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Data rows, blank rows between them included (Excel's own maximum is 1,048,576).
    pub rows: usize,
    /// Columns of one row; cells further right are an error, never allocated.
    pub columns: usize,
    /// Characters in one cell (Excel's own maximum).
    pub cell_chars: usize,
    /// Non-empty cells in the whole file.
    pub cells: usize,
    /// Bytes of cell text in the whole file, shared strings included.
    pub text_bytes: usize,
    /// Bytes one XLSX part may inflate to (the zip-bomb bound; the part is streamed).
    pub part_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rows: 1_048_576,
            columns: 1_024,
            cell_chars: 32_767,
            cells: 4_000_000,
            text_bytes: 96 * 1024 * 1024,
            part_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Reads XLSX (detected by content, not name) or CSV in UTF-8 / UTF-8 with BOM / UTF-16 (Excel's
/// 「Unicode テキスト」) / CP932, within the default [`Limits`].
pub fn read_tables(
    bytes: &[u8],
    file_name: &str,
    sheet: Option<&str>,
) -> Result<Vec<Sheet>, TableError> {
    read_tables_within(bytes, file_name, sheet, &Limits::default())
}

/// [`read_tables`] with explicit limits.
pub fn read_tables_within(
    bytes: &[u8],
    file_name: &str,
    sheet: Option<&str>,
    limits: &Limits,
) -> Result<Vec<Sheet>, TableError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(TableError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return xlsx::read(bytes, sheet, limits);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(TableError::OldExcel);
    }
    let name = std::path::Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "CSV".into());
    let rows = csv::read(bytes, limits).map_err(|e| e.in_sheet(&name))?;
    Ok(vec![Sheet { name, rows }])
}

/// Counts the cells and text a file has used so far against its [`Limits`].
pub(crate) struct Budget<'l> {
    limits: &'l Limits,
    cells: usize,
    text_bytes: usize,
}

impl<'l> Budget<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Budget {
            limits,
            cells: 0,
            text_bytes: 0,
        }
    }

    /// Takes one cell's text into the budget, or says which limit it breaks.
    pub(crate) fn take(&mut self, text: &str, row: usize, column: usize) -> Result<(), TableError> {
        let at = || error::At { row, column };
        if text.len() > self.limits.cell_chars && text.chars().count() > self.limits.cell_chars {
            return Err(TableError::Limit(
                error::Limit::CellChars,
                self.limits.cell_chars,
                at(),
            ));
        }
        if text.contains('\0') {
            return Err(TableError::Nul(at()));
        }
        if column > self.limits.columns {
            return Err(TableError::Limit(
                error::Limit::Columns,
                self.limits.columns,
                at(),
            ));
        }
        if row > self.limits.rows {
            return Err(TableError::Limit(
                error::Limit::Rows,
                self.limits.rows,
                at(),
            ));
        }
        self.cells += 1;
        if self.cells > self.limits.cells {
            return Err(TableError::Limit(
                error::Limit::Cells,
                self.limits.cells,
                at(),
            ));
        }
        self.text_bytes += text.len();
        if self.text_bytes > self.limits.text_bytes {
            return Err(TableError::Limit(
                error::Limit::TextBytes,
                self.limits.text_bytes,
                at(),
            ));
        }
        Ok(())
    }
}

impl Budget<'_> {
    /// Takes a shared string (stored once, referenced by cells) into the text budget.
    pub(crate) fn take_shared(&mut self, text: &str) -> Result<(), TableError> {
        if text.contains('\0') {
            return Err(TableError::Nul(error::At::default()));
        }
        self.text_bytes += text.len();
        if self.text_bytes > self.limits.text_bytes {
            return Err(TableError::Limit(
                error::Limit::TextBytes,
                self.limits.text_bytes,
                error::At::default(),
            ));
        }
        Ok(())
    }
}

/// Puts `text` at 1-based (`row`, `column`) of `rows`, growing them only as far as a real cell.
pub(crate) fn place(rows: &mut Vec<Vec<String>>, row: usize, column: usize, text: String) {
    if rows.len() < row {
        rows.resize_with(row, Vec::new);
    }
    let cells = &mut rows[row - 1];
    if cells.len() < column {
        cells.resize_with(column, String::new);
    }
    cells[column - 1] = text;
}

#[cfg(test)]
mod tests;
