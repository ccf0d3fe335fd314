//! Rules over the checklist itself: overdue targets and missing vendor forms.

use super::{Draft, RecordKind, RecordRef, Rule, Severity};
use crate::checklist::Answer;
use crate::validation::search_key;

pub const TARGET_DATE_PASSED: Rule = Rule {
    id: "checklist.target_date_passed",
    items: &[],
    check: |facts| {
        facts
            .answers
            .iter()
            .filter(|a| a.answer == Some(Answer::No))
            .filter_map(|a| Some((a, a.target_on.filter(|t| *t < facts.today)?)))
            .map(|(a, target)| {
                Draft::new(&TARGET_DATE_PASSED, Severity::High)
                    .title(
                        format!("{} は「いいえ」のまま目標日 {target} を過ぎています", a.number),
                        format!("Item {} is still 'No' past its target date {target}", a.number),
                    )
                    .detail(
                        "対策を実施して回答を更新するか、遅れの理由を備考に記録してください。",
                        "Carry out the measure and update the answer, or record the reason for the delay in the note.",
                    )
                    .records(vec![RecordRef { kind: RecordKind::Answer, id: facts.assessment_id, label: a.item_key.clone() }])
                    .items(vec![a.item_key.clone()])
                    .done()
            })
            .collect()
    },
};

pub const VENDOR_FORM_MISSING: Rule = Rule {
    id: "checklist.vendor_form_missing",
    items: &[],
    check: |facts| {
        let records: Vec<RecordRef> = facts
            .systems
            .iter()
            .filter_map(|s| Some((s, s.vendor.as_deref().filter(|v| !v.trim().is_empty())?)))
            .filter(|(s, vendor)| {
                let key = (search_key(vendor), search_key(&s.name));
                !facts.vendor_forms.contains(&key)
            })
            .map(|(s, vendor)| RecordRef {
                kind: RecordKind::System,
                id: Some(s.id),
                label: format!("{}（{vendor}）", s.name),
            })
            .collect();
        if records.is_empty() {
            return Vec::new();
        }
        let n = records.len();
        let year = facts.fiscal_year;
        vec![Draft::new(&VENDOR_FORM_MISSING, Severity::Medium)
            .title(
                format!("{year}年度の事業者確認用がないシステムが {n} 件あります"),
                format!("{n} systems with a vendor have no vendor form for FY{year}"),
            )
            .detail(
                "システムを提供する事業者ごとに「事業者確認用」を送付し、回答を登録してください。",
                "Send the vendor form to the vendor of each system and record its answers.",
            )
            .records(records)
            .done()]
    },
};
