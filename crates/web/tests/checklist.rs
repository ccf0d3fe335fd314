//! The checklist over HTTP, on both backends: answering with validation, suggestions, evidence,
//! sign-off lock, roll-over, readiness, findings, XLSX output and the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_testkit::{backend_tests, Backend, TestApp, TestClient};
use reqwest::Method;

backend_tests!(
    answer_validate_evidence_and_lock,
    findings_api_and_xlsx,
    catalogue_copy_for_a_new_year
);

async fn client(app: &TestApp, role: Role, email: &str) -> TestClient {
    let user = app.user(email, role, Some(app.facility.id)).await;
    app.sign_in(&user).await
}

/// Starts the FY2026 facility form and returns its page address.
async fn start(client: &TestClient) -> String {
    let response = client
        .post_form("/facilities/F1/checklist", &[("fiscal_year", "2026")])
        .await;
    assert_eq!(response.status(), 303);
    response.headers()["location"].to_str().unwrap().to_string()
}

async fn answer_validate_evidence_and_lock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clerk = client(&app, Role::Editor, "clerk@example.jp").await;
    let page = start(&clerk).await;
    let html = clerk.get(&page).await.text().await.unwrap();
    // FY2026 has no official edition yet: R7 is used and said so; unverified wording is marked.
    assert!(html.contains("前年度までの最新版"), "older edition notice");
    assert!(html.contains("文言未確認") && html.contains("文言未取得"));
    // The empty ledger suggests いいえ for 2-(1), with the reason.
    assert!(html.contains("機器台帳に機器が登録されていません"));

    // いいえ without a target date: refused, message beside the field, input kept.
    let fields = [
        ("answer", "no"),
        ("first_checked_on", "R8.5.1"),
        ("target_on", ""),
        ("note", "検討中"),
    ];
    let response = clerk
        .post_form(&format!("{page}/items/backup"), &fields)
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("「いいえ」の場合は対策の目標日を入力してください"),
        "message next to the field"
    );
    assert!(html.contains("value=\"検討中\""), "input kept");
    // Outside the fiscal year: refused with the year's bounds.
    let outside = [
        ("answer", "no"),
        ("first_checked_on", "2026-05-01"),
        ("target_on", "2027-04-01"),
    ];
    let html = clerk
        .post_form(&format!("{page}/items/backup"), &outside)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("2026-04-01〜2027-03-31"),
        "bounds in the message"
    );
    let ok = [
        ("answer", "no"),
        ("first_checked_on", "2026-05-01"),
        ("target_on", "令和9年3月31日"),
    ];
    assert_eq!(
        clerk
            .post_form(&format!("{page}/items/backup"), &ok)
            .await
            .status(),
        303
    );
    // 該当なし is refused where the catalogue does not allow it.
    let na = [("answer", "na"), ("first_checked_on", "2026-05-01")];
    assert_eq!(
        clerk
            .post_form(&format!("{page}/items/ledger"), &na)
            .await
            .status(),
        422
    );
    assert_eq!(
        clerk
            .post_form(&format!("{page}/items/remote_maintenance"), &na)
            .await
            .status(),
        303
    );

    // Evidence: upload, then download as an attachment with the same bytes.
    let token = clerk.csrf().await;
    let body = "<script>alert(1)</script> バックアップ手順書"
        .as_bytes()
        .to_vec();
    let part = reqwest::multipart::Part::bytes(body.clone()).file_name("手順書.html");
    let response = clerk
        .http
        .post(clerk.url(&format!("{page}/items/backup/evidence?csrf={token}")))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let html = clerk.get(&page).await.text().await.unwrap();
    let link = html
        .split("href=\"/facilities/F1/checklist/evidence/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let download = clerk
        .get(&format!("/facilities/F1/checklist/evidence/{link}"))
        .await;
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(
        download.headers()["content-type"],
        "application/octet-stream"
    );
    assert_eq!(download.bytes().await.unwrap().to_vec(), body);
    assert_eq!(
        clerk
            .post_form(
                &format!("{page}/items/ledger/evidence/ledger"),
                &[("ledger", "devices")]
            )
            .await
            .status(),
        303
    );

    // Readiness: backup is ready, unanswered items are not.
    let html = clerk
        .get("/facilities/F1/readiness?year=2026")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("未回答です") && html.contains("準備完了"));

    // Only the security officer signs off; then answers and evidence are refused until unlocked.
    assert_eq!(
        clerk
            .post_form(&format!("{page}/sign-off"), &[])
            .await
            .status(),
        403
    );
    let officer = client(&app, Role::SecurityOfficer, "officer@example.jp").await;
    // Items are unanswered: signing off asks first, listing them, and locks nothing yet.
    let asked = officer.post_form(&format!("{page}/sign-off"), &[]).await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(html.contains("未回答の項目があります"), "{html}");
    assert!(html.contains(&format!("href=\"{page}#item-")), "{html}");
    assert!(html.contains("name=\"incomplete\" value=\"1\""));
    let still = clerk.get(&page).await.text().await.unwrap();
    assert!(
        !still.contains("承認済み（ロック中）"),
        "not locked by asking"
    );
    assert_eq!(
        officer
            .post_form(&format!("{page}/sign-off"), &[("incomplete", "1")])
            .await
            .status(),
        303
    );
    assert_eq!(
        clerk
            .post_form(&format!("{page}/items/backup"), &ok)
            .await
            .status(),
        409
    );
    let html = clerk.get(&page).await.text().await.unwrap();
    assert!(
        html.contains("承認済み（ロック中）")
            && !html.contains(&format!("action=\"{page}/items/backup\""))
    );
    assert_eq!(
        officer
            .post_form(&format!("{page}/unlock"), &[("reason", "")])
            .await
            .status(),
        422
    );
    assert_eq!(
        officer
            .post_form(&format!("{page}/unlock"), &[("reason", "2回目の確認")])
            .await
            .status(),
        303
    );
    assert_eq!(
        clerk
            .post_form(&format!("{page}/items/backup"), &ok)
            .await
            .status(),
        303
    );

    // Roll-over to FY2027: the answer comes back to re-check, dates cleared.
    let response = clerk.post_form(&format!("{page}/roll-over"), &[]).await;
    assert_eq!(response.status(), 303);
    let next = response.headers()["location"].to_str().unwrap().to_string();
    let html = clerk.get(&next).await.text().await.unwrap();
    assert!(html.contains("前年度からの引継ぎで、まだ再確認されていません"));
    let audit = app
        .store
        .audit_entries(&mimamori_store::audit::AuditFilter {
            limit: 200,
            ..Default::default()
        })
        .await
        .unwrap();
    for action in ["sign_off", "unlock"] {
        assert!(audit.iter().any(|e| e.action == action), "{action} audited");
    }
    assert!(audit.iter().any(|e| e.entity == "checklist_evidence"));
}

