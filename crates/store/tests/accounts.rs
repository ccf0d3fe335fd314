//! Accounts on SQLite and PostgreSQL: every account rule triggered and not triggered through the
//! store's facts, imports reporting exactly what changed, access reviews and ID applications.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use mimamori_domain::accounts::account::OwnerState;
use mimamori_domain::accounts::workflow::{ApplicationKind, ReviewDecision};
use mimamori_domain::accounts::{Account, AccountStatus, Privileges, STAFF};
use mimamori_domain::clock::SystemClock;
use mimamori_domain::findings::{evaluate, Finding};
use mimamori_domain::ledger::register::References;
use mimamori_store::accounts::{NewApplication, PolicyCell};
use mimamori_store::{Actor, Store, StoreError};
use mimamori_testkit::{backend_tests, Backend, TestApp, TestDb};

backend_tests!(
    each_account_rule_triggers_and_clears,
    a_second_import_reports_exactly_what_changed,
    a_review_disables_accounts_and_completes_when_all_are_decided,
    applications_are_approved_by_another_person_and_carried_out,
    the_rules_read_accounts_exactly_as_stored
);

const SYSTEM: &str = "電子カルテ";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

fn day(days_ago: i64) -> Option<NaiveDate> {
    Some(today() - chrono::Duration::days(days_ago))
}

