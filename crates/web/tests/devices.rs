//! The device ledger over HTTP, as a clerk and a script use it, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_testkit::{backend_tests, Backend, TestApp, TestClient};
use reqwest::Method;

backend_tests!(
    form_search_edit_and_history,
    bulk_status_and_confirmation,
    upload_preview_then_confirm,
    a_file_failing_every_row_is_summarised_and_downloadable,
    api_crud_import_and_export,
    export_keeps_the_list_filter,
    a_device_entered_by_mistake_is_deleted_and_audited_whole,
);

fn mhlw_csv() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../formats/tests/fixtures/mhlw_example_cp932.csv"
    ))
    .unwrap()
}

async fn editor(app: &TestApp) -> TestClient {
    let user = app
        .user("clerk@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    app.sign_in(&user).await
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

async fn form_search_edit_and_history(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let form = [
        ("management_no", "ＰＣ－００１"),
        ("kind", "pc"),
        ("maker", "富士通"),
        ("os_name", "Windows 8.1"),
        ("location", "外来2診"),
        ("registered_on", "R2.4.1"),
        ("status", "active"),
        ("sw_name", "電子カルテ端末"),
        ("sw_version", "３．２"),
        ("sw_vendor", ""),
        ("if_ip", "１９２．１６８．１０．２１"),
        ("if_mac", "00-11-22-33-44-55"),
        ("if_hostname", "GAIRAI-PC01"),
        ("if_segment", "電子カルテ系"),
    ];
    let response = client.post_form("/facilities/F1/devices", &form).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let detail = location(&response);
    let html = client.get(&detail).await.text().await.unwrap();
    assert!(
        html.contains("PC-001")
            && html.contains("192.168.10.21")
            && html.contains("00:11:22:33:44:55")
    );
    assert!(html.contains("2020-04-01"));
    // Full-width search finds it; a different term does not.
    let list = client
        .get("/facilities/F1/devices?q=%EF%BD%87%EF%BD%81%EF%BD%89%EF%BD%92%EF%BD%81%EF%BD%89")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("PC-001"), "ｇａｉｒａｉ finds GAIRAI-PC01");
    let none = client
        .get("/facilities/F1/devices?q=radiology")
        .await
        .text()
        .await
        .unwrap();
    assert!(!none.contains("PC-001"));
    // Invalid edits come back with messages beside the fields.
    let mut bad = form.to_vec();
    bad.retain(|(k, _)| *k != "if_ip" && *k != "registered_on");
    bad.push(("if_ip", "192.168.1.999"));
    bad.push(("registered_on", "昨日"));
    let response = client.post_form(&detail, &bad).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"e-registered_on\"") && html.contains("id=\"e-ip\""));
    let mut good = form.to_vec();
    good.retain(|(k, _)| *k != "location");
    good.push(("location", "放射線科"));
    assert_eq!(client.post_form(&detail, &good).await.status(), 303);
    let html = client.get(&detail).await.text().await.unwrap();
    assert!(
        html.contains("放射線科") && html.contains("外来2診"),
        "history shows before and after"
    );
    // A duplicate number is refused with a message.
    let response = client.post_form("/facilities/F1/devices", &form).await;
    assert_eq!(response.status(), 422);
}

