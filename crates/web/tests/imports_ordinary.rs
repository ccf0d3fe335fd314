//! Imports on both backends take the files offices and systems really write (issue 21): a clinic's
//! XLSX with No./機種名/ＰＣ名, a total row and 和暦 date cells, a PACS user list with its own words and
//! date-times, and an asset tool's columns mapped once (API and screen) and remembered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod imports_support;

use imports_support::*;
use mimamori_formats::test_files::{package, sheet};
use mimamori_testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    a_clinic_workbook_imports_as_its_clerk_wrote_it,
    a_pacs_user_list_imports_with_its_own_words_and_date_times,
    an_asset_tools_columns_are_mapped_once_and_remembered,
    the_mapping_screen_maps_an_unknown_file_with_its_sample_values,
);

/// A clinic's device list as its clerk keeps it in Excel: a title above the header, No. as the
/// only number, 機種名 and ＰＣ名 (full width), 購入日 as 和暦-formatted date cells, and a total row.
fn clinic_workbook() -> Vec<u8> {
    let strings = [
        "機器一覧（令和8年11月）",
        "No.",
        "機種名",
        "ＰＣ名",
        "ＯＳ",
        "設置場所",
        "購入日",
        "備考",
        "OptiPlex 7090",
        "UKETSUKE-01",
        "Windows 11 Pro 23H2",
        "受付",
        "ThinkCentre M75q",
        "SHINSATSU-01",
        "Win8",
        "診察室１",
        "合計",
        "２台",
    ];
    let sst: String = strings
        .iter()
        .map(|s| format!("<si><t>{s}</t><rPh sb=\"0\" eb=\"1\"><t>ﾌﾘｶﾞﾅ</t></rPh></si>"))
        .collect();
    let sst = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{sst}</sst>"#,
        strings.len()
    );
    let styles = r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="176" formatCode="[$-ja-JP-x-gannen]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs count="2"><xf numFmtId="0" fontId="0"/><xf numFmtId="176" fontId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
    let s = |row: usize, col: &str, index: usize| {
        format!(r#"<c r="{col}{row}" t="s"><v>{index}</v></c>"#)
    };
    let rows = [
        format!(r#"<row r="1">{}</row>"#, s(1, "A", 0)),
        format!(
            r#"<row r="3">{}{}{}{}{}{}{}</row>"#,
            s(3, "A", 1),
            s(3, "B", 2),
            s(3, "C", 3),
            s(3, "D", 4),
            s(3, "E", 5),
            s(3, "F", 6),
            s(3, "G", 7)
        ),
        format!(
            r#"<row r="4"><c r="A4"><v>1</v></c>{}{}{}{}<c r="F4" s="1"><v>44166</v></c></row>"#,
            s(4, "B", 8),
            s(4, "C", 9),
            s(4, "D", 10),
            s(4, "E", 11)
        ),
        format!(
            r#"<row r="5"><c r="A5"><v>2</v></c>{}{}{}{}<c r="F5" s="1"><v>45383</v></c></row>"#,
            s(5, "B", 12),
            s(5, "C", 13),
            s(5, "D", 14),
            s(5, "E", 15)
        ),
        format!(r#"<row r="6">{}{}</row>"#, s(6, "A", 16), s(6, "C", 17)),
    ];
    package(&sheet(&rows.concat()), Some(&sst), Some(styles))
}

async fn a_clinic_workbook_imports_as_its_clerk_wrote_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    // The import page offers the ledger's template, which reads back as the ledger's layout.
    let page = client
        .get("/facilities/F1/devices/import")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"import-template\""));
    let template = client.get("/facilities/F1/devices/import/template").await;
    assert_eq!(template.status(), 200);
    assert!(template.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let bytes = template.bytes().await.unwrap();
    let sheets = mimamori_formats::read_tables(&bytes, "t.xlsx", None).unwrap();
    assert!(sheets[0]
        .rows
        .iter()
        .any(|r| r.first().map(String::as_str) == Some("管理番号")));
    let template = client
        .get("/facilities/F1/registers/vendors/import/template")
        .await;
    assert_eq!(template.status(), 200);
    let (status, report) = post(&client, DEVICES, clinic_workbook()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], 2, "{report}");
    assert!(report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["code"] == "total_row_skipped" && p["row"] == 6));
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let first = page
        .devices
        .iter()
        .find(|d| d.device.management_no == "1")
        .unwrap();
    assert_eq!(first.device.model.as_deref(), Some("OptiPlex 7090"));
    assert_eq!(
        first.device.interfaces[0].hostname.as_deref(),
        Some("UKETSUKE-01")
    );
    assert_eq!(
        first.device.registered_on.unwrap().to_string(),
        "2020-12-01"
    );
    assert_eq!(first.device.location.as_deref(), Some("受付"));
    let second = page
        .devices
        .iter()
        .find(|d| d.device.management_no == "2")
        .unwrap();
    assert_eq!(
        second.device.registered_on.unwrap().to_string(),
        "2024-04-01"
    );
}

