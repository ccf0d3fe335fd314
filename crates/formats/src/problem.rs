//! A problem found in an imported file, located by sheet, row and column.

use std::collections::HashMap;

use mimamori_domain::i18n::Lang;
use mimamori_domain::Issue;
use serde::Serialize;

use crate::table::cut;
use crate::write::{Cell, Table};

/// Characters of a value a problem quotes; the rest is counted, not shown.
pub const VALUE_CHARS: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    pub severity: Severity,
    pub sheet: String,
    /// 1-based row number as the spreadsheet shows it.
    pub row: usize,
    /// The column's header text, or empty when the problem concerns the whole row.
    pub column: String,
    pub value: String,
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
}

impl ImportProblem {
    pub fn new(
        severity: Severity,
        sheet: &str,
        row: usize,
        column: &str,
        value: &str,
        issue: &Issue,
    ) -> Self {
        // A message never echoes a huge cell: values and parameters are cut.
        let mut issue = issue.clone();
        for (_, param) in &mut issue.params {
            if param.len() > VALUE_CHARS {
                *param = cut(param, VALUE_CHARS);
            }
        }
        Self {
            severity,
            sheet: cut(sheet, VALUE_CHARS),
            row,
            column: cut(column, VALUE_CHARS),
            value: cut(value, VALUE_CHARS),
            code: issue.code.to_string(),
            message_ja: issue.message(Lang::Ja),
            message_en: issue.message(Lang::En),
        }
    }

    /// The error of a file that could not be read (at all, or from some row on), located where
    /// the reader could locate it.
    pub fn from_table_error(error: &crate::table::TableError) -> Self {
        Self {
            severity: Severity::Error,
            sheet: error.sheet().unwrap_or_default().to_string(),
            row: error.row(),
            column: error.column(),
            value: String::new(),
            code: error.code().into(),
            message_ja: error.ja(),
            message_en: error.en(),
        }
    }

    /// An error about the file as a whole (no header, a doubled column, no data): skipping
    /// invalid rows cannot get past it.
    pub fn stops_the_file(&self) -> bool {
        self.severity == Severity::Error
            && matches!(
                self.code.as_str(),
                "no_header"
                    | "duplicate_header"
                    | "no_data_rows"
                    | "unreadable_file"
                    | "mass_removal"
            )
    }

    /// One line for a terminal: where, what, why (Japanese / English).
    pub fn line(&self) -> String {
        let column = if self.column.is_empty() {
            String::new()
        } else {
            format!(" 列「{}」", self.column)
        };
        let value = if self.value.is_empty() {
            String::new()
        } else {
            format!(" 値「{}」", self.value)
        };
        // Row 0 is the file as a whole: no row to name.
        let row = if self.row == 0 {
            String::new()
        } else {
            format!(" {}行", self.row)
        };
        format!(
            "{}{row}{}{}: {} / {}",
            self.sheet, column, value, self.message_ja, self.message_en
        )
    }
}

/// Problems of one kind — same severity, column and reason — for a report too long to read row
/// by row (a wrongly mapped column fails every row of a 100,000-row file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemGroup {
    pub severity: Severity,
    pub column: String,
    pub code: String,
    /// The first problem's message, as an example (messages may name the value).
    pub message_ja: String,
    pub message_en: String,
    pub count: usize,
    /// The first rows, up to [`GROUP_ROWS`].
    pub rows: Vec<usize>,
}

