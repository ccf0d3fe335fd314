//! Why a file could not be read, located where a location exists, in Japanese and English.

use std::fmt;

/// Where in a sheet: 1-based row and column as the spreadsheet shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct At {
    pub row: usize,
    pub column: usize,
}

/// Which of the [`super::Limits`] a file broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Rows,
    Columns,
    CellChars,
    Cells,
    TextBytes,
    PartBytes,
}

impl Limit {
    fn ja(self) -> &'static str {
        match self {
            Limit::Rows => "行数",
            Limit::Columns => "列数",
            Limit::CellChars => "1つのセルの文字数",
            Limit::Cells => "入力のあるセルの数",
            Limit::TextBytes => "ファイル全体の文字データ（バイト）",
            Limit::PartBytes => "展開後の大きさ（バイト）",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Limit::Rows => "rows",
            Limit::Columns => "columns",
            Limit::CellChars => "characters in one cell",
            Limit::Cells => "filled cells",
            Limit::TextBytes => "bytes of cell text in the file",
            Limit::PartBytes => "bytes of one part once inflated",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// No byte but white space.
    Empty,
    /// The binary Excel 97–2003 format (.xls).
    OldExcel,
    /// Not a readable XLSX: a broken zip or XML.
    Excel(String),
    NoSheet(String),
    Limit(Limit, usize, At),
    /// A NUL character, which no ledger holds and PostgreSQL cannot store.
    Nul(At),
    /// A quoted CSV field never closed: the rest of the file would become one cell.
    UnclosedQuote(At),
    /// Text after a CSV field's closing quote (`"abc"def`).
    StrayQuote(At),
    /// A quoted CSV field running over lines that look like rows of their own.
    SwallowedRows(At),
    /// UTF-8 up to this row, then bytes that are not.
    MixedEncoding(At),
    /// Bytes that are neither UTF-8 nor CP932.
    Undecodable(At),
    /// The file could not be read from disk.
    Io(String),
    /// The error, with the sheet it happened in.
    InSheet(String, Box<TableError>),
}

/// A column number as the spreadsheet letters it: 1 → A, 27 → AA, 16384 → XFD.
pub fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        letters.push(b'A' + rem as u8);
        column = (column - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

fn cell_ja(at: &At) -> String {
    match (at.row, at.column) {
        (0, _) => String::new(),
        (row, 0) => format!("{row}行目: "),
        (row, column) => format!("{row}行目 {}列: ", column_letters(column)),
    }
}

fn cell_en(at: &At) -> String {
    match (at.row, at.column) {
        (0, _) => String::new(),
        (row, 0) => format!("row {row}: "),
        (row, column) => format!("row {row}, column {}: ", column_letters(column)),
    }
}

impl TableError {
    pub(crate) fn in_sheet(self, sheet: &str) -> TableError {
        match self {
            TableError::InSheet(..) | TableError::Empty | TableError::NoSheet(_) => self,
            other => TableError::InSheet(sheet.to_string(), Box::new(other)),
        }
    }

    /// The innermost error, without the sheet.
    fn inner(&self) -> &TableError {
        match self {
            TableError::InSheet(_, inner) => inner.inner(),
            other => other,
        }
    }

    pub fn sheet(&self) -> Option<&str> {
        match self {
            TableError::InSheet(sheet, _) => Some(sheet),
            _ => None,
        }
    }

    fn at(&self) -> Option<&At> {
        match self.inner() {
            TableError::Limit(_, _, at)
            | TableError::Nul(at)
            | TableError::UnclosedQuote(at)
            | TableError::StrayQuote(at)
            | TableError::SwallowedRows(at)
            | TableError::MixedEncoding(at)
            | TableError::Undecodable(at) => Some(at),
            _ => None,
        }
    }

    /// The 1-based row the fault is in, 0 when it concerns the whole file.
    pub fn row(&self) -> usize {
        self.at().map_or(0, |at| at.row)
    }

    /// The column's letters, empty when the fault concerns a whole row or the file.
    pub fn column(&self) -> String {
        self.at()
            .map_or(String::new(), |at| column_letters(at.column))
    }

    /// A stable code for the report and the API.
    pub fn code(&self) -> &'static str {
        match self.inner() {
            TableError::Empty => "empty_file",
            TableError::OldExcel => "old_excel_format",
            TableError::Excel(_) => "unreadable_excel",
            TableError::NoSheet(_) => "no_such_sheet",
            TableError::Limit(..) => "file_limit",
            TableError::Nul(_) => "nul_character",
            TableError::UnclosedQuote(_) => "unclosed_quote",
            TableError::StrayQuote(_) => "stray_quote",
            TableError::SwallowedRows(_) => "quote_swallows_rows",
            TableError::MixedEncoding(_) => "mixed_encoding",
            TableError::Undecodable(_) => "undecodable_text",
            TableError::Io(_) | TableError::InSheet(..) => "unreadable_file",
        }
    }

    pub fn ja(&self) -> String {
        let at = self.at().map(cell_ja).unwrap_or_default();
        let what = match self.inner() {
            TableError::Empty => "ファイルが空です。データの入ったファイルを選んでください。".into(),
            TableError::OldExcel => "古い Excel 形式（.xls）は読み取れません。Excel で「名前を付けて保存」から Excel ブック（.xlsx）または CSV で保存し直してください。".into(),
            TableError::Excel(reason) => format!("Excel ファイルとして読み取れません（{}）。Excel で開いて .xlsx 形式で保存し直してください。", cut(reason, 200)),
            TableError::NoSheet(name) => format!("シート「{}」がありません。シート名を確認してください。", cut(name, 100)),
            TableError::Limit(limit, max, _) => format!("{}が上限（{}）を超えています。不要な行・列・セルを削除するか、ファイルを分けて取り込んでください。", limit.ja(), crate::problem::count_text(*max)),
            TableError::Nul(_) => "NUL 文字（0x00）が含まれています。台帳に使えない文字です。元のシステムの出力設定を確認してください。".into(),
            TableError::UnclosedQuote(_) => "この行で始まる引用符（\"）が閉じられていません。このままでは以降の行がすべて1つのセルになります。引用符を確認してください。".into(),
            TableError::StrayQuote(_) => "閉じた引用符（\"）の後に文字があります。セル全体を引用符で囲み、中の \" は \"\" と書いてください。".into(),
            TableError::SwallowedRows(_) => "引用符（\"）で囲まれたセルが、行のように見える複数の行にまたがっています。引用符の閉じ忘れがないか確認してください。".into(),
            TableError::MixedEncoding(_) => "ここまでは UTF-8 ですが、この行から別の文字コード（Shift_JIS など）になっています。ファイル全体を1つの文字コードで保存し直してください。".into(),
            TableError::Undecodable(_) => "UTF-8 としても Shift_JIS（CP932）としても読めない文字があります。文字コードを確認して保存し直してください。".into(),
            TableError::Io(reason) => format!("ファイルを読み取れません（{}）。ファイルの場所と権限を確認してください。", cut(reason, 200)),
            TableError::InSheet(..) => String::new(),
        };
        let sheet = self
            .sheet()
            .map(|s| format!("シート「{}」 ", cut(s, 100)))
            .unwrap_or_default();
        format!("{sheet}{at}{what}")
    }

    pub fn en(&self) -> String {
        let at = self.at().map(cell_en).unwrap_or_default();
        let what = match self.inner() {
            TableError::Empty => "the file is empty; choose a file with data.".into(),
            TableError::OldExcel => "the old Excel format (.xls) cannot be read; save the file as an Excel workbook (.xlsx) or CSV.".into(),
            TableError::Excel(reason) => format!("cannot read the file as Excel ({}); open it in Excel and save it as .xlsx.", cut(reason, 200)),
            TableError::NoSheet(name) => format!("there is no sheet named \"{}\".", cut(name, 100)),
            TableError::Limit(limit, max, _) => format!("more {} than the limit of {max}; delete unused rows, columns or cells, or split the file.", limit.en()),
            TableError::Nul(_) => "a NUL character (0x00), which a ledger cannot hold; check the exporting system's settings.".into(),
            TableError::UnclosedQuote(_) => "a quote (\") opened on this row is never closed, so every later row would become one cell; check the quotes.".into(),
            TableError::StrayQuote(_) => "text follows a closing quote (\"); quote the whole cell and write a quote inside it as \"\".".into(),
            TableError::SwallowedRows(_) => "a quoted cell runs over several lines that look like rows of their own; check for a missing closing quote.".into(),
            TableError::MixedEncoding(_) => "the file is UTF-8 up to here and another encoding (such as Shift_JIS) from this row; save the whole file in one encoding.".into(),
            TableError::Undecodable(_) => "bytes that are neither UTF-8 nor Shift_JIS (CP932); check the file's encoding.".into(),
            TableError::Io(reason) => format!("cannot read the file ({}); check its path and permissions.", cut(reason, 200)),
            TableError::InSheet(..) => String::new(),
        };
        let sheet = self
            .sheet()
            .map(|s| format!("sheet \"{}\", ", cut(s, 100)))
            .unwrap_or_default();
        format!("{sheet}{at}{what}")
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.ja(), self.en())
    }
}

impl std::error::Error for TableError {}

pub use mimamori_domain::validation::cut;
