//! Accounts over HTTP on both backends: a system's user export imported with a mapping that is
//! remembered, a second export reported exactly, the pages, a review exported as XLSX, and the
//! ID application workflow with its permissions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_formats::write::{csv, Cell, Encoding, Table};
use mimamori_testkit::{backend_tests, Backend, TestApp, TestClient};
use reqwest::Method;
use serde_json::{json, Value};

backend_tests!(
    a_user_export_imports_with_a_remembered_mapping_and_a_second_is_reported_exactly,
    pages_policy_review_and_export,
    id_applications_need_the_manager_and_land_in_the_ledger
);

async fn client(app: &TestApp, email: &str, role: Role) -> TestClient {
    let user = app.user(email, role, Some(app.facility.id)).await;
    app.sign_in(&user).await
}

/// The systems register gets 電子カルテ; the roster gets three people.
async fn seed(client: &TestClient) {
    let response = client
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/registers/systems",
            &json!({"name": "電子カルテ", "category": "ehr"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    for (number, name, job, left) in [
        ("10234", "山田 太郎", "医師", ""),
        ("10235", "佐藤 花子", "看護師", ""),
        ("10236", "鈴木 一郎", "事務", "2026-10-31"),
    ] {
        let response = client
            .send_json(
                Method::POST,
                "/api/v1/facilities/F1/registers/staff",
                &json!({"staff_number": number, "name": name, "job_type": job, "left_on": left}),
            )
            .await;
        assert_eq!(response.status(), 201, "{number}");
    }
}

/// An EHR's own export format, as CP932 CSV with its own column names (row 1 is the header).
fn ehr_export(rows: &[[&str; 5]]) -> Vec<u8> {
    let table = Table {
        sheet_name: "users".into(),
        preamble: vec!["利用者マスタ出力".into()],
        headers: ["USERCODE", "KANJI_NAME", "AUTH", "LAST_LOGIN", "STATE"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        widths: vec![12.0; 5],
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| Cell::text(*c)).collect())
            .collect(),
    };
    csv(&table, Encoding::Cp932).0
}

async fn import(client: &TestClient, query: &str, body: Vec<u8>) -> (u16, Value) {
    let token = client.csrf().await;
    let response = client
        .http
        .post(client.url(&format!(
            "/api/v1/facilities/F1/accounts/import?system=%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86&file_name=users.csv{query}"
        )))
        .header("x-csrf-token", token)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn ids(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

async fn a_user_export_imports_with_a_remembered_mapping_and_a_second_is_reported_exactly(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let client = client(&app, "it@example.jp", Role::Editor).await;
    seed(&client).await;
    let mapping = json!({"login_id": "USERCODE", "display_name": "KANJI_NAME", "privileges": "AUTH", "last_sign_in_on": "LAST_LOGIN", "status": "STATE"});
    let first = ehr_export(&[
        ["d10234", "山田 太郎", "カルテ:更新", "2026/11/01", "有効"],
        ["n10235", "佐藤 花子", "看護:更新", "R8.11.2", "有効"],
        ["c10236", "鈴木 一郎", "医事:参照", "2026/10/30", "有効"],
        ["user01", "受付共用", "医事:参照", "2026/11/20", "有効"],
    ]);
    // Without a mapping nothing in this export is recognised: nothing is written.
    let (status, refused) = import(&client, "", first.clone()).await;
    assert_eq!(status, 422);
    assert_eq!(refused["problems"][0]["code"], "no_header");
    assert!(refused["problems"][0]["message_ja"]
        .as_str()
        .unwrap()
        .contains("利用者ID"));
    let query = format!("&mapping={}", urlencoding::encode(&mapping.to_string()));
    let (status, report) = import(&client, &query, first).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        ids(&report, "created"),
        ["d10234", "n10235", "c10236", "user01"]
    );
    assert_eq!(report["owners_matched"], 3);
    assert_eq!(report["written"], true);

    // The next export of the same system: the saved mapping is used without being given.
    let second = ehr_export(&[
        ["d10234", "山田 太郎", "カルテ:更新", "2026/11/19", "有効"],
        [
            "n10235",
            "佐藤 花子",
            "看護:更新,カルテ:参照",
            "2026/11/18",
            "有効",
        ],
        ["user01", "受付共用", "医事:参照", "2026/11/20", "無効"],
        ["r20001", "研修 医", "カルテ:参照", "", "有効"],
    ]);
    // The preview reports exactly what the import then does, and writes nothing.
    let (status, preview) = import(&client, "&dry_run=true", second.clone()).await;
    assert_eq!((status, preview["written"].as_bool()), (200, Some(false)));
    let (_, report) = import(&client, "", second.clone()).await;
    for report in [&preview, &report] {
        assert_eq!(ids(report, "created"), ["r20001"]);
        assert_eq!(ids(report, "changed"), ["n10235"]);
        assert_eq!(ids(report, "disabled"), ["user01", "c10236"]);
        assert_eq!(report["sign_ins_updated"], 1);
        assert_eq!(report["unchanged"], 0);
    }
    // The same file a second time changes nothing.
    let (_, report) = import(&client, "", second).await;
    assert_eq!(report["unchanged"], 4, "{report}");
    // A broken row is located by row, column and value, in both languages; nothing is written.
    let broken = ehr_export(&[["x1", "X", "カルテ:全部", "someday", "有効"]]);
    let (status, report) = import(&client, "", broken).await;
    assert_eq!(status, 422);
    let problems: Vec<(u64, String, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["value"].as_str().unwrap().to_string(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (
                2,
                "カルテ:全部".to_string(),
                "invalid_privilege".to_string()
            ),
            (2, "someday".to_string(), "invalid_date".to_string())
        ]
    );
    assert!(report["problems"][0]["message_en"]
        .as_str()
        .unwrap()
        .contains("privilege"));
    let list: Value = client
        .get("/api/v1/facilities/F1/accounts?status=active")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 3);
}

async fn pages_policy_review_and_export(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = client(&app, "admin@example.jp", Role::Administrator).await;
    seed(&admin).await;
    let mapping =
        json!({"login_id": "USERCODE", "display_name": "KANJI_NAME", "privileges": "AUTH"});
    let (_, report) = import(
        &admin,
        &format!("&mapping={}", urlencoding::encode(&mapping.to_string())),
        ehr_export(&[
            ["d10234", "山田 太郎", "カルテ:更新,医事:参照", "", ""],
            ["c10236", "鈴木 一郎", "医事:参照", "", ""],
            ["<script>alert(1)</script>", "x", "", "", ""],
        ]),
    )
    .await;
    assert_eq!(report["written"], true, "{report}");
    let overview = admin
        .get("/facilities/F1/accounts")
        .await
        .text()
        .await
        .unwrap();
    assert!(overview.contains("accounts.leaver") && overview.contains("c10236"));
    assert!(!overview.contains("<script>alert(1)</script>"));
    let system_id = {
        let systems: Value = admin
            .get("/api/v1/facilities/F1/registers/systems")
            .await
            .json()
            .await
            .unwrap();
        systems["items"][0]["id"].as_i64().unwrap()
    };
    let page = admin
        .get(&format!("/facilities/F1/accounts/systems/{system_id}"))
        .await
        .text()
        .await
        .unwrap();
    let at = page
        .find("alert(1)")
        .map(|i| &page[i.saturating_sub(40)..i + 20]);
    assert!(
        page.contains("&#60;script&#62;alert(1)") && !page.contains("<script>alert(1)"),
        "{at:?}"
    );
    // The policy grid: doctors may write records; the doctor's billing read is beyond it.
    let response = admin
        .post_form(
            &format!("/facilities/F1/accounts/systems/{system_id}/policy"),
            &[
                ("p_doctor_medical_record", "write"),
                ("p_clerk_billing", "read"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let policy: Value = admin
        .get("/api/v1/facilities/F1/access-policies/%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(policy.as_array().unwrap().len(), 2);
    let findings: Value = admin
        .get("/api/v1/facilities/F1/findings")
        .await
        .json()
        .await
        .unwrap();
    let beyond = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "accounts.beyond_policy")
        .expect("beyond policy");
    assert_eq!(beyond["records"][0]["label"], "電子カルテ: d10234");

    // A review through the pages: start, decide all, complete, export.
    let response = admin
        .post_form(
            "/facilities/F1/accounts/reviews",
            &[
                ("system", &system_id.to_string()),
                ("title", "棚卸し"),
                ("due_on", "R9.3.31"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let review_url = response.headers()["location"].to_str().unwrap().to_string();
    let review_id = review_url.rsplit('/').next().unwrap().to_string();
    let review: Value = admin
        .get(&format!("/api/v1/facilities/F1/access-reviews/{review_id}"))
        .await
        .json()
        .await
        .unwrap();
    let items = review["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3);
    let complete = format!("{review_url}/complete");
    assert_eq!(
        admin.post_form(&complete, &[]).await.status(),
        409,
        "not all decided"
    );
    for item in &items {
        let decision = if item["login_id"] == "c10236" {
            "disable"
        } else {
            "confirm"
        };
        let response = admin
            .post_form(
                &format!("{review_url}/items/{}", item["id"]),
                &[("decision", decision), ("note", "")],
            )
            .await;
        assert_eq!(response.status(), 303);
    }
    assert_eq!(admin.post_form(&complete, &[]).await.status(), 303);
    let html = admin.get(&review_url).await.text().await.unwrap();
    assert!(html.contains("id=\"review-complete\""));
    let xlsx = admin
        .get(&format!("{review_url}/export?format=xlsx"))
        .await
        .bytes()
        .await
        .unwrap();
    let sheets = mimamori_formats::read_tables(&xlsx, "x.xlsx", None).unwrap();
    let text: Vec<String> = sheets[0].rows.iter().flatten().cloned().collect();
    assert!(text.iter().any(|c| c == "停止") && text.iter().filter(|c| *c == "継続").count() == 2);
    let leaver: Value = admin
        .get("/api/v1/facilities/F1/accounts?q=c10236")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(leaver["accounts"][0]["status"], "suspended");
    assert!(!admin
        .get("/facilities/F1/accounts")
        .await
        .text()
        .await
        .unwrap()
        .contains("accounts.leaver"));
}

async fn id_applications_need_the_manager_and_land_in_the_ledger(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = client(&app, "it@example.jp", Role::Editor).await;
    let officer = client(&app, "officer@example.jp", Role::SecurityOfficer).await;
    seed(&editor).await;
    let response = editor
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/account-applications",
            &json!({"kind": "new", "system": "電子カルテ", "applicant": "山田 太郎", "staff_number": "10234",
                    "job_type": "doctor", "privileges": "診療記録:更新、画像:参照", "reason": "入職", "login_id": "d10234"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let application: Value = response.json().await.unwrap();
    let id = application["id"].as_i64().unwrap();
    let base = format!("/api/v1/facilities/F1/account-applications/{id}");
    // The editor may not decide; the security officer (system manager) does.
    let response = editor
        .send_json(
            Method::POST,
            &format!("{base}/decision"),
            &json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = editor
        .send_json(Method::POST, &format!("{base}/carry-out"), &json!({}))
        .await;
    assert_eq!(response.status(), 409, "not approved yet");
    let response = officer
        .send_json(
            Method::POST,
            &format!("{base}/decision"),
            &json!({"decision": "approve", "note": "可"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = editor
        .send_json(Method::POST, &format!("{base}/carry-out"), &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let done: Value = response.json().await.unwrap();
    assert_eq!(done["status"], "done");
    assert!(done["decided_by"].as_str().is_some() && done["done_by"].as_str().is_some());
    let page = editor
        .get(&format!("/facilities/F1/accounts/applications/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("完了") && page.contains("/facilities/F1/accounts/"));
    let accounts: Value = editor
        .get("/api/v1/facilities/F1/accounts?q=d10234")
        .await
        .json()
        .await
        .unwrap();
    let account = &accounts["accounts"][0];
    assert_eq!(account["owner_state"], "confirmed");
    assert_eq!(account["privileges"]["images"], "read");
    // Unknown job types and unreadable rights are refused with a message.
    let response = editor
        .send_json(
            Method::POST,
            "/api/v1/facilities/F1/account-applications",
            &json!({"kind": "new", "system": "電子カルテ", "applicant": "X", "privileges": "全部:全部", "reason": "r"}),
        )
        .await;
    assert_eq!(response.status(), 400);
}
