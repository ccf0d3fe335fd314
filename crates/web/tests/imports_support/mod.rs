//! What the import tests share: a signed-in editor, posting a file to an import endpoint, the
//! upload page, and the systems register seeded for account imports.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use mimamori_domain::access::Role;
use mimamori_testkit::{TestApp, TestClient};
use reqwest::Method;
use serde_json::{json, Value};

pub async fn editor(app: &TestApp) -> TestClient {
    let user = app
        .user("it@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    app.sign_in(&user).await
}

/// POSTs a file to an import endpoint (`path` includes its query); status and report.
pub async fn post(client: &TestClient, path: &str, body: Vec<u8>) -> (u16, Value) {
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
pub async fn upload_page(client: &TestClient, name: &str, bytes: Vec<u8>) -> String {
    upload_to(client, "/facilities/F1/devices/import", name, bytes).await
}

pub fn first_problem(report: &Value) -> (&str, u64, &str) {
    let p = &report["problems"][0];
    (
        p["code"].as_str().unwrap_or(""),
        p["row"].as_u64().unwrap_or(0),
        p["column"].as_str().unwrap_or(""),
    )
}

pub const DEVICES: &str = "/api/v1/facilities/F1/devices/import?file_name=f.xlsx";

/// The systems register gets 電子カルテ; its id.
pub async fn seed_system(client: &TestClient) -> i64 {
    let response = client
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/registers/systems",
            &json!({"name": "電子カルテ", "category": "ehr"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["id"].as_i64().unwrap_or_default()
}

/// Uploads a file on an import page at `path` (a form's `multipart` post); the page.
pub async fn upload_to(client: &TestClient, path: &str, name: &str, bytes: Vec<u8>) -> String {
    let token = client.csrf().await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    client
        .http
        .post(client.url(&format!("{path}?csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub const ACCOUNTS: &str = "/api/v1/facilities/F1/accounts/import?system=%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86&file_name=users.csv";