async fn bulk_status_and_confirmation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    for no in ["A", "B", "C"] {
        client
            .post_form(
                "/facilities/F1/devices",
                &[("management_no", no), ("status", "active"), ("kind", "pc")],
            )
            .await;
    }
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    let ids: Vec<String> = page
        .devices
        .iter()
        .take(2)
        .map(|d| d.id.to_string())
        .collect();
    let response = client
        .post_form(
            "/facilities/F1/devices/status",
            &[("ids", &ids[0]), ("ids", &ids[1]), ("status", "disposed")],
        )
        .await;
    let status = response.status();
    assert_eq!(status, 303, "{}", response.text().await.unwrap());
    let disposed = app
        .store
        .devices(
            app.facility.id,
            &mimamori_domain::ledger::device::DeviceFilter {
                status: Some(mimamori_domain::ledger::device::DeviceStatus::Disposed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(disposed.total, 2);
    // Editors cannot confirm the ledger; management (viewer) can.
    assert_eq!(
        client
            .post_form("/facilities/F1/devices/confirm", &[])
            .await
            .status(),
        403
    );
    let manager = app
        .user("keiei@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let management = app.sign_in(&manager).await;
    assert_eq!(
        management
            .post_form("/facilities/F1/devices/confirm", &[("note", "四半期確認")])
            .await
            .status(),
        303
    );
    let html = management
        .get("/facilities/F1/devices")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("keiei@example.jp"), "last confirmation shown");
    assert!(!html.contains("機器を追加"), "viewers get no edit buttons");
    assert_eq!(
        management
            .post_form("/facilities/F1/devices", &[("management_no", "X")])
            .await
            .status(),
        403
    );
}

async fn upload(client: &TestClient, name: &str, bytes: Vec<u8>) -> reqwest::Response {
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
}

async fn upload_preview_then_confirm(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    // Without the token in the action URL the upload is refused.
    let part = reqwest::multipart::Part::bytes(mhlw_csv()).file_name("x.csv");
    let refused = client
        .http
        .post(client.url("/facilities/F1/devices/import"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let response = upload(&client, "台帳.csv", mhlw_csv()).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("確認（まだ保存していません）"));
    assert_eq!(
        html.matches("ip_masked").count(),
        4,
        "four masked-IP warnings listed"
    );
    assert_eq!(
        app.store
            .devices(app.facility.id, &Default::default())
            .await
            .unwrap()
            .total,
        0,
        "preview writes nothing"
    );
    let action = html
        .split("action=\"/facilities/F1/devices/import/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let response = client
        .post_form(&format!("/facilities/F1/devices/import/{action}"), &[])
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("保存しました"));
    assert_eq!(
        app.store
            .devices(app.facility.id, &Default::default())
            .await
            .unwrap()
            .total,
        4
    );
    // Another user cannot confirm someone else's upload.
    let other = app
        .user("other@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    let other = app.sign_in(&other).await;
    assert_eq!(
        other
            .post_form(&format!("/facilities/F1/devices/import/{action}"), &[])
            .await
            .status(),
        404
    );
}

/// The part of `html` from `start` to the next `</table>`.
fn table<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html.split(start).nth(1).unwrap_or_default();
    from.split("</table>").next().unwrap_or_default()
}

async fn a_file_failing_every_row_is_summarised_and_downloadable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    // 260 rows with a status no one can read, three of them with a date no one can read either.
    let mut csv = String::from("管理番号,状態,登録日\r\n");
    for i in 0..260 {
        let date = if (10..13).contains(&i) {
            "someday"
        } else {
            "2024/4/1"
        };
        csv.push_str(&format!("PC-{i:04},動いてる,{date}\r\n"));
    }
    let response = upload(&client, "台帳.csv", csv.into_bytes()).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("確認（まだ保存していません）"));
    // The first 200 one by one, the rest counted, every kind of problem summed up.
    let listed = table(&html, "<table class=\"problems\">");
    assert_eq!(listed.matches("<tr class=").count(), 200);
    assert!(html.contains("ほか 63 件"), "260 + 3 problems, 200 listed");
    let groups = table(&html, "<table class=\"problem-groups\">");
    let counts: Vec<&str> = groups
        .split("<tr class=")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td class=\"num\">").nth(1).unwrap();
            cell.split('<').next().unwrap()
        })
        .collect();
    assert_eq!(counts, ["260", "3"]);
    // Every problem can be downloaded, in both languages.
    let link = html
        .split("id=\"problem-download\"")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#x2f;", "/");
    assert!(link.ends_with("/problems"), "{link}");
    let response = client.get(&link).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 1 + 263);
    assert!(lines[0].starts_with("種別,シート,行,列,値,内容,Reason"));
    // Only the person who uploaded the file gets its problems.
    let other = app
        .user("other@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    let other = app.sign_in(&other).await;
    assert_eq!(other.get(&link).await.status(), 404);
}

