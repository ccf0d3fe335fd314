//! Imports on both backends with the files that knocked them over or lost data (issue 21), built
//! here as an attacker and as offices and systems write them: dimension and zip bombs, a
//! header-only user list, unclosed quotes, NUL, doubled headers, a 10 MB cell, mixed encodings;
//! a clinic's XLSX with No./機種名/ＰＣ名, a total row and 和暦 date cells; re-imports that lack a
//! column; and /healthz answering while large imports run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use mimamori_domain::access::Role;
use mimamori_formats::test_files::{dimension_bomb, inline_row, package, sheet, zip_bomb};
use mimamori_testkit::{backend_tests, Backend, TestApp, TestClient};
use reqwest::Method;
use serde_json::{json, Value};

backend_tests!(
    hostile_files_are_refused_with_a_located_error_and_the_server_keeps_answering,
    malformed_text_is_located_and_swallows_nothing,
    an_account_file_never_loses_what_it_does_not_say,
    a_clinic_workbook_imports_as_its_clerk_wrote_it,
    a_device_reimport_without_a_column_keeps_its_values,
    healthz_answers_while_three_large_imports_run,
    a_nul_anywhere_is_a_clear_400_on_both_databases,
    a_pacs_user_list_imports_with_its_own_words_and_date_times,
    a_device_file_that_disposes_of_many_asks_first,
    an_asset_tools_columns_are_mapped_once_and_remembered,
    an_import_is_undone_whole_the_same_day_unless_its_records_changed_since,
    the_mapping_screen_maps_an_unknown_file_with_its_sample_values,
);

