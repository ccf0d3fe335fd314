//! Browser steps for the day a hospital's security officer meets the vulnerability pages: the
//! VPN gateway entered in the ledger, the NVD record and the CISA KEV catalogue uploaded on the
//! feeds page, the facility page that says the gateway has an exploited flaw and faces the
//! internet, the device's own section, and the search across facilities for the CVE.

use fantoccini::{Client, Locator};

use super::{send_file, text_of};
use crate::{fill, screenshot, submit};

fn testdata(path: &str) -> std::path::PathBuf {
    // Chromium takes only canonical paths for a file input.
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata")
        .join(path)
        .canonicalize()
        .unwrap()
}

async fn upload_feed(client: &Client, base: &str, file: &std::path::Path) {
    client.goto(&format!("{base}/feeds")).await.unwrap();
    send_file(
        client,
        Locator::Css("input[type=file][name=file]"),
        file,
        "#feed-result",
    )
    .await;
    let result = text_of(client, Locator::Id("feed-result")).await;
    assert!(result.contains("取り込みました"), "{result}");
}

pub async fn exploited_gateway(client: &Client, base: &str, dir: &std::path::Path) {
    let facility = format!("{base}/facilities/browser");
    client
        .goto(&format!("{facility}/devices/new"))
        .await
        .unwrap();
    fill(client, "f-management_no", "FW-01").await;
    fill(client, "f-model", "FortiGate 60F").await;
    fill(client, "f-os_name", "FortiOS").await;
    fill(client, "f-os_version", "v7.2.6 build1575").await;
    client
        .find(Locator::Css("input[name=if_ip]"))
        .await
        .unwrap()
        .send_keys("203.0.113.10")
        .await
        .unwrap();
    submit(
        client,
        "form.device-form button[type=submit]",
        "section.card dl.profile",
    )
    .await;
    upload_feed(client, base, &testdata("nvd/records/CVE-2024-21762.json")).await;
    let kev = dir.join("known_exploited_vulnerabilities.json");
    std::fs::write(
        &kev,
        serde_json::json!({
            "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.11.30",
            "dateReleased": "2026-11-30T17:00:00.0000Z", "count": 1,
            "vulnerabilities": [{"cveID": "CVE-2024-21762", "vendorProject": "Fortinet", "product": "FortiOS",
                "vulnerabilityName": "Fortinet FortiOS Out-of-Bound Write Vulnerability", "dateAdded": "2024-02-09",
                "shortDescription": "…", "requiredAction": "Apply mitigations per vendor instructions.",
                "dueDate": "2024-02-16", "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": []}]
        })
        .to_string(),
    )
    .unwrap();
    upload_feed(client, base, &kev).await;
    screenshot(client, "19-feeds").await;
    client
        .goto(&format!("{facility}/vulnerabilities"))
        .await
        .unwrap();
    let exploited = text_of(client, Locator::Id("exploited-devices")).await;
    assert_eq!(exploited, "1", "the gateway");
    let page = client.source().await.unwrap();
    assert!(page.contains("CVE-2024-21762") && page.contains("境界・VPN機器"));
    assert!(
        page.contains("Windows 8.1"),
        "the clerk's PC past end of support"
    );
    screenshot(client, "20-vulnerabilities").await;
    client
        .find(Locator::Css("section.device-danger h2 a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Id("vulnerabilities"))
        .await
        .unwrap();
    client
        .execute(
            "document.getElementById('vulnerabilities').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    screenshot(client, "21-device-vulnerabilities").await;
    client
        .goto(&format!("{base}/vulnerabilities/search?cve=cve-2024-21762"))
        .await
        .unwrap();
    let mut counts = Vec::new();
    for strong in client
        .find_all(Locator::Css("#search-summary strong"))
        .await
        .unwrap()
    {
        counts.push(strong.text().await.unwrap());
    }
    assert_eq!(counts, ["1", "1"], "one facility, one device");
    screenshot(client, "22-search").await;
}