async fn findings_api_and_xlsx(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clerk = client(&app, Role::Editor, "clerk@example.jp").await;
    for (no, os) in [("PC-1", "Windows 7"), ("PC-2", "")] {
        let device = serde_json::json!({"management_no": no, "os_name": os, "os_version": if os.is_empty() { "" } else { "SP1" }});
        assert_eq!(
            clerk
                .send_json(Method::POST, "/api/v1/facilities/F1/devices", &device)
                .await
                .status(),
            201
        );
    }
    let findings: serde_json::Value = clerk
        .get("/api/v1/facilities/F1/findings")
        .await
        .json()
        .await
        .unwrap();
    let rules: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "governance.appointments",
        "device.end_of_life_os",
        "ledger.device_without_os",
        "ledger.not_confirmed",
    ] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    let eol = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "device.end_of_life_os")
        .unwrap();
    assert!(eol["records"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("/facilities/F1/devices/"));
    let high: serde_json::Value = clerk
        .get("/api/v1/facilities/F1/findings?severity=high&item=security_patch")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(high.as_array().unwrap().len(), 1);
    let page = clerk
        .get("/facilities/F1/findings?severity=high")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("サポートが終了した OS") && !page.contains("OS・バージョン未記入"));

    // The API: start, answer (validated), read back with suggestions.
    let created: serde_json::Value = clerk
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/assessments",
            &serde_json::json!({"fiscal_year": 2026}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let url = format!("/api/v1/facilities/F1/assessments/{id}/answers/ledger");
    let refused = clerk
        .send_json(
            Method::PUT,
            &url,
            &serde_json::json!({"answer": "いいえ", "first_checked_on": "2026-06-01"}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["fields"][0]["code"], "target_required");
    let saved = clerk.send_json(Method::PUT, &url, &serde_json::json!({"answer": "no", "first_checked_on": "2026-06-01", "second_checked_on": "2026-10-01", "target_on": "2027-01-31", "note": "OS を記入中"})).await;
    assert_eq!(saved.status(), 200);
    let detail: serde_json::Value = clerk
        .get(&format!("/api/v1/facilities/F1/assessments/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let ledger = detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "ledger")
        .unwrap();
    assert_eq!(
        (ledger["answer"].as_str(), ledger["suggested"].as_str()),
        (Some("no"), Some("no"))
    );
    assert!(ledger["suggestion_reasons"][0]
        .as_str()
        .unwrap()
        .contains("1 台"));

    // The XLSX holds every item with its answer and dates.
    let xlsx = clerk
        .get(&format!("/facilities/F1/checklist/{id}/export"))
        .await;
    assert_eq!(xlsx.status(), 200);
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(xlsx.bytes().await.unwrap().to_vec())).unwrap();
    let range = book.worksheet_range("医療機関確認用").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::DateTime(d) => d.as_datetime().unwrap().date().to_string(),
                    o => o.to_string(),
                })
                .collect()
        })
        .collect();
    assert!(rows[1][0].contains("テスト病院"));
    let ledger = rows.iter().find(|r| r[0] == "2-(1)").unwrap();
    assert_eq!(
        &ledger[2..7],
        &[
            "いいえ",
            "2026-06-01",
            "2026-10-01",
            "2027-01-31",
            "OS を記入中"
        ]
    );
    let start = rows.iter().position(|r| r[0] == "項目番号").unwrap();
    assert_eq!(
        rows.len() - start - 1,
        detail["items"].as_array().unwrap().len()
    );
    let print = clerk
        .get(&format!("/facilities/F1/checklist/{id}/print"))
        .await
        .text()
        .await
        .unwrap();
    assert!(print.contains("OS を記入中") && print.contains("1回目"));
}

