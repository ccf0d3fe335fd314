//! Finding the header row and matching its titles, in Japanese or English, full- or half-width,
//! in any order, below any title rows.

use mimamori_domain::validation::search_key;
use mimamori_domain::Issue;

use crate::problem::{ImportProblem, Severity};
use crate::table::{column_letters, Sheet};
use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::ledger::values::ValueMapping;

/// A column a ledger understands: its key and the titles it is known by (first = export title).
pub struct ColumnSpec {
    pub key: &'static str,
    pub titles: &'static [&'static str],
}

/// The normal form titles are compared in: NFKC, lower case, no spaces, brackets or slashes.
pub fn title_key(text: &str) -> String {
    search_key(text)
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '(' | ')' | '[' | ']' | '/' | '・' | '_' | '-' | '.' | '※' | '*'
                )
        })
        .collect()
}

/// The mapping of a header row: for each spec key, the column index and its header text.
pub struct HeaderMap {
    pub row: usize,
    pub columns: Vec<(&'static str, usize, String)>,
    pub unknown: Vec<(usize, String)>,
    /// Columns whose title names a field an earlier column already names: (column, title,
    /// the earlier column).
    pub duplicates: Vec<(usize, String, usize)>,
}

impl HeaderMap {
    pub fn index(&self, key: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, i, _)| *i)
    }

    pub fn title(&self, key: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, t)| t.as_str())
    }

    /// The cell of `key` in a row, trimmed; empty when the column is absent.
    pub fn cell<'a>(&self, row: &'a [String], key: &str) -> &'a str {
        self.index(key)
            .and_then(|i| row.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

fn match_title(specs: &[ColumnSpec], cell: &str) -> Option<&'static str> {
    let key = title_key(cell);
    if key.is_empty() {
        return None;
    }
    specs
        .iter()
        .find(|spec| spec.titles.iter().any(|t| title_key(t) == key))
        .map(|spec| spec.key)
}

/// Rewrites the header row of the first sheet so that mapped columns carry their field's first
/// title and unmapped ones are ignored: a file whose columns a person mapped reads like one in
/// the ledger's own layout. A problem when the mapping does not fit the file.
pub fn apply_mapping(
    sheets: &[Sheet],
    mapping: &ColumnMapping,
    columns: &[ColumnSpec],
    key_field: &'static str,
) -> Result<Vec<Sheet>, Box<ImportProblem>> {
    let name = sheets.first().map(|s| s.name.clone()).unwrap_or_default();
    let problem = |issue: &Issue, value: &str| {
        Box::new(ImportProblem::new(
            Severity::Error,
            &name,
            1,
            "",
            value,
            issue,
        ))
    };
    let Some(key_title) = mapping.0.get(key_field) else {
        let title = columns
            .iter()
            .find(|c| c.key == key_field)
            .and_then(|c| c.titles.first())
            .copied()
            .unwrap_or(key_field);
        return Err(problem(
            &Issue::new(key_field, "no_mapping_for_key").with("title", title),
            "",
        ));
    };
    let mut sheet = sheets.first().cloned().unwrap_or(Sheet {
        name: name.clone(),
        rows: Vec::new(),
    });
    let Some(header_row) = sheet
        .rows
        .iter()
        .take(30)
        .position(|row| row.iter().any(|c| title_key(c) == title_key(key_title)))
    else {
        return Err(problem(
            &Issue::new(key_field, "unknown_mapped_column").with("value", key_title),
            key_title,
        ));
    };
    let header = &mut sheet.rows[header_row];
    for title in mapping.0.values() {
        if !header.iter().any(|c| title_key(c) == title_key(title)) {
            return Err(problem(
                &Issue::new("header", "unknown_mapped_column").with("value", title),
                title,
            ));
        }
    }
    let mut worded: Vec<(usize, &str)> = Vec::new();
    for (index, cell) in header.iter_mut().enumerate() {
        let mapped = mapping
            .0
            .iter()
            .find(|(_, title)| title_key(title) == title_key(cell))
            .and_then(|(key, _)| columns.iter().find(|c| c.key == key));
        if let Some(spec) = mapped.filter(|c| mapping.1 .0.contains_key(c.key)) {
            worded.push((index, spec.key));
        }
        *cell = mapped
            .and_then(|c| c.titles.first())
            .map(|t| t.to_string())
            .unwrap_or_default();
    }
    for row in sheet.rows.iter_mut().skip(header_row + 1) {
        map_values(&mapping.1, &worded, row);
    }
    Ok(vec![sheet])
}

