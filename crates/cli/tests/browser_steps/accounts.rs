//! Browser steps for accounts: a system's user export imported through the column-mapping
//! screen, then an access review of that system run to completion and downloaded as XLSX.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use super::click;
use crate::{fill, screenshot, submit};

pub async fn import_and_review(client: &Client, base: &str, dir: &std::path::Path) {
    let facility = format!("{base}/facilities/browser");
    client
        .goto(&format!("{facility}/registers/systems/new"))
        .await
        .unwrap();
    fill(client, "f-name", "電子カルテ").await;
    submit(
        client,
        "form.register-form button[type=submit]",
        "section.card dl.profile",
    )
    .await;

    // The EHR's export with its own column names: mapped on the screen, then saved.
    let export = dir.join("ehr_users.csv");
    std::fs::write(
        &export,
        "USERCODE,KANJI_NAME,AUTH,STATE\nd001,山田 太郎,カルテ:更新,有効\nuser01,受付共用,医事:参照,有効\nold01,旧職員,カルテ:参照,有効\n",
    )
    .unwrap();
    client.goto(&format!("{facility}/accounts")).await.unwrap();
    click(client, "table.accounts-systems a[href$='/import']").await;
    client
        .find(Locator::Id("f-file"))
        .await
        .unwrap()
        .send_keys(export.to_str().unwrap())
        .await
        .unwrap();
    submit(
        client,
        "form[enctype='multipart/form-data'] button[type=submit]",
        "form.mapping",
    )
    .await;
    // The mapping screen shows what each column holds.
    let samples = client
        .find(Locator::Id("column-samples"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        samples.contains("山田 太郎") && samples.contains("カルテ:更新"),
        "{samples}"
    );
    for (field, column) in [
        ("login_id", "USERCODE"),
        ("display_name", "KANJI_NAME"),
        ("privileges", "AUTH"),
        ("status", "STATE"),
    ] {
        click(client, &format!("#map-{field} option[value='{column}']")).await;
    }
    screenshot(client, "14-account-mapping").await;
    submit(client, "#import-confirm", "#imported").await;
    let imported = client
        .find(Locator::Id("imported"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(imported.contains('3'), "{imported}");

    // The review: keep two accounts, disable the shared one, complete, download.
    client
        .goto(&format!("{facility}/accounts/reviews"))
        .await
        .unwrap();
    submit(
        client,
        "#start-review button[type=submit]",
        "#review-progress",
    )
    .await;
    for _ in 0..3 {
        let row = client
            .find(Locator::Css("table.review-items tr.open"))
            .await
            .expect("an undecided account");
        let id = row.attr("id").await.unwrap().unwrap();
        let button = if row.text().await.unwrap().contains("user01") {
            "button.danger"
        } else {
            "button.keep"
        };
        submit(client, &format!("tr#{id} {button}"), "#review-progress").await;
    }
    let progress = client
        .find(Locator::Id("review-progress"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(progress.contains("3 / 3"), "{progress}");
    submit(client, "#complete-review", "#review-complete").await;
    screenshot(client, "15-access-review-complete").await;
    click(client, "#review-xlsx").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let file = loop {
        let found = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                p.extension().is_some_and(|x| x == "xlsx") && p.to_string_lossy().contains("棚卸し")
            });
        if let Some(path) = found {
            break path;
        }
        assert!(
            Instant::now() < deadline,
            "the review XLSX was not downloaded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let sheets =
        mimamori_formats::read_tables(&std::fs::read(&file).unwrap(), "x.xlsx", None).unwrap();
    let shared = sheets[0]
        .rows
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "user01"))
        .expect("user01 in the export");
    assert!(shared.iter().any(|c| c == "停止"), "{shared:?}");
    let kept = sheets[0]
        .rows
        .iter()
        .filter(|r| r.iter().any(|c| c == "継続"))
        .count();
    assert_eq!(kept, 2);
    // The ledger shows the shared account suspended.
    client.goto(&format!("{facility}/accounts")).await.unwrap();
    click(client, "table.accounts-systems a").await;
    let suspended = client
        .find_all(Locator::Css("table.accounts tr.status-suspended"))
        .await
        .unwrap();
    assert_eq!(suspended.len(), 1);
}