async fn api_crud_import_and_export(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let body = serde_json::json!({
        "management_no": "SV-01", "kind": "server", "os_name": "Windows Server 2019", "remote_maintenance": true,
        "software": [{"name": "PACS", "version": "7.1"}], "interfaces": [{"ip": "10.1.0.5", "hostname": "pacs-db"}]
    });
    let response = client
        .send_json(Method::POST, "/api/v1/facilities/F1/devices", &body)
        .await;
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(created["kind"], "server");
    assert_eq!(created["interfaces"][0]["hostname"], "pacs-db");
    let list: serde_json::Value = client
        .get("/api/v1/facilities/F1/devices?remote=yes")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    // Import: errors are reported and nothing is written.
    let faults = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../formats/tests/fixtures/ten_faults.csv"
    ))
    .unwrap();
    let token = client.csrf().await;
    let response = client
        .http
        .post(client.url("/api/v1/facilities/F1/devices/import?file_name=faults.csv"))
        .header("x-csrf-token", &token)
        .body(faults)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let report: serde_json::Value = response.json().await.unwrap();
    assert_eq!(report["errors"], 10);
    assert_eq!(report["written"], false);
    assert_eq!(
        app.store
            .devices(app.facility.id, &Default::default())
            .await
            .unwrap()
            .total,
        1
    );
    let response = client
        .http
        .post(client.url("/api/v1/facilities/F1/devices/import?dry_run=true"))
        .header("x-csrf-token", &token)
        .body(mhlw_csv())
        .send()
        .await
        .unwrap();
    let report: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["written"].as_bool()),
        (Some(4), Some(false))
    );
    // Export as XLSX and read it back.
    let response = client
        .get("/api/v1/facilities/F1/devices/export?format=xlsx")
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let bytes = response.bytes().await.unwrap();
    let sheets = mimamori_formats::read_tables(&bytes, "x.xlsx", None).unwrap();
    assert_eq!(sheets[0].rows[0][0], "機器台帳");
    let parsed = mimamori_formats::devices::parse_devices(&sheets);
    assert_eq!(parsed.devices[0].device.management_no, "SV-01");
    let audit = app
        .store
        .audit_entries(&mimamori_store::audit::AuditFilter {
            action: Some("export".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1, "exports are audited");
}

async fn export_keeps_the_list_filter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let token = client.csrf().await;
    client
        .http
        .post(client.url("/api/v1/facilities/F1/devices/import"))
        .header("x-csrf-token", &token)
        .body(mhlw_csv())
        .send()
        .await
        .unwrap();
    let response = client
        .get("/facilities/F1/devices/export?format=csv&encoding=cp932&status=stopped")
        .await;
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=Shift_JIS"
    );
    let bytes = response.bytes().await.unwrap();
    let text = encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned();
    assert!(
        text.starts_with("管理番号,メーカー,OS,ソフトウェア"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "header and the one stopped device");
    assert!(text.contains("002") && text.contains("停止"));
}

async fn a_device_entered_by_mistake_is_deleted_and_audited_whole(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let token = client.csrf().await;
    client
        .http
        .post(client.url("/api/v1/facilities/F1/devices/import"))
        .header("x-csrf-token", &token)
        .body(mhlw_csv())
        .send()
        .await
        .unwrap();
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(page.total, 4);
    let (first, second) = (&page.devices[0], &page.devices[1]);
    let shown = client
        .get(&format!("/facilities/F1/devices/{}", first.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("id=\"device-delete\""),
        "the page offers the delete"
    );
    // A viewer cannot delete.
    let viewer = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let viewer = app.sign_in(&viewer).await;
    let response = viewer
        .post_form(
            &format!("/facilities/F1/devices/{}/delete", first.id),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = client
        .post_form(
            &format!("/facilities/F1/devices/{}/delete", first.id),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = client
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/facilities/F1/devices/{}", second.id),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(response.status(), 204);
    let page = app
        .store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(
        client
            .get(&format!("/facilities/F1/devices/{}", first.id))
            .await
            .status(),
        404
    );
    // The audit log keeps the whole device, software and interfaces included.
    let history = app
        .store
        .audit_history("device", &first.id.to_string())
        .await
        .unwrap();
    let deleted = history
        .iter()
        .find(|e| e.action == "delete")
        .expect("a delete entry");
    let before = deleted.before.as_deref().unwrap_or_default();
    assert!(before.contains(&first.device.management_no), "{before}");
    assert!(
        before.contains("software") && before.contains("interfaces"),
        "{before}"
    );
}
