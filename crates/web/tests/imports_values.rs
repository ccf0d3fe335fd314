//! Value mapping on both backends (issue 21): a file's own words for choices, mapped once on the
//! mapping screen or through the API's `mapping`, read as the ledger's words, and remembered with
//! the file's columns.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod imports_support;

use imports_support::*;
use mimamori_domain::ledger::device::DeviceStatus;
use mimamori_testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    the_screen_maps_a_ledgers_own_status_words_and_remembers_them,
    an_account_export_with_its_own_status_words_is_mapped_through_the_api,
    the_account_screen_maps_a_systems_own_status_words,
);

/// A clinic's ledger writing 現役 / 倉庫保管 for its PCs' state: the preview fails those rows and
/// lists the two words on the mapping screen; mapped there, the preview reads them, the save
/// writes them as 稼働 / 予備, and the next file of the same columns reads them by itself.
async fn the_screen_maps_a_ledgers_own_status_words_and_remembers_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let file =
        "管理番号,ホスト名,稼働状況\nPC-1,UKE-01,現役\nPC-2,UKE-02,倉庫保管\nPC-3,UKE-03,稼働\n";
    let page = upload_page(&client, "pcs.csv", file.as_bytes().to_vec()).await;
    assert!(
        page.contains("id=\"value-mapping\""),
        "the words are offered"
    );
    assert!(
        page.contains("<details id=\"column-mapping\" open>"),
        "rows failed on the words: the screen opens by itself"
    );
    for word in ["現役", "倉庫保管"] {
        assert!(page.contains(&format!("<td>{word}</td>")), "{word} listed");
    }
    assert!(
        !page.contains("<td>稼働</td>"),
        "a word the ledger reads needs no mapping"
    );
    let action = page
        .split("action=\"/facilities/F1/devices/import/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let url = format!("/facilities/F1/devices/import/{action}");
    // What the screen sends: every select, and the two words with their meaning.
    let chosen = [
        ("map_management_no", "管理番号"),
        ("map_hostname", "ホスト名"),
        ("map_status", "稼働状況"),
        ("word_status_1", "現役"),
        ("to_status_1", "稼働"),
        ("word_status_2", "倉庫保管"),
        ("to_status_2", "予備"),
    ];
    let mut preview_form = vec![("action", "preview")];
    preview_form.extend(chosen);
    let preview = client
        .post_form(&url, &preview_form)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        preview.contains("新規 <strong>3</strong>"),
        "{}",
        &preview[..preview.len().min(3000)]
    );
    assert!(!preview.contains("invalid_status"), "the words are read");
    // The save form carries the mapping on as hidden fields.
    assert!(preview.contains("name=\"to_status_"), "hidden words kept");
    let saved = client.post_form(&url, &chosen).await;
    assert_eq!(saved.status(), 303, "saved: back to the list");
    let devices = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    let status = |no: &str| {
        devices
            .devices
            .iter()
            .find(|d| d.device.management_no == no)
            .map(|d| d.device.status)
    };
    assert_eq!(status("PC-1"), Some(DeviceStatus::Active));
    assert_eq!(status("PC-2"), Some(DeviceStatus::Spare));
    // Remembered: the next export of the same columns needs nothing.
    let next = "管理番号,ホスト名,稼働状況\nPC-1,UKE-01,倉庫保管\nPC-4,UKE-04,ＧＥＮＥＫＩ\n";
    let (code, report) = post(&client, DEVICES, next.as_bytes().to_vec()).await;
    assert_eq!(code, 422, "{report}");
    assert_eq!(report["updated"].as_u64(), Some(1), "{report}");
    assert_eq!(
        report["errors"].as_u64(),
        Some(1),
        "a word not mapped stays an error: {report}"
    );
    assert_eq!(report["values"]["status"]["現役"], "稼働", "{report}");
}

/// A lab system's user export writing ACTV / SUSP / DELE: mapped through the API's `mapping`,
/// the accounts are in use, suspended and deleted as the words say.
async fn an_account_export_with_its_own_status_words_is_mapped_through_the_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    seed_system(&client).await;
    let file =
        "ユーザID,ユーザ名,状態\nlab01,検査 一,ACTV\nlab02,検査 二,SUSP\nlab03,検査 三,ACTV\n";
    let (status, report) = post(&client, ACCOUNTS, file.as_bytes().to_vec()).await;
    assert_eq!(status, 422, "the words are not the ledger's: {report}");
    let mapping = urlencoding::encode(
        r#"{"login_id": "ユーザID", "display_name": "ユーザ名", "status": "状態",
            "values": {"status": {"ACTV": "有効", "SUSP": "停止"}}}"#,
    );
    let (status, report) = post(
        &client,
        &format!("{ACCOUNTS}&mapping={mapping}"),
        file.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (status, report["errors"].as_u64()),
        (200, Some(0)),
        "{report}"
    );
    let accounts = app.store.all_accounts(app.facility.id, None).await.unwrap();
    let by = |login: &str| accounts.iter().find(|a| a.login_id == login).unwrap();
    assert!(by("lab01").is_active());
    assert!(!by("lab02").is_active(), "SUSP → 停止");
}

/// The account import screen lists a system's own words under its status column; mapped there,
/// the import reads them and the system's mapping remembers them.
async fn the_account_screen_maps_a_systems_own_status_words(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let system = seed_system(&client).await;
    let base = format!("/facilities/F1/accounts/systems/{system}/import");
    let file = "ユーザID,ユーザ名,状態\nlab01,検査 一,ACTV\nlab02,検査 二,SUSP\n";
    let page = upload_to(&client, &base, "users.csv", file.as_bytes().to_vec()).await;
    assert!(
        page.contains("id=\"value-mapping\""),
        "{}",
        &page[..page.len().min(4000)]
    );
    assert!(page.contains("<td>ACTV</td>") && page.contains("<td>SUSP</td>"));
    let action = page
        .split(&format!("action=\"{base}/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let saved = client
        .post_form(
            &format!("{base}/{action}"),
            &[
                ("action", "confirm"),
                ("map_login_id", "ユーザID"),
                ("map_display_name", "ユーザ名"),
                ("map_status", "状態"),
                ("word_status_1", "ACTV"),
                ("to_status_1", "有効"),
                ("word_status_2", "SUSP"),
                ("to_status_2", "停止"),
            ],
        )
        .await;
    assert_eq!(
        saved.status(),
        303,
        "{}",
        saved.text().await.unwrap_or_default()
    );
    let accounts = app.store.all_accounts(app.facility.id, None).await.unwrap();
    let by = |login: &str| accounts.iter().find(|a| a.login_id == login).unwrap();
    assert!(by("lab01").is_active());
    assert!(!by("lab02").is_active());
    let remembered = app
        .store
        .column_mapping(app.facility.id, "電子カルテ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(remembered.1.get("status", "susp"), Some("停止"));
}
