//! Checklist persistence on SQLite and PostgreSQL: editions, answers, sign-off lock, roll-over,
//! evidence, and the facts the rules read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::NaiveDate;
use mimamori_domain::checklist::{Answer, AnswerInput, Form, Origin, TextStatus};
use mimamori_domain::clock::SystemClock;
use mimamori_domain::findings::evaluate;
use mimamori_domain::ledger::device::DeviceInput;
use mimamori_formats::catalog::builtin_editions;
use mimamori_store::audit::Verification;
use mimamori_store::checklist::AssessmentKey;
use mimamori_store::{Actor, Store, StoreError};
use mimamori_testkit::{backend_tests, Backend, TestApp, TestDb};

backend_tests!(
    builtin_editions_sync_once_and_keep_facility_editions,
    answers_validate_and_sign_off_locks,
    roll_over_copies_answers_to_recheck,
    evidence_is_content_addressed_and_scoped,
    facts_feed_the_rules,
    findings_are_kept_until_the_data_changes
);

async fn setup(backend: Backend) -> (TestDb, Store, i64) {
    let db = TestDb::new(backend).await;
    let store = db.store(Arc::new(SystemClock)).await;
    store
        .sync_builtin_editions(&builtin_editions().unwrap())
        .await
        .unwrap();
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let facility = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("A"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (db, store, facility.id)
}

fn key(facility_id: i64, year: i32) -> AssessmentKey {
    AssessmentKey {
        facility_id,
        fiscal_year: year,
        form: Form::Facility,
        vendor: String::new(),
        system: String::new(),
    }
}

async fn builtin_editions_sync_once_and_keep_facility_editions(backend: Backend) {
    let (_db, store, _) = setup(backend).await;
    assert_eq!(store.editions().await.unwrap().len(), 9);
    assert_eq!(
        store
            .sync_builtin_editions(&builtin_editions().unwrap())
            .await
            .unwrap(),
        0,
        "unchanged editions are not rewritten"
    );
    // FY2026 has no official edition yet: the latest earlier one is offered until one is made.
    let r7 = store
        .edition_for(2026, Form::Facility)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r7.edition.edition, "R7");
    let r8 = r7.edition.copy_for_year(2026, "R8");
    let mut tx = store.write(&Actor::system("admin")).await.unwrap();
    tx.save_edition(&r8).await.unwrap();
    tx.commit().await.unwrap();
    let stored = store
        .edition_for(2026, Form::Facility)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.edition.origin, Origin::FacilityMaintained);
    assert!(stored
        .edition
        .items
        .iter()
        .all(|i| i.text_status == TextStatus::Unverified));
    store
        .sync_builtin_editions(&builtin_editions().unwrap())
        .await
        .unwrap();
    assert_eq!(
        store
            .edition(2026, Form::Facility)
            .await
            .unwrap()
            .unwrap()
            .edition
            .origin,
        Origin::FacilityMaintained
    );
}

async fn answers_validate_and_sign_off_locks(backend: Backend) {
    let (db, store, facility) = setup(backend).await;
    let edition = store
        .edition_for(2025, Form::Facility)
        .await
        .unwrap()
        .unwrap()
        .edition;
    let item = edition.item("backup").unwrap();
    let no_target = AnswerInput {
        answer: "いいえ".into(),
        first_checked_on: "2025-06-01".into(),
        ..Default::default()
    };
    assert_eq!(
        no_target.validate(item, 2025).unwrap_err().0[0].code,
        "target_required"
    );
    let answer = AnswerInput {
        target_on: "2026-03-31".into(),
        ..no_target
    }
    .validate(item, 2025)
    .unwrap();

    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    let id = tx.create_assessment(&key(facility, 2025)).await.unwrap();
    tx.commit().await.unwrap();
    let assessment = store.assessment(facility, id).await.unwrap();
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    tx.save_answer(&assessment, "backup", &answer)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.answers(id).await.unwrap()["backup"].answer, answer);
    assert!(matches!(
        store
            .write(&Actor::system("x"))
            .await
            .unwrap()
            .create_assessment(&key(facility, 2025))
            .await,
        Err(StoreError::Conflict)
    ));

    let mut tx = store.write(&Actor::system("officer")).await.unwrap();
    tx.sign_off(&assessment).await.unwrap();
    tx.commit().await.unwrap();
    let locked = store.assessment(facility, id).await.unwrap();
    assert!(locked.locked());
    // A stale handle (read before the sign-off) is refused too: the lock is re-read in the write.
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    assert!(matches!(
        tx.save_answer(&assessment, "bcp", &answer).await,
        Err(StoreError::Locked)
    ));
    drop(tx);
    let mut tx = store.write(&Actor::system("officer")).await.unwrap();
    tx.unlock(&locked, "2回目の確認のため").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    tx.save_answer(&assessment, "bcp", &answer).await.unwrap();
    tx.commit().await.unwrap();
    let actions: Vec<String> = store
        .audit_entries(&mimamori_store::audit::AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|e| e.action.clone())
        .collect();
    assert!(
        actions.contains(&"sign_off".to_string()) && actions.contains(&"unlock".to_string()),
        "{actions:?}"
    );
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verification::Intact { .. }
    ));
    let _ = db;
}

