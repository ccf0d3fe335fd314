//! Sessions and API tokens end when what they stood on ends (issue 23): a password change ends
//! the user's other sessions and tokens, signing out everywhere ends the tokens too, a removed
//! role ends them, tokens expire, and a read-only token cannot write — on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_testkit::{app_password, backend_tests, Backend, TestApp, TestClient};

backend_tests!(
    a_password_change_ends_the_other_sessions_and_the_tokens,
    signing_out_everywhere_ends_the_tokens_too,
    a_removed_role_ends_the_tokens,
    tokens_expire_and_read_only_tokens_cannot_write,
    a_planted_csrf_cookie_or_another_sessions_token_is_refused,
);

/// Makes a token on the account page; the token.
async fn token(client: &TestClient, fields: &[(&str, &str)]) -> String {
    let html = client
        .post_form("/account/tokens", fields)
        .await
        .text()
        .await
        .unwrap();
    let from = html.find("<code id=\"new-token\">").expect("a new token") + 21;
    let to = html[from..].find("</code>").unwrap() + from;
    html[from..to].to_string()
}

/// The status of `GET /api/v1/me` with `token`.
async fn me(app: &TestApp, token: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn a_password_change_ends_the_other_sessions_and_the_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let mine = app.sign_in(&user).await;
    let other = app.sign_in(&user).await;
    let token = token(&mine, &[("name", "連携")]).await;
    assert_eq!(
        (
            me(&app, &token).await,
            other.get("/dashboard").await.status().as_u16()
        ),
        (200, 200)
    );
    let new_password = "Kawaru-Pasuwado-2026!";
    let changed = mine
        .post_form(
            "/account/password",
            &[
                ("current", app_password()),
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await;
    assert_eq!(
        changed.status(),
        200,
        "{}",
        changed.text().await.unwrap_or_default()
    );
    assert_eq!(
        mine.get("/dashboard").await.status(),
        200,
        "this session stays"
    );
    assert_eq!(
        other.get("/dashboard").await.status(),
        303,
        "the other session ended"
    );
    assert_eq!(me(&app, &token).await, 401, "the token ended");
    let entries = app.store.audit_entries(&Default::default()).await.unwrap();
    assert!(
        entries.iter().any(|e| e.action == "end_access"
            && e.after
                .as_deref()
                .unwrap_or("")
                .contains("password_changed")),
        "audited"
    );
}

async fn signing_out_everywhere_ends_the_tokens_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let client = app.sign_in(&user).await;
    let token = token(&client, &[("name", "連携")]).await;
    assert_eq!(me(&app, &token).await, 200);
    assert_eq!(
        client.post_form("/logout/everywhere", &[]).await.status(),
        303
    );
    assert_eq!(me(&app, &token).await, 401);
}

async fn a_removed_role_ends_the_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let client = app.sign_in(&user).await;
    let token = token(&client, &[("name", "連携")]).await;
    let membership = app
        .store
        .memberships_of(user.id, "2000-01-01")
        .await
        .unwrap()
        .remove(0);
    let mut tx = app
        .store
        .write(&mimamori_store::Actor::system("test"))
        .await
        .unwrap();
    tx.remove_membership(&membership).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(me(&app, &token).await, 401);
    assert_eq!(client.get("/dashboard").await.status(), 303, "signed out");
}

async fn tokens_expire_and_read_only_tokens_cannot_write(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user(
            "officer@example.jp",
            Role::SecurityOfficer,
            Some(app.facility.id),
        )
        .await;
    let client = app.sign_in(&user).await;
    // A day out of range is refused on the page.
    let refused = client
        .post_form("/account/tokens", &[("name", "長すぎ"), ("days", "400")])
        .await
        .text()
        .await
        .unwrap();
    assert!(!refused.contains("new-token") && refused.contains("365"));
    let reader = token(
        &client,
        &[("name", "読むだけ"), ("days", "30"), ("read_only", "yes")],
    )
    .await;
    assert_eq!(me(&app, &reader).await, 200, "it reads");
    let write = reqwest::Client::new()
        .post(app.url("/api/v1/facilities/F1/appointments"))
        .bearer_auth(&reader)
        .json(&serde_json::json!({"role": "planning_manager", "person_name": "鈴木 一郎", "from_on": "2025-04-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), 403);
    let body: serde_json::Value = write.json().await.unwrap();
    assert_eq!(body["code"], "token_read_only");
    let listed = app.store.api_tokens(user.id).await.unwrap();
    assert!(listed[0].read_only && listed[0].expires_at > listed[0].created_at);
    // A token past its expiry is refused (made here with an expiry in the past).
    let mut tx = app
        .store
        .write(&mimamori_store::Actor::system("test"))
        .await
        .unwrap();
    tx.create_api_token(user.id, "古い", &sha256("mmr_expired"), -1, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(me(&app, "mmr_expired").await, 401);
}

fn sha256(text: &str) -> String {
    mimamori_web::secrets::sha256_hex(text)
}

/// CSRF tokens are bound to the session: a cookie an attacker planted, with the same value in
/// the form (what double-submit accepted), is refused, and so is another session's token.
async fn a_planted_csrf_cookie_or_another_sessions_token_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("viewer@example.jp", Role::Viewer, Some(app.facility.id))
        .await;
    let victim = app.sign_in(&user).await;
    let other = app.sign_in(&user).await;
    let session = victim.cookie("mimamori_session").unwrap();
    let planted = "p".repeat(43);
    let post = |cookie: String, token: String| {
        let url = app.url("/logout/everywhere");
        async move {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .post(url)
                .header("cookie", cookie)
                .form(&[("csrf", token)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let with_planted = format!("mimamori_session={session}; mimamori_csrf={planted}");
    assert_eq!(
        post(with_planted.clone(), planted.clone()).await,
        403,
        "planted cookie"
    );
    assert_eq!(
        post(with_planted.clone(), other.csrf().await).await,
        403,
        "another session's token"
    );
    assert_eq!(
        victim.get("/dashboard").await.status(),
        200,
        "still signed in"
    );
    // The victim's own token works, whatever CSRF cookie is beside it.
    assert_eq!(post(with_planted, victim.csrf().await).await, 303);
    assert_eq!(
        victim.get("/dashboard").await.status(),
        303,
        "signed out everywhere"
    );
}
