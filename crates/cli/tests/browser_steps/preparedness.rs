//! Browser steps for incident preparedness: an incident registered through the form shows its
//! reporting clocks, a first-response step is marked done, and the contact chart is drawn.

use fantoccini::{Client, Locator};

use crate::{fill, screenshot, submit};

pub async fn incident_and_contact_chart(client: &Client, base: &str) {
    let facility = format!("{base}/facilities/browser");
    client
        .goto(&format!("{facility}/incidents/new"))
        .await
        .unwrap();
    fill(client, "f-title", "電子カルテ端末のランサムウェア感染").await;
    fill(client, "f-discovered_at", "令和8年11月19日 ７:４５").await;
    fill(client, "f-discovered_by", "外来看護師").await;
    for (id, value) in [("f-kind", "ransomware"), ("f-personal_data", "possible")] {
        client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }
    for name in ["sensitive_data", "improper_purpose", "care_disrupted"] {
        client
            .find(Locator::Css(&format!("input[name='{name}']")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    submit(
        client,
        "form.incident-form button[type=submit]",
        "table.clocks",
    )
    .await;
    let html = client.source().await.unwrap();
    assert!(html.contains("INC-1"), "registered");
    assert!(
        html.contains("2026-11-22〜2026-11-24"),
        "速報 window from 11-19"
    );
    assert!(
        html.contains("2027-01-18 まで"),
        "確報 60 days for an improper purpose"
    );
    submit(
        client,
        "tr[data-step='isolate'] button[type=submit]",
        "tr[data-step='isolate'] form input[name='done'][value='0']",
    )
    .await;
    screenshot(client, "16-incident-clocks").await;

    client
        .goto(&format!("{facility}/contact-chart"))
        .await
        .unwrap();
    // 「必要な連絡先を追加」 fills in what every facility needs, still to be completed.
    submit(
        client,
        "form[action$='/contact-chart/seed'] button[type=submit]",
        "svg.contact-chart g.external",
    )
    .await;
    let html = client.source().await.unwrap();
    assert!(html.contains("<svg") && html.contains("要記入"));
    screenshot(client, "17-contact-chart").await;
}