/// Puts the ledger's word in place of each word of `values` in the row's cells of `columns`
/// (column index, field).
pub fn map_values(values: &ValueMapping, columns: &[(usize, &str)], cells: &mut [String]) {
    for (index, field) in columns {
        if let Some(cell) = cells.get_mut(*index) {
            if let Some(to) = values.get(field, cell) {
                *cell = to.to_string();
            }
        }
    }
}

/// The mapping the columns' own titles give for `headers`: each field to the first header that
/// one of its titles names.
pub fn guess_mapping(headers: &[String], columns: &[ColumnSpec]) -> ColumnMapping {
    let mut mapping = ColumnMapping::default();
    for column in columns {
        if let Some(header) = headers
            .iter()
            .find(|h| column.titles.iter().any(|t| title_key(t) == title_key(h)))
        {
            mapping.0.insert(column.key.to_string(), header.clone());
        }
    }
    mapping
}

/// A file's header row when its titles are not the ledger's: the first row among the first ten
/// with the most filled cells (a title row above it has fewer; data rows below it no more), and
/// its index.
pub fn header_row(sheet: &Sheet) -> Option<(usize, &[String])> {
    sheet
        .rows
        .iter()
        .take(10)
        .enumerate()
        .max_by_key(|(index, row)| {
            let filled = row.iter().filter(|c| !c.trim().is_empty()).count();
            (filled, std::cmp::Reverse(*index))
        })
        .map(|(index, row)| (index, row.as_slice()))
}

/// The file's shape, for remembering its mapping: its header titles in normal form, in order
/// (a system's export keeps its columns; another export of the same ledger has others).
pub fn file_shape(headers: &[String]) -> String {
    let shape: Vec<String> = headers.iter().map(|h| title_key(h)).collect();
    crate::table::cut(&shape.join("|"), 400)
}

/// Titles offices give a row-number column; taken as the key only when no column names the key
/// itself (a ledger with both 管理番号 and No. keys on 管理番号).
pub const ROW_NUMBER_TITLES: &[&str] = &["No", "No.", "NO", "№", "番号", "連番", "#"];

/// The first of the top 30 rows in which at least two cells are known titles, one of them `required`.
pub fn find_header(
    rows: &[Vec<String>],
    specs: &[ColumnSpec],
    required: &str,
) -> Option<HeaderMap> {
    find_header_with(rows, specs, required, &[])
}

