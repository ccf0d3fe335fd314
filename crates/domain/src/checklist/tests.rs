use chrono::NaiveDate;

use super::*;
use crate::facility::FacilityKind;
use crate::findings::{evaluate, DeviceFacts, FacilityFacts};
use crate::i18n::Lang;
use crate::ledger::device::DeviceStatus;

fn item(key: &str, allow_na: bool) -> Item {
    Item {
        key: key.into(),
        number: Some("2-(1)".into()),
        number_verified: true,
        section: None,
        text: Some("サーバ、端末PC、ネットワーク機器の台帳管理を行っている。".into()),
        text_status: TextStatus::Verified,
        text_note: None,
        scope: vec![],
        guideline_refs: vec![],
        guideline_refs_verified: false,
        explanation_ja: None,
        applies_when: vec![Condition::HasSystem],
        allow_not_applicable: allow_na,
        mandatory: Mandatory::Required,
        sources: vec![],
    }
}

fn input(answer: &str, first: &str, target: &str) -> AnswerInput {
    AnswerInput {
        answer: answer.into(),
        first_checked_on: first.into(),
        target_on: target.into(),
        ..Default::default()
    }
}

fn codes(result: Result<ItemAnswer, crate::Issues>) -> Vec<(&'static str, &'static str)> {
    result
        .unwrap_err()
        .0
        .iter()
        .map(|i| (i.field, i.code))
        .collect()
}

#[test]
fn no_needs_a_target_date_within_the_fiscal_year() {
    let it = item("ledger", false);
    assert_eq!(
        codes(input("いいえ", "2026-05-01", "").validate(&it, 2026)),
        vec![("target_on", "target_required")]
    );
    assert_eq!(
        codes(input("no", "2026-05-01", "2026-03-31").validate(&it, 2026)),
        vec![("target_on", "target_outside_year")]
    );
    assert_eq!(
        codes(input("no", "2026-05-01", "2027-04-01").validate(&it, 2026)),
        vec![("target_on", "target_outside_year")]
    );
    // The fiscal year's first and last days are inside; 和暦 and full-width dates are read.
    assert!(input("no", "2026-05-01", "2026-04-01")
        .validate(&it, 2026)
        .is_ok());
    let ok = input("いいえ", "令和8年5月1日", "２０２７／３／３１")
        .validate(&it, 2026)
        .unwrap();
    assert_eq!(ok.target_on, NaiveDate::from_ymd_opt(2027, 3, 31));
    assert_eq!(ok.answer, Some(Answer::No));
}

#[test]
fn answers_need_a_first_check_date_and_dates_in_order() {
    let it = item("ledger", false);
    assert_eq!(
        codes(input("はい", "", "").validate(&it, 2026)),
        vec![("first_check_required", "first_check_required")]
            .into_iter()
            .map(|(_, c)| ("first_checked_on", c))
            .collect::<Vec<_>>()
    );
    let mut second_first = input("yes", "2026-06-01", "");
    second_first.second_checked_on = "2026-05-01".into();
    assert_eq!(
        codes(second_first.validate(&it, 2026)),
        vec![("second_checked_on", "second_before_first")]
    );
    assert!(
        input("", "", "")
            .validate(&it, 2026)
            .unwrap()
            .answer
            .is_none(),
        "an empty answer is allowed (not yet answered)"
    );
}

#[test]
fn not_applicable_only_where_the_catalogue_allows_it() {
    assert_eq!(
        codes(input("該当なし", "2026-05-01", "").validate(&item("ledger", false), 2026)),
        vec![("answer", "not_applicable_not_allowed")]
    );
    assert!(input("該当なし", "2026-05-01", "")
        .validate(&item("remote_maintenance", true), 2026)
        .is_ok());
    assert_eq!(
        codes(input("たぶん", "2026-05-01", "").validate(&item("ledger", false), 2026)),
        vec![("answer", "invalid_answer")]
    );
}

#[test]
fn roll_over_keeps_the_answer_and_asks_for_a_recheck() {
    let it = item("ledger", false);
    let answered = input("no", "2025-05-01", "2026-01-31")
        .validate(&it, 2025)
        .unwrap();
    let next = answered.rolled_over();
    assert_eq!(next.answer, Some(Answer::No));
    assert!(next.recheck && next.first_checked_on.is_none() && next.target_on.is_none());
    assert_eq!(
        item_gaps(&it, Some(&next), 2026, Some(Answer::Yes)),
        vec![Gap::Recheck, Gap::NoFirstCheck, Gap::NoTarget]
    );
}

#[test]
fn readiness_gaps() {
    let it = item("ledger", false);
    assert_eq!(item_gaps(&it, None, 2026, None), vec![Gap::Unanswered]);
    assert_eq!(
        item_gaps(&it, None, 2026, Some(Answer::No)),
        vec![],
        "no system: nothing else to answer"
    );
    let yes = input("yes", "2026-05-01", "").validate(&it, 2026).unwrap();
    assert!(item_gaps(&it, Some(&yes), 2026, Some(Answer::Yes)).is_empty());
    let mut stale = input("no", "2026-05-01", "2026-06-01")
        .validate(&it, 2026)
        .unwrap();
    stale.target_on = NaiveDate::from_ymd_opt(2027, 6, 1);
    assert_eq!(
        item_gaps(&it, Some(&stale), 2026, None),
        vec![Gap::TargetOutsideYear]
    );
}

