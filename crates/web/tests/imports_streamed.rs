//! The device import reads and writes a chunk at a time (2,000 devices): on both backends, a
//! file of several chunks is still one import — an error in its last chunk writes nothing, a
//! skipped one writes the rest, a mass removal spread over chunks still asks first, and the
//! counts are the whole file's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod imports_support;

use imports_support::*;
use mimamori_testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    a_file_of_several_chunks_is_one_import,
    a_mass_removal_spread_over_chunks_asks_first,
);

/// 5,000 devices (three chunks), each with two software rows; `status(i)` is device i's state.
fn ledger(status: impl Fn(usize) -> &'static str) -> Vec<u8> {
    let mut text = String::from("機器台帳\n管理番号,ホスト名,稼働状況,ソフトウェア\n");
    for i in 0..5_000 {
        text.push_str(&format!("PC-{i:05},H{i},{},電子カルテ\n", status(i)));
        text.push_str(&format!("PC-{i:05},H{i},,ウイルス対策\n"));
    }
    text.into_bytes()
}

async fn stored(app: &TestApp) -> i64 {
    app.store
        .devices(app.facility.id, &Default::default())
        .await
        .unwrap()
        .total
}

async fn a_file_of_several_chunks_is_one_import(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    // An error in the last chunk: nothing is written, the counts are the whole file's.
    let bad = ledger(|i| if i == 4_990 { "壊れた" } else { "稼働" });
    let (status, report) = post(&client, DEVICES, bad.clone()).await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(
        (
            report["written"].as_bool(),
            report["errors"].as_u64(),
            report["created"].as_u64()
        ),
        (Some(false), Some(1), Some(4_999)),
        "{report}"
    );
    assert_eq!(
        first_problem(&report).1,
        2 + 4_990 * 2 + 1,
        "the row of PC-04990"
    );
    assert_eq!(stored(&app).await, 0, "nothing of the first chunks stays");
    // Skipping the row in error writes every other device, with both software rows.
    let (status, report) = post(&client, &format!("{DEVICES}&skip_invalid=true"), bad).await;
    assert_eq!(
        (status, report["written"].as_bool()),
        (200, Some(true)),
        "{report}"
    );
    assert_eq!(stored(&app).await, 4_999);
    let filter = mimamori_domain::ledger::device_filter::DeviceFilter {
        management_nos: Some(vec!["PC-04999".into()]),
        ..Default::default()
    };
    let page = app.store.devices(app.facility.id, &filter).await.unwrap();
    let listed = &page.devices[0];
    let device = app.store.device(app.facility.id, listed.id).await.unwrap();
    assert_eq!(device.device.software.len(), 2, "both software rows");
    // The whole file again: one created, the rest unchanged, in every chunk.
    let (status, report) = post(&client, DEVICES, ledger(|_| "稼働")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["created"].as_u64(), report["unchanged"].as_u64()),
        (Some(1), Some(4_999)),
        "{report}"
    );
}

async fn a_mass_removal_spread_over_chunks_asks_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let (status, _) = post(&client, DEVICES, ledger(|_| "稼働")).await;
    assert_eq!(status, 200);
    // A quarter of the devices (in every chunk) taken out of use.
    let stopping = ledger(|i| if i % 4 == 0 { "廃棄" } else { "稼働" });
    let (status, report) = post(&client, DEVICES, stopping.clone()).await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(
        (
            report["needs_confirmation"].as_bool(),
            report["written"].as_bool(),
            report["updated"].as_u64()
        ),
        (Some(true), Some(false), Some(1_250)),
        "{report}"
    );
    assert_eq!(
        report["changes"].as_array().map(Vec::len),
        Some(500),
        "the first 500 listed"
    );
    let (status, report) = post(
        &client,
        &format!("{DEVICES}&allow_mass_removal=true"),
        stopping,
    )
    .await;
    assert_eq!(
        (status, report["written"].as_bool()),
        (200, Some(true)),
        "{report}"
    );
}
