//! CSV and tab-separated text as offices and systems write it, read by a tokenizer of our own so
//! that every fault has a row: an unclosed quote is an error at the row it opens (a general CSV
//! reader takes the rest of the file into one cell), so are text after a closing quote, a NUL,
//! and a file that changes encoding half way. The file is decoded and tokenized a block at a
//! time, so that a file of any size is read in the memory of one block and one row.

use std::io::Read;

use super::error::{At, Limit, TableError};
use super::{Budget, Flow, Limits};

/// Bytes read from the file at a time.
const BLOCK: usize = 1 << 20;

/// How the file's bytes become text, decided by its first bytes (a BOM) or its first non-ASCII
/// character.
enum Encoding {
    /// ASCII so far: UTF-8 and CP932 read it alike.
    Undecided,
    Utf8,
    Decoder(encoding_rs::Decoder),
}

/// The file's text a block at a time: UTF-8 (BOM or not), UTF-16 with its BOM, or CP932. A file
/// that is UTF-8 up to some row and not after, or that CP932 cannot decode either, is refused
/// with that row.
struct TextReader<R> {
    reader: R,
    block: usize,
    encoding: Encoding,
    started: bool,
    /// Bytes read but not decoded yet: a character cut by the end of a block.
    pending: Vec<u8>,
    /// Lines in the text handed out so far, for the row of a decoding fault.
    lines: usize,
    eof: bool,
    /// A decoding fault, given once the text before it is taken (so that the first fault of
    /// the file is the one reported, however the blocks fall).
    failed: Option<TableError>,
}

fn lines_in(text: &[u8]) -> usize {
    text.iter().filter(|b| **b == b'\n').count()
}

impl<R: Read> TextReader<R> {
    fn new(reader: R, block: usize) -> Self {
        TextReader {
            reader,
            block,
            encoding: Encoding::Undecided,
            started: false,
            pending: Vec::new(),
            lines: 0,
            eof: false,
            failed: None,
        }
    }

    /// The line of a fault after `decoded` (the text of this block so far) and `more` bytes.
    fn at_line(&self, decoded: &[u8], more: &[u8]) -> At {
        At {
            row: self.lines + lines_in(decoded) + lines_in(more) + 1,
            column: 0,
        }
    }

    /// Appends the next block's text to `out`; false once the file is at its end.
    fn fill(&mut self, out: &mut String) -> Result<bool, TableError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        if self.eof && self.pending.is_empty() {
            return Ok(false);
        }
        let mut bytes = std::mem::take(&mut self.pending);
        // The first read holds at least a BOM.
        let wanted = bytes.len()
            + if self.started {
                self.block
            } else {
                self.block.max(4)
            };
        while bytes.len() < wanted && !self.eof {
            let start = bytes.len();
            bytes.resize(wanted, 0);
            match self.reader.read(&mut bytes[start..]) {
                Ok(0) => {
                    bytes.truncate(start);
                    self.eof = true;
                }
                Ok(n) => bytes.truncate(start + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => bytes.truncate(start),
                Err(e) => return Err(TableError::Io(e.to_string())),
            }
        }
        let mut from = 0;
        if !self.started {
            self.started = true;
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                self.encoding = Encoding::Utf8;
                from = 3;
            } else if bytes.starts_with(b"\xFF\xFE") {
                self.encoding =
                    Encoding::Decoder(encoding_rs::UTF_16LE.new_decoder_without_bom_handling());
                from = 2;
            } else if bytes.starts_with(b"\xFE\xFF") {
                self.encoding =
                    Encoding::Decoder(encoding_rs::UTF_16BE.new_decoder_without_bom_handling());
                from = 2;
            }
        }
        let before = out.len();
        if let Err(error) = self.decode(&bytes[from..], out, before) {
            self.failed = Some(error);
        }
        self.lines += lines_in(&out.as_bytes()[before..]);
        Ok(true)
    }

    /// Decodes `bytes` onto `out`, which held `block_start` bytes before this block.
    fn decode(
        &mut self,
        bytes: &[u8],
        out: &mut String,
        block_start: usize,
    ) -> Result<(), TableError> {
        if let Encoding::Undecided = self.encoding {
            let Some(first) = bytes.iter().position(|b| !b.is_ascii()) else {
                out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
                return Ok(());
            };
            let (ascii, rest) = bytes.split_at(first);
            out.push_str(std::str::from_utf8(ascii).unwrap_or_default());
            match std::str::from_utf8(rest) {
                Err(e) if e.valid_up_to() == 0 && e.error_len().is_none() && !self.eof => {
                    // The first non-ASCII character is cut by the block's end: decide with more.
                    self.pending = rest.to_vec();
                    return Ok(());
                }
                Err(e) if e.valid_up_to() == 0 => {
                    self.encoding = Encoding::Decoder(
                        encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling(),
                    );
                }
                _ => self.encoding = Encoding::Utf8,
            }
            return self.decode(rest, out, block_start);
        }
        let eof = self.eof;
        match &mut self.encoding {
            Encoding::Undecided => unreachable!("decided above"),
            Encoding::Utf8 => match std::str::from_utf8(bytes) {
                Ok(text) => out.push_str(text),
                Err(e) => {
                    let valid = &bytes[..e.valid_up_to()];
                    if e.error_len().is_some() || eof {
                        let decoded = &out.as_bytes()[block_start..];
                        let at = self.at_line(decoded, valid);
                        out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                        return Err(TableError::MixedEncoding(at));
                    }
                    out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    self.pending = bytes[e.valid_up_to()..].to_vec();
                }
            },
            Encoding::Decoder(decoder) => {
                let needed = decoder
                    .max_utf8_buffer_length_without_replacement(bytes.len())
                    .unwrap_or(bytes.len() * 3 + 16);
                out.reserve(needed);
                let (result, _) = decoder.decode_to_string_without_replacement(bytes, out, eof);
                if let encoding_rs::DecoderResult::Malformed(..) = result {
                    let decoded = &out.as_bytes()[block_start..];
                    return Err(TableError::Undecodable(self.at_line(decoded, &[])));
                }
            }
        }
        Ok(())
    }
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

