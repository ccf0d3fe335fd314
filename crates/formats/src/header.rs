//! Finding the header row and matching its titles, in Japanese or English, full- or half-width,
//! in any order, below any title rows.

use mimamori_domain::validation::search_key;

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

/// The first of the top 30 rows in which at least two cells are known titles, one of them `required`.
pub fn find_header(
    rows: &[Vec<String>],
    specs: &[ColumnSpec],
    required: &str,
) -> Option<HeaderMap> {
    for (index, row) in rows.iter().enumerate().take(30) {
        let mut columns = Vec::new();
        let mut unknown = Vec::new();
        for (col, cell) in row.iter().enumerate() {
            match match_title(specs, cell) {
                Some(key) if !columns.iter().any(|(k, _, _)| *k == key) => {
                    columns.push((key, col, cell.trim().to_string()))
                }
                Some(_) => {}
                None if !cell.trim().is_empty() => unknown.push((col, cell.trim().to_string())),
                None => {}
            }
        }
        if columns.len() >= 2 && columns.iter().any(|(k, _, _)| *k == required) {
            return Some(HeaderMap {
                row: index,
                columns,
                unknown,
            });
        }
    }
    None
}
