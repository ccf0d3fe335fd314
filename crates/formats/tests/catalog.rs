#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The shipped catalogue against the research file it was built from: every sourced wording must
//! match the reference exactly after NFKC normalisation; nothing may be marked verified that the
//! reference does not support.

use std::path::{Path, PathBuf};

use mimamori_domain::checklist::{Answer, Form, ItemAnswer, TextStatus};
use mimamori_domain::validation::nfkc;
use mimamori_formats::catalog::{builtin_editions, parse_edition, BUILTIN};
use serde_yaml_ng::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reference() -> Value {
    let text = std::fs::read_to_string(repo().join("catalog/reference/checklist.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

fn form_name(form: Form) -> &'static str {
    match form {
        Form::Facility => "医療機関確認用",
        Form::Pharmacy => "薬局確認用",
        Form::Vendor => "事業者確認用",
    }
}

fn grade(value: &Value) -> TextStatus {
    match value {
        Value::Bool(true) => TextStatus::Verified,
        Value::String(s) if s == "manual_heading" => TextStatus::ManualHeading,
        Value::String(s) if s == "secondary_single" => TextStatus::SecondarySingle,
        _ => TextStatus::Unverified,
    }
}

#[test]
fn the_vendored_reference_is_the_shared_one_when_present() {
    let shared = repo().join("../shared/reference/checklist.yaml");
    if let Ok(shared) = std::fs::read(shared) {
        let vendored = std::fs::read(repo().join("catalog/reference/checklist.yaml")).unwrap();
        assert!(shared == vendored, "catalog/reference/checklist.yaml is stale: run python3 scripts/catalog_from_reference.py");
    }
}

#[test]
fn every_sourced_text_matches_the_reference_after_nfkc() {
    let reference = reference();
    let mut compared = 0;
    for edition in builtin_editions().unwrap() {
        let forms = &reference["fiscal_years"][edition.edition.as_str()]["forms"];
        for item in &edition.items {
            if !item.text_status.is_sourced() {
                continue;
            }
            // The facility form's items, or the form's own known items.
            let list = match edition.form {
                Form::Facility => &forms["医療機関確認用"]["items"],
                other => &forms[form_name(other)]["items_known"],
            };
            let source = list
                .as_sequence()
                .and_then(|s| {
                    s.iter()
                        .find(|i| i["key"].as_str() == Some(item.key.as_str()))
                })
                .unwrap_or_else(|| {
                    panic!(
                        "{} {:?} {}: marked {:?} but not in the reference",
                        edition.edition, edition.form, item.key, item.text_status
                    )
                });
            assert_eq!(
                grade(&source["text_verified"]),
                item.text_status,
                "{} {:?} {}: verification grade differs from the reference",
                edition.edition,
                edition.form,
                item.key
            );
            let expected = source["text"].as_str().unwrap();
            assert_eq!(
                nfkc(item.text.as_deref().unwrap()),
                nfkc(expected),
                "{} {:?} {}: wording differs from the reference",
                edition.edition,
                edition.form,
                item.key
            );
            compared += 1;
        }
    }
    assert!(compared >= 40, "only {compared} sourced texts compared");
}

#[test]
fn unverified_items_are_flagged_and_missing_wording_is_never_invented() {
    let editions = builtin_editions().unwrap();
    let r7 = editions
        .iter()
        .find(|e| e.edition == "R7" && e.form == Form::Facility)
        .unwrap();
    let two_factor = r7.item("two_factor").unwrap();
    assert_eq!(two_factor.text, None);
    assert_eq!(two_factor.text_status, TextStatus::Unverified);
    assert!(!two_factor.number_verified);
    assert_eq!(
        r7.item("access_rights").unwrap().text_status,
        TextStatus::Unverified
    );
    assert_eq!(
        r7.item("safety_officer").unwrap().text_status,
        TextStatus::Verified
    );
    // The vendor form has no item 0 and needs no "has a system" condition.
    let vendor = editions
        .iter()
        .find(|e| e.edition == "R6" && e.form == Form::Vendor)
        .unwrap();
    assert!(vendor.item("has_system").is_none());
    assert!(vendor.items.iter().all(|i| i.applies_when.is_empty()));
    // Only 2-(2) may be answered 該当なし, and only on the facility's own forms.
    for e in &editions {
        for i in &e.items {
            assert_eq!(
                i.allow_not_applicable,
                i.key == "remote_maintenance" && e.form != Form::Vendor
            );
        }
    }
    assert_eq!(BUILTIN.len(), 9);
}

#[test]
fn import_errors_say_where_and_what() {
    let err = parse_edition("schema: 1\nkind: checklist\nitems: [")
        .unwrap_err()
        .to_string();
    assert!(err.contains("行") && err.contains("line"), "{err}");
    let mut edition = builtin_editions().unwrap().remove(0);
    edition.items.push(edition.items[1].clone());
    let err = parse_edition(&mimamori_formats::catalog::to_yaml(&edition))
        .unwrap_err()
        .to_string();
    assert!(err.contains("重複") && err.contains("twice"), "{err}");
}

#[test]
fn checklist_xlsx_reads_back_with_every_item_and_answer() {
    use calamine::{Data, Reader, Xlsx};
    use mimamori_formats::checklist_export::{checklist_xlsx, FormHeader};
    let edition = builtin_editions()
        .unwrap()
        .into_iter()
        .find(|e| e.edition == "R7" && e.form == Form::Facility)
        .unwrap();
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2025, 6, d);
    let no = ItemAnswer {
        answer: Some(Answer::No),
        first_checked_on: day(2),
        second_checked_on: day(20),
        target_on: day(30),
        note: Some("=計画中".into()),
        recheck: false,
    };
    let yes = ItemAnswer {
        answer: Some(Answer::Yes),
        first_checked_on: day(1),
        ..Default::default()
    };
    let header = FormHeader {
        facility_name: "みまもり病院",
        fiscal_year: 2025,
        vendor: None,
        system: None,
        signed_off: None,
    };
    let bytes = checklist_xlsx(&edition, &header, |key| {
        Some(if key == "backup" { &no } else { &yes })
    })
    .unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("医療機関確認用").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::DateTime(d) => d.as_datetime().unwrap().date().to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert!(rows[1][0].contains("みまもり病院") && rows[2][0].contains("令和7年度"));
    let header_row = rows.iter().position(|r| r[0] == "項目番号").unwrap();
    let items = &rows[header_row + 1..];
    assert_eq!(items.len(), edition.items.len());
    let backup = items.iter().find(|r| r[0] == "3-(2)").unwrap();
    assert_eq!(
        &backup[2..7],
        &[
            "いいえ",
            "2025-06-02",
            "2025-06-20",
            "2025-06-30",
            "'=計画中"
        ]
    );
    let officer = items.iter().find(|r| r[0] == "1-(1)").unwrap();
    assert_eq!(
        (
            officer[1].as_str(),
            officer[2].as_str(),
            officer[3].as_str()
        ),
        (
            "医療情報システム安全管理責任者を設置している。",
            "はい",
            "2025-06-01"
        )
    );
    assert!(
        items
            .iter()
            .any(|r| r[0].ends_with('※') && r[1].contains("文言未取得")),
        "unverified and missing texts are marked"
    );
}