#[test]
fn suggestions_come_from_findings_and_never_from_nothing() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let mut facts = FacilityFacts::new(today, FacilityKind::Clinic);
    let ledger = item("ledger", false);
    assert_eq!(
        suggest(&ledger, &facts, &evaluate(&facts)).unwrap().answer,
        Answer::No,
        "empty ledger"
    );
    for id in 0..12 {
        facts.devices.push(DeviceFacts {
            id,
            management_no: format!("PC-{id}"),
            status: Some(DeviceStatus::Active),
            ..Default::default()
        });
    }
    facts.ledger_confirmed_on = Some(today);
    let s = suggest(&ledger, &facts, &evaluate(&facts)).unwrap();
    assert_eq!(s.answer, Answer::No);
    assert!(
        s.reasons_ja
            .iter()
            .any(|r| r.contains("OS が未記入の稼働機器が 12 台")),
        "{:?}",
        s.reasons_ja
    );
    assert_eq!(s.records.len(), 12);
    for d in &mut facts.devices {
        d.os_name = Some("Windows 11 Pro".into());
        d.os_version = Some("25H2".into());
    }
    let s = suggest(&ledger, &facts, &evaluate(&facts)).unwrap();
    assert_eq!(s.answer, Answer::Yes);
    assert!(
        suggest(&item("access_log", false), &facts, &evaluate(&facts)).is_none(),
        "the ledgers cannot tell"
    );
}

#[test]
fn a_recent_completed_review_suggests_yes_unless_an_account_finding_says_no() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let mut facts = FacilityFacts::new(today, FacilityKind::Clinic);
    let remove = item("remove_accounts", false);
    assert!(suggest(&remove, &facts, &evaluate(&facts)).is_none());
    facts.completed_reviews = vec![
        (
            "2024年度 棚卸し".into(),
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        ),
        (
            "2026年度 棚卸し".into(),
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        ),
    ];
    let s = suggest(&remove, &facts, &evaluate(&facts)).unwrap();
    assert_eq!(s.answer, Answer::Yes);
    assert!(s.reasons_ja[0].contains("2026年度 棚卸し") && s.reasons_ja[0].contains("2026-06-01"));
    facts.completed_reviews.truncate(1);
    assert!(
        suggest(&remove, &facts, &evaluate(&facts)).is_none(),
        "older than 12 months"
    );
    facts.completed_reviews = vec![("今年".into(), today)];
    facts.people = vec![crate::accounts::Person {
        staff_number: "1".into(),
        employment: "left".into(),
        ..Default::default()
    }];
    facts.accounts = vec![crate::accounts::Account {
        id: 1,
        system: "EHR".into(),
        login_id: "d1".into(),
        display_name: String::new(),
        owners: vec!["1".into()],
        owner_state: crate::accounts::account::OwnerState::Confirmed,
        role: String::new(),
        privileges: Default::default(),
        privileged: false,
        status: crate::accounts::AccountStatus::Active,
        created_on: None,
        last_sign_in_on: Some(today),
        expires_on: None,
    }];
    assert_eq!(
        suggest(&remove, &facts, &evaluate(&facts)).unwrap().answer,
        Answer::No,
        "a leaver's live account outweighs the review"
    );
}

#[test]
fn a_copied_edition_is_facility_maintained_and_unverified() {
    let edition = Edition {
        schema: 1,
        kind: "checklist".into(),
        edition: "R7".into(),
        fiscal_year: 2025,
        form: Form::Facility,
        title: "R7".into(),
        origin: Origin::Official,
        published: Some("2025-05-16".into()),
        sources: vec![],
        notes: None,
        items: vec![item("ledger", false)],
    };
    assert!(edition.validate().is_ok());
    let copy = edition.copy_for_year(2026, &edition_code(2026));
    assert_eq!(
        (copy.edition.as_str(), copy.fiscal_year, copy.origin),
        ("R8", 2026, Origin::FacilityMaintained)
    );
    assert_eq!(
        copy.items[0].text, edition.items[0].text,
        "wording is kept, never rewritten"
    );
    assert_eq!(copy.items[0].text_status, TextStatus::Unverified);
    assert!(copy.origin.label(Lang::Ja).contains("施設"));
    let mut broken = edition.clone();
    broken.items.push(item("ledger", false));
    broken.items[1].text = None;
    let issues: Vec<&str> = broken
        .validate()
        .unwrap_err()
        .0
        .iter()
        .map(|i| i.code)
        .collect();
    assert_eq!(
        issues,
        vec![
            "catalog_duplicate_key",
            "catalog_duplicate_number",
            "catalog_sourced_without_text"
        ]
    );
}
