//! Store integration tests, each run on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use mimamori_domain::audit::ChainBreak;
use mimamori_domain::clock::SystemClock;
use mimamori_domain::governance::AppointmentInput;
use mimamori_store::audit::{AuditFilter, Verification};
use mimamori_store::{Actor, AuditRecord, Store, StoreError};
use mimamori_testkit::{backend_tests, Backend, TestDb};

backend_tests!(
    facilities_round_trip_with_audit,
    duplicate_codes_are_conflicts,
    failed_write_leaves_nothing,
    audit_verify_catches_edits,
    audit_verify_catches_deleted_rows,
    audit_verify_catches_deleted_tail,
    audit_verify_catches_inserted_rows,
    concurrent_writers_keep_the_chain,
    appointments_belong_to_their_facility,
    reconnect_applies_no_migration_twice,
);

async fn setup(backend: Backend) -> (TestDb, Store) {
    let db = TestDb::new(backend).await;
    let store = db.store(Arc::new(SystemClock)).await;
    (db, store)
}

fn profile(code: &str) -> mimamori_domain::facility::FacilityProfile {
    mimamori_testkit::TestApp::facility_profile_for_tests(code)
}

async fn seed(store: &Store, n: usize) -> i64 {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    tx.commit().await.unwrap();
    for i in 0..n {
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        tx.create_facility(organisation.id, &profile(&format!("C{i}")))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    organisation.id
}

async fn facilities_round_trip_with_audit(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let organisation = seed(&store, 1).await;
    let before = store.facility_by_code("C0").await.unwrap();
    assert_eq!(before.organisation_id, organisation);
    assert_eq!(before.profile.name, "施設C0");
    let mut changed = before.profile.clone();
    changed.name = "改名後".into();
    let mut tx = store.write(&Actor::user(7, "a@example.jp")).await.unwrap();
    tx.update_facility(&before, &changed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.facility_by_code("C0").await.unwrap().profile.name,
        "改名後"
    );
    let entries = store
        .audit_entries(&AuditFilter {
            facility_id: Some(before.id),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries[0].action, "update");
    assert_eq!(entries[0].actor, "a@example.jp");
    assert!(entries[0].before.as_deref().unwrap().contains("施設C0"));
    assert!(entries[0].after.as_deref().unwrap().contains("改名後"));
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verification::Intact { entries: 3 }
    );
}

async fn duplicate_codes_are_conflicts(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let organisation = seed(&store, 1).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let error = tx
        .create_facility(organisation, &profile("C0"))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict), "{error:?}");
}

async fn failed_write_leaves_nothing(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let organisation = seed(&store, 1).await;
    {
        // A transaction that wrote a facility and its audit entry, then failed, must leave neither.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        tx.create_facility(organisation, &profile("NEW"))
            .await
            .unwrap();
        assert!(tx
            .create_facility(organisation, &profile("C0"))
            .await
            .is_err());
        drop(tx);
    }
    assert!(matches!(
        store.facility_by_code("NEW").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verification::Intact { entries: 2 }
    );
}

async fn audit_verify_catches_edits(backend: Backend) {
    let (db, store) = setup(backend).await;
    seed(&store, 3).await;
    db.execute("UPDATE audit_log SET after_json = '{\"name\":\"偽\"}' WHERE seq = 2")
        .await;
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verification::Broken(ChainBreak::HashMismatch { seq: 2 })
    );
}

async fn audit_verify_catches_deleted_rows(backend: Backend) {
    let (db, store) = setup(backend).await;
    seed(&store, 3).await;
    db.execute("DELETE FROM audit_log WHERE seq = 2").await;
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verification::Broken(ChainBreak::Gap {
            expected: 2,
            found: 3
        })
    );
}

async fn audit_verify_catches_deleted_tail(backend: Backend) {
    let (db, store) = setup(backend).await;
    seed(&store, 3).await;
    db.execute("DELETE FROM audit_log WHERE seq = 4").await;
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verification::Broken(ChainBreak::HeadMismatch { .. })
    ));
}

async fn audit_verify_catches_inserted_rows(backend: Backend) {
    let (db, store) = setup(backend).await;
    seed(&store, 2).await;
    // Shift the newest entry up and slip a forged one in with a self-consistent hash.
    db.execute("UPDATE audit_log SET seq = 10 WHERE seq = 3")
        .await;
    let forged = mimamori_domain::audit::ChainInput {
        seq: 3,
        at: "2026-01-01T00:00:00.000000Z",
        actor_id: None,
        actor: "forger",
        facility_id: None,
        action: "delete",
        entity: "facility",
        entity_id: Some("1"),
        before: None,
        after: None,
        prev_hash: "0000000000000000000000000000000000000000000000000000000000000000",
    };
    let hash = forged.hash();
    db.execute(&format!(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, prev_hash, hash) VALUES (3, '{}', 'forger', 'delete', 'facility', '1', '{}', '{hash}')",
        forged.at, forged.prev_hash
    ))
    .await;
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verification::Broken(ChainBreak::LinkMismatch { seq: 3 })
    );
}

async fn concurrent_writers_keep_the_chain(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let organisation = seed(&store, 0).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store
                .write(&Actor::system(format!("writer{i}")))
                .await
                .unwrap();
            tx.create_facility(organisation, &profile(&format!("P{i}")))
                .await
                .unwrap();
            tx.audit(AuditRecord::new("export", "facility").id(i))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        store.facilities(Some(organisation)).await.unwrap().len(),
        16
    );
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verification::Intact { entries: 33 }
    );
}

async fn appointments_belong_to_their_facility(backend: Backend) {
    let (_db, store) = setup(backend).await;
    seed(&store, 2).await;
    let first = store.facility_by_code("C0").await.unwrap();
    let second = store.facility_by_code("C1").await.unwrap();
    let appointment = AppointmentInput {
        role: "security_officer".into(),
        person_name: "山田 花子".into(),
        tenure: "専任".into(),
        from_on: "R7.4.1".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let id = tx.create_appointment(first.id, &appointment).await.unwrap();
    tx.commit().await.unwrap();
    let stored = store.appointment(first.id, id).await.unwrap();
    assert_eq!(stored.appointment, appointment);
    assert!(matches!(
        store.appointment(second.id, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.appointments(second.id).await.unwrap().is_empty());
}

async fn reconnect_applies_no_migration_twice(backend: Backend) {
    let (db, store) = setup(backend).await;
    seed(&store, 1).await;
    store.close().await;
    let again = db.store(Arc::new(SystemClock)).await;
    assert_eq!(again.facilities(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn sqlite_backup_is_a_complete_database() {
    let (db, store) = setup(Backend::Sqlite).await;
    seed(&store, 2).await;
    let out = db.dir.path().join("copy.db");
    let bytes = store.backup_to(&out).await.unwrap();
    assert!(bytes > 0);
    let copy = Store::connect(
        &format!("sqlite://{}", out.display()),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    assert_eq!(copy.facilities(None).await.unwrap().len(), 2);
    assert_eq!(
        copy.verify_audit().await.unwrap(),
        Verification::Intact { entries: 3 }
    );
    // An existing file is never overwritten.
    assert!(store.backup_to(&out).await.is_err());
}
