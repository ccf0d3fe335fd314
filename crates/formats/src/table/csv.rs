//! CSV and tab-separated text as offices and systems write it, read by a tokenizer of our own so
//! that every fault has a row: an unclosed quote is an error at the row it opens (a general CSV
//! reader takes the rest of the file into one cell), so are text after a closing quote, a NUL,
//! and a file that changes encoding half way.

use std::borrow::Cow;

use super::error::{At, TableError};
use super::{Budget, Limits};

/// The file's text: UTF-8 (BOM or not), UTF-16 with its BOM, or CP932. A file that is UTF-8 up
/// to some row and not after, or that CP932 cannot decode either, is refused with that row.
pub(super) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, TableError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|e| TableError::MixedEncoding(line_at(rest, e.valid_up_to())));
    }
    for (bom, encoding) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = encoding.decode_without_bom_handling(rest);
            if had_errors {
                return Err(TableError::Undecodable(replacement_at(&text)));
            }
            return Ok(text);
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            if !valid.is_ascii() {
                return Err(TableError::MixedEncoding(line_at(bytes, e.valid_up_to())));
            }
            let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
            if had_errors {
                return Err(TableError::Undecodable(replacement_at(&text)));
            }
            Ok(text)
        }
    }
}

/// The line (1-based) of byte `offset`.
fn line_at(bytes: &[u8], offset: usize) -> At {
    let row = bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    At { row, column: 0 }
}

fn replacement_at(text: &str) -> At {
    let offset = text.find('\u{FFFD}').unwrap_or(0);
    line_at(text.as_bytes(), offset)
}

/// Tab when the first filled line has more tabs than commas (Excel's 「テキスト（タブ区切り）」
/// and 「Unicode テキスト」), otherwise comma.
fn delimiter(text: &str) -> u8 {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    if line.matches('\t').count() > line.matches(',').count() {
        b'\t'
    } else {
        b','
    }
}

/// The rows of a CSV file, blank lines kept as empty rows so that row numbers are the ones a
/// spreadsheet shows.
pub(super) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, TableError> {
    let text = decode(bytes)?;
    Tokenizer::new(&text, limits).rows()
}

struct Tokenizer<'t, 'l> {
    text: &'t str,
    bytes: &'t [u8],
    delimiter: u8,
    at: usize,
    budget: Budget<'l>,
    limits: &'l Limits,
    /// The widest record so far: a quoted cell holding lines that wide is rows swallowed.
    widest: usize,
}

impl<'t, 'l> Tokenizer<'t, 'l> {
    fn new(text: &'t str, limits: &'l Limits) -> Self {
        Tokenizer {
            text,
            bytes: text.as_bytes(),
            delimiter: delimiter(text),
            at: 0,
            budget: Budget::new(limits),
            limits,
            widest: 0,
        }
    }

    fn rows(mut self) -> Result<Vec<Vec<String>>, TableError> {
        let mut rows = Vec::new();
        let mut record: Vec<String> = Vec::new();
        while self.at < self.bytes.len() {
            let row = rows.len() + 1;
            if row > self.limits.rows {
                return Err(TableError::Limit(
                    super::error::Limit::Rows,
                    self.limits.rows,
                    At { row, column: 0 },
                ));
            }
            let column = record.len() + 1;
            let field = if self.bytes[self.at] == b'"' {
                self.quoted(row, column)?
            } else {
                self.unquoted()
            };
            if !field.is_empty() || column > self.limits.columns {
                self.budget.take(&field, row, column)?;
            }
            record.push(field);
            match self.bytes.get(self.at) {
                Some(&c) if c == self.delimiter => {
                    self.at += 1;
                    if self.at == self.bytes.len() {
                        record.push(String::new());
                    } else {
                        continue;
                    }
                }
                Some(b'\r') => {
                    self.at += 1;
                    if self.bytes.get(self.at) == Some(&b'\n') {
                        self.at += 1;
                    }
                }
                Some(b'\n') => self.at += 1,
                _ => {}
            }
            self.widest = self.widest.max(record.len());
            rows.push(if record.iter().all(String::is_empty) {
                record.clear();
                Vec::new()
            } else {
                std::mem::take(&mut record)
            });
        }
        Ok(rows)
    }

    fn unquoted(&mut self) -> String {
        let start = self.at;
        let delimiter = self.delimiter;
        let end = self.bytes[start..]
            .iter()
            .position(|&b| b == delimiter || b == b'\n' || b == b'\r')
            .map_or(self.bytes.len(), |p| start + p);
        self.at = end;
        self.text[start..end].to_string()
    }

    /// A field opened by a quote: `""` is a quote, the closing quote must end the field.
    fn quoted(&mut self, row: usize, column: usize) -> Result<String, TableError> {
        let at = || At { row, column };
        let mut value = String::new();
        let mut from = self.at + 1;
        loop {
            let Some(offset) = self.bytes[from..].iter().position(|&b| b == b'"') else {
                return Err(TableError::UnclosedQuote(at()));
            };
            let quote = from + offset;
            value.push_str(&self.text[from..quote]);
            if value.len() > self.limits.cell_chars * 4 {
                return Err(TableError::Limit(
                    super::error::Limit::CellChars,
                    self.limits.cell_chars,
                    at(),
                ));
            }
            if self.bytes.get(quote + 1) == Some(&b'"') {
                value.push('"');
                from = quote + 2;
                continue;
            }
            self.at = quote + 1;
            break;
        }
        // Spaces between the closing quote and the delimiter are what some writers leave.
        while self.bytes.get(self.at) == Some(&b' ') && self.delimiter != b' ' {
            self.at += 1;
        }
        match self.bytes.get(self.at) {
            None | Some(b'\n' | b'\r') => {}
            Some(&c) if c == self.delimiter => {}
            Some(_) => return Err(TableError::StrayQuote(at())),
        }
        if self.widest >= 4 && value.contains('\n') {
            let delimiter = self.delimiter as char;
            let looks_like_rows = value
                .lines()
                .skip(1)
                .any(|line| line.matches(delimiter).count() + 1 >= self.widest);
            if looks_like_rows {
                return Err(TableError::SwallowedRows(at()));
            }
        }
        Ok(value)
    }
}
