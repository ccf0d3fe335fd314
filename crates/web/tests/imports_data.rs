//! Imports on both backends never lose data (issue 21): a column the file lacks keeps its values,
//! a header-only user list deletes nothing, a file that takes many records out of use asks first, and
//! a whole import is undone the same day unless its records changed since.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod imports_support;

use imports_support::*;
use mimamori_domain::access::Role;
use mimamori_testkit::{backend_tests, Backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

backend_tests!(
    an_account_file_never_loses_what_it_does_not_say,
    a_device_reimport_without_a_column_keeps_its_values,
    a_device_file_that_disposes_of_many_asks_first,
    an_import_is_undone_whole_the_same_day_unless_its_records_changed_since,
);

async fn an_account_file_never_loses_what_it_does_not_say(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    seed_system(&client).await;
    let mut full = String::from("利用者ID,氏名,作成日,最終ログイン日\n");
    for i in 1..=10 {
        full.push_str(&format!(
            "u{i:03},利用者 {i},2024-04-{i:02},2026-11-{i:02}\n"
        ));
    }
    let (status, report) = post(&client, ACCOUNTS, full.into_bytes()).await;
    assert_eq!(
        (status, report["created"].as_array().unwrap().len()),
        (200, 10),
        "{report}"
    );
    // Only the header: refused, nothing deleted.
    let (status, report) = post(
        &client,
        ACCOUNTS,
        "利用者ID,氏名,作成日\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!((status, first_problem(&report).0), (422, "no_data_rows"));
    let (status, _) = post(
        &client,
        &format!("{ACCOUNTS}&skip_invalid=true"),
        "利用者ID,氏名\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 422);
    let accounts = app.store.all_accounts(app.facility.id, None).await.unwrap();
    assert!(
        accounts.iter().all(|a| a.is_active()),
        "no account was deleted"
    );
    // Without the 作成日 column: 作成日 is kept, only the sign-ins change.
    let mut later = String::from("利用者ID,氏名,最終ログイン日\n");
    for i in 1..=10 {
        later.push_str(&format!("u{i:03},利用者 {i},2026-11-{:02}\n", i + 10));
    }
    let (status, report) = post(&client, ACCOUNTS, later.into_bytes()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["changed"].as_array().unwrap().len(), 0, "{report}");
    let accounts = app.store.all_accounts(app.facility.id, None).await.unwrap();
    assert!(
        accounts.iter().all(|a| a.created_on.is_some()),
        "作成日 kept"
    );
    let changed_fields: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["fields"].as_array().unwrap())
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        !changed_fields.is_empty() && changed_fields.iter().all(|f| *f == "last_sign_in_on"),
        "{changed_fields:?}"
    );
    // A file of 3 of the 10 users would delete 7: it asks first.
    let few = "利用者ID,氏名\nu001,利用者 1\nu002,利用者 2\nu003,利用者 3\n";
    let (status, report) = post(&client, ACCOUNTS, few.as_bytes().to_vec()).await;
    assert_eq!(
        (status, report["needs_confirmation"].as_bool()),
        (422, Some(true))
    );
    assert_eq!(first_problem(&report).0, "mass_removal");
    let (_, preview) = post(
        &client,
        &format!("{ACCOUNTS}&dry_run=true"),
        few.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(preview["disabled"].as_array().unwrap().len(), 7);
    let accounts = app.store.all_accounts(app.facility.id, None).await.unwrap();
    assert_eq!(accounts.iter().filter(|a| a.is_active()).count(), 10);
    let (status, report) = post(
        &client,
        &format!("{ACCOUNTS}&allow_mass_removal=true"),
        few.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (status, report["written"].as_bool()),
        (200, Some(true)),
        "{report}"
    );
    let accounts = app.store.all_accounts(app.facility.id, None).await.unwrap();
    assert_eq!(accounts.iter().filter(|a| a.is_active()).count(), 3);
}

async fn a_device_reimport_without_a_column_keeps_its_values(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let full = "管理番号,メーカー,OS,設置場所,登録日,説明\n001,NEC,Windows 11,受付,2024-04-01,受付端末\n002,富士通,Windows 10,医事課,2023-04-01,会計\n";
    let (status, _) = post(
        &client,
        "/api/v1/facilities/F1/devices/import?file_name=a.csv",
        full.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 200);
    // The location list of the same devices, without maker, OS, date or description.
    let partial = "管理番号,設置場所\n001,放射線科\n002,医事課\n";
    let (status, report) = post(
        &client,
        "/api/v1/facilities/F1/devices/import?file_name=b.csv",
        partial.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (
            status,
            report["updated"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (200, Some(1), Some(1)),
        "{report}"
    );
    // The report says what changes, and nothing else.
    assert_eq!(
        report["changes"],
        json!([{"key": "001", "fields": [{"field": "location", "title": "設置場所", "before": "受付", "after": "放射線科"}]}])
    );
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    let first = page
        .devices
        .iter()
        .find(|d| d.device.management_no == "001")
        .unwrap();
    assert_eq!(first.device.location.as_deref(), Some("放射線科"));
    assert_eq!(first.device.maker.as_deref(), Some("NEC"));
    assert_eq!(first.device.os_name.as_deref(), Some("Windows 11"));
    assert_eq!(first.device.description.as_deref(), Some("受付端末"));
    assert!(first.device.registered_on.is_some());
    // A present, empty cell clears.
    let cleared = "管理番号,説明\n001,\n";
    post(
        &client,
        "/api/v1/facilities/F1/devices/import?file_name=c.csv",
        cleared.as_bytes().to_vec(),
    )
    .await;
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    let first = page
        .devices
        .iter()
        .find(|d| d.device.management_no == "001")
        .unwrap();
    assert_eq!(first.device.description, None);
    assert_eq!(first.device.maker.as_deref(), Some("NEC"));
}

async fn a_device_file_that_disposes_of_many_asks_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let file = |disposed: usize| {
        let mut text = String::from("管理番号,状態\n");
        for i in 0..10 {
            text.push_str(&format!(
                "PC-{i:02},{}\n",
                if i < disposed { "廃棄" } else { "稼働" }
            ));
        }
        text.into_bytes()
    };
    let (status, _) = post(
        &client,
        "/api/v1/facilities/F1/devices/import?file_name=a.csv",
        file(0),
    )
    .await;
    assert_eq!(status, 200);
    // One device disposed of is ordinary; five of ten asks first.
    let (status, report) = post(
        &client,
        "/api/v1/facilities/F1/devices/import?file_name=b.csv",
        file(1),
    )
    .await;
    assert_eq!(
        (status, report["needs_confirmation"].as_bool()),
        (200, Some(false))
    );
    let (status, report) = post(
        &client,
        "/api/v1/facilities/F1/devices/import?file_name=c.csv",
        file(5),
    )
    .await;
    assert_eq!(
        (
            status,
            report["needs_confirmation"].as_bool(),
            report["written"].as_bool()
        ),
        (422, Some(true), Some(false)),
        "{report}"
    );
    assert_eq!(first_problem(&report).0, "mass_removal");
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    let disposed = page
        .devices
        .iter()
        .filter(|d| d.device.status != mimamori_domain::ledger::device::DeviceStatus::Active)
        .count();
    assert_eq!(disposed, 1, "nothing of the refused file was written");
    // The upload page asks for the confirmation before saving.
    let preview = upload_page(&client, "c.csv", file(5)).await;
    assert!(
        preview.contains("id=\"allow-mass-removal\""),
        "the preview asks"
    );
    let (status, report) = post(
        &client,
        "/api/v1/facilities/F1/devices/import?file_name=c.csv&allow_mass_removal=true",
        file(5),
    )
    .await;
    assert_eq!((status, report["written"].as_bool()), (200, Some(true)));
}

async fn an_import_is_undone_whole_the_same_day_unless_its_records_changed_since(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("it@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    let client = app.sign_in(&user).await;
    let import = |text: &'static str| {
        let client = &client;
        async move {
            post(
                client,
                "/api/v1/facilities/F1/devices/import?file_name=x.csv",
                text.as_bytes().to_vec(),
            )
            .await
        }
    };
    let (_, first) = import("管理番号,メーカー,設置場所\n001,NEC,受付\n002,富士通,医事課\n").await;
    let (_, second) = import("管理番号,設置場所\n001,放射線科\n003,外来\n").await;
    let seq = second["import_seq"]
        .as_i64()
        .expect("a written import has its number");
    let undo = |seq: i64| {
        let client = &client;
        async move {
            let response = client
                .send_json(
                    Method::POST,
                    &format!("/api/v1/facilities/F1/imports/{seq}/undo"),
                    &json!({}),
                )
                .await;
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, report) = undo(seq).await;
    assert_eq!(
        (
            status,
            report["deleted"].as_u64(),
            report["restored"].as_u64()
        ),
        (200, Some(1), Some(1)),
        "{report}"
    );
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(page.total, 2, "003 is gone");
    let d001 = page
        .devices
        .iter()
        .find(|d| d.device.management_no == "001")
        .unwrap();
    assert_eq!(
        (
            d001.device.location.as_deref(),
            d001.device.maker.as_deref()
        ),
        (Some("受付"), Some("NEC"))
    );
    let (status, report) = undo(seq).await;
    assert_eq!(status, 409, "{report}");
    assert!(report["message_ja"].as_str().unwrap().contains("すでに"));
    // A record edited after its import: the undo would take that edit away, so it is refused.
    let (_, third) = import("管理番号,設置場所\n002,健診\n").await;
    let third_seq = third["import_seq"].as_i64().unwrap();
    let d002 = page
        .devices
        .iter()
        .find(|d| d.device.management_no == "002")
        .unwrap();
    let response = client
        .send_json(
            Method::PUT,
            &format!("/api/v1/facilities/F1/devices/{}", d002.id),
            &json!({"management_no": "002", "maker": "富士通", "location": "健診センター"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let (status, report) = undo(third_seq).await;
    assert_eq!(status, 409);
    assert!(
        report["message_ja"]
            .as_str()
            .unwrap()
            .contains("変更された記録"),
        "{report}"
    );
    // The first import, undone from the page the same day: every device it created is gone.
    let first_seq = first["import_seq"].as_i64().unwrap();
    let response = client
        .post_form(&format!("/facilities/F1/imports/{first_seq}/undo"), &[])
        .await;
    assert_eq!(
        response.status(),
        409,
        "002 was edited since the first import too"
    );
    // A register's import, undone the same day; another day, nothing can be undone.
    let vendor_file = "事業者名,電話番号\nA社,03-1111-1111\n".as_bytes().to_vec();
    let vendor_import = "/api/v1/facilities/F1/registers/vendors/import?file_name=v.csv";
    let (_, vendors) = post(&client, vendor_import, vendor_file.clone()).await;
    let (status, report) = undo(vendors["import_seq"].as_i64().unwrap()).await;
    assert_eq!(
        (status, report["deleted"].as_u64()),
        (200, Some(1)),
        "{report}"
    );
    let stored = app
        .store
        .all_records(
            app.facility.id,
            &mimamori_domain::ledger::registers::VENDORS,
        )
        .await
        .unwrap();
    assert!(stored.is_empty());
    let (_, vendors) = post(&client, vendor_import, vendor_file).await;
    let vendor_seq = vendors["import_seq"].as_i64().unwrap();
    app.clock.advance(chrono::Duration::days(1));
    let tomorrow = app.sign_in(&user).await;
    let response = tomorrow
        .send_json(
            Method::POST,
            &format!("/api/v1/facilities/F1/imports/{vendor_seq}/undo"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 409);
    let report: Value = response.json().await.unwrap();
    assert!(
        report["message_ja"].as_str().unwrap().contains("当日"),
        "{report}"
    );
}
