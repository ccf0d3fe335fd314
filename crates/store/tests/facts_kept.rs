//! Kept facts brought up to date from the audit log, on SQLite and PostgreSQL: after every kind of
//! change the facts (and findings) a store keeps equal what a fresh store reads in full, and the
//! changes the log pins down are taken in without reading the facility again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use mimamori_domain::accounts::account::OwnerState;
use mimamori_domain::accounts::{Account, AccountStatus, Privileges, STAFF};
use mimamori_domain::clock::SystemClock;
use mimamori_domain::ledger::device::{DeviceInput, SoftwareInput};
use mimamori_domain::ledger::register::References;
use mimamori_store::checklist::FactsReads;
use mimamori_store::{Actor, AuditRecord, Store};
use mimamori_testkit::{backend_tests, Backend, TestApp, TestDb};

backend_tests!(
    kept_facts_follow_every_change,
    a_new_store_starts_from_the_snapshot
);

const SYSTEM: &str = "電子カルテ";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

fn account(login: &str, owner: &str) -> Account {
    Account {
        id: 0,
        system: SYSTEM.into(),
        login_id: login.into(),
        display_name: String::new(),
        owners: vec![owner.into()],
        owner_state: OwnerState::File,
        role: String::new(),
        privileges: Privileges::parse("カルテ:更新").unwrap(),
        privileged: false,
        status: AccountStatus::Active,
        created_on: None,
        last_sign_in_on: Some(today() - chrono::Duration::days(3)),
        expires_on: None,
    }
}

fn device(no: &str, os: &str, software_version: &str) -> mimamori_domain::ledger::device::Device {
    DeviceInput {
        management_no: no.into(),
        os_name: os.into(),
        os_version: "SP1".into(),
        software: vec![SoftwareInput {
            name: "ビューア".into(),
            version: software_version.into(),
            ..Default::default()
        }],
        ..Default::default()
    }
    .validate()
    .unwrap()
    .device
}

