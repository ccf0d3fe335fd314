//! Sign-in throttles on both backends (issue 23): repeated failures slow an account but never
//! lock its owner out, and a stranger's guesses with unknown e-mails do not stop known users.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::access::Role;
use mimamori_store::audit::AuditFilter;
use mimamori_testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    lockout_after_repeated_failures_is_audited,
    unknown_emails_do_not_stop_known_users,
);

/// Repeated failures slow an account (a wait that doubles, at most 30 s) but never lock its
/// owner out; every failure is audited with the wait it set.
async fn lockout_after_repeated_failures_is_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("nurse@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    let client = app.client();
    let wrong = [
        ("email", "nurse@example.jp"),
        ("password", "wrong-password"),
    ];
    let right = [
        ("email", "nurse@example.jp"),
        ("password", mimamori_testkit::app_password()),
    ];
    for attempt in 1..=5 {
        let response = client.post_form("/login", &wrong).await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    // The fifth failure asks for a second's wait: even the right password waits it out.
    let response = client.post_form("/login", &right).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(response.text().await.unwrap().contains("秒待ってから"));
    // An attacker going on makes the wait grow, to 30 s at most — never a lockout.
    for _ in 0..20 {
        app.clock.advance(chrono::Duration::seconds(31));
        assert_eq!(client.post_form("/login", &wrong).await.status(), 401);
    }
    let response = client.post_form("/login", &right).await;
    assert_eq!(response.headers()["retry-after"], "30");
    app.clock.advance(chrono::Duration::seconds(31));
    app.sign_in(&user).await;
    let entries = app
        .store
        .audit_entries(&AuditFilter {
            entity: Some("user".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "sign_in_failed")
            .count(),
        25
    );
    assert!(entries
        .iter()
        .any(|e| e.action == "sign_in_failed"
            && e.after.as_deref().unwrap_or("").contains("not_before")));
}

/// Behind a reverse proxy every user shares its address: a thousand failed sign-ins with
/// unknown e-mails from it refuse further unknown e-mails, but a known user still signs in.
async fn unknown_emails_do_not_stop_known_users(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .user("nurse@example.jp", Role::Editor, Some(app.facility.id))
        .await;
    let client = app.client();
    let mut refused = 0;
    for n in 0..1_000 {
        let email = format!("nobody{n}@example.jp");
        let status = client
            .post_form(
                "/login",
                &[("email", email.as_str()), ("password", "guess")],
            )
            .await
            .status();
        if status == 429 {
            refused += 1;
        }
    }
    assert!(
        refused >= 900,
        "the address is throttled for unknown e-mails: {refused}"
    );
    let started = std::time::Instant::now();
    app.sign_in(&user).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
