//! Device ledger persistence on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use mimamori_domain::clock::SystemClock;
use mimamori_domain::ledger::device::{
    Device, DeviceFilter, DeviceInput, DeviceKind, DeviceSort, DeviceStatus, InterfaceInput,
    SoftwareInput,
};
use mimamori_domain::ledger::register::Record;
use mimamori_domain::ledger::registers::SYSTEMS;
use mimamori_store::audit::Verification;
use mimamori_store::{Actor, Store, StoreError};
use mimamori_testkit::{backend_tests, Backend, TestApp, TestDb};

backend_tests!(
    devices_round_trip_with_details,
    search_filter_sort_and_page,
    search_index_follows_writes,
    search_index_follows_a_bulk_write,
    import_counts_and_is_idempotent,
    facilities_do_not_see_each_other,
    batches_keep_the_order_and_stop_when_asked,
    details_and_rule_facts_read_exactly_as_stored,
    register_pages_count_every_match
);

fn device(no: &str, location: &str, os: &str, host: &str) -> Device {
    DeviceInput {
        management_no: no.into(),
        os_name: os.into(),
        location: location.into(),
        software: vec![SoftwareInput {
            name: "電子カルテ".into(),
            version: "2.0".into(),
            vendor: "A社".into(),
        }],
        interfaces: vec![
            InterfaceInput {
                ip: "192.168.1.10".into(),
                hostname: host.into(),
                ..Default::default()
            },
            InterfaceInput {
                ip: "10.0.0.10".into(),
                segment: "医療機器系".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
    .validate()
    .unwrap()
    .device
}

async fn setup(backend: Backend) -> (TestDb, Store, i64, i64) {
    let db = TestDb::new(backend).await;
    let store = db.store(Arc::new(SystemClock)).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let a = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("A"))
        .await
        .unwrap();
    let b = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("B"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (db, store, a.id, b.id)
}

async fn devices_round_trip_with_details(backend: Backend) {
    let (_db, store, facility, _) = setup(backend).await;
    let original = device("001", "Room1", "Win11", "Room1のPC1");
    let mut tx = store
        .write(&Actor::user(1, "clerk@example.jp"))
        .await
        .unwrap();
    let id = tx.create_device(facility, &original).await.unwrap();
    tx.commit().await.unwrap();
    let stored = store.device(facility, id).await.unwrap();
    assert_eq!(stored.device, original);
    assert_eq!(stored.updated_by, "clerk@example.jp");
    let mut changed = original.clone();
    changed
        .software
        .push(mimamori_domain::ledger::device::Software {
            name: "Office".into(),
            version: None,
            vendor: None,
        });
    changed.status = DeviceStatus::Stopped;
    let mut tx = store
        .write(&Actor::user(2, "officer@example.jp"))
        .await
        .unwrap();
    tx.update_device(&stored, &changed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.device(facility, id).await.unwrap().device, changed);
    let history = store
        .audit_history("device", &id.to_string())
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["create", "update"]
    );
    let status = store.device_ledger_status(facility).await.unwrap();
    assert_eq!(
        status.last_updated_by.as_deref(),
        Some("officer@example.jp")
    );
    assert!(status.last_confirmed_at.is_none());
    let mut tx = store
        .write(&Actor::user(2, "officer@example.jp"))
        .await
        .unwrap();
    tx.confirm_ledger(facility, "devices", Some("年次確認"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store
            .device_ledger_status(facility)
            .await
            .unwrap()
            .last_confirmed_by
            .as_deref(),
        Some("officer@example.jp")
    );
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verification::Intact { .. }
    ));
}

async fn search_filter_sort_and_page(backend: Backend) {
    let (_db, store, facility, _) = setup(backend).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    for i in 0..30 {
        let location = if i % 3 == 0 { "放射線科" } else { "外来" };
        let os = if i % 2 == 0 {
            "Win11"
        } else {
            "Windows Server 2019"
        };
        tx.create_device(
            facility,
            &device(&format!("PC-{i:03}"), location, os, &format!("HOST{i}")),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let page = |filter: DeviceFilter| {
        let store = store.clone();
        async move { store.devices(facility, &filter).await.unwrap() }
    };
    let full_width = page(DeviceFilter {
        q: Some("ｈｏｓｔ１２".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(full_width.total, 1);
    assert_eq!(full_width.devices[0].device.management_no, "PC-012");
    assert_eq!(
        page(DeviceFilter {
            q: Some("医療機器系".into()),
            ..Default::default()
        })
        .await
        .total,
        30,
        "interface text is searched"
    );
    assert_eq!(
        page(DeviceFilter {
            q: Some("100%".into()),
            ..Default::default()
        })
        .await
        .total,
        0,
        "wildcards are literal"
    );
    let radiology = page(DeviceFilter {
        location: Some("放射線科".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(radiology.total, 10);
    let servers = page(DeviceFilter {
        kind: Some(DeviceKind::Server),
        ..Default::default()
    })
    .await;
    assert_eq!(servers.total, 15);
    let second = page(DeviceFilter {
        per_page: 7,
        page: 2,
        sort: DeviceSort::ManagementNo,
        descending: true,
        ..Default::default()
    })
    .await;
    assert_eq!(second.total, 30);
    assert_eq!(second.devices.len(), 7);
    assert_eq!(second.devices[0].device.management_no, "PC-022");
    assert_eq!(second.devices[0].device.interfaces.len(), 2);
    let past_the_end = page(DeviceFilter {
        per_page: 7,
        page: 9,
        ..Default::default()
    })
    .await;
    assert!(past_the_end.devices.is_empty());
    assert_eq!(past_the_end.total, 30, "counted without a row to carry it");
    let facets = store.device_facets(facility).await.unwrap();
    assert_eq!(facets.locations, ["外来", "放射線科"]);
    let all = store
        .all_devices(
            facility,
            &DeviceFilter {
                location: Some("外来".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 20);
}

async fn import_counts_and_is_idempotent(backend: Backend) {
    let (_db, store, facility, _) = setup(backend).await;
    let devices: Vec<Device> = (0..5)
        .map(|i| device(&format!("{i}"), "外来", "Win11", &format!("h{i}")))
        .collect();
    let mut tx = store.write(&Actor::system("import")).await.unwrap();
    let counts = tx.import_devices(facility, &devices).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (counts.created, counts.updated, counts.unchanged),
        (5, 0, 0)
    );
    let mut changed = devices.clone();
    changed[2].location = Some("病棟".into());
    changed.push(device("new", "病棟", "Win10", "n"));
    // A preview only reads: it answers while another writer holds the write lock, and writes
    // nothing.
    let writer = store.write(&Actor::system("other")).await.unwrap();
    let preview = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        store.preview_device_import(facility, &changed, None),
    )
    .await
    .expect("a preview waits for no writer")
    .unwrap();
    drop(writer);
    assert_eq!(
        (preview.created, preview.updated, preview.unchanged),
        (1, 1, 4)
    );
    let mut tx = store.write(&Actor::system("import")).await.unwrap();
    let counts = tx.import_devices(facility, &changed).await.unwrap();
    drop(tx);
    assert_eq!(counts, preview, "the import does what its preview said");
    assert_eq!(
        store
            .devices(facility, &DeviceFilter::default())
            .await
            .unwrap()
            .total,
        5
    );
    let mut tx = store.write(&Actor::system("import")).await.unwrap();
    tx.import_devices(facility, &changed).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write(&Actor::system("import")).await.unwrap();
    let again = tx.import_devices(facility, &changed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 6));
}

async fn facilities_do_not_see_each_other(backend: Backend) {
    let (_db, store, a, b) = setup(backend).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let id = tx
        .create_device(a, &device("X", "外来", "Win11", "x"))
        .await
        .unwrap();
    tx.create_device(b, &device("X", "外来", "Win11", "x"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(
        store.device(b, id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .devices(b, &DeviceFilter::default())
            .await
            .unwrap()
            .total,
        1
    );
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    assert!(matches!(
        tx.create_device(a, &device("X", "", "", "")).await,
        Err(StoreError::Conflict)
    ));
}

/// How many of the facility's devices the list's search box finds for `q`.
async fn search_total(store: &Store, facility: i64, q: &str) -> i64 {
    let filter = DeviceFilter {
        q: Some(q.into()),
        ..Default::default()
    };
    store.devices(facility, &filter).await.unwrap().total
}

/// The trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL) answers as a scan would, and
/// follows creates in bulk, updates and deletes; short terms and LIKE wildcards still work.
async fn search_index_follows_writes(backend: Backend) {
    let (_db, store, facility, other) = setup(backend).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let devices: Vec<Device> = (0..40)
        .map(|i| device(&format!("PC-{i:03}"), "外来", "Win11", &format!("host_{i}")))
        .collect();
    tx.create_devices(facility, &devices).await.unwrap();
    tx.create_device(other, &device("PC-001", "外来", "Win11", "elsewhere"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let total = |q: &'static str| search_total(&store, facility, q);
    assert_eq!(total("pc-00").await, 10);
    assert_eq!(total("ＰＣ－０１").await, 10, "full width, upper case");
    assert_eq!(
        total("host_1").await,
        11,
        "underscore is literal: host_1, host_10…19"
    );
    assert_eq!(total("st_").await, 40);
    assert_eq!(total("7").await, 4, "a one-character search scans");
    assert_eq!(total("elsewhere").await, 0, "another facility's device");
    assert_eq!(total("%").await, 0);

    // The list's context is cached per facility until its next audited write: a new device
    // and a new information system show at once.
    let context = store.device_list_context(facility).await.unwrap();
    assert_eq!(
        (
            context.ledger.count,
            context.facets.locations.clone(),
            context.systems.len()
        ),
        (40, vec!["外来".to_string()], 0)
    );
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.create_device(facility, &device("PC-900", "病棟", "Win11", "ward"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let context = store.device_list_context(facility).await.unwrap();
    assert_eq!(context.ledger.count, 41);
    assert_eq!(context.facets.locations, ["外来", "病棟"]);
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let system = Record {
        values: [("name".to_string(), "電子カルテ".to_string())].into(),
    };
    tx.create_record(facility, &SYSTEMS, &system).await.unwrap();
    tx.commit().await.unwrap();
    let context = store.device_list_context(facility).await.unwrap();
    assert_eq!(context.systems, ["電子カルテ"]);

    // Updated and deleted devices leave the index with their old text.
    let stored = store
        .devices(
            facility,
            &DeviceFilter {
                q: Some("pc-039".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .devices
        .remove(0);
    let mut changed = stored.device.clone();
    changed.location = Some("救急外来ER".into());
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.update_device(&stored, &changed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(total("救急外来er").await, 1);
    assert_eq!(total("pc-039").await, 1);
    sqlx::query("DELETE FROM devices WHERE facility_id = $1 AND management_no = 'PC-000'")
        .bind(facility)
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(total("pc-00").await, 9);

    // The index holds no positions: a device with every trigram of the search ("abc", "bcd"),
    // but apart, is no match.
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.create_device(facility, &device("PC-950", "bcdy", "Win11", "abcx"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(total("abcd").await, 0, "trigrams apart do not match");
    assert_eq!((total("abcx").await, total("bcdy").await), (1, 1));
}

/// A bulk write of more devices than one statement holds (on SQLite indexed once, after its rows:
/// migration 0011) leaves every device searchable, and devices written after it are indexed as
/// they are written.
async fn search_index_follows_a_bulk_write(backend: Backend) {
    let (_db, store, facility, _) = setup(backend).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let devices: Vec<Device> = (0..2_345)
        .map(|i| device(&format!("BULK-{i:04}"), "倉庫", "Win11", &format!("h{i}")))
        .collect();
    tx.create_devices(facility, &devices).await.unwrap();
    tx.commit().await.unwrap();
    let total = |q: &'static str| search_total(&store, facility, q);
    assert_eq!(total("bulk-").await, 2_345);
    assert_eq!(total("bulk-0").await, 1_000);
    assert_eq!(total("bulk-23").await, 45, "the last chunk's devices");
    assert_eq!(total("bulk-2344").await, 1);

    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.create_device(facility, &device("PC-1", "病棟", "Win11", "after-bulk"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        total("after-bulk").await,
        1,
        "the insert trigger works again"
    );
    if backend == Backend::Sqlite {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM devices_search_deferred")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(sqlx::Row::get::<i64, _>(&row, "n"), 0, "the deferral ended");
    }
}

/// An export reads the ledger in batches: every device once, in the list's order, with its
/// details, in batches of at most 500; returning false stops the reading.
async fn batches_keep_the_order_and_stop_when_asked(backend: Backend) {
    let (_db, store, facility, other) = setup(backend).await;
    let devices: Vec<Device> = (0..1_203)
        .map(|i| {
            let location = ["WARD-A", "WARD-B", "WARD-C"][i % 3];
            device(&format!("PC-{i:04}"), location, "Win11", &format!("h{i}"))
        })
        .collect();
    let mut tx = store.write(&Actor::system("import")).await.unwrap();
    tx.import_devices(facility, &devices).await.unwrap();
    tx.import_devices(other, &devices[..10]).await.unwrap();
    tx.commit().await.unwrap();
    let filter = DeviceFilter {
        sort: DeviceSort::Location,
        descending: true,
        ..Default::default()
    };
    let mut sizes = Vec::new();
    let mut seen = Vec::new();
    let handed = store
        .devices_in_batches(facility, &filter, |batch| {
            sizes.push(batch.len());
            for stored in &batch {
                assert_eq!(
                    stored.device.interfaces.len(),
                    2,
                    "details come with the batch"
                );
                seen.push(stored.device.management_no.clone());
            }
            std::future::ready(true)
        })
        .await
        .unwrap();
    assert_eq!(handed, 1_203);
    assert_eq!(sizes, [500, 500, 203]);
    let mut expected: Vec<(String, String)> = devices
        .iter()
        .map(|d| (d.location.clone().unwrap(), d.management_no.clone()))
        .collect();
    expected.sort();
    expected.reverse();
    let expected: Vec<String> = expected.into_iter().map(|(_, no)| no).collect();
    assert_eq!(
        seen, expected,
        "location descending, then 管理番号 descending"
    );
    let mut batches = 0;
    let handed = store
        .devices_in_batches(facility, &filter, |_| {
            batches += 1;
            std::future::ready(false)
        })
        .await
        .unwrap();
    assert_eq!((batches, handed), (1, 500));
}

/// Details and the rules' device facts are read as one JSON text per query (`json_rows`):
/// text JSON must escape comes back as written, a device's missing versions are counted and its
/// segments listed once each, in order.
async fn details_and_rule_facts_read_exactly_as_stored(backend: Backend) {
    let (_db, store, facility, other) = setup(backend).await;
    let mut awkward = device("002", "Room\"2\\", "Win11", "改行\nと\tタブ 🏥 ＰＣ");
    for name in ["版なし", "版なし2"] {
        awkward
            .software
            .push(mimamori_domain::ledger::device::Software {
                name: name.into(),
                version: None,
                vendor: Some("q\"uote\\back".into()),
            });
    }
    awkward.interfaces[0].segment = Some("医療機器系".into());
    awkward.interfaces[1].mac = Some("00:11:22:33:44:55".into());
    let plain = device("001", "Room1", "Win11", "pc1");
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let id = tx.create_device(facility, &awkward).await.unwrap();
    tx.create_device(facility, &plain).await.unwrap();
    tx.create_device(other, &awkward).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.device(facility, id).await.unwrap().device, awkward);
    let facts = store.device_facts(facility).await.unwrap();
    let numbers: Vec<&str> = facts.iter().map(|d| d.management_no.as_str()).collect();
    assert_eq!(numbers, ["001", "002"], "this facility's devices, in order");
    assert_eq!(facts[1].id, id);
    assert_eq!(facts[1].software_without_version, 2);
    assert_eq!(
        facts[1].segments,
        ["医療機器系"],
        "a segment is listed once"
    );
    assert_eq!(facts[0].software_without_version, 0);
    assert_eq!(facts[0].segments, ["医療機器系"]);
}

/// A page's total is every match, whether it comes from the rows of a first page that is not full
/// or from a count (full pages, later pages, past the end).
async fn register_pages_count_every_match(backend: Backend) {
    let (_db, store, facility, _) = setup(backend).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    for name in [
        "電子カルテ",
        "医事会計",
        "PACS",
        "検査システム",
        "部門システム",
    ] {
        let record = Record {
            values: [("name".to_string(), name.to_string())].into(),
        };
        tx.create_record(facility, &SYSTEMS, &record).await.unwrap();
    }
    tx.commit().await.unwrap();
    let page = |q: Option<&str>, page: i64, per_page: i64| {
        let filter = mimamori_store::ledger::registers::RecordFilter {
            q: q.map(str::to_string),
            page,
            per_page,
            ..Default::default()
        };
        let store = store.clone();
        async move {
            let found = store.records(facility, &SYSTEMS, &filter).await.unwrap();
            (found.records.len(), found.total)
        }
    };
    assert_eq!(page(None, 1, 50).await, (5, 5));
    assert_eq!(page(None, 1, 5).await, (5, 5));
    assert_eq!(page(None, 1, 2).await, (2, 5));
    assert_eq!(page(None, 3, 2).await, (1, 5));
    assert_eq!(page(None, 4, 2).await, (0, 5));
    assert_eq!(page(Some("システム"), 1, 50).await, (2, 2));
    assert_eq!(page(Some("システム"), 1, 1).await, (1, 2));
    assert_eq!(page(Some("該当なし"), 1, 50).await, (0, 0));
    assert_eq!(
        store.all_records(facility, &SYSTEMS).await.unwrap().len(),
        5
    );
}