fn person(number: &str, name: &str, left_on: &str) -> mimamori_domain::ledger::register::Record {
    let raw: BTreeMap<String, String> = [
        ("staff_number", number),
        ("name", name),
        ("job_type", "doctor"),
        ("left_on", left_on),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    STAFF.validate(&raw, &References::default()).unwrap().record
}

fn counts(full: u64, updated: u64) -> FactsReads {
    FactsReads { full, updated }
}

/// Sets an account's status in a transaction of its own.
async fn set_account_status(store: &Store, facility: i64, id: i64, status: AccountStatus) {
    let stored = store.account(facility, id).await.unwrap();
    let mut changed = stored.account.clone();
    changed.status = status;
    let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
    tx.update_account(facility, &stored, &changed)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Rewrites a device in a transaction of its own.
async fn rewrite_device(
    store: &Store,
    facility: i64,
    id: i64,
    device: mimamori_domain::ledger::device::Device,
) {
    let stored = store.device(facility, id).await.unwrap();
    let mut tx = store.write(&Actor::user(1, "山田")).await.unwrap();
    tx.update_device(&stored, &device).await.unwrap();
    tx.commit().await.unwrap();
}

/// The kept findings and facts against a fresh store's full read of the same database (its
/// snapshot removed first, so that the fresh store reads everything).
async fn assert_same_as_full_read(db: &TestDb, store: &Store, facility: i64, step: &str) {
    let kept = store.facility_findings(facility, today()).await.unwrap();
    db.execute("DELETE FROM facts_snapshots").await;
    let fresh_store = db.store(Arc::new(SystemClock)).await;
    let fresh = fresh_store
        .facility_findings(facility, today())
        .await
        .unwrap();
    assert_eq!(fresh_store.facts_reads(), counts(1, 0));
    assert_eq!(
        format!("{:?}", kept.facts),
        format!("{:?}", fresh.facts),
        "facts after {step}"
    );
    assert_eq!(kept.findings, fresh.findings, "findings after {step}");
    fresh_store.close().await;
}

async fn kept_facts_follow_every_change(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store(Arc::new(SystemClock)).await;
    let writer = Actor::user(1, "山田");
    let mut tx = store.write(&writer).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let facility = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("A"))
        .await
        .unwrap()
        .id;
    tx.import_records(
        facility,
        &STAFF,
        &[
            person("1001", "医師 一郎", ""),
            person("1002", "医師 二郎", ""),
        ],
    )
    .await
    .unwrap();
    let first = tx
        .create_account(facility, &account("d1001", "1001"))
        .await
        .unwrap();
    tx.create_account(facility, &account("d1002", "1002"))
        .await
        .unwrap();
    let pc = tx
        .create_device(facility, &device("PC-1", "Windows 11", "1.0"))
        .await
        .unwrap();
    tx.create_device(facility, &device("PC-2", "Windows 11", "1.0"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_same_as_full_read(&db, &store, facility, "the start").await;
    assert_eq!(store.facts_reads(), counts(1, 0));

    // Reads and sign-ins change nothing kept: the findings are the same value.
    let before = store.facility_findings(facility, today()).await.unwrap();
    store
        .record_event(
            &writer,
            AuditRecord::new("export", "devices").facility(Some(facility)),
        )
        .await
        .unwrap();
    store
        .record_event(&writer, AuditRecord::new("sign_in", "user").id(1))
        .await
        .unwrap();
    let after = store.facility_findings(facility, today()).await.unwrap();
    assert!(Arc::ptr_eq(&before, &after), "an export or a sign-in");
    drop((before, after));

    // An account edited in place: a leaver's account, then suspended.
    let mut tx = store.write(&writer).await.unwrap();
    tx.import_records(
        facility,
        &STAFF,
        &[person("1001", "医師 一郎", "2026-10-31")],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_same_as_full_read(&db, &store, facility, "a person leaving").await;
    set_account_status(&store, facility, first, AccountStatus::Suspended).await;
    assert_same_as_full_read(&db, &store, facility, "an account edited").await;

    // A device edited in place (old OS, software without a version), then a new one and a
    // renamed one, which take their place in the order from a read of the list.
    rewrite_device(&store, facility, pc, device("PC-1", "Windows 7", "")).await;
    assert_same_as_full_read(&db, &store, facility, "a device edited").await;
    rewrite_device(&store, facility, pc, device("PC-9", "Windows 7", "")).await;
    assert_same_as_full_read(&db, &store, facility, "a device renamed").await;
    let mut tx = store.write(&writer).await.unwrap();
    tx.create_device(facility, &device("PC-0", "Windows XP", "2"))
        .await
        .unwrap();
    tx.create_account(facility, &account("admin", "1002"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_same_as_full_read(&db, &store, facility, "devices and an account added").await;
    assert_eq!(
        store.facts_reads(),
        counts(1, 5),
        "every change so far was taken in from the log"
    );

    // A change through another store (another server process on the same database).
    let second = db.store(Arc::new(SystemClock)).await;
    set_account_status(&second, facility, first, AccountStatus::Deleted).await;
    second.close().await;
    assert_same_as_full_read(&db, &store, facility, "an account deleted elsewhere").await;
    assert_eq!(store.facts_reads().updated, 6);

    // Imports: a system's user export (that system's accounts read again, as one block), the
    // first export of a new system (where its block goes is the database's to say: the
    // accounts read again), a device import (every device logged on its own) — and an entry
    // the log cannot pin down, which is read in full.
    let import = |system: &'static str, accounts: Vec<Account>| {
        let store = store.clone();
        let writer = writer.clone();
        async move {
            let existing = store.all_accounts(facility, Some(system)).await.unwrap();
            let people = store.people(facility).await.unwrap();
            let mut tx = store.write(&writer).await.unwrap();
            tx.import_accounts(facility, system, &existing, &accounts, &people)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    import(
        SYSTEM,
        vec![account("d1002", "1002"), account("n3003", "1002")],
    )
    .await;
    assert_same_as_full_read(&db, &store, facility, "an account import").await;
    let mut pacs = account("p1002", "1002");
    pacs.system = "PACS".into();
    import("PACS", vec![pacs]).await;
    assert_same_as_full_read(&db, &store, facility, "a new system's import").await;
    let mut tx = store.write(&writer).await.unwrap();
    tx.import_devices(
        facility,
        &[
            device("PC-0", "Windows 10", ""),
            device("PC-5", "Windows 11", "1"),
        ],
    )
    .await
    .unwrap();
    tx.audit(AuditRecord::new("import", "devices").facility(Some(facility)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_same_as_full_read(&db, &store, facility, "a device import").await;
    assert_eq!(store.facts_reads(), counts(1, 9));
    let mut tx = store.write(&writer).await.unwrap();
    tx.audit(AuditRecord::new("rebuild", "something_new").facility(Some(facility)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_same_as_full_read(&db, &store, facility, "an entry not listed").await;
    assert_eq!(store.facts_reads(), counts(2, 9));
}

/// A large facility's accounts and devices are snapshotted after a full read; a new store (a
/// restart, the command line) starts from the snapshot and the changes logged since. A snapshot
/// of another format is read past.
async fn a_new_store_starts_from_the_snapshot(backend: Backend) {
    let db = TestDb::new(backend).await;
    let writer = Actor::user(1, "山田");
    let first = db.store(Arc::new(SystemClock)).await;
    let mut tx = first.write(&writer).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let facility = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("A"))
        .await
        .unwrap()
        .id;
    let devices: Vec<_> = (0..2_000)
        .map(|i| device(&format!("PC-{i:04}"), "Windows 11", "1.0"))
        .collect();
    tx.import_devices(facility, &devices).await.unwrap();
    tx.import_records(facility, &STAFF, &[person("1001", "医師 一郎", "")])
        .await
        .unwrap();
    let doctor = tx
        .create_account(facility, &account("d1001", "1001"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    first.facility_findings(facility, today()).await.unwrap();
    assert_eq!(first.facts_reads(), counts(1, 0));
    first.close().await;

    // Changes after the snapshot, made by a store that did not keep the facts.
    let other = db.store(Arc::new(SystemClock)).await;
    let stored = other.account(facility, doctor).await.unwrap();
    let mut suspended = stored.account.clone();
    suspended.status = AccountStatus::Suspended;
    let pc = other.device_facts(facility).await.unwrap()[5].id;
    let stored_device = other.device(facility, pc).await.unwrap();
    let mut tx = other.write(&writer).await.unwrap();
    tx.update_account(facility, &stored, &suspended)
        .await
        .unwrap();
    tx.update_device(&stored_device, &device("PC-0005", "Windows 7", ""))
        .await
        .unwrap();
    tx.import_records(
        facility,
        &STAFF,
        &[person("1001", "医師 一郎", "2026-10-31")],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    other.close().await;

    let second = db.store(Arc::new(SystemClock)).await;
    second.facility_findings(facility, today()).await.unwrap();
    assert_eq!(
        second.facts_reads(),
        counts(0, 1),
        "started from the snapshot"
    );
    assert_same_as_full_read(&db, &second, facility, "a start from the snapshot").await;

    db.execute("UPDATE facts_snapshots SET format = 'another'")
        .await;
    let third = db.store(Arc::new(SystemClock)).await;
    third.facility_findings(facility, today()).await.unwrap();
    assert_eq!(third.facts_reads(), counts(1, 0));

    // The full read wrote a snapshot of this format again; a damaged one is read past too.
    db.execute(match backend {
        Backend::Sqlite => "UPDATE facts_snapshots SET data = X'0102'",
        Backend::Postgres => "UPDATE facts_snapshots SET data = '\\x0102'::bytea",
    })
    .await;
    let fourth = db.store(Arc::new(SystemClock)).await;
    fourth.facility_findings(facility, today()).await.unwrap();
    assert_eq!(fourth.facts_reads(), counts(1, 0));
    assert_same_as_full_read(&db, &fourth, facility, "a damaged snapshot").await;
}
