//! Each preparedness rule triggered and not triggered.

use chrono::NaiveDate;

use super::*;
use crate::incidents::reporting::clocks;
use crate::ledger::register::Record;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn row(id: i64, pairs: &[(&str, &str)]) -> RegisterRow {
    RegisterRow {
        id,
        record: Record {
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
    }
}

fn facts() -> FacilityFacts {
    let mut facts = FacilityFacts::new(day("2026-11-21"), crate::facility::FacilityKind::Hospital);
    facts.systems = vec![SystemFacts {
        id: 7,
        name: "電子カルテ".into(),
        vendor: None,
    }];
    facts
}

fn fired(facts: &FacilityFacts, rule: &Rule) -> Vec<Finding> {
    (rule.check)(facts)
}

fn good_backups() -> Vec<RegisterRow> {
    vec![
        row(
            1,
            &[
                ("system", "電子カルテ"),
                ("media", "online_disk"),
                ("restore_tested_on", "2026-03-01"),
                ("restore_result", "success"),
            ],
        ),
        row(
            2,
            &[
                ("system", "電子カルテ"),
                ("media", "tape"),
                ("offline", "yes"),
            ],
        ),
    ]
}

#[test]
fn a_system_without_backups_is_reported_and_one_with_backups_is_not() {
    let mut f = facts();
    let found = fired(&f, &rules_preparedness::NO_BACKUP);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].records[0].kind, RecordKind::System);
    assert_eq!(found[0].items, ["backup"]);
    f.backups = good_backups();
    assert!(fired(&f, &rules_preparedness::NO_BACKUP).is_empty());
}

#[test]
fn backups_all_online_have_no_offline_copy() {
    let mut f = facts();
    f.backups = vec![
        row(1, &[("system", "電子カルテ"), ("media", "online_disk")]),
        row(2, &[("system", "電子カルテ"), ("media", "cloud")]),
    ];
    assert_eq!(fired(&f, &rules_preparedness::NO_OFFLINE_BACKUP).len(), 1);
    assert!(
        fired(&f, &rules_preparedness::NOT_THREE_TWO_ONE).is_empty(),
        "cloud is offsite: 3-2-1 holds"
    );
    f.backups = good_backups();
    assert!(fired(&f, &rules_preparedness::NO_OFFLINE_BACKUP).is_empty());
}

#[test]
fn a_single_backup_is_not_three_two_one() {
    let mut f = facts();
    f.backups = vec![row(
        2,
        &[
            ("system", "電子カルテ"),
            ("media", "tape"),
            ("offline", "yes"),
        ],
    )];
    assert_eq!(fired(&f, &rules_preparedness::NOT_THREE_TWO_ONE).len(), 1);
    f.backups = good_backups();
    assert!(fired(&f, &rules_preparedness::NOT_THREE_TWO_ONE).is_empty());
}

#[test]
fn a_restore_test_older_than_twelve_months_is_reported() {
    let mut f = facts();
    f.backups = good_backups();
    assert!(fired(&f, &rules_preparedness::RESTORE_NOT_TESTED).is_empty());
    f.today = day("2027-03-02");
    assert_eq!(fired(&f, &rules_preparedness::RESTORE_NOT_TESTED).len(), 1);
}

#[test]
fn an_empty_or_unfilled_contact_chart_is_reported() {
    let mut f = facts();
    assert_eq!(
        fired(&f, &rules_preparedness::ESCALATION_INCOMPLETE)[0].severity,
        Severity::High
    );
    assert_eq!(
        fired(&f, &rules_preparedness::CONTACTS_INCOMPLETE)[0].severity,
        Severity::High
    );
    f.escalation = crate::contacts::standard_escalation()
        .into_iter()
        .enumerate()
        .map(|(i, record)| RegisterRow {
            id: i as i64,
            record,
        })
        .collect();
    f.contacts = crate::contacts::required_contacts(Some("東京都"), &[])
        .into_iter()
        .enumerate()
        .map(|(i, record)| RegisterRow {
            id: i as i64,
            record,
        })
        .collect();
    let steps = fired(&f, &rules_preparedness::ESCALATION_INCOMPLETE);
    assert_eq!(steps[0].records.len(), 4, "all but the discoverer");
    let contacts = fired(&f, &rules_preparedness::CONTACTS_INCOMPLETE);
    assert_eq!(
        contacts[0].records.len(),
        4,
        "police, prefecture, 保健所 and PPC lack numbers; MHLW has one"
    );
    for step in &mut f.escalation {
        for (k, v) in [("person", "山田"), ("phone", "100"), ("deputy", "佐藤")] {
            step.record.values.insert(k.into(), v.into());
        }
    }
    for contact in &mut f.contacts {
        contact
            .record
            .values
            .insert("phone".into(), "03-0000-0000".into());
    }
    assert!(fired(&f, &rules_preparedness::ESCALATION_INCOMPLETE).is_empty());
    assert!(fired(&f, &rules_preparedness::CONTACTS_INCOMPLETE).is_empty());
}

#[test]
fn bcp_answers_and_drills() {
    let mut f = facts();
    f.bcp_progress = (0, 0, 27);
    assert_eq!(
        fired(&f, &rules_preparedness::BCP_UNANSWERED)[0].severity,
        Severity::Medium
    );
    f.bcp_progress = (20, 10, 27);
    assert_eq!(
        fired(&f, &rules_preparedness::BCP_UNANSWERED)[0].severity,
        Severity::Low
    );
    f.bcp_progress = (27, 10, 27);
    assert!(fired(&f, &rules_preparedness::BCP_UNANSWERED).is_empty());
    assert_eq!(fired(&f, &rules_preparedness::NO_DRILL).len(), 1);
    f.drills = vec![row(1, &[("held_on", "2026-02-10")])];
    assert!(fired(&f, &rules_preparedness::NO_DRILL).is_empty());
    f.drills = vec![row(1, &[("held_on", "2025-11-20")])];
    assert!(fired(&f, &rules_preparedness::NO_DRILL)[0]
        .title_ja
        .contains("2025-11-20"));
}

#[test]
fn an_overdue_report_is_a_high_finding_and_a_done_one_is_not() {
    let mut raw = std::collections::BTreeMap::new();
    for (k, v) in [
        ("title", "ランサムウェア"),
        ("discovered_at", "2026-11-10 08:00"),
        ("kind", "ransomware"),
        ("personal_data", "yes"),
        ("sensitive_data", "yes"),
    ] {
        raw.insert(k.to_string(), v.to_string());
    }
    let incident = crate::incidents::Incident::validate(
        &raw,
        crate::incidents::parse_datetime("2026-11-21 10:00").unwrap(),
    )
    .unwrap();
    let mut f = facts();
    f.incidents = vec![IncidentFacts {
        id: 3,
        label: "INC-1".into(),
        clocks: clocks(&incident, &[], f.today),
    }];
    let found = fired(&f, &rules_preparedness::REPORT_OVERDUE);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::High);
    assert!(found[0].title_ja.contains("速報"));
    let done = crate::incidents::reporting::validate_record(
        crate::incidents::reporting::ReportKind::PpcPreliminary,
        "done",
        Some(day("2026-11-12")),
        "",
        "x",
    )
    .unwrap();
    f.incidents[0].clocks = clocks(&incident, &[done], f.today);
    assert!(fired(&f, &rules_preparedness::REPORT_OVERDUE).is_empty());
}