async fn catalogue_copy_for_a_new_year(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .sign_in(
            &app.user("admin@example.jp", Role::Administrator, None)
                .await,
        )
        .await;
    let clerk = client(&app, Role::Editor, "clerk@example.jp").await;
    assert_eq!(
        clerk
            .post_form("/checklist/catalog/copy", &[("fiscal_year", "2026")])
            .await
            .status(),
        403
    );
    assert_eq!(
        admin
            .post_form("/checklist/catalog/copy", &[("fiscal_year", "2026")])
            .await
            .status(),
        303
    );
    let editions: serde_json::Value = admin
        .get("/api/v1/checklist/editions")
        .await
        .json()
        .await
        .unwrap();
    let r8 = editions
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["fiscal_year"] == 2026 && e["form"] == "facility")
        .unwrap();
    assert_eq!(
        (r8["edition"].as_str(), r8["origin"].as_str()),
        (Some("R8"), Some("facility_maintained"))
    );
    assert_eq!(r8["unverified"], r8["items"]);
    let id = r8["id"].as_i64().unwrap();
    let update = [
        ("number", "２-(1)"),
        ("text", "<b>台帳</b>を管理している。"),
        ("explanation_ja", ""),
    ];
    assert_eq!(
        admin
            .post_form(&format!("/checklist/catalog/{id}/items/ledger"), &update)
            .await
            .status(),
        303
    );
    let html = admin
        .get(&format!("/checklist/catalog/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("施設で管理する版"), "origin shown");
    assert!(
        !html.contains("<b>台帳")
            && (html.contains("&#60;b&#62;台帳") || html.contains("&lt;b&gt;台帳")),
        "escaped"
    );
    assert!(
        html.contains("<span class=\"num\">2-(1)</span>"),
        "full-width number normalised"
    );
    // Official editions are not editable.
    let r7 = editions
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["fiscal_year"] == 2025 && e["form"] == "facility")
        .unwrap();
    assert_eq!(
        admin
            .post_form(
                &format!("/checklist/catalog/{}/items/ledger", r7["id"]),
                &update
            )
            .await
            .status(),
        400
    );
}
