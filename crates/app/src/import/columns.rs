//! What the column-mapping screen shows: the ledger's fields, the file's columns with sample
//! values, and the mapping the titles alone give.

use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::i18n::Lang;
use mimamori_domain::ledger::values::{
    device_value_fields, register_value_fields, ValueKind, MAX_WORD_CHARS,
};
use mimamori_formats::devices::COLUMNS;
use mimamori_formats::header::{guess_mapping, header_row, ColumnSpec};
use mimamori_formats::registers::columns;
use mimamori_formats::table::cut;
use mimamori_formats::table::{Flow, Limits, Source, TableFile};
use mimamori_formats::{Sheet, TableError};
use serde::Serialize;

use super::{off_runtime, Ledger};

/// A field of a ledger, as the mapping screen lists it.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerField {
    pub key: &'static str,
    pub title: &'static str,
    pub required: bool,
}

/// A column of the file: its title, the first values under it, and its distinct words (for the
/// value mapping of a choice field).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileColumn {
    pub title: String,
    pub samples: Vec<String>,
    pub words: Vec<String>,
}

/// Distinct words kept per column, and the rows looked at for them: a choice column has a handful
/// of words, and a column with more is no choice column.
const WORDS: usize = 30;
const WORD_ROWS: usize = 5_000;

/// A choice field of the ledger on the value-mapping screen: the column it is read from, the
/// column's words the ledger does not read by itself (or that a person mapped), and what they
/// may be mapped to.
#[derive(Debug, Clone, Serialize)]
pub struct ValueField {
    pub key: &'static str,
    pub title: &'static str,
    pub column: String,
    pub words: Vec<MappedWord>,
    /// (the ledger's word, as the reader reads it).
    pub choices: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MappedWord {
    pub word: String,
    /// The ledger's word it is mapped to, if a person mapped it.
    pub to: Option<String>,
}

/// The ledger's choice fields with value mapping.
pub fn value_kinds(ledger: Ledger) -> Vec<(&'static str, ValueKind)> {
    match ledger {
        Ledger::Devices => device_value_fields(),
        Ledger::Register(spec) => register_value_fields(spec),
    }
}

/// The value-mapping screen: for each choice field `fields` lists that `mapping` (else the
/// titles) reads from a column of the file, the column's words that need a mapping.
pub fn value_fields(
    fields: &[(&'static str, ValueKind)],
    titles: &[LedgerField],
    columns: &[FileColumn],
    mapping: &ColumnMapping,
    lang: Lang,
) -> Vec<ValueField> {
    fields
        .iter()
        .filter_map(|(key, kind)| {
            let column = columns
                .iter()
                .find(|c| mapping.0.get(*key) == Some(&c.title))?;
            let words: Vec<MappedWord> = column
                .words
                .iter()
                .filter_map(|word| {
                    let to = mapping.1.get(key, word).map(String::from);
                    (to.is_some() || !kind.understands(word)).then(|| MappedWord {
                        word: word.clone(),
                        to,
                    })
                })
                .collect();
            if words.is_empty() {
                return None;
            }
            Some(ValueField {
                key,
                title: titles
                    .iter()
                    .find(|t| t.key == *key)
                    .map_or(*key, |t| t.title),
                column: column.title.clone(),
                words,
                choices: kind.choices(lang),
            })
        })
        .collect()
}

fn specs(ledger: Ledger) -> Vec<ColumnSpec> {
    match ledger {
        Ledger::Devices => COLUMNS
            .iter()
            .map(|c| ColumnSpec {
                key: c.key,
                titles: c.titles,
            })
            .collect(),
        Ledger::Register(spec) => columns(spec),
    }
}

/// The ledger's fields in file order, the key field first marked required.
pub fn ledger_fields(ledger: Ledger) -> Vec<LedgerField> {
    let key = match ledger {
        Ledger::Devices => "management_no",
        Ledger::Register(spec) => spec.key_field,
    };
    specs(ledger)
        .iter()
        .map(|c| LedgerField {
            key: c.key,
            title: c.titles.first().copied().unwrap_or(c.key),
            required: c.key == key,
        })
        .collect()
}

/// The mapping the file's titles give by themselves.
pub fn guessed(ledger: Ledger, columns: &[FileColumn]) -> ColumnMapping {
    let headers: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
    guess_mapping(&headers, &specs(ledger))
}

/// Samples shown per column.
const SAMPLES: usize = 3;

/// The header row (the filled-most of the first ten rows) and up to three distinct values under
/// each of its columns, read off the runtime. Empty when the file cannot be read.
pub async fn file_columns(bytes: &[u8], file_name: &str) -> Vec<FileColumn> {
    read_columns(bytes, file_name).await.unwrap_or_default()
}

/// [`file_columns`], or why the file cannot be read. Only the first sheet's first rows are read
/// (the header among the first ten, the words below it), so a large file costs no more memory
/// here than a small one.
pub async fn read_columns(bytes: &[u8], file_name: &str) -> Result<Vec<FileColumn>, TableError> {
    let (source, name) = (Source::Bytes(bytes.into()), file_name.to_string());
    off_runtime(move || {
        let mut file = TableFile::open(source, &name, &Limits::streamed())?;
        let mut first: Option<Sheet> = None;
        file.each_row(None, &mut |sheet, index, cells| {
            let held = first.get_or_insert_with(|| Sheet {
                name: sheet.to_string(),
                rows: Vec::new(),
            });
            if held.name != sheet || index >= HEADER_ROWS + WORD_ROWS {
                return Ok(Flow::Stop);
            }
            if held.rows.len() <= index {
                held.rows.resize_with(index + 1, Vec::new);
            }
            held.rows[index] = cells;
            Ok(Flow::Continue)
        })?;
        Ok(first.as_ref().map(columns_of).unwrap_or_default())
    })
    .await
}

/// Rows among which the header row is looked for (see [`header_row`]).
const HEADER_ROWS: usize = 10;

fn columns_of(sheet: &Sheet) -> Vec<FileColumn> {
    let Some((header_index, header)) = header_row(sheet) else {
        return Vec::new();
    };
    header
        .iter()
        .enumerate()
        .filter(|(_, title)| !title.trim().is_empty())
        .map(|(column, title)| {
            let mut samples: Vec<String> = Vec::new();
            for row in sheet.rows.iter().skip(header_index + 1).take(200) {
                let value = row.get(column).map(|v| v.trim()).unwrap_or("");
                if !value.is_empty() && !samples.iter().any(|s| s == value) {
                    samples.push(cut(value, 40));
                    if samples.len() == SAMPLES {
                        break;
                    }
                }
            }
            let mut words: Vec<String> = Vec::new();
            for row in sheet.rows.iter().skip(header_index + 1).take(WORD_ROWS) {
                let value = row.get(column).map(|v| v.trim()).unwrap_or("");
                let fits = value.chars().count() <= MAX_WORD_CHARS;
                if !value.is_empty() && fits && !words.iter().any(|w| w == value) {
                    if words.len() == WORDS {
                        // Too many words for a choice column.
                        words.clear();
                        break;
                    }
                    words.push(value.to_string());
                }
            }
            FileColumn {
                title: title.trim().to_string(),
                samples,
                words,
            }
        })
        .collect()
}
