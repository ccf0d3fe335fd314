//! Browser step for the organisation overview: the organisation's facility is listed with its
//! prefecture, a kind filter narrows the list, and the menu leads there.

use fantoccini::{Client, Locator};

use crate::{screenshot, submit};

async fn choose_kind(client: &Client, kind: &str) {
    client
        .find(Locator::Id("f-kind"))
        .await
        .unwrap()
        .select_by_value(kind)
        .await
        .unwrap();
    submit(client, "form.filters button[type=submit]", "table.overview").await;
}

pub async fn organisation_overview(client: &Client, base: &str) {
    client.goto(&format!("{base}/dashboard")).await.unwrap();
    super::click(client, "nav.areas a[href='/overview']").await;
    client
        .wait()
        .for_element(Locator::Css("table.overview"))
        .await
        .unwrap();
    let html = client.source().await.unwrap();
    assert!(html.contains("組織の概況"), "{html}");
    assert!(
        html.contains("ブラウザ記念病院") && html.contains("大阪府"),
        "{html}"
    );
    choose_kind(client, "pharmacy").await;
    let html = client.source().await.unwrap();
    assert!(html.contains("該当する施設はありません"), "{html}");
    choose_kind(client, "hospital").await;
    let html = client.source().await.unwrap();
    assert!(html.contains("ブラウザ記念病院"), "{html}");
    screenshot(client, "18-overview").await;
}
