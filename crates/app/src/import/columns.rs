//! What the column-mapping screen shows: the ledger's fields, the file's columns with sample
//! values, and the mapping the titles alone give.

use mimamori_domain::accounts::ColumnMapping;
use mimamori_formats::devices::COLUMNS;
use mimamori_formats::header::{guess_mapping, header_row, ColumnSpec};
use mimamori_formats::registers::columns;
use mimamori_formats::table::cut;
use mimamori_formats::{read_tables, Sheet, TableError};
use serde::Serialize;

use super::{off_runtime, Ledger};

/// A field of a ledger, as the mapping screen lists it.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerField {
    pub key: &'static str,
    pub title: &'static str,
    pub required: bool,
}

/// A column of the file: its title and the first values under it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileColumn {
    pub title: String,
    pub samples: Vec<String>,
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

/// [`file_columns`], or why the file cannot be read.
pub async fn read_columns(bytes: &[u8], file_name: &str) -> Result<Vec<FileColumn>, TableError> {
    let (bytes, name) = (bytes.to_vec(), file_name.to_string());
    off_runtime(move || {
        let sheets = read_tables(&bytes, &name, None)?;
        Ok(sheets.first().map(columns_of).unwrap_or_default())
    })
    .await
}

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
            FileColumn {
                title: title.trim().to_string(),
                samples,
            }
        })
        .collect()
}
