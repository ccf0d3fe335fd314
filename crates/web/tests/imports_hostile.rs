//! Imports on both backends with the files an attacker builds (issue 21): dimension and zip bombs,
//! unclosed and stray quotes, NUL, mixed encodings, doubled headers, a 10 MB cell — each refused with
//! its place, nothing written — and /healthz answering while large imports run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod imports_support;

use imports_support::*;
use mimamori_formats::test_files::{dimension_bomb, zip_bomb};
use mimamori_testkit::{backend_tests, Backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

backend_tests!(
    hostile_files_are_refused_with_a_located_error_and_the_server_keeps_answering,
    malformed_text_is_located_and_swallows_nothing,
    a_nul_anywhere_is_a_clear_400_on_both_databases,
);

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
