//! The organisation overview over HTTP on both backends: the page and the API list every facility
//! of the organisation with its findings, checklist progress and ledger confirmation, filtered,
//! sorted and paged; names are escaped; bad parameters are refused; facility-scoped users have
//! no overview.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_domain::facility::FacilityKind;
use mimamori_store::Actor;
use mimamori_testkit::{backend_tests, Backend, TestApp};
use serde_json::Value;

backend_tests!(overview_page_and_api_list_the_organisation);

async fn overview_page_and_api_list_the_organisation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Two more facilities: a clinic whose name would be markup, and a pharmacy in Osaka.
    let mut tx = app.store.write(&Actor::system("test")).await.unwrap();
    for (code, name, kind, prefecture) in [
        (
            "C1",
            "<script>alert(1)</script>クリニック",
            FacilityKind::Clinic,
            "東京都",
        ),
        ("P1", "みなと薬局", FacilityKind::Pharmacy, "大阪府"),
    ] {
        let mut profile = mimamori_testkit::facility_profile(code, name);
        profile.kind = kind;
        profile.beds = None;
        profile.prefecture = Some(prefecture.into());
        tx.create_facility(app.organisation_id, &profile)
            .await
            .unwrap();
    }
    tx.confirm_ledger(app.facility.id, "devices", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let today = app.store.clock().today_jst();
    app.store
        .refresh_pending_summaries(today, 100)
        .await
        .unwrap();

    let admin = app
        .user("admin@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    let page = client.get("/overview").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("組織の概況"), "{html}");
    assert!(html.contains("テスト病院") && html.contains("みなと薬局"));
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(html.contains("href=\"/overview\""), "menu link");
    assert!(
        html.contains(&today.to_string()),
        "the confirmed ledger's date"
    );

    // Filters by kind and prefecture; the API gives the same rows with the counts.
    let html = client
        .get("/overview?kind=pharmacy")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("みなと薬局") && !html.contains("テスト病院"));
    let api: Value = client
        .get("/api/v1/overview?prefecture=%E5%A4%A7%E9%98%AA%E5%BA%9C")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["total"], 1);
    assert_eq!(api["facilities"][0]["code"], "P1");
    let all: Value = client
        .get("/api/v1/overview?sort=code&per_page=2&page=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 3);
    assert_eq!(all["facilities"].as_array().unwrap().len(), 1);
    assert_eq!(all["facilities"][0]["code"], "P1");
    let f1: Value = client
        .get("/api/v1/overview?q=F1")
        .await
        .json()
        .await
        .unwrap();
    let row = &f1["facilities"][0];
    assert_eq!(row["ledger_confirmed_on"], today.to_string());
    assert_eq!(row["fiscal_year"], 2026);
    let high = row["findings_high"].as_i64().unwrap();
    assert!(high > 0, "no security officer yet: {row}");
    assert_eq!(row["status"], "urgent", "no security officer is urgent");
    assert_eq!(f1["by_status"]["urgent"], 1);

    // The findings the overview counts are the findings page's.
    let findings: Value = client
        .get("/api/v1/facilities/F1/findings")
        .await
        .json()
        .await
        .unwrap();
    let listed = findings
        .as_array()
        .map(|a| a.iter().filter(|f| f["severity"] == "high").count())
        .unwrap_or_else(|| {
            findings["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["severity"] == "high")
                .count()
        });
    assert_eq!(listed as i64, high);

    // Unknown values are refused with a message, not ignored.
    let bad = client.get("/api/v1/overview?sort=beds").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("sort"));

    // A facility's own officer has no organisation-wide view.
    let officer = app
        .user(
            "officer@example.jp",
            Role::SecurityOfficer,
            Some(app.facility.id),
        )
        .await;
    let client = app.sign_in(&officer).await;
    assert_eq!(client.get("/overview").await.status(), 403);
    assert_eq!(client.get("/api/v1/overview").await.status(), 403);
    let dashboard = client.get("/dashboard").await.text().await.unwrap();
    assert!(!dashboard.contains("href=\"/overview\""));
}

backend_tests!(the_overview_exports_every_matching_facility);

/// The export holds every facility matching the filters (not only the page shown), in Japanese.
async fn the_overview_exports_every_matching_facility(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut tx = app.store.write(&Actor::system("test")).await.unwrap();
    for n in 0..60 {
        let mut profile = mimamori_testkit::facility_profile(&format!("K{n:03}"), "くすのき診療所");
        profile.kind = FacilityKind::Clinic;
        profile.beds = None;
        tx.create_facility(app.organisation_id, &profile)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    app.store
        .refresh_pending_summaries(app.store.clock().today_jst(), 1000)
        .await
        .unwrap();
    let admin = app
        .user("admin@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    let page = client
        .get("/overview?kind=clinic&per_page=10")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("/overview/export?"), "{page}");
    let response = client
        .get("/overview/export?kind=clinic&format=csv&sort=code")
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("overview.csv"));
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.lines().filter(|l| l.starts_with("K0")).collect();
    assert_eq!(lines.len(), 60, "{body}");
    assert!(
        lines[0].starts_with("K000,くすのき診療所,診療所"),
        "{}",
        lines[0]
    );
    assert!(body.contains("施設コード,施設名"));
    assert!(!body.contains("テスト病院"), "the filter holds");
    let xlsx = client.get("/overview/export?format=xlsx").await;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    assert_eq!(
        client.get("/overview/export?format=pdf").await.status(),
        400
    );
}
