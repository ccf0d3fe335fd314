//! The registers (vendors, systems, cloud services, remote maintenance) over HTTP, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_domain::ledger::registers;
use mimamori_testkit::{backend_tests, Backend, TestApp, TestClient};
use reqwest::Method;

backend_tests!(
    forms_search_history_and_delete,
    api_validation_and_warnings,
    every_register_round_trips_through_its_files
);

/// How many cloud services the register's list API counts.
async fn cloud_services(client: &TestClient) -> Option<u64> {
    let list: serde_json::Value = client
        .get("/api/v1/facilities/F1/registers/cloud-services")
        .await
        .json()
        .await
        .unwrap();
    list["total"].as_u64()
}

/// Posts `body` to the register's import API (`query` starts with `?` or is empty).
async fn import(
    client: &TestClient,
    token: &str,
    slug: &str,
    query: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    client
        .http
        .post(client.url(&format!(
            "/api/v1/facilities/F1/registers/{slug}/import{query}"
        )))
        .header("x-csrf-token", token)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn editor(app: &TestApp) -> TestClient {
    let user = app
        .user("clerk@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    app.sign_in(&user).await
}

async fn forms_search_history_and_delete(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let response = client
        .post_form(
            "/facilities/F1/registers/vendors",
            &[
                ("name", "株式会社カルテシステム"),
                ("phone", "０３ー１２３４ー５６７８"),
                ("email", "Support@Karte.example.jp"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let detail = response.headers()["location"].to_str().unwrap().to_string();
    let html = client.get(&detail).await.text().await.unwrap();
    assert!(html.contains("03-1234-5678") && html.contains("support@karte.example.jp"));
    let found = client
        .get("/facilities/F1/registers/vendors?q=%EF%BD%8B%EF%BD%81%EF%BD%92%EF%BD%94%EF%BD%85")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        found.contains("株式会社カルテシステム"),
        "full-width search"
    );
    // The key is unique within the facility; a bad phone comes back with a message beside the field.
    assert_eq!(
        client
            .post_form(
                "/facilities/F1/registers/vendors",
                &[("name", "株式会社カルテシステム")]
            )
            .await
            .status(),
        422
    );
    let response = client
        .post_form(
            "/facilities/F1/registers/vendors",
            &[("name", "B社"), ("phone", "call me")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("id=\"e-phone\""));
    // A remote-maintenance connection through the form: choices and flags.
    let response = client
        .post_form(
            "/facilities/F1/registers/remote-maintenance",
            &[
                ("name", "PACS保守"),
                ("vendor", "株式会社カルテシステム"),
                ("route", "ssl_vpn"),
                ("two_factor", "no"),
                ("confirmed_on", "R7.4.1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let connection = response.headers()["location"].to_str().unwrap().to_string();
    let html = client.get(&connection).await.text().await.unwrap();
    assert!(html.contains("SSL-VPN") && html.contains("2025-04-01"));
    let response = client
        .post_form(
            &connection,
            &[
                ("name", "PACS保守"),
                ("vendor", "株式会社カルテシステム"),
                ("route", "ipsec_vpn"),
                ("two_factor", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let html = client.get(&connection).await.text().await.unwrap();
    assert!(
        html.contains("ssl_vpn") && html.contains("ipsec_vpn"),
        "history shows before and after"
    );
    assert_eq!(
        client
            .post_form(&format!("{connection}/delete"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(client.get(&connection).await.status(), 404);
    // Another facility's record is not reachable through this facility's URL.
    let viewer = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let viewer = app.sign_in(&viewer).await;
    assert_eq!(
        viewer
            .post_form("/facilities/F1/registers/vendors", &[("name", "X")])
            .await
            .status(),
        403
    );
    assert_eq!(
        viewer
            .get("/facilities/F1/registers/nonsense")
            .await
            .status(),
        404
    );
}

async fn api_validation_and_warnings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let response = client
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/registers/systems",
            &serde_json::json!({"category": "電子カルテ"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "name");
    let body = serde_json::json!({"name": "電子カルテ", "category": "電子カルテ", "patient_data": true, "recovery_priority": "高"});
    let response = client
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/registers/systems",
            &body,
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(created["values"]["category"], "ehr");
    assert_eq!(created["values"]["patient_data"], "yes");
    assert_eq!(created["values"]["recovery_priority"], "high");
    let unknown = client
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/registers/systems",
            &serde_json::json!({"name": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(unknown.status(), 400);
    // Import a cloud-service list written with the seed's column titles, in CP932.
    let csv = "サービス提供事業者,サービス名称/用途,ドメイン/アドレス,利用場所/アクセス経路,利用者/グループ,利用者認証方法,利用開始日,利用状況\r\nC社,Web予約,yoyaku.example.jp,受付PC,受付,ID・パスワード,令和5年4月1日,利用中\r\nD社,院内メール,mail.example.jp,,,ID,2021/4/1,いつも\r\n";
    let bytes = encoding_rs::SHIFT_JIS.encode(csv).0.into_owned();
    let token = client.csrf().await;
    let response = import(&client, &token, "cloud-services", "", bytes).await;
    assert_eq!(response.status(), 422);
    let report: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (report["errors"].as_u64(), report["written"].as_bool()),
        (Some(1), Some(false))
    );
    assert_eq!(report["problems"][0]["row"], 3);
    assert_eq!(report["problems"][0]["column"], "利用状況");
    assert_eq!(
        cloud_services(&client).await,
        Some(0),
        "a failed import writes nothing"
    );
    // Corrected, previewed (nothing written), then imported as the preview said.
    let fixed = encoding_rs::SHIFT_JIS
        .encode(&csv.replace("いつも", "利用中"))
        .0
        .into_owned();
    let mut reports = Vec::new();
    for query in ["?dry_run=true", ""] {
        let response = import(&client, &token, "cloud-services", query, fixed.clone()).await;
        assert_eq!(response.status(), 200);
        let report: serde_json::Value = response.json().await.unwrap();
        reports.push((
            report["created"].as_u64(),
            report["written"].as_bool(),
            cloud_services(&client).await,
        ));
    }
    assert_eq!(
        reports,
        [
            (Some(2), Some(false), Some(0)),
            (Some(2), Some(true), Some(2))
        ]
    );
}

async fn every_register_round_trips_through_its_files(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let samples: [(&str, serde_json::Value); 4] = [
        (
            "vendors",
            serde_json::json!({"name": "A社", "contact_person": "青木", "phone": "03-1234-5678", "email": "a@example.jp", "notes": "=SUM(A1)"}),
        ),
        (
            "systems",
            serde_json::json!({"name": "PACS", "category": "pacs", "vendor": "A社", "devices": "SV-1, MD-2", "patient_data": "yes", "recovery_priority": "medium"}),
        ),
        (
            "cloud-services",
            serde_json::json!({"provider": "C社", "service_name": "Web予約", "started_on": "2023-10-01", "status": "in_use"}),
        ),
        (
            "remote-maintenance",
            serde_json::json!({"name": "CT保守", "route": "mobile_router", "id_policy": "shared", "two_factor": "no", "confirmed_on": "2025-04-01"}),
        ),
    ];
    let token = client.csrf().await;
    for (slug, body) in samples {
        let response = client
            .send_json(
                Method::POST,
                &format!("/api/v1/facilities/F1/registers/{slug}"),
                &body,
            )
            .await;
        assert_eq!(response.status(), 201, "{slug}");
        for query in ["format=xlsx", "format=csv", "format=csv&encoding=cp932"] {
            let file = client
                .get(&format!("/facilities/F1/registers/{slug}/export?{query}"))
                .await
                .bytes()
                .await
                .unwrap();
            let response = import(&client, &token, slug, "?file_name=x", file.to_vec()).await;
            let report: serde_json::Value = response.json().await.unwrap();
            assert_eq!(
                (
                    report["created"].as_u64(),
                    report["updated"].as_u64(),
                    report["unchanged"].as_u64(),
                    report["errors"].as_u64()
                ),
                (Some(0), Some(0), Some(1), Some(0)),
                "{slug} {query}: {report}"
            );
        }
    }
    assert_eq!(registers::ALL.len(), 9);
}

backend_tests!(
    register_filters_sorting_and_confirmation,
    devices_filter_by_system
);

async fn register_filters_sorting_and_confirmation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    for (name, route, two_factor) in [
        ("B保守", "ssl_vpn", "no"),
        ("A保守", "ipsec_vpn", "yes"),
        ("C保守", "ssl_vpn", "yes"),
    ] {
        let body = serde_json::json!({"name": name, "route": route, "two_factor": two_factor});
        assert_eq!(
            client
                .send_json(
                    Method::POST,
                    "/api/v1/facilities/F1/registers/remote-maintenance",
                    &body
                )
                .await
                .status(),
            201
        );
    }
    let list: serde_json::Value = client
        .get("/api/v1/facilities/F1/registers/remote-maintenance?route=ssl_vpn&sort=name&desc=1")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["values"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["C保守", "B保守"]);
    let no_2fa: serde_json::Value = client
        .get("/api/v1/facilities/F1/registers/remote-maintenance?two_factor=no")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(no_2fa["total"], 1);
    let html = client
        .get("/facilities/F1/registers/remote-maintenance?route=ssl_vpn")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("C保守") && !html.contains("A保守"));
    // Management confirms the register; the page shows who and when.
    assert_eq!(
        client
            .post_form("/facilities/F1/registers/remote-maintenance/confirm", &[])
            .await
            .status(),
        403
    );
    let manager = app
        .user("keiei@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let manager = app.sign_in(&manager).await;
    assert_eq!(
        manager
            .post_form("/facilities/F1/registers/remote-maintenance/confirm", &[])
            .await
            .status(),
        303
    );
    let html = manager
        .get("/facilities/F1/registers/remote-maintenance")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("keiei@example.jp") && html.contains("clerk@example.jp"),
        "last confirmation and last update shown"
    );
}

async fn devices_filter_by_system(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    for no in ["SV-1", "SV-2", "PC-9"] {
        client
            .post_form(
                "/facilities/F1/devices",
                &[
                    ("management_no", no),
                    ("kind", "server"),
                    ("status", "active"),
                ],
            )
            .await;
    }
    // Seen once before the system exists: the page's context is kept until the next change.
    let html = client
        .get("/facilities/F1/devices")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("f-system"),
        "no system filter without systems"
    );
    let body =
        serde_json::json!({"name": "電子カルテ", "category": "ehr", "devices": "SV-1、SV-2"});
    assert_eq!(
        client
            .send_json(
                Method::POST,
                "/api/v1/facilities/F1/registers/systems",
                &body
            )
            .await
            .status(),
        201
    );
    let list: serde_json::Value = client
        .get("/api/v1/facilities/F1/devices?system=%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 2);
    let html = client
        .get("/facilities/F1/devices?system=%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("SV-1") && !html.contains("PC-9"));
    assert!(
        html.contains("<option selected>電子カルテ</option>"),
        "the new system is offered and selected"
    );
    let none: serde_json::Value = client
        .get("/api/v1/facilities/F1/devices?system=nothing")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["total"], 0);
}

backend_tests!(cloud_services_bulk_status);

async fn cloud_services_bulk_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let mut ids = Vec::new();
    for name in ["Web予約", "院内メール", "勤怠"] {
        let body = serde_json::json!({"service_name": name, "status": "in_use"});
        let created: serde_json::Value = client
            .send_json(
                Method::POST,
                "/api/v1/facilities/F1/registers/cloud-services",
                &body,
            )
            .await
            .json()
            .await
            .unwrap();
        ids.push(created["id"].to_string());
    }
    let response = client
        .post_form(
            "/facilities/F1/registers/cloud-services/status",
            &[("ids", &ids[0]), ("ids", &ids[2]), ("status", "ended")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let ended: serde_json::Value = client
        .get("/api/v1/facilities/F1/registers/cloud-services?status=ended")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ended["total"], 2);
    assert_eq!(
        client
            .post_form(
                "/facilities/F1/registers/vendors/status",
                &[("status", "ended")]
            )
            .await
            .status(),
        404,
        "vendors have no status"
    );
    let xlsx = client
        .get("/facilities/F1/registers/cloud-services/export?format=xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let sheets = mimamori_formats::read_tables(&xlsx, "x.xlsx", None).unwrap();
    assert!(
        sheets[0].rows[2][0].contains("最終更新者：clerk@example.jp"),
        "{:?}",
        sheets[0].rows[2]
    );
}
