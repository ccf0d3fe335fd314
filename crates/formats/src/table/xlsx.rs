//! XLSX read from its parts cell by cell. A general reader builds the used range densely (the two
//! cells A1 and XFD1048576 of a 1.6 KB file asked for 512 GiB) and inflates shared strings whole;
//! here every part is streamed through [`Guarded`], which bounds its inflated size and the
//! longest stretch of text without markup, and every cell goes through the file's [`Budget`].

use std::io::{BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;
use zip4 as zip;

use super::dates::{self, Shown};
use super::error::{At, Limit, TableError};
use super::{Budget, Flow, Limits, OnRow};

/// The longest run of bytes between two `<` or `>` — one text node or one tag. A cell holds at
/// most 32,767 characters (≤ 6 bytes each when escaped), so a longer run is not a spreadsheet.
const MAX_RUN: usize = 1024 * 1024;

fn broken(reason: impl std::fmt::Display) -> TableError {
    TableError::Excel(reason.to_string())
}

/// An opened workbook: its sheets, shared strings and styles read once, its sheets' rows read
/// on demand (as often as the caller needs: an import reads the rows twice).
pub(super) struct Book<R> {
    zip: ZipArchive<R>,
    sheets: Vec<(String, String)>,
    strings: Vec<String>,
    styles: Vec<Shown>,
    date1904: bool,
    /// What the shared strings took of the file's budget; each reading of rows starts from it.
    budget: Budget,
}

impl<R: Read + Seek> Book<R> {
    pub(super) fn open(reader: R, limits: &Limits) -> Result<Self, TableError> {
        let mut zip = ZipArchive::new(reader).map_err(broken)?;
        let book = Workbook::read(&mut zip, limits)?;
        let mut budget = Budget::new(limits);
        let strings = match &book.shared_strings {
            Some(path) => shared_strings(&mut zip, path, limits, &mut budget)?,
            None => Vec::new(),
        };
        let styles = match &book.styles {
            Some(path) => cell_styles(&mut zip, path, limits)?,
            None => Vec::new(),
        };
        Ok(Book {
            zip,
            sheets: book.sheets,
            strings,
            styles,
            date1904: book.date1904,
            budget,
        })
    }

    pub(super) fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Calls `on` with each row that holds a cell (sheet name, 0-based row index, cells) of the
    /// sheet named `wanted`, or of every sheet in order.
    pub(super) fn each_row(
        &mut self,
        wanted: Option<&str>,
        on: &mut OnRow<'_>,
    ) -> Result<(), TableError> {
        let chosen: Vec<(String, String)> = match wanted {
            Some(name) => {
                let found: Vec<_> = self
                    .sheets
                    .iter()
                    .filter(|(n, _)| n == name)
                    .cloned()
                    .collect();
                if found.is_empty() {
                    return Err(TableError::NoSheet(name.to_string()));
                }
                found
            }
            None => self.sheets.clone(),
        };
        let mut budget = self.budget;
        for (name, path) in chosen {
            let context = SheetContext {
                strings: &self.strings,
                styles: &self.styles,
                date1904: self.date1904,
            };
            let flow = read_sheet(
                &mut self.zip,
                &path,
                &context,
                &mut budget,
                &mut |row, cells| on(&name, row, cells),
            )
            .map_err(|e| e.in_sheet(&name))?;
            if flow == Flow::Stop {
                break;
            }
        }
        Ok(())
    }
}

/// A part's bytes as inflated, stopped at the limits: what a zip bomb or a markup-free text of
/// gigabytes runs into long before memory does.
struct Guarded<R> {
    inner: R,
    total: u64,
    max_total: u64,
    run: usize,
    tripped: Option<Limit>,
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > self.max_total {
            self.tripped = Some(Limit::PartBytes);
            return Err(std::io::Error::other("part too large"));
        }
        for &b in &buf[..n] {
            if b == b'<' || b == b'>' {
                self.run = 0;
            } else {
                self.run += 1;
            }
        }
        if self.run > MAX_RUN {
            self.tripped = Some(Limit::CellChars);
            return Err(std::io::Error::other("text too long"));
        }
        Ok(n)
    }
}

