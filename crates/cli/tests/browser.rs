//! The acceptance path in headless Chromium against the real binary: setup → enrol TOTP →
//! sign out → sign in with a code → dashboard. Screenshots go to the test's temporary folder
//! (printed), for a person to look at.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use support::Server;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver; `None` (skip) when Chromium is not installed, except under `CI=true`.
#[path = "browser_steps/mod.rs"]
mod browser_steps;

async fn browser(downloads: &std::path::Path) -> Option<(Driver, Client)> {
    let installed = std::path::Path::new("/usr/bin/chromedriver").exists()
        && std::path::Path::new("/usr/bin/chromium").exists();
    if !installed {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium and chromium-driver are required under CI=true"
        );
        eprintln!("skipping the browser test: apt-get install chromium chromium-driver");
        return None;
    }
    let port = free_port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Driver(child);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                     "--window-size=1280,1000", "--lang=ja"],
            "prefs": {"intl.accept_languages": "ja,en", "download.default_directory": downloads.to_str().unwrap(),
                      "download.prompt_for_download": false}
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some((driver, client)),
            Err(error) if Instant::now() > deadline => {
                panic!("chromedriver did not start: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

async fn fill(client: &Client, id: &str, value: &str) {
    let field = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("field {id}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// Clicks and waits until the *next* page shows `expect` (a CSS selector). The current
/// page is marked first, so an `expect` that the old page also matches cannot be mistaken
/// for the new page before the navigation has finished.
async fn submit(client: &Client, css: &str, expect: &str) {
    client
        .execute("document.documentElement.dataset.leaving = '1'", vec![])
        .await
        .unwrap();
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let on_next_page = format!("html:not([data-leaving]) {expect}");
    let found = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&on_next_page))
        .await;
    if found.is_err() {
        panic!(
            "after clicking {css}, {expect} did not appear: {}",
            client.source().await.unwrap_or_default()
        );
    }
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
}

/// A code for the next 30-second step: the step used at enrolment is accepted only once.
fn next_code(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    mimamori_web::auth::totp::code_at(secret, now + 30).unwrap()
}

fn current_code(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    mimamori_web::auth::totp::code_at(secret, now).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_enrol_sign_out_and_sign_in_with_totp() {
    let downloads = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = browser(downloads.path()).await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None, &[]);
    let setup = server.setup_url.clone().unwrap();

    client.goto(&setup).await.unwrap();
    let html = client.source().await.unwrap();
    assert!(html.contains("Mimamori の初期設定"), "{html}");
    fill(&client, "f-organisation", "医療法人社団ブラウザ会").await;
    fill(&client, "f-code", "browser").await;
    fill(&client, "f-name", "ブラウザ記念病院").await;
    fill(&client, "f-beds", "１９９").await;
    fill(&client, "f-prefecture", "大阪府").await;
    fill(&client, "f-admin_name", "管理 花子").await;
    fill(&client, "f-email", "hanako@example.jp").await;
    fill(&client, "f-password", "Sakura-Ki-2026!").await;
    fill(&client, "f-password_confirm", "Sakura-Ki-2026!").await;
    screenshot(&client, "01-setup").await;
    submit(
        &client,
        "form[action='/setup'] button[type=submit]",
        "#totp-secret",
    )
    .await;

    // Enrolment: read the key shown beside the QR code, as a person typing it in would.
    let url = client.current_url().await.unwrap();
    assert!(
        url.path().ends_with("/account/totp"),
        "{url}: {}",
        client.source().await.unwrap()
    );
    let qr = client.find(Locator::Css("img.qr")).await.unwrap();
    assert!(qr
        .attr("src")
        .await
        .unwrap()
        .unwrap()
        .starts_with("data:image/svg+xml;base64,"));
    screenshot(&client, "02-enrol").await;
    let secret = client
        .find(Locator::Id("totp-secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .replace(' ', "");
    fill(&client, "f-code", &current_code(&secret)).await;
    submit(
        &client,
        "form[action='/account/totp'] button[type=submit]",
        "#recovery-codes",
    )
    .await;
    let codes = client
        .find_all(Locator::Css("#recovery-codes li"))
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    screenshot(&client, "03-recovery-codes").await;
    submit(&client, "a.button.primary", "section.card.facility").await;
    assert!(client.source().await.unwrap().contains("ブラウザ記念病院"));

    // Sign out from the header.
    submit(
        &client,
        "form[action='/logout'] button",
        "form[action='/login']",
    )
    .await;
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/login"));
    assert_eq!(
        client
            .get_all_cookies()
            .await
            .unwrap()
            .iter()
            .filter(|c| c.name() == "mimamori_session" && !c.value().is_empty())
            .count(),
        0
    );

    // Sign in again: password, then the TOTP code.
    fill(&client, "f-email", "hanako@example.jp").await;
    fill(&client, "f-password", "Sakura-Ki-2026!").await;
    screenshot(&client, "04-login").await;
    submit(
        &client,
        "form[action='/login'] button[type=submit]",
        "form[action='/login/totp']",
    )
    .await;
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/login/totp"));
    fill(&client, "f-code", &next_code(&secret)).await;
    submit(
        &client,
        "form[action='/login/totp'] button[type=submit]",
        "section.card.facility",
    )
    .await;

    let url = client.current_url().await.unwrap();
    assert_eq!(url.path(), "/dashboard");
    let html = client.source().await.unwrap();
    assert!(html.contains("ダッシュボード") && html.contains("ブラウザ記念病院"));
    assert!(
        html.contains("医療情報システム安全管理責任者が任命されていません"),
        "governance findings on the dashboard"
    );
    screenshot(&client, "05-dashboard").await;

    // The role table page renders, and the session cookie is HttpOnly and SameSite=Strict.
    client
        .goto(&format!("{}/facilities/browser/governance", server.base))
        .await
        .unwrap();
    screenshot(&client, "06-governance").await;
    let cookie = client.get_named_cookie("mimamori_session").await.unwrap();
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(format!("{:?}", cookie.same_site()), "Some(Strict)");

    // The device ledger: add a device through the form, find it with a full-width term, download the XLSX.
    client
        .goto(&format!("{}/ledgers", server.base))
        .await
        .unwrap();
    submit(
        &client,
        "a[href='/facilities/browser/devices/new']",
        "form.device-form",
    )
    .await;
    fill(&client, "f-management_no", "PC-0042").await;
    fill(&client, "f-os_name", "Windows 8.1").await;
    fill(&client, "f-location", "外来2診").await;
    fill(&client, "f-registered_on", "R2.4.1").await;
    client
        .find(Locator::Css("input[name=sw_name]"))
        .await
        .unwrap()
        .send_keys("電子カルテ端末")
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=if_ip]"))
        .await
        .unwrap()
        .send_keys("192.168.10.21")
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=if_hostname]"))
        .await
        .unwrap()
        .send_keys("GAIRAI-PC42")
        .await
        .unwrap();
    screenshot(&client, "07-device-form").await;
    submit(
        &client,
        "form.device-form button[type=submit]",
        "section.card dl.profile",
    )
    .await;
    client
        .goto(&format!("{}/facilities/browser/devices", server.base))
        .await
        .unwrap();
    fill(&client, "f-q", "ｇａｉｒａｉ－ｐｃ４２").await;
    submit(&client, "form.filters button[type=submit]", "table.devices").await;
    let rows = client
        .find_all(Locator::Css("table.devices tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text().await.unwrap().contains("PC-0042"));
    screenshot(&client, "08-device-list").await;
    client
        .find(Locator::Id("export-xlsx"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let file = loop {
        let found = std::fs::read_dir(downloads.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"));
        if let Some(path) = found {
            break path;
        }
        assert!(Instant::now() < deadline, "the XLSX was not downloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let bytes = std::fs::read(&file).unwrap();
    let sheets = mimamori_formats::read_tables(&bytes, "x.xlsx", None).unwrap();
    let parsed = mimamori_formats::devices::parse_devices(&sheets);
    assert_eq!(parsed.devices.len(), 1);
    assert_eq!(
        parsed.devices[0].device.interfaces[0].hostname.as_deref(),
        Some("GAIRAI-PC42")
    );

    // A remote-maintenance connection through the register form.
    client
        .goto(&format!(
            "{}/facilities/browser/registers/remote-maintenance/new",
            server.base
        ))
        .await
        .unwrap();
    fill(&client, "f-name", "PACS保守").await;
    fill(&client, "f-targets", "PC-0042").await;
    client
        .find(Locator::Css("#f-route option[value=ssl_vpn]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("#f-two_factor option[value=no]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&client, "f-confirmed_on", "R7.4.1").await;
    submit(
        &client,
        "form.register-form button[type=submit]",
        "section.card dl.profile",
    )
    .await;
    let html = client.source().await.unwrap();
    assert!(html.contains("SSL-VPN") && html.contains("2025-04-01"));
    client
        .goto(&format!(
            "{}/facilities/browser/registers/remote-maintenance",
            server.base
        ))
        .await
        .unwrap();
    screenshot(&client, "09-remote-maintenance").await;
    checklist_item_with_evidence(&client, &server.base, downloads.path()).await;
    browser_steps::imports::device_import_preview(&client, &server.base, downloads.path()).await;
    browser_steps::accounts::import_and_review(&client, &server.base, downloads.path()).await;
    browser_steps::preparedness::incident_and_contact_chart(&client, &server.base).await;
    browser_steps::overview::organisation_overview(&client, &server.base).await;
    browser_steps::vulnerabilities::exploited_gateway(&client, &server.base, downloads.path())
        .await;
    client.close().await.unwrap();
}

/// Answers 3-(2) いいえ without a target date (refused, message beside the field), fixes it,
/// attaches an evidence file, and sees the readiness page turn green for that item.
async fn checklist_item_with_evidence(client: &Client, base: &str, dir: &std::path::Path) {
    client
        .goto(&format!("{base}/facilities/browser/checklist"))
        .await
        .unwrap();
    screenshot(client, "10-checklist-overview").await;
    submit(
        client,
        "form[action='/facilities/browser/checklist'] button.primary",
        "article#item-backup",
    )
    .await;
    client
        .find(Locator::Css("#item-backup input[name=answer][value=no]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(client, "f-backup-first_checked_on", "R8.6.1").await;
    submit(
        client,
        "#item-backup form.answer button[type=submit]",
        "#e-backup-target_on",
    )
    .await;
    let message = client
        .find(Locator::Id("e-backup-target_on"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(message.contains("目標日"), "{message}");
    client
        .execute(
            "document.getElementById('item-backup').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    screenshot(client, "11-checklist-target-refused").await;
    fill(client, "f-backup-target_on", "2027-03-31").await;
    submit(
        client,
        "#item-backup form.answer button[type=submit]",
        "article#item-backup.ready",
    )
    .await;
    let evidence = dir.join("バックアップ手順書.txt");
    std::fs::write(&evidence, "復旧手順: 1. 隔離 2. オフライン媒体から復元").unwrap();
    client
        .find(Locator::Id("f-backup-file"))
        .await
        .unwrap()
        .send_keys(evidence.to_str().unwrap())
        .await
        .unwrap();
    submit(
        client,
        "#item-backup form[enctype='multipart/form-data'] button[type=submit]",
        "#item-backup .evidence a[href*='/checklist/evidence/']",
    )
    .await;
    screenshot(client, "12-checklist-item-with-evidence").await;
    client
        .goto(&format!("{base}/facilities/browser/readiness"))
        .await
        .unwrap();
    let ready: Vec<String> = {
        let mut texts = Vec::new();
        for row in client
            .find_all(Locator::Css("table.readiness tr.ok"))
            .await
            .unwrap()
        {
            texts.push(row.text().await.unwrap());
        }
        texts
    };
    assert!(
        ready.iter().any(|t| t.starts_with("3-(2)")),
        "3-(2) ready: {ready:?}"
    );
    let missing = client
        .find_all(Locator::Css("table.readiness tr.missing"))
        .await
        .unwrap();
    assert!(!missing.is_empty(), "the other items are still open");
    screenshot(client, "13-readiness").await;
}