/// [`find_header`], taking a column titled one of `fallback` as `required` when none names it.
pub fn find_header_with(
    rows: &[Vec<String>],
    specs: &[ColumnSpec],
    required: &str,
    fallback: &[&str],
) -> Option<HeaderMap> {
    let fallback: Vec<String> = fallback.iter().map(|t| title_key(t)).collect();
    for (index, row) in rows.iter().enumerate().take(30) {
        let mut columns: Vec<(&'static str, usize, String)> = Vec::new();
        let mut unknown = Vec::new();
        let mut duplicates = Vec::new();
        for (col, cell) in row.iter().enumerate() {
            match match_title(specs, cell) {
                Some(key) => match columns.iter().find(|(k, _, _)| *k == key) {
                    Some((_, first, _)) => duplicates.push((col, cell.trim().to_string(), *first)),
                    None => columns.push((key, col, cell.trim().to_string())),
                },
                None if !cell.trim().is_empty() => unknown.push((col, cell.trim().to_string())),
                None => {}
            }
        }
        if !columns.iter().any(|(k, _, _)| *k == required) {
            let key = specs.iter().find(|s| s.key == required).map(|s| s.key);
            let numbered = unknown
                .iter()
                .position(|(_, title)| fallback.contains(&title_key(title)));
            if let (Some(key), Some(at)) = (key, numbered) {
                let (col, title) = unknown.remove(at);
                columns.push((key, col, title));
            }
        }
        if columns.len() >= 2 && columns.iter().any(|(k, _, _)| *k == required) {
            return Some(HeaderMap {
                row: index,
                columns,
                unknown,
                duplicates,
            });
        }
    }
    None
}

impl HeaderMap {
    /// What the header row itself says: a warning per column not read, an error per column
    /// naming a field another column already names (which of the two holds the truth is the
    /// user's to say, not ours).
    pub fn problems(&self, sheet: &str) -> Vec<ImportProblem> {
        let row = self.row + 1;
        let mut problems: Vec<ImportProblem> = self
            .unknown
            .iter()
            .map(|(_, title)| {
                let issue = Issue::new("header", "unknown_header").with("value", title);
                ImportProblem::new(Severity::Warning, sheet, row, title, title, &issue)
            })
            .collect();
        for (col, title, first) in &self.duplicates {
            let issue = Issue::new("header", "duplicate_header")
                .with("value", title)
                .with("column", column_letters(col + 1))
                .with("first", column_letters(first + 1));
            problems.push(ImportProblem::new(
                Severity::Error,
                sheet,
                row,
                title,
                title,
                &issue,
            ));
        }
        problems
    }

    /// The fields whose column is in the file: an import changes only these.
    pub fn present(&self) -> Vec<&'static str> {
        self.columns.iter().map(|(key, _, _)| *key).collect()
    }
}

/// Why a row below the header is no record: a total or subtotal line (合計 ９台), 以下余白, or a
/// line of rules. Such a row is skipped with a note.
pub fn skipped_row(row: &[String]) -> Option<&'static str> {
    let filled: Vec<String> = row
        .iter()
        .map(|c| title_key(c))
        .filter(|c| !c.is_empty())
        .collect();
    let first = filled.first()?;
    const TOTALS: &[&str] = &[
        "合計",
        "小計",
        "総計",
        "累計",
        "計",
        "total",
        "subtotal",
        "grandtotal",
        "総数",
        "台数計",
    ];
    let counted = |rest: &str| {
        rest.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, ',' | ':' | '：' | '台' | '件' | '名' | '個' | '人')
        })
    };
    if filled.len() <= 4
        && filled.iter().take(3).any(|cell| {
            TOTALS
                .iter()
                .any(|word| cell.strip_prefix(word).is_some_and(counted))
        })
    {
        return Some("total_row_skipped");
    }
    if filled.len() == 1 && matches!(first.as_str(), "以下余白" | "以上" | "余白") {
        return Some("blank_note_skipped");
    }
    if filled.iter().all(|c| {
        c.chars()
            .all(|ch| matches!(ch, '=' | '＝' | '~' | '〜' | '―' | '─' | '━' | '＊' | '+'))
    }) {
        return Some("rule_row_skipped");
    }
    None
}

/// The note for a row [`skipped_row`] skips.
pub fn skipped_problem(
    sheet: &str,
    row: usize,
    code: &'static str,
    cells: &[String],
) -> ImportProblem {
    let text: Vec<&str> = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let issue = Issue::new("row", code).with("value", text.join(" "));
    ImportProblem::new(Severity::Warning, sheet, row, "", &text.join(" "), &issue)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn totals_notes_and_rules_are_skipped_but_devices_are_not() {
        for cells in [
            &["合計", "", "９台"][..],
            &["", "合計　９台"],
            &["小計：", "12"],
            &["Total", "300"],
            &["以下余白"],
            &["＝＝＝＝", "＝＝＝"],
        ] {
            assert!(skipped_row(&row(cells)).is_some(), "{cells:?}");
        }
        for cells in [
            &["001", "合計システム"][..],
            &["計測器-01", "医療機器"],
            &["PC-01", "Windows 11", "合計", "x", "y"],
            &["-"],
        ] {
            assert!(skipped_row(&row(cells)).is_none(), "{cells:?}");
        }
    }
}
