//! The real router over HTTP, as a browser or script would use it, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::{Permission, Role};
use mimamori_domain::facility::FacilityProfile;
use mimamori_store::Actor;
use mimamori_testkit::{backend_tests, Backend, TestApp};
use reqwest::Method;

backend_tests!(
    setup_creates_admin_and_requires_totp,
    post_without_csrf_token_is_refused,
    every_route_applies_its_permission_rule,
    markup_in_names_is_escaped,
    api_tokens_authenticate_the_api_only,
    sign_out_everywhere_ends_all_sessions,
    idle_sessions_expire,
    access_changes_take_effect_at_the_next_request,
    expired_inspector_has_no_access,
    governance_form_validates_and_audits,
    api_errors_use_one_format,
);

fn text_between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    let to = html[from..].find(end).unwrap() + from;
    &html[from..to]
}

async fn setup_creates_admin_and_requires_totp(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = mimamori_web::auth::setup::prepare(&app.store)
        .await
        .unwrap()
        .unwrap();
    let client = app.client();
    assert_eq!(client.get("/setup?token=wrong").await.status(), 403);
    let page = client.get(&format!("/setup?token={token}")).await;
    assert_eq!(page.status(), 200);
    let form = [
        ("token", token.as_str()),
        ("organisation", "医療法人テスト会"),
        ("code", "ＨＱ"),
        ("name", "テスト記念病院"),
        ("kind", "hospital"),
        ("beds", "２００"),
        ("institution_code", "1312345678"),
        ("prefecture", "東京都"),
        ("address", ""),
        ("admin_name", "管理 太郎"),
        ("email", "Admin@Example.JP"),
        ("password", "short"),
        ("password_confirm", "short"),
    ];
    let response = client.post_form("/setup", &form).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("id=\"e-password\""),
        "field error next to the password field"
    );
    let mut good = form.to_vec();
    good.retain(|(k, _)| *k != "password" && *k != "password_confirm");
    good.push(("password", "Kanri-2026!"));
    good.push(("password_confirm", "Kanri-2026!"));
    let response = client.post_form("/setup", &good).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/account/totp");
    // The token is spent, and the dashboard waits for the second factor.
    assert_eq!(
        client.get(&format!("/setup?token={token}")).await.status(),
        303
    );
    assert_eq!(
        client.get("/dashboard").await.headers()["location"],
        "/account/totp"
    );
    let html = client.get("/account/totp").await.text().await.unwrap();
    assert!(html.contains("data:image/svg+xml;base64,"));
    let secret = text_between(&html, "<code id=\"totp-secret\">", "</code>").replace(' ', "");
    let user = mimamori_testkit::TestUser {
        id: 0,
        email: "admin@example.jp".into(),
        totp_secret: secret,
    };
    let response = client
        .post_form("/account/totp", &[("code", "000000")])
        .await;
    assert_eq!(response.status(), 422);
    let response = client
        .post_form("/account/totp", &[("code", &app.totp_code(&user))])
        .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert_eq!(html.matches("<li><code>").count(), 10, "ten recovery codes");
    let dashboard = client.get("/dashboard").await;
    assert_eq!(dashboard.status(), 200);
    assert!(dashboard.text().await.unwrap().contains("テスト記念病院"));
    // A recovery code signs in once.
    let recovery = text_between(&html, "<li><code>", "</code>").to_string();
    let other = app.client();
    other
        .post_form(
            "/login",
            &[("email", "admin@example.jp"), ("password", "Kanri-2026!")],
        )
        .await;
    let response = other.post_form("/login/totp", &[("code", &recovery)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(other.get("/dashboard").await.status(), 200);
    let third = app.client();
    third
        .post_form(
            "/login",
            &[("email", "admin@example.jp"), ("password", "Kanri-2026!")],
        )
        .await;
    assert_eq!(
        third
            .post_form("/login/totp", &[("code", &recovery)])
            .await
            .status(),
        401
    );
}

async fn post_without_csrf_token_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .user("admin@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    let url = client.url("/facilities/F1");
    let form = [("code", "F1"), ("name", "乗っ取り"), ("kind", "clinic")];
    let response = client.http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("フォームの有効期限"));
    let mut wrong = form.to_vec();
    wrong.push(("csrf", "forged-token-forged-token-forged-token"));
    assert_eq!(
        client
            .http
            .post(&url)
            .form(&wrong)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let api = client
        .http
        .put(client.url("/api/v1/facilities/F1"))
        .json(&serde_json::json!({"code": "F1", "name": "x", "kind": "clinic"}));
    let response = api.send().await.unwrap();
    assert_eq!(response.status(), 403);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "csrf_failed");
    // Anonymous sign-in forms are protected too.
    let anonymous = app.client();
    let response = anonymous
        .http
        .post(anonymous.url("/login"))
        .form(&[("email", "a"), ("password", "b")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        app.store.facility_by_code("F1").await.unwrap().profile.name,
        "テスト病院"
    );
}

fn sample_path(path: &str) -> String {
    path.replace("{code}", "F1")
        .replace("{id}", "999999")
        .replace("{file}", "app.css")
        .replace("{register}", "vendors")
        .replace("{key}", "ledger")
        .replace("{evidence}", "999999")
        .replace("{item}", "999999")
        .replace("{pending}", "999999")
        .replace("{system}", "EHR")
}

async fn request(
    client: &mimamori_testkit::TestClient,
    method: &Method,
    path: &str,
) -> reqwest::Response {
    let url = sample_path(path);
    if *method == Method::GET {
        return client.get(&url).await;
    }
    if path.starts_with("/api/") {
        return client
            .send_json(method.clone(), &url, &serde_json::json!({}))
            .await;
    }
    client.post_form(&url, &[]).await
}

async fn every_route_applies_its_permission_rule(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let facility = Some(app.facility.id);
    let mut principals = vec![(
        None,
        app.user("org-admin@example.jp", Role::Administrator, None)
            .await,
    )];
    for role in Role::ALL {
        let email = format!("{}@example.jp", role.code());
        let expiry = (role == Role::Inspector).then_some("2027-03-31");
        principals.push((
            Some(role),
            app.user_with_expiry(&email, role, facility, expiry).await,
        ));
    }
    let rules = mimamori_web::routes::rules();
    assert!(rules.len() > 40, "every route is in the table");
    for (facility_role, user) in &principals {
        let mut client = app.sign_in(user).await;
        for rule in &rules {
            if rule.path.starts_with("/logout") {
                continue;
            }
            let response = request(&client, &rule.method, rule.path).await;
            let status = response.status().as_u16();
            let allowed = match rule.permission {
                Permission::Public | Permission::SignedIn => true,
                Permission::Facility(action) => facility_role.is_none_or(|r| r.allows(action)),
                Permission::Organisation(_) => facility_role.is_none(),
            };
            let who = facility_role
                .map(|r| r.code())
                .unwrap_or("organisation administrator");
            if allowed {
                assert_ne!(
                    status, 403,
                    "{who} must reach {} {}",
                    rule.method, rule.path
                );
                if rule.permission != Permission::Public {
                    assert_ne!(
                        status, 401,
                        "{who} stays signed in at {} {}",
                        rule.method, rule.path
                    );
                }
            } else {
                assert_eq!(
                    status, 403,
                    "{who} must be refused {} {}",
                    rule.method, rule.path
                );
            }
        }
        // Logging out ends the session; the next sign-in starts a fresh one.
        let response = request(&client, &Method::POST, "/logout").await;
        assert_eq!(response.status(), 303);
        client = app.client();
        assert_eq!(client.get("/dashboard").await.status(), 303);
    }
    // Anonymous: every non-public page redirects to sign-in, every API answers 401.
    let anonymous = app.client();
    for rule in rules.iter().filter(|r| r.permission != Permission::Public) {
        let response = request(&anonymous, &rule.method, rule.path).await;
        let expected = if rule.path.starts_with("/api/") {
            401
        } else {
            303
        };
        assert_eq!(
            response.status().as_u16(),
            expected,
            "anonymous {} {}",
            rule.method,
            rule.path
        );
    }
}

async fn markup_in_names_is_escaped(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .user("admin@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    let evil = "<script>alert(1)</script>";
    let response = client
        .post_form(
            "/facilities/F1",
            &[("code", "F1"), ("name", evil), ("kind", "hospital")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = client
        .post_form(
            "/facilities/F1/governance",
            &[
                ("role", "security_officer"),
                ("person_name", evil),
                ("tenure", "dedicated"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    for page in [
        "/dashboard",
        "/facilities/F1",
        "/facilities/F1/governance",
        "/audit",
        "/facilities/F1/edit",
    ] {
        let html = client.get(page).await.text().await.unwrap();
        assert!(!html.contains(evil), "{page} shows raw markup");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                || html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
                || html.contains("&#60;script&#62;"),
            "{page} shows the name escaped"
        );
    }
}

async fn api_tokens_authenticate_the_api_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let officer = app
        .user(
            "officer@example.jp",
            Role::SecurityOfficer,
            Some(app.facility.id),
        )
        .await;
    let client = app.sign_in(&officer).await;
    let html = client
        .post_form("/account/tokens", &[("name", "台帳連携")])
        .await
        .text()
        .await
        .unwrap();
    let token = text_between(&html, "<code id=\"new-token\">", "</code>").to_string();
    assert!(token.starts_with("mmr_"));
    let api = reqwest::Client::new();
    let me: serde_json::Value = api
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "officer@example.jp");
    // Writes with a token need no CSRF token.
    let body = serde_json::json!({"role": "planning_manager", "person_name": "鈴木 一郎", "from_on": "令和7年4月1日"});
    let response = api
        .post(app.url("/api/v1/facilities/F1/appointments"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(created["from_on"], "2025-04-01");
    assert_eq!(
        created["url"],
        format!("/api/v1/facilities/F1/appointments/{}", created["id"])
    );
    // Security officers may not manage members.
    assert_eq!(
        api.get(app.url("/api/v1/facilities/F1/members"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // Tokens do not open HTML pages.
    assert_eq!(
        api.get(app.url("/dashboard"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        api.get(app.url("/api/v1/me"))
            .bearer_auth("mmr_wrong")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let stored = app.store.api_tokens(officer.id).await.unwrap();
    client
        .post_form(&format!("/account/tokens/{}/revoke", stored[0].id), &[])
        .await;
    assert_eq!(
        api.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn sign_out_everywhere_ends_all_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let first = app.sign_in(&user).await;
    let second = app.sign_in(&user).await;
    assert_eq!(second.get("/dashboard").await.status(), 200);
    assert_eq!(
        first.post_form("/logout/everywhere", &[]).await.status(),
        303
    );
    assert_eq!(second.get("/dashboard").await.status(), 303);
    assert_eq!(first.get("/dashboard").await.status(), 303);
}

async fn idle_sessions_expire(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let client = app.sign_in(&user).await;
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(client.get("/dashboard").await.status(), 200);
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(
        client.get("/dashboard").await.status(),
        200,
        "activity keeps the session"
    );
    app.clock.advance(chrono::Duration::minutes(31));
    let response = client.get("/dashboard").await;
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

/// The server keeps recent requests' sessions and facilities (auth::cache); a removed
/// membership (which ends the user's sessions), a deactivated user or a renamed facility still
/// count from the very next request.
async fn access_changes_take_effect_at_the_next_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let client = app.sign_in(&user).await;
    for _ in 0..3 {
        assert_eq!(client.get("/facilities/F1/devices").await.status(), 200);
    }

    let mut tx = app.store.write(&Actor::system("admin")).await.unwrap();
    let renamed = FacilityProfile {
        name: "改名後病院".into(),
        ..TestApp::facility_profile_for_tests("F1")
    };
    tx.update_facility(&app.facility, &renamed).await.unwrap();
    tx.commit().await.unwrap();
    let page = client
        .get("/facilities/F1/devices")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("改名後病院"), "the new name at once");

    let today = app.store.clock().today_jst().to_string();
    let membership = app.store.memberships_of(user.id, &today).await.unwrap()[0].clone();
    let mut tx = app.store.write(&Actor::system("admin")).await.unwrap();
    tx.remove_membership(&membership).await.unwrap();
    tx.commit().await.unwrap();
    // A removed role ends the user's sessions (issue 23): signed out at the next request.
    assert_eq!(client.get("/facilities/F1/devices").await.status(), 303);
    assert_eq!(
        client.get("/api/v1/facilities/F1/devices").await.status(),
        401
    );
}

async fn expired_inspector_has_no_access(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let inspector = app
        .user_with_expiry(
            "inspector@example.jp",
            Role::Inspector,
            Some(app.facility.id),
            Some("2026-12-01"),
        )
        .await;
    let client = app.sign_in(&inspector).await;
    assert_eq!(client.get("/facilities/F1").await.status(), 200);
    assert_eq!(client.get("/facilities/F1/edit").await.status(), 403);
    app.clock.advance(chrono::Duration::days(11));
    let client = app.sign_in(&inspector).await;
    assert_eq!(client.get("/facilities/F1").await.status(), 403);
}

async fn governance_form_validates_and_audits(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let officer = app
        .user(
            "officer@example.jp",
            Role::SecurityOfficer,
            Some(app.facility.id),
        )
        .await;
    let client = app.sign_in(&officer).await;
    let response = client
        .post_form(
            "/facilities/F1/governance",
            &[
                ("role", "monitoring_manager"),
                ("person_name", "小林"),
                ("from_on", "2025-02-30"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"e-department\""));
    assert!(html.contains("id=\"e-from_on\""));
    let response = client
        .post_form(
            "/facilities/F1/governance",
            &[
                ("role", "security_officer"),
                ("person_name", "高橋 誠"),
                ("tenure", "専任"),
                ("from_on", "R7.4.1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let html = client
        .get("/facilities/F1/governance")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("高橋 誠") && html.contains("2025-04-01") && html.contains("専任"));
    assert!(
        html.contains("企画管理者が任命されていません"),
        "missing planning manager is flagged"
    );
    let entries = app.store.audit_history("appointment", "1").await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "officer@example.jp");
    assert_eq!(entries[0].facility_id, Some(app.facility.id));
}

async fn api_errors_use_one_format(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .user("admin@example.jp", Role::Administrator, None)
        .await;
    let client = app.sign_in(&admin).await;
    let body = serde_json::json!({"code": "bad code", "name": "", "kind": "castle", "institution_code": "99"});
    let response = client
        .send_json(Method::POST, "/api/v1/facilities", &body)
        .await;
    assert_eq!(response.status(), 422);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["code"], "validation_failed");
    let fields: Vec<&str> = error["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "name", "kind", "institution_code"]);
    assert!(error["fields"][0]["message_ja"]
        .as_str()
        .unwrap()
        .contains("施設コード"));
    let response = client.get("/api/v1/facilities/NOPE").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["code"],
        "not_found"
    );
}

#[tokio::test]
async fn openapi_describes_every_api_route() {
    let document =
        serde_json::to_value(<mimamori_web::api::openapi::ApiDoc as utoipa::OpenApi>::openapi())
            .unwrap();
    for rule in mimamori_web::routes::rules() {
        if !rule.path.starts_with("/api/v1/") || rule.path == "/api/v1/openapi.json" {
            continue;
        }
        let method = rule.method.as_str().to_lowercase();
        assert!(
            document["paths"][rule.path][&method].is_object(),
            "{} {} is missing from the OpenAPI document",
            rule.method,
            rule.path
        );
    }
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json");
    let current = serde_json::to_string_pretty(&document).unwrap() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(committed_path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    assert!(committed == current, "openapi.json differs from the API: review and run UPDATE_OPENAPI=1 cargo test -p mimamori-web --test http openapi");
}
