//! The API keeps its own contract where axum would not (issue 23, point 4, in part): malformed
//! bodies, queries and media types answer the product's JSON error, a write with no credential
//! at all is 401 (not a CSRF failure), and a page past any table is an empty page on both
//! backends (PostgreSQL answered `OFFSET must not be negative` with a 500).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    framework_rejections_answer_the_products_json_error,
    a_write_without_any_credential_is_unauthenticated,
    a_page_past_every_table_is_empty,
);

async fn json_of(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(kind.starts_with("application/json"), "{status}: {kind}");
    (status, response.json().await.unwrap())
}

async fn framework_rejections_answer_the_products_json_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .user("admin@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    let token = client.csrf().await;
    let appointments = client.url("/api/v1/facilities/F1/appointments");
    let cases = [
        (
            client
                .http
                .post(&appointments)
                .header("x-csrf-token", &token)
                .header("content-type", "application/json")
                .body("{not json"),
            400,
            "bad_request",
        ),
        (
            client
                .http
                .post(&appointments)
                .header("x-csrf-token", &token)
                .header("content-type", "text/plain")
                .body("{}"),
            415,
            "unsupported_media_type",
        ),
        (
            client
                .http
                .get(client.url("/api/v1/facilities/F1/devices?page=abc")),
            400,
            "bad_request",
        ),
    ];
    for (request, status, code) in cases {
        let (got, body) = json_of(request.send().await.unwrap()).await;
        assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{body}");
        assert!(
            !body["message_ja"].as_str().unwrap_or("").is_empty(),
            "{body}"
        );
        assert!(body["fields"].is_array());
    }
}

async fn a_write_without_any_credential_is_unauthenticated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = reqwest::Client::new()
        .delete(app.url("/api/v1/facilities/F1/appointments/1"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unauthenticated")),
        "{body}"
    );
}

async fn a_page_past_every_table_is_empty(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .user("admin@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    for path in [
        "/api/v1/facilities/F1/devices?page=9223372036854775806",
        "/api/v1/facilities/F1/registers/vendors?page=9223372036854775806",
        "/api/v1/facilities/F1/accounts?page=9223372036854775806",
        "/facilities/F1/devices?page=9223372036854775806",
        "/overview?page=9223372036854775807",
    ] {
        let status = client.get(path).await.status();
        assert_eq!(status, 200, "{path}");
    }
}

/// `/metrics` answers the Prometheus text format with the requests counted so far.
#[tokio::test]
async fn metrics_count_requests_in_the_prometheus_format() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let client = app.client();
    for _ in 0..3 {
        client.get("/healthz").await;
    }
    let response = client.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("mimamori_http_requests_total{method=\"GET\",status=\"2xx\"}"))
        .expect(&text);
    let count: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3, "{line}");
    assert!(text.contains("mimamori_database_up 1"));
    assert!(text.contains("process_resident_memory_bytes "));
}