/// Calls `on` with each row (0-based index, its cells) of a CSV file, blank lines kept as empty
/// rows so that row numbers are the ones a spreadsheet shows, until the end or until `on` stops.
pub(super) fn each_row<R: Read>(
    reader: R,
    limits: &Limits,
    on: &mut dyn FnMut(usize, Vec<String>) -> Result<Flow, TableError>,
) -> Result<(), TableError> {
    each_row_in_blocks(reader, limits, BLOCK, on)
}

/// [`each_row`] reading `block` bytes at a time (tests cut every kind of text with small ones).
pub(super) fn each_row_in_blocks<R: Read>(
    reader: R,
    limits: &Limits,
    block: usize,
    on: &mut dyn FnMut(usize, Vec<String>) -> Result<Flow, TableError>,
) -> Result<(), TableError> {
    let mut tokenizer = Tokenizer {
        source: TextReader::new(reader, block),
        text: String::new(),
        delimiter: b',',
        at: 0,
        budget: Budget::new(limits),
        limits,
        widest: 0,
    };
    if !tokenizer.refill()? {
        return Ok(());
    }
    // The delimiter is the first filled line's: read on until a line is whole (within a block).
    while !tokenizer.text.contains('\n') && tokenizer.text.len() < BLOCK && tokenizer.refill()? {}
    tokenizer.delimiter = delimiter(&tokenizer.text);
    let mut row = 0;
    loop {
        if tokenizer.at == tokenizer.text.len() && !tokenizer.refill()? {
            return Ok(());
        }
        let (start, budget) = (tokenizer.at, tokenizer.budget);
        match tokenizer.record(row + 1)? {
            Some(record) => {
                if on(row, record)? != Flow::Continue {
                    return Ok(());
                }
                row += 1;
            }
            None => {
                // The record runs past the text read: read on (or learn that the file ends
                // there) and take it again from its start.
                (tokenizer.at, tokenizer.budget) = (start, budget);
                tokenizer.refill()?;
            }
        }
    }
}

/// `None`: the text read so far ends inside the field or record; read more and try again.
type Step<T> = Result<Option<T>, TableError>;

struct Tokenizer<'l, R> {
    source: TextReader<R>,
    /// The text read and not yet tokenized, from the start of the current record.
    text: String,
    delimiter: u8,
    at: usize,
    budget: Budget,
    limits: &'l Limits,
    /// The widest record so far: a quoted cell holding lines that wide is rows swallowed.
    widest: usize,
}

