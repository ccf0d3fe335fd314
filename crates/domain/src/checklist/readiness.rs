//! Inspection readiness: what an inspector checks on each item (医療法第25条第1項の立入検査):
//! an answer, the 1st check date, and for いいえ a target date within the fiscal year.

use serde::Serialize;

use super::answer::{fiscal_year_bounds, Answer, ItemAnswer};
use super::catalog::{Condition, Item};
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    Unanswered,
    NoFirstCheck,
    NoTarget,
    TargetOutsideYear,
    /// Carried over from last year and not yet re-checked.
    Recheck,
}

impl Gap {
    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            Gap::Unanswered => lang.pick("未回答です", "Not answered"),
            Gap::NoFirstCheck => lang.pick("1回目の確認日がありません", "No 1st check date"),
            Gap::NoTarget => lang.pick("「いいえ」の目標日がありません", "No target date for 'No'"),
            Gap::TargetOutsideYear => lang.pick(
                "目標日が年度内ではありません",
                "Target date outside the fiscal year",
            ),
            Gap::Recheck => lang.pick(
                "前年度からの引継ぎで、まだ再確認されていません",
                "Carried over; not re-checked yet",
            ),
        }
    }
}

/// What is missing on one item; empty when the item is ready. `has_system` is item 0's answer:
/// when it is いいえ, no other item needs answering.
pub fn item_gaps(
    item: &Item,
    answer: Option<&ItemAnswer>,
    fiscal_year: i32,
    has_system: Option<Answer>,
) -> Vec<Gap> {
    if item.applies_when.contains(&Condition::HasSystem) && has_system == Some(Answer::No) {
        return Vec::new();
    }
    let Some(answer) = answer.filter(|a| a.answer.is_some()) else {
        return vec![Gap::Unanswered];
    };
    let mut gaps = Vec::new();
    if answer.recheck {
        gaps.push(Gap::Recheck);
    }
    if answer.first_checked_on.is_none() {
        gaps.push(Gap::NoFirstCheck);
    }
    if answer.answer == Some(Answer::No) {
        let (start, end) = fiscal_year_bounds(fiscal_year);
        match answer.target_on {
            None => gaps.push(Gap::NoTarget),
            Some(t) if t < start || t > end => gaps.push(Gap::TargetOutsideYear),
            Some(_) => {}
        }
    }
    gaps
}
