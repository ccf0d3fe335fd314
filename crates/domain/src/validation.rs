//! Validation returns every problem at once, each with the field it concerns, a stable code and
//! parameters, so a form or an import can show all faults together.

use serde::Serialize;

use crate::i18n::{message, Lang};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub field: &'static str,
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl Issue {
    pub fn new(field: &'static str, code: &'static str) -> Self {
        Self {
            field,
            code,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.push((name, value.to_string()));
        self
    }

    /// The message in the given language, with parameters filled in.
    pub fn message(&self, lang: Lang) -> String {
        let mut text = message(self.code, lang).to_string();
        for (name, value) in &self.params {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// A collection of issues; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Issues(pub Vec<Issue>);

impl Issues {
    pub fn push(&mut self, issue: Issue) {
        self.0.push(issue);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&Issue> {
        self.0.iter().find(|issue| issue.field == field)
    }

    /// `Ok(value)` when no issue was recorded.
    pub fn into_result<T>(self, value: T) -> Result<T, Issues> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for Issues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let texts: Vec<String> = self
            .0
            .iter()
            .map(|i| {
                format!(
                    "{}: {} / {}",
                    i.field,
                    i.message(Lang::Ja),
                    i.message(Lang::En)
                )
            })
            .collect();
        f.write_str(&texts.join("; "))
    }
}

impl std::error::Error for Issues {}

/// Trims and normalises a required text field, recording an issue when it is empty or too long.
pub fn required_text(issues: &mut Issues, field: &'static str, value: &str, max: usize) -> String {
    let value = value.trim().to_string();
    if value.is_empty() {
        issues.push(Issue::new(field, "required"));
    } else if value.chars().count() > max {
        issues.push(Issue::new(field, "too_long").with("max", max));
    }
    value
}

/// Trims an optional text field; empty becomes `None`.
pub fn optional_text(
    issues: &mut Issues,
    field: &'static str,
    value: &str,
    max: usize,
) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max {
        issues.push(Issue::new(field, "too_long").with("max", max));
    }
    Some(value.to_string())
}

/// Converts full-width ASCII (digits, letters, symbols, space) to half-width, as Japanese input
/// often arrives in full width.
pub fn to_half_width(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// NFKC normalisation: full-width ASCII becomes half-width, half-width katakana full-width.
pub fn nfkc(value: &str) -> String {
    use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
    // Most cells are already normalised (ASCII, or kanji and kana typed as usual); the quick
    // check proves that without decomposing and recomposing every character, which made NFKC
    // the largest cost of parsing a 100,000-device ledger.
    if value.is_ascii() || is_nfkc_quick(value.chars()) == IsNormalized::Yes {
        return value.to_string();
    }
    value.nfkc().collect()
}

/// The form in which text is searched: NFKC and lower case, so that ＰＣ, pc and PC match.
pub fn search_key(value: &str) -> String {
    // NFKC leaves ASCII unchanged; skipping it makes the common case (codes, 管理番号) cheap.
    if value.is_ascii() {
        return value.to_ascii_lowercase();
    }
    nfkc(value).to_lowercase()
}

/// `text` cut to `max` characters, with an ellipsis when cut: a message never echoes a huge
/// value (a 10 MB cell, a pasted document).
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!(
            "{}…（ほか {} 文字）",
            &text[..end],
            text[end..].chars().count()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfkc_normalises_only_what_needs_it() {
        assert_eq!(nfkc("ＰＣ－００１"), "PC-001");
        assert_eq!(nfkc("ｶﾞｲﾗｲ"), "ガイライ");
        assert_eq!(nfkc("㈱富士通"), "(株)富士通");
        assert_eq!(nfkc("外来　受付"), "外来 受付");
        assert_eq!(nfkc("栄養科 PC-001"), "栄養科 PC-001");
        assert_eq!(nfkc(""), "");
    }

    #[test]
    fn full_width_digits_become_half_width() {
        assert_eq!(to_half_width("０１２３ＡＢ－"), "0123AB-");
    }

    #[test]
    fn messages_fill_parameters() {
        let issue = Issue::new("name", "too_long").with("max", 10);
        assert!(issue.message(Lang::Ja).contains("10"));
        assert!(issue.message(Lang::En).contains("10"));
    }
}

/// The rows a list skips to show `page` (1-based) of `per_page`: never negative, and a page past
/// any table (`?page=9223372036854775806`) is simply empty instead of an overflow.
pub fn page_offset(page: i64, per_page: i64) -> i64 {
    (page.max(1) - 1).saturating_mul(per_page.max(1))
}

#[cfg(test)]
mod page_tests {
    use super::page_offset;

    #[test]
    fn offsets_never_overflow_or_go_negative() {
        assert_eq!(page_offset(1, 50), 0);
        assert_eq!(page_offset(3, 50), 100);
        assert_eq!(page_offset(-5, 50), 0);
        assert_eq!(page_offset(i64::MAX, 50), i64::MAX);
        assert_eq!(page_offset(9_223_372_036_854_775_806, 1000), i64::MAX);
    }
}
