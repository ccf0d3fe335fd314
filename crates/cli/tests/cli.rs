//! The `mimamori` binary as an operator uses it, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mimamori_testkit::{backend_tests, Backend, TestDb};
use support::{allocator_options, run, stderr, stdout, Server, BIN};

backend_tests!(
    facilities_are_created_and_listed,
    invalid_input_is_explained_and_exits_1,
    users_are_created_from_stdin,
    audit_verify_detects_tampering,
    backup_copies_sqlite_or_points_to_pg_dump,
    serve_prints_a_working_setup_url,
    demo_loads_a_hospital_and_prints_credentials,
);

fn url(db: &TestDb) -> Option<&str> {
    Some(db.url.as_str())
}

fn create_hospital(db: &TestDb) {
    let output = run(
        db.dir.path(),
        url(db),
        &[
            "facility",
            "create",
            "--code",
            "HOSP",
            "--name",
            "市民病院",
            "--kind",
            "hospital",
            "--beds",
            "２５０",
            "--institution-code",
            "0412345678",
            "--prefecture",
            "宮城県",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

async fn facilities_are_created_and_listed(backend: Backend) {
    let db = TestDb::new(backend).await;
    create_hospital(&db);
    let output = run(
        db.dir.path(),
        url(&db),
        &["facility", "list", "--format", "json"],
        None,
    );
    assert!(output.status.success());
    let list: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(list[0]["code"], "HOSP");
    assert_eq!(list[0]["beds"], 250);
    assert_eq!(list[0]["prefecture"], "宮城県");
    let table = stdout(&run(db.dir.path(), url(&db), &["facility", "list"], None));
    assert!(table.contains("市民病院") && table.contains("病院"));
    let again = run(
        db.dir.path(),
        url(&db),
        &[
            "facility", "create", "--code", "HOSP", "--name", "x", "--kind", "clinic",
        ],
        None,
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("既に使われています"));
}

async fn invalid_input_is_explained_and_exits_1(backend: Backend) {
    let db = TestDb::new(backend).await;
    let output = run(
        db.dir.path(),
        url(&db),
        &[
            "facility",
            "create",
            "--code",
            "a b",
            "--name",
            "x",
            "--kind",
            "castle",
            "--institution-code",
            "12",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    for flag in ["--code", "--kind", "--institution-code"] {
        assert!(message.contains(flag), "{flag} named in: {message}");
    }
    assert!(
        message.contains("種別") && message.contains("hospital"),
        "Japanese and English: {message}"
    );
    // Usage errors exit 2.
    let usage = run(
        db.dir.path(),
        url(&db),
        &["facility", "create", "--code", "X"],
        None,
    );
    assert_eq!(usage.status.code(), Some(2));
    let unknown = run(db.dir.path(), url(&db), &["frobnicate"], None);
    assert_eq!(unknown.status.code(), Some(2));
}

async fn users_are_created_from_stdin(backend: Backend) {
    let db = TestDb::new(backend).await;
    create_hospital(&db);
    let args = [
        "admin",
        "create-user",
        "--email",
        "Officer@Example.jp",
        "--name",
        "安全 太郎",
        "--role",
        "security_officer",
        "--facility",
        "HOSP",
        "--password-stdin",
    ];
    let weak = run(db.dir.path(), url(&db), &args, Some("short\n"));
    assert_eq!(weak.status.code(), Some(1));
    assert!(stderr(&weak).contains("文字以上"));
    let output = run(db.dir.path(), url(&db), &args, Some("Anzen-2026!\n"));
    assert!(output.status.success(), "{}", stderr(&output));
    let duplicate = run(db.dir.path(), url(&db), &args, Some("Anzen-2026!\n"));
    assert_eq!(duplicate.status.code(), Some(1));
    let inspector = [
        "admin",
        "create-user",
        "--email",
        "k@example.jp",
        "--name",
        "検査",
        "--role",
        "inspector",
        "--facility",
        "HOSP",
        "--password-stdin",
    ];
    let output = run(db.dir.path(), url(&db), &inspector, Some("Kensa-2026!\n"));
    assert!(
        stderr(&output).contains("有効期限"),
        "inspectors need an expiry"
    );
    // The user can sign in to the server (and is asked to enrol TOTP).
    let server = Server::start(db.dir.path(), url(&db), &[]);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    client
        .get(format!("{}/login", server.base))
        .send()
        .await
        .unwrap();
    let csrf = csrf_cookie(&client, &server.base).await;
    let response = client
        .post(format!("{}/login", server.base))
        .form(&[
            ("email", "officer@example.jp"),
            ("password", "Anzen-2026!"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let dashboard = client
        .get(format!("{}/dashboard", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(dashboard.headers()["location"], "/account/totp");
}

/// Reads the CSRF token the way a page would render it: from the sign-in form.
async fn csrf_cookie(client: &reqwest::Client, base: &str) -> String {
    let html = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

async fn audit_verify_detects_tampering(backend: Backend) {
    let db = TestDb::new(backend).await;
    create_hospital(&db);
    let intact = run(db.dir.path(), url(&db), &["audit", "verify"], None);
    assert_eq!(intact.status.code(), Some(0), "{}", stderr(&intact));
    // The nine built-in checklist editions written at first start, the organisation, the facility.
    assert!(stdout(&intact).contains("11件"), "{}", stdout(&intact));
    db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
        .await;
    let broken = run(db.dir.path(), url(&db), &["audit", "verify"], None);
    assert_eq!(broken.status.code(), Some(1));
    assert!(stderr(&broken).contains("#2"), "{}", stderr(&broken));
}

async fn backup_copies_sqlite_or_points_to_pg_dump(backend: Backend) {
    let db = TestDb::new(backend).await;
    create_hospital(&db);
    let out = db.dir.path().join("backup.db");
    let output = run(
        db.dir.path(),
        url(&db),
        &["backup", "--out", out.to_str().unwrap()],
        None,
    );
    match backend {
        Backend::Sqlite => {
            assert!(output.status.success(), "{}", stderr(&output));
            let copy_dir = tempfile::tempdir().unwrap();
            let copy_url = format!("sqlite://{}", out.display());
            let list = run(
                copy_dir.path(),
                Some(&copy_url),
                &["facility", "list", "--format", "json"],
                None,
            );
            assert!(
                stdout(&list).contains("市民病院"),
                "the backup opens and holds the data"
            );
            let verify = run(copy_dir.path(), Some(&copy_url), &["audit", "verify"], None);
            assert!(verify.status.success());
        }
        Backend::Postgres => {
            assert_eq!(output.status.code(), Some(1));
            assert!(stderr(&output).contains("pg_dump"));
        }
    }
}

async fn serve_prints_a_working_setup_url(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(db.dir.path(), url(&db), &[]);
    let setup = server
        .setup_url
        .clone()
        .expect("setup URL printed on an empty database");
    assert!(setup.starts_with(&server.base));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(&setup).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("初期設定"));
    assert_eq!(
        client
            .get(format!("{}/setup?token=guess", server.base))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let openapi: serde_json::Value = client
        .get(format!("{}/api/v1/openapi.json", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(openapi["info"]["title"], "Mimamori API");
}

/// The server runs with its allocator options (it re-executes itself with them set, keeping its
/// process), and keeps a value the operator set.
#[test]
fn the_server_runs_with_its_allocator_options_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    // The server's options, with the operator's purge delay (or none) and nothing else set.
    let options_with = |purge_delay: Option<&str>| {
        let server = Server::start_with_env(
            dir.path(),
            None,
            &[],
            &[
                ("MIMALLOC_PURGE_DELAY", purge_delay),
                ("MIMALLOC_ARENA_EAGER_COMMIT", None),
                ("MIMALLOC_ALLOW_THP", None),
                ("MALLOC_MMAP_THRESHOLD_", None),
            ],
        );
        allocator_options(server.child.id())
    };
    assert_eq!(
        options_with(None),
        [
            "MALLOC_MMAP_THRESHOLD_=131072",
            "MIMALLOC_ALLOW_THP=0",
            "MIMALLOC_ARENA_EAGER_COMMIT=0",
            "MIMALLOC_PURGE_DELAY=0"
        ],
        "the process that answers /healthz"
    );
    assert_eq!(
        options_with(Some("250")),
        [
            "MALLOC_MMAP_THRESHOLD_=131072",
            "MIMALLOC_ALLOW_THP=0",
            "MIMALLOC_ARENA_EAGER_COMMIT=0",
            "MIMALLOC_PURGE_DELAY=250"
        ]
    );
}

/// Other commands run without transparent huge pages (and only that): an import that waits for
/// its file on standard input is the process whose environment is read.
#[test]
fn commands_run_without_transparent_huge_pages() {
    let dir = tempfile::tempdir().unwrap();
    let created = run(
        dir.path(),
        None,
        &[
            "facility",
            "create",
            "--code",
            "C1",
            "--name",
            "診療所",
            "--kind",
            "clinic",
        ],
        None,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let mut import = std::process::Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", "devices", "--facility", "C1", "/dev/stdin"])
        .env_remove("MIMAMORI_DATABASE_URL")
        .env_remove("MIMAMORI_DATA_DIR")
        .env_remove("MIMALLOC_ALLOW_THP")
        .env_remove("MIMALLOC_PURGE_DELAY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let options = || allocator_options(import.id());
    // The options appear once the command has executed itself again (same process).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while options().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let seen = options();
    import.kill().unwrap();
    import.wait().unwrap();
    assert_eq!(seen, ["MIMALLOC_ALLOW_THP=0"]);
}

async fn demo_loads_a_hospital_and_prints_credentials(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(db.dir.path(), url(&db), &["--demo"]);
    assert!(
        server.setup_url.is_none(),
        "the demo has users, so no setup"
    );
    let line = server
        .lines
        .iter()
        .find(|l| l.contains("admin@demo.mimamori.example"))
        .expect("credentials printed");
    let password = line.split_whitespace().last().unwrap().to_string();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let csrf = csrf_cookie(&client, &server.base).await;
    let response = client
        .post(format!("{}/login", server.base))
        .form(&[
            ("email", "admin@demo.mimamori.example"),
            ("password", password.as_str()),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    drop(server);
    let list = stdout(&run(
        db.dir.path(),
        url(&db),
        &["facility", "list", "--format", "json"],
        None,
    ));
    assert!(list.contains("みまもり総合病院"));
    // Loading twice adds nothing.
    let again = Server::start(db.dir.path(), url(&db), &["--demo"]);
    drop(again);
    let list: serde_json::Value = serde_json::from_str(&stdout(&run(
        db.dir.path(),
        url(&db),
        &["facility", "list", "--format", "json"],
        None,
    )))
    .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Preparedness: PACS has no offline backup, the last drill is over a year old, the chart
    // still lacks a deputy; the past incident is closed, so no report is overdue.
    let findings = stdout(&run(
        db.dir.path(),
        url(&db),
        &[
            "findings",
            "--facility",
            "mimamori-general",
            "--format",
            "json",
        ],
        None,
    ));
    for rule in [
        "backups.no_offline",
        "bcp.no_drill",
        "contacts.escalation_incomplete",
        "bcp.unanswered",
    ] {
        assert!(findings.contains(rule), "{rule}: {findings}");
    }
    assert!(!findings.contains("incidents.report_overdue"));
}
