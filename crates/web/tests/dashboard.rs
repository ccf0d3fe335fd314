//! The dashboard and the facility overview tell the truth: a facility with findings of any kind
//! never reads "no findings"; the worst findings and the overdue deadlines are there, each one
//! click from where it is fixed; the navigation and the switcher keep the area across
//! facilities.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_domain::ledger::device::DeviceInput;
use mimamori_store::Actor;
use mimamori_testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    the_dashboard_shows_findings_worst_first_and_overdue_deadlines,
    the_switcher_keeps_the_area_across_facilities
);

async fn the_dashboard_shows_findings_worst_first_and_overdue_deadlines(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A device in use and a ledger never confirmed: a yearly confirmation overdue; no security
    // officer: a high finding.
    let device = DeviceInput {
        management_no: "PC-01".into(),
        kind: "pc".into(),
        os_name: "Windows".into(),
        os_version: "8.1".into(),
        status: "稼働".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
    .device;
    let mut tx = app.store.write(&Actor::system("test")).await.unwrap();
    tx.create_device(app.facility.id, &device).await.unwrap();
    tx.commit().await.unwrap();
    let today = app.store.clock().today_jst();
    let findings = app
        .store
        .facility_findings(app.facility.id, today)
        .await
        .unwrap()
        .findings
        .clone();
    assert!(findings.len() >= 2, "{findings:?}");

    let user = app
        .user("clerk@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    let client = app.sign_in(&user).await;
    let code = &app.facility.profile.code;
    for path in ["/dashboard".to_string(), format!("/facilities/{code}")] {
        let html = client.get(&path).await.text().await.unwrap();
        assert!(!html.contains("指摘事項はありません"), "{path}: {html}");
        assert!(
            html.contains(&format!("指摘事項 {} 件", findings.len())),
            "{path}: {html}"
        );
        // The worst finding is listed first, linked to its place on the findings page.
        let worst = findings.iter().min_by_key(|f| f.severity).unwrap();
        let link = format!("/facilities/{code}/findings#rule-{}", worst.rule);
        let first_finding = html.find("class=\"findings\"").unwrap();
        assert!(html[first_finding..].contains(&link), "{path}: {html}");
        assert!(html.contains("badge sev-high"), "{path}");
        // The overdue confirmation is a next action, red, linked to the ledger.
        assert!(html.contains("機器台帳の年次確認"), "{path}: {html}");
        assert!(html.contains("badge overdue"), "{path}");
        assert!(html.contains(&format!("href=\"/facilities/{code}/devices\"")));
        assert!(html.contains("次にすること"), "{path}");
    }
    let findings_page = client
        .get(&format!("/facilities/{code}/findings"))
        .await
        .text()
        .await
        .unwrap();
    assert!(findings_page.contains(&format!("id=\"rule-{}\"", findings[0].rule)));
}

async fn the_switcher_keeps_the_area_across_facilities(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut tx = app.store.write(&Actor::system("test")).await.unwrap();
    let second = tx
        .create_facility(
            app.organisation_id,
            &mimamori_testkit::facility_profile("C2", "みなとクリニック"),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let admin = app
        .user("vendor@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    let first = app.facility.profile.code.clone();

    // Off a facility, the navigation's areas lead to a choice of facility for that area.
    let dashboard = client.get("/dashboard").await.text().await.unwrap();
    for area in ["devices", "checklist", "accounts", "preparedness"] {
        assert!(
            dashboard.contains(&format!("href=\"/choose?area={area}\"")),
            "{area}"
        );
    }
    let choose = client.get("/choose?area=checklist").await;
    assert_eq!(choose.status(), 200);
    let html = choose.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/facilities/{first}/checklist\"")));
    assert!(html.contains("href=\"/facilities/C2/checklist\""));
    assert!(html.contains("みなとクリニック"));
    let filtered = client
        .get("/choose?area=checklist&q=みなと")
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains("/facilities/C2/checklist"));
    assert!(!filtered.contains(&format!("/facilities/{first}/checklist")));
    // The old entries go to the choice rather than bounce to the dashboard.
    for (entry, area) in [
        ("/ledgers", "devices"),
        ("/checklist", "checklist"),
        ("/accounts", "accounts"),
        ("/preparedness", "preparedness"),
    ] {
        let response = client.get(entry).await;
        assert_eq!(response.status(), 303, "{entry}");
        assert_eq!(
            response.headers()["location"],
            format!("/choose?area={area}")
        );
    }
    // A crafted area cannot lead off the facility.
    let crafted = client
        .get("/choose?area=//evil.example")
        .await
        .text()
        .await
        .unwrap();
    assert!(!crafted.contains("evil.example\""));
    assert!(crafted.contains("href=\"/facilities/C2\""));

    // On a facility page, the areas are that facility's, and the switcher keeps the area.
    for (path, area) in [
        (
            format!("/facilities/{}/devices", second.profile.code),
            "devices",
        ),
        (
            "/facilities/C2/registers/vendors".to_string(),
            "registers/vendors",
        ),
        ("/facilities/C2/checklist".to_string(), "checklist"),
    ] {
        let response = client.get(&path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains("href=\"/facilities/C2/devices\""), "{path}");
        assert!(html.contains("href=\"/facilities/C2/accounts\""), "{path}");
        assert!(
            html.contains(&format!("href=\"/choose?area={area}\"")),
            "{path}: switcher"
        );
        assert!(html.contains("class=\"switcher\""), "{path}");
    }

    // Someone with one facility goes straight to its area.
    let clerk = app
        .user("clerk@example.jp", Role::Editor, Some(second.id))
        .await;
    let one = app.sign_in(&clerk).await;
    let response = one.get("/choose?area=accounts").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/facilities/C2/accounts");
}

backend_tests!(the_audit_log_reads_in_the_users_language);

/// Actions and records are named in Japanese for a Japanese user, not by their codes.
async fn the_audit_log_reads_in_the_users_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let device = DeviceInput {
        management_no: "PC-02".into(),
        status: "稼働".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
    .device;
    let mut tx = app.store.write(&Actor::system("test")).await.unwrap();
    tx.create_device(app.facility.id, &device).await.unwrap();
    tx.commit().await.unwrap();
    let admin = app
        .user("admin@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    let html = client.get("/audit").await.text().await.unwrap();
    let rows = &html[html.find("<tbody>").unwrap()..];
    assert!(rows.contains("<td>作成</td><td>機器"), "{rows}");
    assert!(rows.contains("<td>サインイン</td>"), "{rows}");
    for code in [
        "<td>create</td>",
        "<td>device",
        "<td>sign_in</td>",
        "<td>update</td>",
    ] {
        assert!(!rows.contains(code), "{code} shown as a code: {rows}");
    }
    let filtered = client
        .get("/audit?action=create")
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains("<option value=\"create\" selected>作成</option>"));
}
