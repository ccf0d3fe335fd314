//! Incident preparedness and incidents over HTTP on both backends, as a user would: the contact
//! chart drawn and exported, backups evaluated, the BCP table answered and exported, an incident
//! registered with its clocks, first response, timeline and report, and the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_formats::table::read_tables;
use mimamori_testkit::{backend_tests, Backend, TestApp, TestClient};
use reqwest::Method;
use serde_json::{json, Value};

backend_tests!(
    contact_chart_and_backups_pages_and_exports,
    bcp_table_is_answered_and_exported,
    an_incident_runs_its_clocks_from_registration_to_report
);

async fn officer(app: &TestApp) -> TestClient {
    let user = app
        .user(
            "officer@example.jp",
            Role::SecurityOfficer,
            Some(app.facility.id),
        )
        .await;
    app.sign_in(&user).await
}

async fn post_json(client: &TestClient, method: Method, path: &str, body: Value) -> (u16, Value) {
    let response = client.send_json(method, path, &body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn text(client: &TestClient, path: &str) -> String {
    let response = client.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// A form post answered with 303, then the page it leads to.
async fn follow(client: &TestClient, response: reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    text(client, &location).await
}

async fn sheets(client: &TestClient, path: &str) -> Vec<mimamori_formats::table::Sheet> {
    let response = client.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    let bytes = response.bytes().await.unwrap();
    read_tables(&bytes, "x.xlsx", None).unwrap()
}

async fn contact_chart_and_backups_pages_and_exports(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = officer(&app).await;
    // 「必要な連絡先を追加」 adds the required contacts; the chart shows them as still to complete.
    let response = client
        .post_form("/facilities/F1/contact-chart/seed", &[])
        .await;
    assert_eq!(response.status(), 303);
    let page = text(&client, "/facilities/F1/contact-chart").await;
    assert!(page.contains("<svg class=\"contact-chart\""));
    assert!(page.contains("厚生労働省 医政局"));
    assert!(page.contains("03-6812-7837"));
    assert!(page.contains("要記入"));
    let (status, step) = post_json(
        &client,
        Method::PUT,
        "/api/v1/facilities/F1/registers/escalation/999999",
        json!({}),
    )
    .await;
    assert_eq!(status, 404, "{step}");
    let (status, chart) = post_json(
        &client,
        Method::GET,
        "/api/v1/facilities/F1/contact-chart",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(chart["escalation"].as_array().unwrap().len(), 5);
    assert_eq!(chart["incomplete_steps"], 4);
    // A name with markup is escaped in the SVG and the lists.
    let (status, _) = post_json(
        &client,
        Method::POST,
        "/api/v1/facilities/F1/registers/contacts",
        json!({"organisation": "<script>alert(1)</script>近隣病院", "category": "近隣施設", "phone": "０３－１２３４－５６７８"}),
    )
    .await;
    assert_eq!(status, 201);
    let page = text(&client, "/facilities/F1/contact-chart").await;
    assert!(!page.contains("<script>alert(1)"));
    assert!(
        page.contains("03-1234-5678"),
        "full-width digits normalised"
    );
    let print = text(&client, "/facilities/F1/contact-chart/print").await;
    assert!(print.contains("class=\"print a4\"") && print.contains("<svg"));
    let book = sheets(&client, "/facilities/F1/contact-chart/export").await;
    let names: Vec<&str> = book.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["院内連絡体制", "外部連絡リスト"]);
    assert!(book[1]
        .rows
        .iter()
        .flatten()
        .any(|c| c.contains("厚生労働省")));

    // Backups: a system with one online copy fails offline and 3-2-1.
    for (path, body) in [
        (
            "/api/v1/facilities/F1/registers/systems",
            json!({"name": "電子カルテ", "category": "ehr"}),
        ),
        (
            "/api/v1/facilities/F1/registers/backups",
            json!({"name": "カルテ NAS", "system": "電子カルテ", "media": "online_disk", "last_success": "令和8年11月20日"}),
        ),
    ] {
        let (status, body) = post_json(&client, Method::POST, path, body).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, evaluation) = post_json(
        &client,
        Method::GET,
        "/api/v1/facilities/F1/backup-evaluation",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(evaluation[0]["system"], "電子カルテ");
    assert_eq!(evaluation[0]["evaluation"]["copies"], 2);
    assert_eq!(evaluation[0]["evaluation"]["offline"], false);
    let hub = text(&client, "/facilities/F1/preparedness").await;
    assert!(hub.contains("data-rule=\"backups.no_offline\""));
    assert!(hub.contains("data-rule=\"bcp.no_drill\""));
    // The findings page and the checklist item 3-(2) see the same finding.
    let findings = text(&client, "/facilities/F1/findings?item=backup").await;
    assert!(findings.contains("オフラインのバックアップがない"));
}

async fn bcp_table_is_answered_and_exported(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = officer(&app).await;
    let page = text(&client, "/facilities/F1/bcp").await;
    assert!(page.contains("連絡体制図が整備できているか"));
    assert!(
        page.contains("文言未確認"),
        "unverified OCR texts are marked"
    );
    let response = client
        .post_form(
            "/facilities/F1/bcp",
            &[
                ("status_1-1.1", "done"),
                ("evidence_1-1.1", "機器台帳 2026年度版"),
                ("status_1-2.1", "partial"),
                ("note_1-2.1", "夜間の連絡先が未定"),
            ],
        )
        .await;
    let page = follow(&client, response).await;
    assert!(page.contains("保存しました"));
    let (status, bcp) = post_json(
        &client,
        Method::GET,
        "/api/v1/facilities/F1/bcp",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (bcp["answered"].as_u64(), bcp["done"].as_u64()),
        (Some(2), Some(1))
    );
    let (status, bcp) = post_json(
        &client,
        Method::PUT,
        "/api/v1/facilities/F1/bcp/5-2.1",
        json!({"status": "not_done"}),
    )
    .await;
    assert_eq!((status, bcp["answered"].as_u64()), (200, Some(3)));
    let (status, _) = post_json(
        &client,
        Method::PUT,
        "/api/v1/facilities/F1/bcp/9-9.9",
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(status, 404);
    let book = sheets(&client, "/facilities/F1/bcp/export").await;
    let row = book[0]
        .rows
        .iter()
        .find(|r| r.get(1).map(String::as_str) == Some("1-1"))
        .unwrap();
    assert!(
        row.iter().any(|c| c == "できている") && row.iter().any(|c| c == "機器台帳 2026年度版"),
        "{row:?}"
    );
    let cp932 = client
        .get("/facilities/F1/bcp/export?format=csv&encoding=cp932")
        .await;
    assert_eq!(
        cp932.headers()["content-type"],
        "text/csv; charset=Shift_JIS"
    );
    // A viewer reads but cannot answer.
    let viewer = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let viewer = app.sign_in(&viewer).await;
    assert!(!text(&viewer, "/facilities/F1/bcp")
        .await
        .contains("name=\"status_1-1.1\""));
    assert_eq!(
        viewer
            .post_form("/facilities/F1/bcp", &[("status_1-1.1", "not_done")])
            .await
            .status(),
        403
    );
}

async fn an_incident_runs_its_clocks_from_registration_to_report(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = officer(&app).await;
    // The new form offers the time as people write it and does not presume the worst.
    let form = text(&client, "/facilities/F1/incidents/new").await;
    assert!(form.contains("value=\"2026-11-21 10:00\""), "{form}");
    assert!(!form.contains("T10:00"));
    assert!(
        form.contains("<option value=\"medium\" selected>"),
        "{form}"
    );
    // A bad form keeps what was typed and names every problem.
    let response = client
        .post_form(
            "/facilities/F1/incidents",
            &[
                ("title", "端末の暗号化"),
                ("discovered_at", "2026-13-40"),
                ("kind", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("端末の暗号化") && page.contains("日時") && page.contains("入力してください")
    );
    // Discovered 2026-11-18 (clock: 2026-11-21 10:00 JST): 速報 due 11-21 to 11-23; 確報 60 days.
    let response = client
        .post_form(
            "/facilities/F1/incidents",
            &[
                ("title", "電子カルテ端末のランサムウェア感染"),
                ("discovered_at", "令和8年11月18日 ７:４５"),
                ("discovered_by", "外来看護師"),
                ("kind", "ransomware"),
                ("personal_data", "possible"),
                ("sensitive_data", "yes"),
                ("improper_purpose", "yes"),
                ("care_disrupted", "yes"),
            ],
        )
        .await;
    let page = follow(&client, response).await;
    assert!(page.contains("INC-1"), "{page}");
    assert!(page.contains("2026-11-21〜2026-11-23"));
    assert!(page.contains("2027-01-17 まで"), "60 days from 11-18");
    let (status, list) = post_json(
        &client,
        Method::GET,
        "/api/v1/facilities/F1/incidents",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let id = list[0]["id"].as_i64().unwrap();
    let states: Vec<&str> = list[0]["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["due", "due", "due", "due", "due"]);

    // First response and timeline from the page; the report from the page and the API.
    let base = format!("/facilities/F1/incidents/{id}");
    assert_eq!(
        client
            .post_form(
                &format!("{base}/steps/isolate"),
                &[
                    ("done", "1"),
                    ("done_by", "外来看護師"),
                    ("done_at", "2026-11-18 07:50")
                ]
            )
            .await
            .status(),
        303
    );
    assert_eq!(
        client
            .post_form(
                &format!("{base}/timeline"),
                &[
                    ("happened_at", "2026-11-18 08:10"),
                    ("entry", "保守事業者に連絡")
                ]
            )
            .await
            .status(),
        303
    );
    let missing_date = client
        .post_form(
            &format!("{base}/reports/ppc_preliminary"),
            &[("state", "done")],
        )
        .await;
    assert_eq!(missing_date.status(), 422, "done needs its date");
    assert_eq!(
        client
            .post_form(
                &format!("{base}/reports/ppc_preliminary"),
                &[("state", "done"), ("on", "2026-11-20")]
            )
            .await
            .status(),
        303
    );
    let (status, detail) = post_json(
        &client,
        Method::PUT,
        &format!("/api/v1/facilities/F1/incidents/{id}/reports/police"),
        json!({"state": "not_needed", "note": ""}),
    )
    .await;
    assert_eq!(status, 422, "{detail}");
    let (status, detail) = post_json(
        &client,
        Method::PUT,
        &format!("/api/v1/facilities/F1/incidents/{id}/reports/police"),
        json!({"state": "done", "on": "2026-11-19"}),
    )
    .await;
    assert_eq!(status, 200);
    let states: Vec<&str> = detail["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["done", "due", "due", "due", "done"]);
    assert_eq!(detail["detail"]["timeline"].as_array().unwrap().len(), 2);

    let book = sheets(&client, &format!("{base}/export")).await;
    let names: Vec<&str> = book.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["概要", "報告状況", "初動対応", "経過"]);
    assert!(book[1].rows.iter().any(|r| r.iter().any(|c| c == "実施済")));
    assert!(book[2]
        .rows
        .iter()
        .any(|r| r.iter().any(|c| c == "外来看護師")));
    let print = text(&client, &format!("{base}/print")).await;
    assert!(print.contains("インシデント報告書 INC-1") && !print.contains("<form"));

    // The API registers one too, with JSON booleans; a viewer cannot.
    let (status, created) = post_json(
        &client,
        Method::POST,
        "/api/v1/facilities/F1/incidents",
        json!({"title": "USBメモリ紛失", "discovered_at": "2026-11-21 09:00", "kind": "lost_or_stolen", "personal_data": "yes", "persons_affected": 1200}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["label"], "INC-2");
    assert_eq!(created["clocks"][0]["required"], true, "over 1,000 persons");
    let viewer = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let viewer = app.sign_in(&viewer).await;
    let (status, _) = post_json(
        &viewer,
        Method::POST,
        "/api/v1/facilities/F1/incidents",
        json!({"title": "x"}),
    )
    .await;
    assert_eq!(status, 403);
    let list = text(&viewer, "/facilities/F1/incidents").await;
    assert!(list.contains("USBメモリ紛失") && !list.contains("インシデントを登録"));
}