async fn roll_over_copies_answers_to_recheck(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    let id = tx.create_assessment(&key(facility, 2025)).await.unwrap();
    tx.commit().await.unwrap();
    let assessment = store.assessment(facility, id).await.unwrap();
    let edition = store
        .edition_for(2025, Form::Facility)
        .await
        .unwrap()
        .unwrap()
        .edition;
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    for (k, a, t) in [("ledger", "はい", ""), ("backup", "いいえ", "2026-01-31")] {
        let input = AnswerInput {
            answer: a.into(),
            first_checked_on: "2025-05-01".into(),
            target_on: t.into(),
            note: format!("{k}のメモ"),
            ..Default::default()
        };
        tx.save_answer(
            &assessment,
            k,
            &input.validate(edition.item(k).unwrap(), 2025).unwrap(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let answers = store.answers(id).await.unwrap();
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    let next = tx.roll_over(&assessment, &answers).await.unwrap();
    tx.commit().await.unwrap();
    let rolled = store.answers(next).await.unwrap();
    assert_eq!(rolled.len(), 2);
    let backup = &rolled["backup"].answer;
    assert_eq!(
        (
            backup.answer,
            backup.recheck,
            backup.first_checked_on,
            backup.target_on
        ),
        (Some(Answer::No), true, None, None)
    );
    assert_eq!(backup.note.as_deref(), Some("backupのメモ"));
    assert_eq!(
        store.assessment(facility, next).await.unwrap().fiscal_year,
        2026
    );
    // The old year is untouched.
    assert_eq!(
        store.answers(id).await.unwrap()["backup"]
            .answer
            .first_checked_on,
        NaiveDate::from_ymd_opt(2025, 5, 1)
    );
}

async fn evidence_is_content_addressed_and_scoped(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    let organisation = tx.create_organisation("別法人").await.unwrap();
    let other = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("B"))
        .await
        .unwrap();
    let id = tx.create_assessment(&key(facility, 2025)).await.unwrap();
    tx.commit().await.unwrap();
    let assessment = store.assessment(facility, id).await.unwrap();
    let content = "連絡体制図 v3".as_bytes();
    let too_big = vec![0u8; mimamori_store::checklist::MAX_EVIDENCE_BYTES + 1];
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    assert!(tx
        .add_evidence_file(
            &assessment,
            "bcp",
            "big.bin",
            "application/octet-stream",
            &too_big
        )
        .await
        .is_err());
    drop(tx);
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    let first = tx
        .add_evidence_file(
            &assessment,
            "contact_chart",
            "../../体制図.pdf",
            "application/pdf",
            content,
        )
        .await
        .unwrap();
    let second = tx
        .add_evidence_file(&assessment, "bcp", "same.pdf", "application/pdf", content)
        .await
        .unwrap();
    tx.add_evidence_record(&assessment, "ledger", "ledger", None, "機器台帳")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let file = store.evidence_file(facility, first).await.unwrap();
    assert_eq!(file.content, content);
    assert_eq!(
        file.evidence.filename.as_deref(),
        Some("体制図.pdf"),
        "directories are stripped"
    );
    assert_eq!(
        file.evidence.sha256,
        store
            .evidence_file(facility, second)
            .await
            .unwrap()
            .evidence
            .sha256
    );
    let blobs = sqlx::query("SELECT COUNT(*) AS n FROM evidence_blobs")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        sqlx::Row::get::<i64, _>(&blobs, "n"),
        1,
        "one copy per content"
    );
    assert!(matches!(
        store.evidence_file(other.id, first).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.evidence(id).await.unwrap().len(), 3);
}

async fn facts_feed_the_rules(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let rules = |facts: &mimamori_domain::findings::FacilityFacts| {
        evaluate(facts)
            .into_iter()
            .map(|f| f.rule)
            .collect::<Vec<_>>()
    };
    let empty = store.facility_facts(facility, today).await.unwrap();
    assert!(rules(&empty).contains(&"ledger.empty".to_string()));
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    for (no, os, segment2) in [
        ("PC-1", "Windows 7", "インターネット"),
        ("PC-2", "Windows 11", ""),
    ] {
        let mut input = DeviceInput {
            management_no: no.into(),
            os_name: os.into(),
            os_version: "SP1".into(),
            remote_maintenance: "あり".into(),
            ..Default::default()
        };
        input.interfaces = vec![
            mimamori_domain::ledger::device::InterfaceInput {
                ip: "10.0.0.1".into(),
                segment: "電子カルテ".into(),
                ..Default::default()
            },
            mimamori_domain::ledger::device::InterfaceInput {
                ip: "10.1.0.1".into(),
                segment: segment2.into(),
                ..Default::default()
            },
        ];
        input.software = vec![mimamori_domain::ledger::device::SoftwareInput {
            name: "ビューア".into(),
            ..Default::default()
        }];
        tx.create_device(facility, &input.validate().unwrap().device)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let facts = store.facility_facts(facility, today).await.unwrap();
    assert_eq!(facts.devices.len(), 2);
    let hit = rules(&facts);
    for rule in [
        "device.end_of_life_os",
        "device.dual_homed",
        "ledger.software_without_version",
        "remote.device_without_connection",
        "ledger.not_confirmed",
    ] {
        assert!(hit.contains(&rule.to_string()), "{rule} in {hit:?}");
    }
    assert!(!hit.contains(&"ledger.empty".to_string()));
    let eol = evaluate(&facts)
        .into_iter()
        .find(|f| f.rule == "device.end_of_life_os")
        .unwrap();
    assert_eq!(
        eol.records
            .iter()
            .map(|r| r.label.as_str())
            .collect::<Vec<_>>(),
        vec!["PC-1"]
    );
}

/// The store keeps a facility's facts and findings while nothing it reads changed: another
/// facility's write keeps them, the facility's own write, a write that touches no facility
/// (a catalogue edition) or another day drops them — also when the write came through another
/// store on the same database (a second server process).
async fn findings_are_kept_until_the_data_changes(backend: Backend) {
    let (db, store, facility) = setup(backend).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let findings = || store.facility_findings(facility, today);
    let first = findings().await.unwrap();
    assert!(Arc::ptr_eq(&first, &findings().await.unwrap()), "kept");
    let tomorrow = store
        .facility_findings(facility, today.succ_opt().unwrap())
        .await
        .unwrap();
    assert!(
        !Arc::ptr_eq(&first, &tomorrow),
        "another day is computed anew"
    );

    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    let organisation = tx.create_organisation("別法人").await.unwrap();
    tx.commit().await.unwrap();
    let after_global = findings().await.unwrap();
    assert!(
        !Arc::ptr_eq(&first, &after_global),
        "a write of no facility"
    );

    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    let other = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("B"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let device = |no: &str| DeviceInput {
        management_no: no.into(),
        os_name: "Windows 7".into(),
        os_version: "SP1".into(),
        ..Default::default()
    };
    let mut tx = store.write(&Actor::system("clerk")).await.unwrap();
    tx.create_device(other.id, &device("B-1").validate().unwrap().device)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let current = findings().await.unwrap();
    assert!(
        Arc::ptr_eq(&current, &findings().await.unwrap()),
        "kept across another facility's write"
    );
    assert!(current.facts.devices.is_empty());

    // The same database through a second store, as a second server process would write it.
    let second = db.store(Arc::new(SystemClock)).await;
    let mut tx = second.write(&Actor::system("clerk")).await.unwrap();
    tx.create_device(facility, &device("A-1").validate().unwrap().device)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let changed = findings().await.unwrap();
    assert!(!Arc::ptr_eq(&current, &changed));
    assert_eq!(changed.facts.devices.len(), 1);
    assert!(changed
        .findings
        .iter()
        .any(|f| f.rule == "device.end_of_life_os"));
}
