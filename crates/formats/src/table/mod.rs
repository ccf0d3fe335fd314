//! Reading a spreadsheet or CSV file into rows of text, whatever its format and encoding —
//! bounded by construction: XLSX is read cell by cell from its XML (never as a dense range),
//! CSV by our own tokenizer that locates every fault, and both stop at [`Limits`] with an error
//! that names the limit, the sheet and the row.

mod csv;
mod dates;
mod error;
mod xlsx;

use std::io::{Read, Seek};

pub use error::{column_letters, cut, TableError};

/// One sheet of text cells. CSV files give one sheet named after the file.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

/// What one file may hold. The defaults are for a file read whole (a register, a system's user
/// list): Excel's own row and cell-length limits, and 750,000 filled cells (50,000 accounts of
/// 15 columns: ten times a large hospital's staff), which keeps an import's memory under 200 MB
/// whatever the file claims. The
/// device ledger is read a row at a time, within [`Limits::streamed`].
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
    /// Bytes of an XLSX file's shared strings, which are held while its sheets are read.
    pub shared_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rows: 1_048_576,
            columns: 1_024,
            cell_chars: 32_767,
            cells: 750_000,
            text_bytes: 32 * 1024 * 1024,
            part_bytes: 1024 * 1024 * 1024,
            shared_bytes: 32 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// For a file read a row at a time and never held (the device ledger's import): memory
    /// does not grow with the rows, so the file may be as long as a hospital group's ledger of
    /// a million devices; what is held (a row, an XLSX file's shared strings) keeps its bounds.
    pub fn streamed() -> Self {
        Limits {
            rows: 8 * 1024 * 1024,
            cells: 256 * 1024 * 1024,
            text_bytes: 8 * 1024 * 1024 * 1024,
            part_bytes: 8 * 1024 * 1024 * 1024,
            ..Limits::default()
        }
    }
}

/// What `on` says after a row: read on, go to the next sheet, or stop reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    NextSheet,
    Stop,
}

/// What reading rows calls with each row: the sheet's name, the row's 0-based index, its cells;
/// it says whether to read on.
pub type OnRow<'a> = dyn FnMut(&str, usize, Vec<String>) -> Result<Flow, TableError> + 'a;

/// Where a file's bytes are: in memory (an upload) or on disk (the CLI reads a file of any size
/// without holding it).
#[derive(Debug, Clone)]
pub enum Source {
    Bytes(std::sync::Arc<[u8]>),
    Path(std::path::PathBuf),
}

trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

impl Source {
    fn open(&self) -> Result<Box<dyn ReadSeek>, TableError> {
        Ok(match self {
            Source::Bytes(bytes) => Box::new(std::io::Cursor::new(bytes.clone())),
            Source::Path(path) => Box::new(std::io::BufReader::with_capacity(
                64 * 1024,
                std::fs::File::open(path).map_err(|e| TableError::Io(e.to_string()))?,
            )),
        })
    }

    /// The first `n` bytes (fewer when the file is shorter).
    fn head(&self, n: usize) -> Result<Vec<u8>, TableError> {
        let mut head = Vec::with_capacity(n);
        self.open()?
            .take(n as u64)
            .read_to_end(&mut head)
            .map_err(|e| TableError::Io(e.to_string()))?;
        Ok(head)
    }
}

/// A spreadsheet or CSV file opened for reading its rows, as often as needed, in the memory of
/// a row at a time (an XLSX file's shared strings and styles are read once, at opening).
pub struct TableFile {
    kind: Kind,
}

enum Kind {
    Xlsx(Box<xlsx::Book<Box<dyn ReadSeek>>>),
    Csv {
        source: Source,
        name: String,
        limits: Limits,
    },
}

impl TableFile {
    /// Opens XLSX (detected by content, not name) or CSV in UTF-8 / UTF-8 with BOM / UTF-16
    /// (Excel's 「Unicode テキスト」) / CP932.
    pub fn open(source: Source, file_name: &str, limits: &Limits) -> Result<Self, TableError> {
        let head = source.head(64 * 1024)?;
        if head.iter().all(|b| b.is_ascii_whitespace()) && head.len() < 64 * 1024 {
            return Err(TableError::Empty);
        }
        if head.starts_with(b"PK\x03\x04") {
            let book = xlsx::Book::open(source.open()?, limits)?;
            return Ok(TableFile {
                kind: Kind::Xlsx(Box::new(book)),
            });
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Err(TableError::OldExcel);
        }
        let name = std::path::Path::new(file_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "CSV".into());
        Ok(TableFile {
            kind: Kind::Csv {
                source,
                name,
                limits: *limits,
            },
        })
    }

