//! What a facility must do by a date: incident reports, いいえ items' target dates and the
//! ledger's yearly confirmation, overdue first — the dashboard's and the overview's "by when".

use chrono::{Months, NaiveDate};

use crate::checklist::Answer;
use crate::findings::{FacilityFacts, RecordKind, RecordRef};
use crate::i18n::Lang;
use crate::incidents::reporting::ClockState;

/// Days ahead in which a deadline counts as upcoming.
pub const UPCOMING_DAYS: i64 = 30;

/// One thing due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub what_ja: String,
    pub what_en: String,
    /// The last day; `None` for 速やかに or a confirmation never made.
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
    /// Where it is done.
    pub record: RecordRef,
}

impl Due {
    pub fn what(&self, lang: Lang) -> &str {
        lang.pick(&self.what_ja, &self.what_en)
    }
}

/// What is overdue, or due within [`UPCOMING_DAYS`], on the facts' day: overdue first, then by
/// date (undated last within each group).
pub fn due_items(facts: &FacilityFacts) -> Vec<Due> {
    let today = facts.today;
    let soon = |day: NaiveDate| (day - today).num_days() <= UPCOMING_DAYS;
    let mut due = Vec::new();
    for incident in &facts.incidents {
        for clock in &incident.clocks {
            let overdue = clock.state == ClockState::Overdue;
            if !(overdue || clock.state == ClockState::Due && clock.required) {
                continue;
            }
            let ja = clock.kind.label(Lang::Ja);
            let en = clock.kind.label(Lang::En);
            due.push(Due {
                what_ja: format!("{ja}（{}）", incident.label),
                what_en: format!("{en} ({})", incident.label),
                due_on: clock.deadline.latest(),
                overdue,
                record: RecordRef {
                    kind: RecordKind::Incident,
                    id: Some(incident.id),
                    label: incident.label.clone(),
                },
            });
        }
    }
    for answer in &facts.answers {
        let Some(target) = answer.target_on else {
            continue;
        };
        if answer.answer != Some(Answer::No) || !soon(target) {
            continue;
        }
        due.push(Due {
            what_ja: format!("チェック項目 {} の改善予定日", answer.number),
            what_en: format!("Target date of checklist item {}", answer.number),
            due_on: Some(target),
            overdue: target < today,
            record: RecordRef {
                kind: RecordKind::Answer,
                id: facts.assessment_id,
                label: answer.item_key.clone(),
            },
        });
    }
    if facts.devices.iter().any(|d| d.status.is_some()) {
        let next = facts
            .ledger_confirmed_on
            .and_then(|d| d.checked_add_months(Months::new(12)));
        if next.is_none_or(soon) {
            due.push(Due {
                what_ja: "機器台帳の年次確認".into(),
                what_en: "Yearly confirmation of the device ledger".into(),
                due_on: next,
                overdue: next.is_none_or(|d| d < today),
                record: RecordRef {
                    kind: RecordKind::Ledger,
                    id: None,
                    label: "devices".into(),
                },
            });
        }
    }
    due.sort_by_key(|d| (!d.overdue, d.due_on.is_none(), d.due_on));
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facility::FacilityKind;
    use crate::findings::{AnswerFacts, DeviceFacts};
    use crate::ledger::device::DeviceStatus;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn answer(number: &str, answer: Answer, target_on: Option<NaiveDate>) -> AnswerFacts {
        AnswerFacts {
            item_key: format!("k{number}"),
            number: number.into(),
            answer: Some(answer),
            target_on,
        }
    }

    #[test]
    fn overdue_comes_first_and_far_or_answered_items_are_left_out() {
        let mut facts = FacilityFacts::new(day(2026, 12, 2), FacilityKind::Clinic);
        facts.assessment_id = Some(7);
        facts.answers = vec![
            answer("1", Answer::No, Some(day(2026, 12, 20))),
            answer("2", Answer::No, Some(day(2026, 11, 30))),
            answer("3", Answer::No, Some(day(2027, 6, 1))),
            answer("4", Answer::Yes, Some(day(2026, 11, 1))),
            answer("5", Answer::No, None),
        ];
        let due = due_items(&facts);
        let numbers: Vec<_> = due.iter().map(|d| d.what_en.clone()).collect();
        assert_eq!(
            numbers,
            [
                "Target date of checklist item 2",
                "Target date of checklist item 1"
            ]
        );
        assert!(due[0].overdue && !due[1].overdue);
        assert_eq!(due[0].record.id, Some(7));
    }

    #[test]
    fn a_ledger_never_confirmed_is_overdue_and_one_confirmed_lately_is_not_due() {
        let mut facts = FacilityFacts::new(day(2026, 12, 2), FacilityKind::Clinic);
        assert!(
            due_items(&facts).is_empty(),
            "no ledger, nothing to confirm"
        );
        facts.devices = vec![DeviceFacts {
            status: Some(DeviceStatus::Active),
            ..Default::default()
        }];
        let due = due_items(&facts);
        assert_eq!(due.len(), 1);
        assert!(due[0].overdue && due[0].due_on.is_none());
        facts.ledger_confirmed_on = Some(day(2026, 4, 1));
        assert!(due_items(&facts).is_empty());
        facts.ledger_confirmed_on = Some(day(2025, 12, 20));
        let due = due_items(&facts);
        assert_eq!(due[0].due_on, Some(day(2026, 12, 20)));
        assert!(!due[0].overdue);
    }
}