impl<R: Read> Tokenizer<'_, R> {
    /// Drops the tokenized text and reads the next block; false at the end of the file.
    fn refill(&mut self) -> Result<bool, TableError> {
        self.text.drain(..self.at);
        self.at = 0;
        let before = self.text.len();
        while self.text.len() == before {
            if !self.source.fill(&mut self.text)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn more_to_come(&self) -> bool {
        !self.source.eof || !self.source.pending.is_empty() || self.source.failed.is_some()
    }

    fn record(&mut self, row: usize) -> Step<Vec<String>> {
        if row > self.limits.rows {
            return Err(TableError::Limit(
                Limit::Rows,
                self.limits.rows,
                At { row, column: 0 },
            ));
        }
        let mut record: Vec<String> = Vec::new();
        loop {
            let column = record.len() + 1;
            let bytes = self.text.as_bytes();
            let field = if bytes.get(self.at) == Some(&b'"') {
                match self.quoted(row, column)? {
                    Some(field) => field,
                    None => return Ok(None),
                }
            } else {
                match self.unquoted() {
                    Some(field) => field,
                    None => return Ok(None),
                }
            };
            if !field.is_empty() || column > self.limits.columns {
                self.budget.take(&field, row, column)?;
            }
            record.push(field);
            let bytes = self.text.as_bytes();
            match bytes.get(self.at) {
                Some(&c) if c == self.delimiter => {
                    if self.at + 1 == bytes.len() && self.more_to_come() {
                        return Ok(None);
                    }
                    self.at += 1;
                    if self.at == bytes.len() {
                        record.push(String::new());
                    } else {
                        continue;
                    }
                }
                Some(b'\r') => {
                    if self.at + 1 == bytes.len() && self.more_to_come() {
                        return Ok(None);
                    }
                    self.at += 1;
                    if bytes.get(self.at) == Some(&b'\n') {
                        self.at += 1;
                    }
                }
                Some(b'\n') => self.at += 1,
                None if self.more_to_come() => return Ok(None),
                _ => {}
            }
            self.widest = self.widest.max(record.len());
            if record.iter().all(String::is_empty) {
                record.clear();
            }
            return Ok(Some(record));
        }
    }

    fn unquoted(&mut self) -> Option<String> {
        let start = self.at;
        let delimiter = self.delimiter;
        let bytes = self.text.as_bytes();
        let end = match bytes[start..]
            .iter()
            .position(|&b| b == delimiter || b == b'\n' || b == b'\r')
        {
            Some(p) => start + p,
            None if self.more_to_come() => return None,
            None => bytes.len(),
        };
        self.at = end;
        Some(self.text[start..end].to_string())
    }

    /// A field opened by a quote: `""` is a quote, the closing quote must end the field.
    fn quoted(&mut self, row: usize, column: usize) -> Step<String> {
        let at = || At { row, column };
        let too_long =
            || TableError::Limit(Limit::CellChars, self.limits.cell_chars, At { row, column });
        let max_bytes = self.limits.cell_chars * 4;
        let bytes = self.text.as_bytes();
        let mut value = String::new();
        let mut from = self.at + 1;
        let end;
        loop {
            let Some(offset) = bytes[from..].iter().position(|&b| b == b'"') else {
                if value.len() + (bytes.len() - from) > max_bytes {
                    return Err(too_long());
                }
                if self.more_to_come() {
                    return Ok(None);
                }
                return Err(TableError::UnclosedQuote(at()));
            };
            let quote = from + offset;
            value.push_str(&self.text[from..quote]);
            if value.len() > max_bytes {
                return Err(too_long());
            }
            match bytes.get(quote + 1) {
                Some(b'"') => {
                    value.push('"');
                    from = quote + 2;
                }
                None if self.more_to_come() => return Ok(None),
                _ => {
                    end = quote + 1;
                    break;
                }
            }
        }
        // Spaces between the closing quote and the delimiter are what some writers leave.
        let mut after = end;
        while bytes.get(after) == Some(&b' ') && self.delimiter != b' ' {
            after += 1;
        }
        match bytes.get(after) {
            None if self.more_to_come() => return Ok(None),
            None | Some(b'\n' | b'\r') => {}
            Some(&c) if c == self.delimiter => {}
            Some(_) => return Err(TableError::StrayQuote(at())),
        }
        self.at = after;
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
        Ok(Some(value))
    }
}