    /// The sheets' names in order (a CSV file is one sheet named after the file).
    pub fn sheet_names(&self) -> Vec<String> {
        match &self.kind {
            Kind::Xlsx(book) => book.sheet_names(),
            Kind::Csv { name, .. } => vec![name.clone()],
        }
    }

    /// Calls `on` with the rows (sheet name, 0-based row index, cells) of the sheet named
    /// `sheet`, or of every sheet in order, until the end or until `on` stops. XLSX gives only
    /// rows that hold a cell; CSV gives every line, blank ones as no cells.
    pub fn each_row(&mut self, sheet: Option<&str>, on: &mut OnRow<'_>) -> Result<(), TableError> {
        match &mut self.kind {
            Kind::Xlsx(book) => book.each_row(sheet, on),
            Kind::Csv {
                source,
                name,
                limits,
            } => {
                // A CSV file is its one sheet, whatever sheet is asked for.
                let _ = sheet;
                let name = name.clone();
                csv::each_row(source.open()?, limits, &mut |row, cells| {
                    on(&name, row, cells)
                })
                .map_err(|e| e.in_sheet(&name))
            }
        }
    }
}

/// Reads XLSX or CSV (see [`TableFile::open`]) within the default [`Limits`], every row held.
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
    let mut file = TableFile::open(Source::Bytes(bytes.into()), file_name, limits)?;
    collect_sheets(&mut file, sheet)
}

/// The sheet of `sheets` named `name`, added (with no rows) when there is none.
pub(crate) fn sheet_named<'s>(sheets: &'s mut Vec<Sheet>, name: &str) -> &'s mut Sheet {
    let at = match sheets.iter().rposition(|s| s.name == name) {
        Some(at) => at,
        None => {
            sheets.push(Sheet {
                name: name.to_string(),
                rows: Vec::new(),
            });
            sheets.len() - 1
        }
    };
    &mut sheets[at]
}

/// Every row of `file` (of `sheet` only, when given) held as [`Sheet`]s.
pub fn collect_sheets(file: &mut TableFile, sheet: Option<&str>) -> Result<Vec<Sheet>, TableError> {
    let mut sheets: Vec<Sheet> = match sheet {
        Some(_) => Vec::new(),
        None => file
            .sheet_names()
            .into_iter()
            .map(|name| Sheet {
                name,
                rows: Vec::new(),
            })
            .collect(),
    };
    file.each_row(sheet, &mut |name, row, cells| {
        let rows = &mut sheet_named(&mut sheets, name).rows;
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        if rows[row].is_empty() {
            rows[row] = cells;
        } else {
            // A row written twice (XLSX allows rows out of order): its cells are merged.
            for (column, text) in cells.into_iter().enumerate() {
                if !text.is_empty() {
                    let merged = &mut rows[row];
                    if merged.len() <= column {
                        merged.resize_with(column + 1, String::new);
                    }
                    merged[column] = text;
                }
            }
        }
        Ok(Flow::Continue)
    })?;
    if sheet.is_some() && sheets.is_empty() {
        // The named sheet exists (else `each_row` said so) but holds nothing.
        sheets.push(Sheet {
            name: sheet.unwrap_or_default().to_string(),
            rows: Vec::new(),
        });
    }
    Ok(sheets)
}

/// Counts the cells and text a file has used so far against its [`Limits`].
#[derive(Clone, Copy)]
pub(crate) struct Budget {
    limits: Limits,
    cells: usize,
    text_bytes: usize,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Self {
        Budget {
            limits: *limits,
            cells: 0,
            text_bytes: 0,
        }
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
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

impl Budget {
    /// Takes a shared string (stored once, referenced by cells) into the text budget.
    pub(crate) fn take_shared(&mut self, text: &str) -> Result<(), TableError> {
        if text.contains('\0') {
            return Err(TableError::Nul(error::At::default()));
        }
        self.text_bytes += text.len();
        let max = self.limits.text_bytes.min(self.limits.shared_bytes);
        if self.text_bytes > max {
            return Err(TableError::Limit(
                error::Limit::TextBytes,
                max,
                error::At::default(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
