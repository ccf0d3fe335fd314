//! Browser steps for a ledger import as a clinic's clerk does it: the template offered, a file
//! of only some columns with a total row, the preview that says what changes, then the save.

use fantoccini::{Client, Locator};

use super::click;
use crate::{screenshot, submit};

/// Chooses `file` on the import page and sends it, waiting for `expect` on the page it leads to.
async fn upload(client: &Client, file: &std::path::Path, expect: &str) {
    super::send_file(client, Locator::Id("f-file"), file, expect).await;
}

pub async fn device_import_preview(client: &Client, base: &str, dir: &std::path::Path) {
    let facility = format!("{base}/facilities/browser");
    client
        .goto(&format!("{facility}/devices/import"))
        .await
        .unwrap();
    client.find(Locator::Id("import-template")).await.unwrap();
    // Only 管理番号 and 設置場所: every other field keeps its value.
    let file = dir.join("locations.csv");
    std::fs::write(&file, "管理番号,設置場所\nPC-0042,放射線科\n合計,１台\n").unwrap();
    upload(client, &file, "#import-changes").await;
    let changes = client
        .find(Locator::Css("table.changes"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        changes.contains("PC-0042") && changes.contains("放射線科"),
        "{changes}"
    );
    assert_eq!(
        client
            .find_all(Locator::Css("table.changes tbody tr"))
            .await
            .unwrap()
            .len(),
        1,
        "one field changes: {changes}"
    );
    let problems = client
        .find(Locator::Css("table.problems"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        problems.contains("合計"),
        "the total row is skipped with a note: {problems}"
    );
    screenshot(client, "13b-device-import-preview").await;
    submit(client, "#import-save", "#import-summary").await;
    let summary = client
        .find(Locator::Id("import-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("保存しました"), "{summary}");
    // The result offers the undo, which puts 外来2診 back.
    submit(client, "#import-undo", "table.devices").await;

    // An asset tool's export whose titles no ledger uses: mapped on the screen, checked, saved.
    client
        .goto(&format!("{facility}/devices/import"))
        .await
        .unwrap();
    let assets = dir.join("assets.csv");
    std::fs::write(
        &assets,
        "資産No,端末ホスト,OS種別\nA-1,UKE-01,Windows 11\nA-2,UKE-02,Windows 10\n",
    )
    .unwrap();
    upload(client, &assets, "#column-mapping").await;
    for (field, column) in [
        ("management_no", "資産No"),
        ("hostname", "端末ホスト"),
        ("os_name", "OS種別"),
    ] {
        click(client, &format!("#map-{field} option[value='{column}']")).await;
    }
    click(client, "form.mapping details summary").await;
    screenshot(client, "13c-device-column-mapping").await;
    submit(client, "#mapping-preview", "#import-summary").await;
    let summary = client
        .find(Locator::Id("import-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("新規 2"), "{summary}");

    // A ledger with its own status words: the mapping screen opens on them; mapped, they read.
    client
        .goto(&format!("{facility}/devices/import"))
        .await
        .unwrap();
    let words = dir.join("words.csv");
    std::fs::write(
        &words,
        "管理番号,ホスト名,稼働状況\nW-1,UKE-11,現役\nW-2,UKE-12,倉庫保管\n",
    )
    .unwrap();
    upload(client, &words, "#value-mapping").await;
    click(client, "select[name='to_status_1'] option[value='稼働']").await;
    click(client, "select[name='to_status_2'] option[value='予備']").await;
    screenshot(client, "13d-device-value-mapping").await;
    submit(client, "#mapping-preview", "#import-summary").await;
    let summary = client
        .find(Locator::Id("import-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        summary.contains("新規 2") && summary.contains("エラー 0"),
        "{summary}"
    );
}