async fn setup(backend: Backend) -> (TestDb, Store, i64) {
    let db = TestDb::new(backend).await;
    let store = db.store(Arc::new(SystemClock)).await;
    let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let facility = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("A"))
        .await
        .unwrap();
    let staff: Vec<_> = [
        ("1001", "医師 一郎", "doctor", ""),
        ("1002", "医師 二郎", "doctor", ""),
        ("2001", "退職 花子", "nurse", "2026-10-31"),
    ]
    .iter()
    .map(|(number, name, job, left)| {
        let raw: BTreeMap<String, String> = [
            ("staff_number", *number),
            ("name", *name),
            ("job_type", *job),
            ("left_on", *left),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        STAFF.validate(&raw, &References::default()).unwrap().record
    })
    .collect();
    tx.import_records(facility.id, &STAFF, &staff)
        .await
        .unwrap();
    tx.save_policy(
        facility.id,
        SYSTEM,
        &[PolicyCell {
            job_type: "doctor".into(),
            category: "medical_record".into(),
            level: "write".into(),
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (db, store, facility.id)
}

fn account(login: &str, owner: &str) -> Account {
    Account {
        id: 0,
        system: SYSTEM.into(),
        login_id: login.into(),
        display_name: String::new(),
        owners: if owner.is_empty() {
            vec![]
        } else {
            vec![owner.into()]
        },
        owner_state: if owner.is_empty() {
            OwnerState::Unknown
        } else {
            OwnerState::File
        },
        role: String::new(),
        privileges: Privileges::parse("カルテ:更新").unwrap(),
        privileged: false,
        status: AccountStatus::Active,
        created_on: day(400),
        last_sign_in_on: day(1),
        expires_on: None,
    }
}

async fn import(
    store: &Store,
    facility: i64,
    accounts: &[Account],
) -> mimamori_store::accounts::AccountImport {
    let existing = store.all_accounts(facility, Some(SYSTEM)).await.unwrap();
    let people = store.people(facility).await.unwrap();
    let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
    let result = tx
        .import_accounts(facility, SYSTEM, &existing, accounts, &people)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    result
}

async fn account_findings(store: &Store, facility: i64) -> Vec<Finding> {
    let facts = store.facility_facts(facility, today()).await.unwrap();
    evaluate(&facts)
        .into_iter()
        .filter(|f| f.rule.starts_with("accounts."))
        .collect()
}

fn logins(findings: &[Finding], rule: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .flat_map(|f| f.records.iter().map(|r| r.label.clone()))
        .collect()
}

/// A clean pair of doctor accounts, then one account per rule; each rule names exactly its
/// account, and suspending that account clears it.
async fn each_account_rule_triggers_and_clears(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let clean = vec![account("d1001", "1001"), account("d1002", "1002")];
    import(&store, facility, &clean).await;
    assert!(account_findings(&store, facility).await.is_empty());

    let mut all = clean.clone();
    let mut leaver = account("n2001", "2001");
    leaver.privileges = Privileges::default(); // no nurse policy: only the leaver rule applies
    all.push(leaver);
    all.push(account("ghost", "")); // unknown owner (no matching login or name)
    let mut admin = account("sysadm", "");
    admin.privileged = true; // privileged without owner
    all.push(admin);
    all.push(account("user01", "1001")); // generic ID
    let mut beyond = account("d1002b", "1002");
    beyond.privileges = Privileges::parse("カルテ:更新,医事:参照").unwrap();
    all.push(beyond);
    let mut expired = account("d1001x", "1001");
    expired.expires_on = day(1);
    all.push(expired);
    let mut unused = account("d1001old", "1001");
    unused.last_sign_in_on = day(91);
    all.push(unused);
    import(&store, facility, &all).await;
    let findings = account_findings(&store, facility).await;
    let expect = [
        ("accounts.leaver", "n2001"),
        ("accounts.unknown_owner", "ghost"),
        ("accounts.privileged_without_owner", "sysadm"),
        ("accounts.shared", "user01"),
        ("accounts.beyond_policy", "d1002b"),
        ("accounts.expired_active", "d1001x"),
        ("accounts.unused", "d1001old"),
    ];
    for (rule, login) in expect {
        assert_eq!(
            logins(&findings, rule),
            [format!("{SYSTEM}: {login}")],
            "{rule}"
        );
    }
    // The threshold is the facility's: at 100 days the 91-day account is not unused.
    let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
    tx.set_unused_days(facility, 100).await.unwrap();
    tx.commit().await.unwrap();
    assert!(logins(&account_findings(&store, facility).await, "accounts.unused").is_empty());

    // Suspending every flagged account clears every rule.
    let accounts = store.all_accounts(facility, Some(SYSTEM)).await.unwrap();
    for (_, login) in expect {
        let id = accounts.iter().find(|a| a.login_id == login).unwrap().id;
        let stored = store.account(facility, id).await.unwrap();
        let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
        tx.set_account_status(facility, &stored, AccountStatus::Suspended)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert!(account_findings(&store, facility).await.is_empty());
}

async fn a_second_import_reports_exactly_what_changed(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let first = import(
        &store,
        facility,
        &[
            account("d1001", ""),
            account("d1002", ""),
            account("n2001", ""),
        ],
    )
    .await;
    assert_eq!(first.changes.created, ["d1001", "d1002", "n2001"]);
    assert_eq!(first.matched, 3, "staff numbers in the login IDs");
    let mut changed = account("d1002", "");
    changed.privileges = Privileges::parse("カルテ:参照").unwrap();
    let mut signed_in = account("d1001", "");
    signed_in.last_sign_in_on = day(0);
    let second = import(
        &store,
        facility,
        &[signed_in, changed, account("new01", "")],
    )
    .await;
    assert_eq!(second.changes.created, ["new01"]);
    assert_eq!(second.changes.changed, ["d1002"]);
    assert_eq!(second.changes.disabled, ["n2001"], "gone from the export");
    assert_eq!(second.changes.sign_ins, ["d1001"]);
    let stored = store.all_accounts(facility, Some(SYSTEM)).await.unwrap();
    let by = |l: &str| stored.iter().find(|a| a.login_id == l).unwrap().clone();
    assert_eq!(by("n2001").status, AccountStatus::Deleted);
    assert_eq!(by("d1001").owners, ["1001"], "owner kept across imports");
    // The same export again changes nothing.
    let again = import(
        &store,
        facility,
        &store.all_accounts(facility, Some(SYSTEM)).await.unwrap()[..0],
    )
    .await;
    assert_eq!(
        again.changes.disabled.len(),
        3,
        "an empty export removes every active account"
    );
}

async fn a_review_disables_accounts_and_completes_when_all_are_decided(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    import(
        &store,
        facility,
        &[account("d1001", ""), account("n2001", "")],
    )
    .await;
    let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
    let id = tx
        .start_review(facility, SYSTEM, "2026年度 棚卸し", day(-30))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let review = store.review(facility, id).await.unwrap();
    assert_eq!((review.total, review.decided), (2, 0));
    let items = store.review_items(id).await.unwrap();
    let leaver = items.iter().find(|i| i.login_id == "n2001").unwrap();
    let doctor = items.iter().find(|i| i.login_id == "d1001").unwrap();
    let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
    assert!(matches!(
        tx.decide_review_item(facility, &review, doctor, ReviewDecision::Change, " ")
            .await,
        Err(StoreError::Refused(_))
    ));
    tx.decide_review_item(facility, &review, leaver, ReviewDecision::Disable, "退職")
        .await
        .unwrap();
    assert!(matches!(
        tx.complete_review(facility, &review).await,
        Err(StoreError::Refused(_))
    ));
    tx.decide_review_item(facility, &review, doctor, ReviewDecision::Confirm, "")
        .await
        .unwrap();
    tx.complete_review(facility, &review).await.unwrap();
    tx.commit().await.unwrap();
    let accounts = store.all_accounts(facility, Some(SYSTEM)).await.unwrap();
    let status = |l: &str| accounts.iter().find(|a| a.login_id == l).unwrap().status;
    assert_eq!(status("n2001"), AccountStatus::Suspended);
    assert_eq!(status("d1001"), AccountStatus::Active);
    let done = store.review(facility, id).await.unwrap();
    assert!(done.is_complete());
    assert_eq!(done.percent(), 100);
    let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
    assert!(matches!(
        tx.decide_review_item(facility, &done, doctor, ReviewDecision::Disable, "")
            .await,
        Err(StoreError::Refused(_))
    ));
}

async fn applications_are_approved_by_another_person_and_carried_out(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let applicant = Actor::user(1, "山田");
    let manager = Actor::user(2, "システム管理責任者");
    let application = NewApplication {
        kind: ApplicationKind::New,
        system: SYSTEM.into(),
        account_id: None,
        applicant: "医師 二郎".into(),
        staff_number: "1002".into(),
        job_type: "doctor".into(),
        privileges: Privileges::parse("カルテ:更新").unwrap(),
        privileged: false,
        reason: "4月入職".into(),
        login_id: "d1002".into(),
    };
    let mut tx = store.write(&applicant).await.unwrap();
    let id = tx.file_application(facility, &application).await.unwrap();
    tx.commit().await.unwrap();
    let filed = store.application(facility, id).await.unwrap();
    let mut tx = store.write(&applicant).await.unwrap();
    assert!(
        matches!(
            tx.decide_application(facility, &filed, true, "").await,
            Err(StoreError::Refused(_))
        ),
        "no self-approval"
    );
    assert!(
        matches!(
            tx.carry_out_application(facility, &filed, "").await,
            Err(StoreError::Refused(_))
        ),
        "not before approval"
    );
    drop(tx);
    let mut tx = store.write(&manager).await.unwrap();
    tx.decide_application(facility, &filed, true, "承認")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let approved = store.application(facility, id).await.unwrap();
    let mut tx = store.write(&applicant).await.unwrap();
    let account_id = tx
        .carry_out_application(facility, &approved, "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let done = store.application(facility, id).await.unwrap();
    assert_eq!(done.status, "done");
    assert_eq!(done.decided_by.as_deref(), Some("システム管理責任者"));
    assert!(done.done_at.is_some() && done.applied_at <= done.done_at.clone().unwrap());
    let issued = store.account(facility, account_id).await.unwrap().account;
    assert_eq!(
        (issued.login_id.as_str(), issued.owners.as_slice()),
        ("d1002", ["1002".to_string()].as_slice())
    );
    assert_eq!(issued.owner_state, OwnerState::Confirmed);

    // Revocation on leaving: the account becomes 削除済.
    let revoke = NewApplication {
        kind: ApplicationKind::Revoke,
        account_id: Some(account_id),
        reason: "退職".into(),
        ..application
    };
    let mut tx = store.write(&applicant).await.unwrap();
    let rid = tx.file_application(facility, &revoke).await.unwrap();
    tx.commit().await.unwrap();
    let filed = store.application(facility, rid).await.unwrap();
    let mut tx = store.write(&manager).await.unwrap();
    tx.decide_application(facility, &filed, true, "")
        .await
        .unwrap();
    let approved_revoke = {
        let mut a = filed.clone();
        a.status = "approved".into();
        a
    };
    tx.carry_out_application(facility, &approved_revoke, "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store
            .account(facility, account_id)
            .await
            .unwrap()
            .account
            .status,
        AccountStatus::Deleted
    );
}

/// The rules engine reads accounts through a faster path (one JSON text for all the rows); what
/// it reads equals what the account pages read, for text that JSON must escape too, in the
/// order of system and login ID.
async fn the_rules_read_accounts_exactly_as_stored(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let mut awkward = account("q\"uote\\back", "1001");
    awkward.display_name = "改行\nと\tタブ 🏥 ＡＢＣ".into();
    awkward.role = "管理者".into();
    awkward.privileged = true;
    awkward.expires_on = day(-30);
    awkward.last_sign_in_on = None;
    import(
        &store,
        facility,
        &[awkward, account("d1002", ""), account("x", "")],
    )
    .await;
    let mut gone = store.all_accounts(facility, Some(SYSTEM)).await.unwrap();
    gone.retain(|a| a.login_id != "x");
    import(&store, facility, &gone).await;
    let mut stored = store.all_accounts(facility, None).await.unwrap();
    stored.retain(|a| a.status != AccountStatus::Deleted);
    let mut live = store.live_accounts(facility).await.unwrap();
    let logins: Vec<&str> = live.iter().map(|a| a.login_id.as_str()).collect();
    assert_eq!(logins, ["d1002", "q\"uote\\back"], "in order of login ID");
    let key = |a: &Account| a.id;
    stored.sort_by_key(key);
    live.sort_by_key(key);
    assert_eq!(live.len(), 2, "the deleted account is not live");
    assert_eq!(live, stored);
    assert!(live
        .iter()
        .any(|a| a.display_name.contains('🏥') && a.privileged));
}