async fn editor(app: &TestApp) -> TestClient {
    let user = app
        .user("it@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    app.sign_in(&user).await
}

/// POSTs a file to an import endpoint (`path` includes its query); status and report.
async fn post(client: &TestClient, path: &str, body: Vec<u8>) -> (u16, Value) {
    let token = client.csrf().await;
    let response = client
        .http
        .post(client.url(path))
        .header("x-csrf-token", token)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(text.len() < 200_000, "a report of {} bytes", text.len());
    (status, serde_json::from_str(&text).unwrap())
}

/// Uploads a file on the device ledger's import page, as the browser's form does; the page.
async fn upload_page(client: &TestClient, name: &str, bytes: Vec<u8>) -> String {
    let token = client.csrf().await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    client
        .http
        .post(client.url(&format!("/facilities/F1/devices/import?csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn first_problem(report: &Value) -> (&str, u64, &str) {
    let p = &report["problems"][0];
    (
        p["code"].as_str().unwrap_or(""),
        p["row"].as_u64().unwrap_or(0),
        p["column"].as_str().unwrap_or(""),
    )
}

const DEVICES: &str = "/api/v1/facilities/F1/devices/import?file_name=f.xlsx";

async fn hostile_files_are_refused_with_a_located_error_and_the_server_keeps_answering(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let started = Instant::now();
    let (status, report) = post(
        &client,
        &format!("{DEVICES}&dry_run=true"),
        dimension_bomb(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(first_problem(&report), ("file_limit", 1_048_576, "XFD"));
    let (status, report) = post(&client, DEVICES, zip_bomb(256 << 20)).await;
    assert_eq!(status, 422);
    assert_eq!(first_problem(&report).0, "file_limit");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(client.get("/healthz").await.status(), 200);
    // Old Excel, an empty file: one clear message each, not doubled.
    let (status, report) = post(
        &client,
        DEVICES,
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0".to_vec(),
    )
    .await;
    assert_eq!(
        (status, first_problem(&report).0),
        (422, "old_excel_format")
    );
    let (_, report) = post(&client, DEVICES, b"\r\n".to_vec()).await;
    let message = report["problems"][0]["message_ja"].as_str().unwrap();
    assert_eq!(message.matches("空です").count(), 1, "{message}");
    assert!(!message.contains(" / "), "{message}");
    // A 10 MB cell: the report quotes a cut of it.
    let long = format!("管理番号,状態\n001,{}\n", "稼".repeat(3_000_000));
    let (status, report) = post(&client, DEVICES, long.into_bytes()).await;
    assert_eq!((status, first_problem(&report).0), (422, "file_limit"));
    let huge_os = format!("管理番号,OS\n001,{}\n", "W".repeat(20_000));
    let (_, report) = post(&client, DEVICES, huge_os.into_bytes()).await;
    for problem in report["problems"].as_array().unwrap() {
        assert!(problem["value"].as_str().unwrap().chars().count() < 200);
        assert!(problem["message_ja"].as_str().unwrap().chars().count() < 400);
    }
    // Nothing was written by any of them.
    let devices = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(devices.total, 0);
}

async fn malformed_text_is_located_and_swallows_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let vendors = "/api/v1/facilities/F1/registers/vendors/import?file_name=v.csv";
    let unclosed = "事業者名,電話番号,担当者\nA社,03-1111-1111,担当1\n\"B社,03-6666-6666,担当6\nC社,03-7777-7777,担当7\n";
    let (status, report) = post(&client, vendors, unclosed.as_bytes().to_vec()).await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(first_problem(&report), ("unclosed_quote", 3, "A"));
    // NUL refused with its place on both databases (PostgreSQL cannot store it).
    let (status, report) = post(&client, vendors, b"\xE4\xBA\x8B\xE6\xA5\xAD\xE8\x80\x85\xE5\x90\x8D,\xE9\x9B\xBB\xE8\xA9\xB1\xE7\x95\xAA\xE5\x8F\xB7\nA\0B,03\n".to_vec()).await;
    assert_eq!(
        (status, first_problem(&report)),
        (422, ("nul_character", 2, "A"))
    );
    // A UTF-8 header with CP932 rows: the row where the encoding changes.
    let mut mixed = "事業者名,電話番号\n".as_bytes().to_vec();
    mixed.extend(encoding_rs::SHIFT_JIS.encode("A社,03-1111-1111\n").0.iter());
    let (status, report) = post(&client, vendors, mixed).await;
    assert_eq!(
        (status, first_problem(&report).0, first_problem(&report).1),
        (422, "mixed_encoding", 2)
    );
    // Two columns for one field: which holds the truth is the user's to say.
    let doubled = "管理番号,OS,オペレーティングシステム\n001,Windows 11,Windows 10\n";
    let (status, report) = post(&client, DEVICES, doubled.as_bytes().to_vec()).await;
    assert_eq!(status, 422);
    let problem = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "duplicate_header")
        .expect("a duplicate_header error");
    assert_eq!(
        (problem["row"].as_u64(), problem["column"].as_str()),
        (Some(1), Some("オペレーティングシステム"))
    );
    let (status, _) = post(
        &client,
        &format!("{DEVICES}&skip_invalid=true"),
        doubled.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        status, 422,
        "skipping invalid rows does not get past a doubled column"
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
}

/// The systems register gets 電子カルテ.
async fn seed_system(client: &TestClient) {
    let response = client
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/registers/systems",
            &json!({"name": "電子カルテ", "category": "ehr"}),
        )
        .await;
    assert_eq!(response.status(), 201);
}

const ACCOUNTS: &str = "/api/v1/facilities/F1/accounts/import?system=%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86&file_name=users.csv";

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

/// A large ledger XLSX: `rows` devices in inline strings.
fn large_workbook(rows: usize) -> Vec<u8> {
    let mut xml = inline_row(
        1,
        &["管理番号", "メーカー", "OS", "設置場所", "利用者", "説明"],
    );
    for r in 0..rows {
        let number = format!("PC-{r:06}");
        xml.push_str(&inline_row(
            r + 2,
            &[
                &number,
                "NEC",
                "Windows 11 Pro",
                "外来",
                "看護部",
                "電子カルテ端末",
            ],
        ));
    }
    package(&sheet(&xml), None, None)
}

async fn healthz_answers_while_three_large_imports_run(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let file = large_workbook(40_000);
    let token = client.csrf().await;
    let imports: Vec<_> = (0..3)
        .map(|_| {
            let request = client
                .http
                .post(client.url(&format!("{DEVICES}&dry_run=true")))
                .header("x-csrf-token", &token)
                .body(file.clone());
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    // The probe runs on a thread of its own: a probe on the server's runtime would be stalled
    // with it and measure nothing.
    let address = client
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe = {
        let done = done.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            let mut latencies = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) && latencies.len() < 400 {
                latencies.push(healthz_latency(&address));
                std::thread::sleep(Duration::from_millis(25));
            }
            latencies
        })
    };
    let mut reports = Vec::new();
    for import in imports {
        reports.push(import.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let latencies = probe.join().unwrap();
    for (status, report) in reports {
        assert_eq!((status, report["created"].as_u64()), (200, Some(40_000)));
    }
    let slowest = latencies.iter().max().copied().unwrap_or_default();
    eprintln!("/healthz: {} checks, slowest {slowest:?}", latencies.len());
    assert!(
        latencies.len() >= 5,
        "the imports ended before /healthz was asked ({} checks)",
        latencies.len()
    );
    assert!(
        slowest < Duration::from_millis(100),
        "/healthz took {slowest:?} while imports ran"
    );
}

/// One `GET /healthz` over a plain socket, answered 200, and how long it took.
fn healthz_latency(address: &str) -> Duration {
    use std::io::{Read, Write};
    let started = Instant::now();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    started.elapsed()
}

async fn a_nul_anywhere_is_a_clear_400_on_both_databases(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let response = client.get("/facilities/F1/devices?q=PC%00").await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("NUL"));
    let response = client.get("/api/v1/facilities/F1/devices?q=a%00b").await;
    assert_eq!(response.status(), 400);
    let response = client
        .post_form(
            "/facilities/F1/devices",
            &[("management_no", "PC\0-01"), ("status", "active")],
        )
        .await;
    assert_eq!(response.status(), 400);
    let response = client
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/registers/vendors",
            &json!({"name": "A\u{0}社"}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message_ja"]
            .as_str()
            .unwrap_or_default()
            .contains("NUL"),
        "{body}"
    );
    // The same input without NUL is taken.
    let response = client
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/registers/vendors",
            &json!({"name": "A社"}),
        )
        .await;
    assert_eq!(response.status(), 201);
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