/// A count as Japanese offices write it: 92,102.
pub fn count_text(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl ProblemGroup {
    pub fn count_text(&self) -> String {
        count_text(self.count)
    }

    /// The rows listed, "2, 3, 4, 5, 6 …" when there are more.
    pub fn rows_text(&self) -> String {
        let rows: Vec<String> = self.rows.iter().map(usize::to_string).collect();
        let more = if self.count > self.rows.len() {
            " …"
        } else {
            ""
        };
        format!("{}{more}", rows.join(", "))
    }
}

/// Rows a [`ProblemGroup`] lists.
pub const GROUP_ROWS: usize = 5;

/// The problems grouped by severity, column and reason, in the order they first appear.
pub fn group_problems(problems: &[ImportProblem]) -> Vec<ProblemGroup> {
    let mut groups: Vec<ProblemGroup> = Vec::new();
    let mut index: HashMap<(Severity, &str, &str), usize> = HashMap::new();
    for p in problems {
        let at = *index
            .entry((p.severity, p.column.as_str(), p.code.as_str()))
            .or_insert_with(|| {
                groups.push(ProblemGroup {
                    severity: p.severity,
                    column: p.column.clone(),
                    code: p.code.clone(),
                    message_ja: p.message_ja.clone(),
                    message_en: p.message_en.clone(),
                    count: 0,
                    rows: Vec::new(),
                });
                groups.len() - 1
            });
        let group = &mut groups[at];
        group.count += 1;
        if group.rows.len() < GROUP_ROWS {
            group.rows.push(p.row);
        }
    }
    groups
}

/// Every problem as a table, for a download (種別・シート・行・列・値・内容・Reason).
pub fn problem_table(file: &str, problems: &[ImportProblem]) -> Table {
    let severity = |s: Severity| match s {
        Severity::Error => "エラー / error",
        Severity::Warning => "警告 / warning",
    };
    Table {
        sheet_name: "問題".into(),
        preamble: vec![format!("取り込みの問題 / import problems: {file}")],
        headers: ["種別", "シート", "行", "列", "値", "内容", "Reason"]
            .map(String::from)
            .to_vec(),
        widths: vec![14.0, 16.0, 8.0, 20.0, 30.0, 50.0, 50.0],
        rows: problems
            .iter()
            .map(|p| {
                vec![
                    Cell::text(severity(p.severity)),
                    Cell::text(&p.sheet),
                    Cell::text(p.row.to_string()),
                    Cell::text(&p.column),
                    Cell::text(&p.value),
                    Cell::text(&p.message_ja),
                    Cell::text(&p.message_en),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(row: usize, column: &str, code: &'static str, value: &str) -> ImportProblem {
        ImportProblem::new(
            Severity::Error,
            "台帳",
            row,
            column,
            value,
            &Issue::new("status", code).with("value", value),
        )
    }

    #[test]
    fn problems_group_by_column_and_reason_in_order_of_first_row() {
        let mut problems: Vec<ImportProblem> = (2..=9)
            .map(|row| problem(row, "状態", "unknown_status", &format!("x{row}")))
            .collect();
        problems.insert(1, problem(3, "登録日", "bad_date", "someday"));
        let groups = group_problems(&problems);
        let summary: Vec<(&str, usize, Vec<usize>)> = groups
            .iter()
            .map(|g| (g.column.as_str(), g.count, g.rows.clone()))
            .collect();
        assert_eq!(
            summary,
            [("状態", 8, vec![2, 3, 4, 5, 6]), ("登録日", 1, vec![3])]
        );
        assert_eq!(groups[0].message_ja, problems[0].message_ja);
        assert_eq!(
            (
                groups[0].rows_text().as_str(),
                groups[1].rows_text().as_str()
            ),
            ("2, 3, 4, 5, 6 …", "3")
        );
    }

    #[test]
    fn counts_are_written_with_thousands_separators() {
        let texts: Vec<String> = [0, 999, 1000, 92102, 1234567].map(count_text).to_vec();
        assert_eq!(texts, ["0", "999", "1,000", "92,102", "1,234,567"]);
    }

    #[test]
    fn the_download_holds_every_problem_in_both_languages() {
        let problems = [problem(2, "状態", "unknown_status", "=cmd")];
        let (bytes, _) = crate::write::csv(
            &problem_table("x.csv", &problems),
            crate::write::Encoding::Utf8Bom,
        );
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "種別,シート,行,列,値,内容,Reason");
        assert!(
            lines[1].starts_with("エラー / error,台帳,2,状態,'=cmd,"),
            "{}",
            lines[1]
        );
        assert_eq!(lines.len(), 2);
    }
}
