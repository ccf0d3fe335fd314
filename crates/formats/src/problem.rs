//! A problem found in an imported file, located by sheet, row and column.

use mimamori_domain::i18n::Lang;
use mimamori_domain::Issue;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
        Self {
            severity,
            sheet: sheet.to_string(),
            row,
            column: column.to_string(),
            value: value.to_string(),
            code: issue.code.to_string(),
            message_ja: issue.message(Lang::Ja),
            message_en: issue.message(Lang::En),
        }
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
        format!(
            "{} {}行{}{}: {} / {}",
            self.sheet, self.row, column, value, self.message_ja, self.message_en
        )
    }
}
