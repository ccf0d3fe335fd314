//! Answers to checklist items: はい / いいえ / 該当なし with check dates, the target date that
//! いいえ requires within the fiscal year, and a note.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalog::Item;
use crate::governance::optional_date;
use crate::i18n::Lang;
use crate::validation::{Issue, Issues};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Yes, Answer::No, Answer::NotApplicable];

    pub fn code(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotApplicable => "na",
        }
    }

    pub fn parse(text: &str) -> Option<Answer> {
        match crate::validation::search_key(text.trim()).as_str() {
            "yes" | "はい" | "○" | "o" => Some(Answer::Yes),
            "no" | "いいえ" | "×" | "x" => Some(Answer::No),
            "na" | "該当なし" | "n/a" | "-" => Some(Answer::NotApplicable),
            _ => None,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Answer::Yes => lang.pick("はい", "Yes"),
            Answer::No => lang.pick("いいえ", "No"),
            Answer::NotApplicable => lang.pick("該当なし", "Not applicable"),
        }
    }
}

/// The form's fields as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AnswerInput {
    #[serde(default)]
    pub answer: String,
    #[serde(default)]
    pub first_checked_on: String,
    #[serde(default)]
    pub second_checked_on: String,
    #[serde(default)]
    pub target_on: String,
    #[serde(default)]
    pub note: String,
}

/// A validated answer. `recheck` marks answers carried over from the previous year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemAnswer {
    pub answer: Option<Answer>,
    pub first_checked_on: Option<NaiveDate>,
    pub second_checked_on: Option<NaiveDate>,
    pub target_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub recheck: bool,
}

/// April 1 and March 31 of a fiscal year.
pub fn fiscal_year_bounds(fiscal_year: i32) -> (NaiveDate, NaiveDate) {
    let start = NaiveDate::from_ymd_opt(fiscal_year, 4, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(fiscal_year + 1, 3, 31).unwrap_or(NaiveDate::MAX);
    (start, end)
}

impl AnswerInput {
    /// Validates against the item and the assessment's fiscal year; every problem at once.
    pub fn validate(&self, item: &Item, fiscal_year: i32) -> Result<ItemAnswer, Issues> {
        let mut issues = Issues::default();
        let answer = if self.answer.trim().is_empty() {
            None
        } else {
            let parsed = Answer::parse(&self.answer);
            match parsed {
                None => issues.push(Issue::new("answer", "invalid_answer")),
                Some(Answer::NotApplicable) if !item.allow_not_applicable => {
                    issues.push(Issue::new("answer", "not_applicable_not_allowed"))
                }
                _ => {}
            }
            parsed
        };
        let first = optional_date(&mut issues, "first_checked_on", &self.first_checked_on);
        let second = optional_date(&mut issues, "second_checked_on", &self.second_checked_on);
        let target = optional_date(&mut issues, "target_on", &self.target_on);
        if answer.is_some() && first.is_none() && self.first_checked_on.trim().is_empty() {
            issues.push(Issue::new("first_checked_on", "first_check_required"));
        }
        if let (Some(first), Some(second)) = (first, second) {
            if second < first {
                issues.push(Issue::new("second_checked_on", "second_before_first"));
            }
        }
        let (start, end) = fiscal_year_bounds(fiscal_year);
        if answer == Some(Answer::No) && target.is_none() && self.target_on.trim().is_empty() {
            issues.push(Issue::new("target_on", "target_required"));
        }
        if let Some(target) = target {
            if target < start || target > end {
                issues.push(
                    Issue::new("target_on", "target_outside_year")
                        .with("start", start)
                        .with("end", end),
                );
            }
        }
        let note = Some(self.note.trim().to_string()).filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            issues.push(Issue::new("note", "too_long").with("max", 2000));
        }
        issues.into_result(ItemAnswer {
            answer,
            first_checked_on: first,
            second_checked_on: second,
            target_on: target,
            note,
            recheck: false,
        })
    }
}

impl ItemAnswer {
    /// The form's fields for editing this answer again.
    pub fn to_input(&self) -> AnswerInput {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        AnswerInput {
            answer: self
                .answer
                .map(|a| a.code().to_string())
                .unwrap_or_default(),
            first_checked_on: date(self.first_checked_on),
            second_checked_on: date(self.second_checked_on),
            target_on: date(self.target_on),
            note: self.note.clone().unwrap_or_default(),
        }
    }

    /// Next year's starting point: the same answer and note, dates cleared, marked to re-check.
    pub fn rolled_over(&self) -> ItemAnswer {
        ItemAnswer {
            answer: self.answer,
            first_checked_on: None,
            second_checked_on: None,
            target_on: None,
            note: self.note.clone(),
            recheck: true,
        }
    }
}