/// Streams the events of one part; `on` sees each and may stop it, or stop with an error.
fn each_event<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    path: &str,
    limits: &Limits,
    mut on: impl FnMut(Event<'_>) -> Result<Flow, TableError>,
) -> Result<(), TableError> {
    let file = zip
        .by_name(path)
        .map_err(|e| broken(format!("{path}: {e}")))?;
    let guarded = Guarded {
        inner: file,
        total: 0,
        max_total: limits.part_bytes,
        run: 0,
        tripped: None,
    };
    let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, guarded));
    let mut buf = Vec::new();
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => return Ok(()),
            Ok(event) => event,
            Err(error) => {
                let limit = match reader.get_ref().get_ref().tripped {
                    Some(Limit::PartBytes) => limits.part_bytes as usize,
                    Some(_) => limits.cell_chars,
                    None => return Err(broken(format!("{path}: {error}"))),
                };
                let kind = reader
                    .get_ref()
                    .get_ref()
                    .tripped
                    .unwrap_or(Limit::PartBytes);
                return Err(TableError::Limit(kind, limit, At::default()));
            }
        };
        if on(event)? != Flow::Continue {
            return Ok(());
        }
        buf.clear();
    }
}

/// The value of the attribute whose local name is `name` (`r:id` and `id` alike).
fn attribute(element: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            let raw = std::str::from_utf8(&a.value).ok()?;
            quick_xml::escape::unescape(raw)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// The workbook's sheets (name and part) and where its strings and styles are.
struct Workbook {
    sheets: Vec<(String, String)>,
    shared_strings: Option<String>,
    styles: Option<String>,
    date1904: bool,
}

impl Workbook {
    fn read<R: Read + Seek>(zip: &mut ZipArchive<R>, limits: &Limits) -> Result<Self, TableError> {
        let book_path = main_part(zip, limits)?;
        let dir = book_path
            .rsplit_once('/')
            .map_or("", |(d, _)| d)
            .to_string();
        let rels_path = format!(
            "{dir}/_rels/{}.rels",
            book_path.rsplit('/').next().unwrap_or("")
        );
        let mut targets: Vec<(String, String, String)> = Vec::new();
        if zip.by_name(&rels_path).is_ok() {
            each_event(zip, &rels_path, limits, |event| {
                if let Event::Start(e) | Event::Empty(e) = &event {
                    if e.local_name().as_ref() == b"Relationship" {
                        let id = attribute(e, b"Id").unwrap_or_default();
                        let kind = attribute(e, b"Type").unwrap_or_default();
                        let target = attribute(e, b"Target").unwrap_or_default();
                        targets.push((id, kind, resolve(&dir, &target)));
                    }
                }
                Ok(Flow::Continue)
            })?;
        }
        let mut sheets = Vec::new();
        let mut date1904 = false;
        each_event(zip, &book_path, limits, |event| {
            if let Event::Start(e) | Event::Empty(e) = &event {
                match e.local_name().as_ref() {
                    b"workbookPr" => {
                        date1904 =
                            matches!(attribute(e, b"date1904").as_deref(), Some("1" | "true"))
                    }
                    b"sheet" => {
                        let name = attribute(e, b"name").unwrap_or_default();
                        let id = attribute(e, b"id").unwrap_or_default();
                        if let Some((_, _, path)) = targets.iter().find(|(i, _, _)| *i == id) {
                            sheets.push((name, path.clone()));
                        }
                    }
                    _ => {}
                }
            }
            Ok(Flow::Continue)
        })?;
        let by_kind = |suffix: &str| {
            targets
                .iter()
                .find(|(_, kind, _)| kind.ends_with(suffix))
                .map(|(_, _, path)| path.clone())
        };
        let present =
            |path: Option<String>, zip: &mut ZipArchive<R>| path.filter(|p| zip.by_name(p).is_ok());
        let shared_strings = by_kind("/sharedStrings");
        let styles = by_kind("/styles");
        Ok(Workbook {
            sheets: sheets
                .into_iter()
                .filter(|(_, path)| zip.by_name(path).is_ok())
                .collect(),
            shared_strings: present(shared_strings, zip),
            styles: present(styles, zip),
            date1904,
        })
    }
}

/// The workbook part the package names (`xl/workbook.xml` in every file Excel writes).
fn main_part(
    zip: &mut ZipArchive<impl Read + Seek>,
    limits: &Limits,
) -> Result<String, TableError> {
    let mut found = None;
    if zip.by_name("_rels/.rels").is_ok() {
        each_event(zip, "_rels/.rels", limits, |event| {
            if let Event::Start(e) | Event::Empty(e) = &event {
                let kind = attribute(e, b"Type").unwrap_or_default();
                if found.is_none() && kind.ends_with("/officeDocument") {
                    found = attribute(e, b"Target").map(|t| resolve("", &t));
                }
            }
            Ok(Flow::Continue)
        })?;
    }
    let path = found.unwrap_or_else(|| "xl/workbook.xml".to_string());
    if zip.by_name(&path).is_err() {
        return Err(broken(
            "ブック（workbook.xml）がありません / no workbook part",
        ));
    }
    Ok(path)
}

/// A relationship target as a path in the zip: relative to `dir`, or absolute from the root.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None if dir.is_empty() => target.to_string(),
        None => format!("{dir}/{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Appends a text event's characters, or a reference's (`&amp;`, `&#12354;`).
fn push_text(event: &Event<'_>, into: &mut String) -> Result<(), TableError> {
    match event {
        Event::Text(t) => into.push_str(&t.xml10_content().map_err(broken)?),
        Event::CData(t) => into.push_str(&t.decode().map_err(broken)?),
        Event::GeneralRef(r) => {
            if let Some(c) = r.resolve_char_ref().map_err(broken)? {
                into.push(c);
            } else {
                let name = r.decode().map_err(broken)?;
                into.push(match name.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => return Err(broken(format!("unknown entity &{other};"))),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

/// Tracks `<t>` text of a string item, leaving out the phonetic guide (`<rPh>` ふりがな) that
/// Japanese Excel stores beside the text.
#[derive(Default)]
struct StringText {
    text: String,
    in_t: bool,
    in_phonetic: bool,
}

impl StringText {
    fn on(&mut self, event: &Event<'_>, max_bytes: usize) -> Result<(), TableError> {
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => self.in_t = true,
                b"rPh" => self.in_phonetic = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => self.in_t = false,
                b"rPh" => self.in_phonetic = false,
                _ => {}
            },
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                if self.in_t && !self.in_phonetic =>
            {
                push_text(event, &mut self.text)?;
                if self.text.len() > max_bytes {
                    return Err(TableError::Limit(
                        Limit::CellChars,
                        max_bytes / 4,
                        At::default(),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn shared_strings(
    zip: &mut ZipArchive<impl Read + Seek>,
    path: &str,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<Vec<String>, TableError> {
    let mut strings = Vec::new();
    let mut item: Option<StringText> = None;
    let max_bytes = limits.cell_chars * 4;
    each_event(zip, path, limits, |event| {
        match &event {
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                item = Some(StringText::default())
            }
            Event::Empty(e) if e.local_name().as_ref() == b"si" => strings.push(String::new()),
            Event::End(e) if e.local_name().as_ref() == b"si" => {
                let text = item.take().map(|i| i.text).unwrap_or_default();
                if strings.len() >= limits.cells {
                    return Err(TableError::Limit(Limit::Cells, limits.cells, At::default()));
                }
                budget.take_shared(&text)?;
                strings.push(text);
            }
            _ => {
                if let Some(item) = item.as_mut() {
                    item.on(&event, max_bytes)?;
                }
            }
        }
        Ok(Flow::Continue)
    })?;
    Ok(strings)
}

/// How each cell style (`s="3"`) shows numbers.
fn cell_styles(
    zip: &mut ZipArchive<impl Read + Seek>,
    path: &str,
    limits: &Limits,
) -> Result<Vec<Shown>, TableError> {
    let mut custom: Vec<(u32, Shown)> = Vec::new();
    let mut styles = Vec::new();
    let mut in_cell_xfs = false;
    each_event(zip, path, limits, |event| {
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"numFmt" => {
                    let id = attribute(e, b"numFmtId").and_then(|v| v.parse().ok());
                    if let (Some(id), Some(code)) = (id, attribute(e, b"formatCode")) {
                        custom.push((id, dates::custom(&code)));
                    }
                }
                b"cellXfs" if matches!(event, Event::Start(_)) => in_cell_xfs = true,
                b"xf" if in_cell_xfs => {
                    if styles.len() >= 65_536 {
                        return Err(broken("too many cell styles"));
                    }
                    let id: u32 = attribute(e, b"numFmtId")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let shown = custom
                        .iter()
                        .find(|(c, _)| *c == id)
                        .map_or_else(|| dates::builtin(id), |(_, s)| *s);
                    styles.push(shown);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
            _ => {}
        }
        Ok(Flow::Continue)
    })?;
    Ok(styles)
}

struct SheetContext<'s> {
    strings: &'s [String],
    styles: &'s [Shown],
    date1904: bool,
}

/// The cell being read: where it is, its type and style, and its value text so far.
#[derive(Default)]
struct OpenCell {
    row: usize,
    column: usize,
    kind: String,
    style: usize,
    value: String,
    in_value: bool,
    inline: Option<StringText>,
}

/// `B5` → (row 5, column 2).
fn cell_ref(reference: &str) -> Option<(usize, usize)> {
    let letters = reference
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let column = reference[..letters].bytes().fold(0usize, |n, b| {
        n * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row = reference[letters..].parse().ok()?;
    Some((row, column))
}

/// Reads one sheet's rows in order, handing each filled row to `on` once its last cell is read;
/// what `on` says ends the sheet ([`Flow::NextSheet`]) or the file ([`Flow::Stop`]).
fn read_sheet<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    path: &str,
    context: &SheetContext<'_>,
    budget: &mut Budget,
    on: &mut dyn FnMut(usize, Vec<String>) -> Result<Flow, TableError>,
) -> Result<Flow, TableError> {
    let limits = *budget.limits();
    let limits = &limits;
    let mut row = 0usize;
    let mut column = 0usize;
    let mut cell: Option<OpenCell> = None;
    // The row being filled: its 1-based number and its cells so far.
    let mut filling: Option<(usize, Vec<String>)> = None;
    let mut flow = Flow::Continue;
    let max_bytes = limits.cell_chars * 4;
    each_event(zip, path, limits, |event| {
        match &event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"row" => {
                row = attribute(e, b"r")
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(row + 1);
                column = 0;
            }
            Event::Start(e) if e.local_name().as_ref() == b"c" => {
                let (r, c) = attribute(e, b"r")
                    .and_then(|r| cell_ref(&r))
                    .unwrap_or((row.max(1), column + 1));
                (row, column) = (r, c);
                cell = Some(OpenCell {
                    row: r,
                    column: c,
                    kind: attribute(e, b"t").unwrap_or_default(),
                    style: attribute(e, b"s").and_then(|s| s.parse().ok()).unwrap_or(0),
                    ..Default::default()
                });
            }
            Event::Empty(e) if e.local_name().as_ref() == b"c" => {
                // A styled empty cell holds nothing; only its position counts.
                if let Some((r, c)) = attribute(e, b"r").and_then(|r| cell_ref(&r)) {
                    (row, column) = (r, c);
                } else {
                    column += 1;
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"c" => {
                if let Some(open) = cell.take() {
                    let text = cell_text(&open, context)?;
                    if !text.is_empty() {
                        budget.take(&text, open.row, open.column)?;
                        if filling.as_ref().is_some_and(|(r, _)| *r != open.row) {
                            let (r, cells) = filling.take().unwrap_or_default();
                            flow = on(r - 1, cells)?;
                            if flow != Flow::Continue {
                                return Ok(flow);
                            }
                        }
                        let cells = &mut filling.get_or_insert_with(|| (open.row, Vec::new())).1;
                        if cells.len() < open.column {
                            cells.resize_with(open.column, String::new);
                        }
                        cells[open.column - 1] = text;
                    }
                }
            }
            _ => {
                if let Some(open) = cell.as_mut() {
                    match &event {
                        Event::Start(e) if e.local_name().as_ref() == b"v" => open.in_value = true,
                        Event::End(e) if e.local_name().as_ref() == b"v" => open.in_value = false,
                        Event::Start(e) if e.local_name().as_ref() == b"is" => {
                            open.inline = Some(StringText::default())
                        }
                        _ if open.in_value => {
                            push_text(&event, &mut open.value)?;
                            if open.value.len() > max_bytes {
                                return Err(TableError::Limit(
                                    Limit::CellChars,
                                    limits.cell_chars,
                                    At {
                                        row: open.row,
                                        column: open.column,
                                    },
                                ));
                            }
                        }
                        _ => {
                            if let Some(inline) = open.inline.as_mut() {
                                inline.on(&event, max_bytes).map_err(|e| match e {
                                    TableError::Limit(l, m, _) => TableError::Limit(
                                        l,
                                        m,
                                        At {
                                            row: open.row,
                                            column: open.column,
                                        },
                                    ),
                                    other => other,
                                })?;
                            }
                        }
                    }
                }
            }
        }
        Ok(Flow::Continue)
    })?;
    if flow != Flow::Continue {
        return Ok(flow);
    }
    match filling {
        Some((r, cells)) => on(r - 1, cells),
        None => Ok(Flow::Continue),
    }
}

/// A cell's text as the ledger reads it: shared and inline strings as written, numbers in a date
/// format as ISO dates, other numbers without a needless `.0`.
fn cell_text(cell: &OpenCell, context: &SheetContext<'_>) -> Result<String, TableError> {
    let value = cell.value.trim();
    Ok(match cell.kind.as_str() {
        "s" => value
            .parse::<usize>()
            .ok()
            .and_then(|i| context.strings.get(i))
            .cloned()
            .unwrap_or_default(),
        "inlineStr" => cell
            .inline
            .as_ref()
            .map(|i| i.text.clone())
            .unwrap_or_default(),
        "str" | "e" => cell.value.clone(),
        "b" => match value {
            "1" | "true" => "true".into(),
            _ => "false".into(),
        },
        "d" => value
            .strip_suffix("T00:00:00")
            .unwrap_or(value)
            .replace('T', " "),
        _ => match value.parse::<f64>() {
            Ok(number) => {
                let shown = context.styles.get(cell.style).copied().unwrap_or_default();
                dates::shown_text(number, shown, context.date1904)
                    .unwrap_or_else(|| number_text(number))
            }
            Err(_) => value.to_string(),
        },
    })
}

fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_paths() {
        assert_eq!(cell_ref("A1"), Some((1, 1)));
        assert_eq!(cell_ref("XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_ref("1A"), None);
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("xl", "/xl/worksheets/s.xml"), "xl/worksheets/s.xml");
        assert_eq!(resolve("xl", "../x/s.xml"), "x/s.xml");
    }
}
