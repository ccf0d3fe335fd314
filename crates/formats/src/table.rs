//! Reading a spreadsheet or CSV file into rows of text, whatever its format and encoding.

use std::io::Cursor;

use calamine::{Data, Reader};

/// One sheet of text cells. CSV files give one sheet named after the file.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("Excel ファイルを読めません。xlsx 形式で保存し直してください / cannot read the Excel file, save it as .xlsx: {0}")]
    Excel(String),
    #[error(
        "CSV を読めません（{0}）。区切りや引用符を確認してください / cannot read the CSV: {0}"
    )]
    Csv(String),
    #[error("シート「{0}」がありません。シート名を確認してください / no sheet named {0}")]
    NoSheet(String),
    #[error("ファイルが空です / the file is empty")]
    Empty,
}

/// Reads XLSX (detected by content, not name) or CSV in UTF-8 / UTF-8 with BOM / CP932.
pub fn read_tables(
    bytes: &[u8],
    file_name: &str,
    sheet: Option<&str>,
) -> Result<Vec<Sheet>, TableError> {
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes, sheet);
    }
    let text = decode_text(bytes);
    let name = std::path::Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "CSV".into());
    Ok(vec![Sheet {
        name,
        rows: read_csv(&text)?,
    }])
}

/// UTF-8 when the bytes are valid UTF-8 (BOM removed), otherwise CP932 (Shift_JIS as Windows
/// writes it), which is what Japanese Excel saves as "CSV".
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

fn read_csv(text: &str) -> Result<Vec<Vec<String>>, TableError> {
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|l| l.matches('\t').count() > l.matches(',').count())
    {
        b'\t'
    } else {
        b','
    };
    // The reader skips blank lines; keep them as empty rows so row numbers match the spreadsheet.
    let text = keep_blank_lines(text, delimiter as char);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| TableError::Csv(e.to_string()))?;
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        rows.push(if cells.iter().all(String::is_empty) {
            Vec::new()
        } else {
            cells
        });
    }
    Ok(rows)
}

/// Puts a delimiter on every blank line outside quotes, so the CSV reader sees an (empty) record.
fn keep_blank_lines(text: &str, delimiter: char) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_quotes = false;
    let mut line_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if line_start && !in_quotes && (c == '\n' || (c == '\r' && chars.peek() == Some(&'\n'))) {
            out.push(delimiter);
        }
        out.push(c);
        if c == '"' {
            in_quotes = !in_quotes;
        }
        line_start = c == '\n';
    }
    out
}

fn read_xlsx(bytes: &[u8], wanted: Option<&str>) -> Result<Vec<Sheet>, TableError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| TableError::Excel(e.to_string()))?;
    let names = workbook.sheet_names();
    let chosen: Vec<String> = match wanted {
        Some(name) => {
            if !names.iter().any(|n| n == name) {
                return Err(TableError::NoSheet(name.to_string()));
            }
            vec![name.to_string()]
        }
        None => names,
    };
    let mut sheets = Vec::new();
    for name in chosen {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| TableError::Excel(e.to_string()))?;
        // Rows and columns as the sheet numbers them, even when the used range starts lower.
        let (top, left) = range
            .start()
            .map(|(r, c)| (r as usize, c as usize))
            .unwrap_or((0, 0));
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); top];
        for row in range.rows() {
            let mut cells = vec![String::new(); left];
            cells.extend(row.iter().map(cell_text));
            rows.push(cells);
        }
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => {
            if *b {
                "true".into()
            } else {
                "false".into()
            }
        }
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => {
                at.date().format("%Y-%m-%d").to_string()
            }
            Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_cp932_and_bom() {
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode("管理番号,状態\n001,稼働\n");
        let sheets = read_tables(&cp932, "台帳.csv", None).unwrap();
        assert_eq!(sheets[0].rows[1], vec!["001", "稼働"]);
        let bom = "\u{FEFF}管理番号,状態\n".as_bytes().to_vec();
        assert_eq!(
            read_tables(&bom, "x.csv", None).unwrap()[0].rows[0][0],
            "管理番号"
        );
    }
}