/// A PACS's user list as it exports it (CP932): date-times in several forms, its own status
/// words and one-word privileges.
async fn a_pacs_user_list_imports_with_its_own_words_and_date_times(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    seed_system(&client).await;
    let statuses = [
        "利用可",
        "利用不可",
        "有効",
        "無効",
        "ロック中",
        "1",
        "0",
        "Y",
        "N",
        "○",
        "×",
    ];
    let privileges = ["参照", "更新", "管理者"];
    let times = [
        "2026/05/26 00:00:00",
        "2026-05-26T09:12:44",
        "R8.5.26 9:12",
        "20260526",
    ];
    let mut text = String::from("PACS利用者一覧\r\n出力日時：2026/11/30 18:00\r\nユーザID,ユーザ名,権限,状態,最終ログイン日時,登録日時\r\n");
    for i in 0..60 {
        text.push_str(&format!(
            "rad{i:04},放射線 {i},{},{},{},{}\r\n",
            privileges[i % 3],
            statuses[i % statuses.len()],
            times[i % times.len()],
            times[(i + 1) % times.len()],
        ));
    }
    let body = encoding_rs::SHIFT_JIS.encode(&text).0.to_vec();
    let (status, report) = post(&client, ACCOUNTS, body).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (
            report["errors"].as_u64(),
            report["accounts_in_file"].as_u64()
        ),
        (Some(0), Some(60)),
        "{report}"
    );
    let accounts = app.store.all_accounts(app.facility.id, None).await.unwrap();
    let by = |login: &str| accounts.iter().find(|a| a.login_id == login).unwrap();
    assert!(by("rad0000").is_active());
    assert!(!by("rad0001").is_active(), "利用不可");
    assert!(!by("rad0004").is_active(), "ロック中");
    assert!(!by("rad0010").is_active(), "×");
    assert_eq!(
        by("rad0002").last_sign_in_on.unwrap().to_string(),
        "2026-05-26"
    );
    assert_eq!(
        by("rad0001").privileges.0.get("images"),
        Some(&mimamori_domain::accounts::privileges::Level::Write)
    );
    assert!(
        by("rad0002").privileges.0.contains_key("administration"),
        "管理者"
    );
    assert!(
        !by("rad0000").privileges.0.contains_key("administration"),
        "参照 is not administration"
    );
}

/// An asset tool's export, whose titles no ledger uses: mapped once through the API, then the
/// same shape of file imports by itself.
async fn an_asset_tools_columns_are_mapped_once_and_remembered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let file = "資産No,端末ホスト,OS種別,部門コード\nA-1,UKE-01,Windows 11,101\nA-2,UKE-02,Windows 10,102\n";
    let (status, report) = post(&client, DEVICES, file.as_bytes().to_vec()).await;
    assert_eq!((status, first_problem(&report).0), (422, "no_header"));
    let mapping = urlencoding::encode(
        r#"{"management_no": "資産No", "hostname": "端末ホスト", "os_name": "OS種別"}"#,
    );
    let (status, report) = post(
        &client,
        &format!("{DEVICES}&mapping={mapping}"),
        file.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (status, report["created"].as_u64()),
        (200, Some(2)),
        "{report}"
    );
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    let first = page
        .devices
        .iter()
        .find(|d| d.device.management_no == "A-1")
        .unwrap();
    assert_eq!(first.device.os_name.as_deref(), Some("Windows 11"));
    assert_eq!(
        first.device.interfaces[0].hostname.as_deref(),
        Some("UKE-01")
    );
    // Next month's export of the same columns: the remembered mapping reads it.
    let next = "資産No,端末ホスト,OS種別,部門コード\nA-1,UKE-01,Windows 11 Pro,101\nA-2,UKE-02,Windows 10,102\n";
    let (status, report) = post(&client, DEVICES, next.as_bytes().to_vec()).await;
    assert_eq!(
        (
            status,
            report["updated"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (200, Some(1), Some(1)),
        "{report}"
    );
    assert_eq!(report["mapping"]["management_no"], "資産No");
    // A mapping naming a column the file lacks says so.
    let wrong = urlencoding::encode(r#"{"management_no": "管理ID"}"#);
    let (status, report) = post(
        &client,
        &format!("{DEVICES}&mapping={wrong}"),
        file.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (status, first_problem(&report).0),
        (422, "unknown_mapped_column")
    );
}

/// The upload page of a file whose titles no ledger uses: the mapping screen lists its columns
/// with sample values, a preview with the chosen mapping reads it, and the save remembers it.
async fn the_mapping_screen_maps_an_unknown_file_with_its_sample_values(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let file = "資産No,端末ホスト,OS種別\nA-1,UKE-01,Windows 11\nA-2,UKE-02,Windows 10\n";
    let page = upload_page(&client, "assets.csv", file.as_bytes().to_vec()).await;
    assert!(
        page.contains("id=\"column-mapping\""),
        "the mapping screen is offered"
    );
    assert!(page.contains("UKE-01、UKE-02"), "sample values are shown");
    let action = page
        .split("action=\"/facilities/F1/devices/import/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let fields = [
        ("action", "preview"),
        ("map_management_no", "資産No"),
        ("map_hostname", "端末ホスト"),
        ("map_os_name", "OS種別"),
    ];
    let preview = client
        .post_form(&format!("/facilities/F1/devices/import/{action}"), &fields)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        preview.contains("新規 <strong>2</strong>"),
        "{}",
        &preview[..preview.len().min(3000)]
    );
    let saved = client
        .post_form(
            &format!("/facilities/F1/devices/import/{action}"),
            &[
                ("map_management_no", "資産No"),
                ("map_hostname", "端末ホスト"),
                ("map_os_name", "OS種別"),
            ],
        )
        .await;
    assert_eq!(
        saved.status(),
        303,
        "saved without problems: back to the list"
    );
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    // The mapping is remembered for files of these columns.
    let (status, report) = post(&client, DEVICES, file.as_bytes().to_vec()).await;
    assert_eq!(
        (status, report["unchanged"].as_u64()),
        (200, Some(2)),
        "{report}"
    );
}
