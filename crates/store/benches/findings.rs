//! Findings for a large hospital: 10,000 devices (2,000 software titles, some without versions,
//! some dual-homed, some on end-of-life OSes), 200 remote-maintenance connections, 20 systems.
//! Measures reading the facts and running every rule — what the findings page, the API, the CLI
//! and each assessment page do — on SQLite and, when reachable, PostgreSQL.
//!
//! `cargo bench -p mimamori-store --bench findings` — MIMAMORI_BENCH_DEVICES (default 10000)
//! scales it down for a smoke run.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use mimamori_domain::clock::SystemClock;
use mimamori_domain::findings::evaluate;
use mimamori_domain::ledger::device::{DeviceInput, InterfaceInput, SoftwareInput};
use mimamori_domain::ledger::register::Record;
use mimamori_domain::ledger::registers::{REMOTE_MAINTENANCE, SYSTEMS};
use mimamori_store::Actor;
use mimamori_testkit::{postgres_available, Backend, TestApp, TestDb};

fn devices(n: usize) -> Vec<mimamori_domain::ledger::device::Device> {
    (0..n)
        .map(|i| {
            let os = match i % 40 {
                0 => "Windows 7",
                1 => "Windows 10",
                2 => "",
                _ => "Windows 11 Pro",
            };
            DeviceInput {
                management_no: format!("PC-{i:05}"),
                os_name: os.into(),
                os_version: if i % 40 == 3 {
                    String::new()
                } else {
                    "23H2".into()
                },
                remote_maintenance: if i % 50 == 0 {
                    "あり".into()
                } else {
                    String::new()
                },
                software: (0..3)
                    .map(|k| SoftwareInput {
                        name: format!("ソフト{}", (i * 3 + k) % 2000),
                        version: if (i + k) % 97 == 0 {
                            String::new()
                        } else {
                            format!("{k}.{}", i % 10)
                        },
                        vendor: "A社".into(),
                    })
                    .collect(),
                interfaces: (0..if i % 200 == 0 { 2 } else { 1 })
                    .map(|k| InterfaceInput {
                        ip: format!("10.{k}.{}.{}", i / 250 % 250, i % 250 + 1),
                        segment: format!("セグメント{k}"),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }
            .validate()
            .unwrap()
            .device
        })
        .collect()
}

fn record(values: &[(&str, String)]) -> Record {
    Record {
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

async fn run(backend: Backend, n: usize) {
    let db = TestDb::new(backend).await;
    let store = db.store(Arc::new(SystemClock)).await;
    let mut tx = store.write(&Actor::system("bench")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let facility = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("BIG"))
        .await
        .unwrap();
    tx.import_devices(facility.id, &devices(n)).await.unwrap();
    let connections: Vec<Record> = (0..200)
        .map(|c| {
            record(&[
                ("name", format!("保守{c:03}")),
                ("vendor", format!("保守会社{}", c % 20)),
                (
                    "targets",
                    (0..3)
                        .map(|k| format!("PC-{:05}", (c * 50 + k * 17) % n))
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                ("route", "ssl_vpn".into()),
                (
                    "source_ip_restricted",
                    if c % 7 == 0 { "no" } else { "yes" }.into(),
                ),
                (
                    "id_policy",
                    if c % 11 == 0 { "shared" } else { "individual" }.into(),
                ),
                ("two_factor", if c % 5 == 0 { "no" } else { "yes" }.into()),
                ("confirmed_on", "2026-04-01".into()),
            ])
        })
        .collect();
    tx.import_records(facility.id, &REMOTE_MAINTENANCE, &connections)
        .await
        .unwrap();
    let systems: Vec<Record> = (0..20)
        .map(|s| {
            record(&[
                ("name", format!("システム{s}")),
                ("category", "other".into()),
                ("vendor", format!("保守会社{s}")),
                ("patient_data", "yes".into()),
                ("recovery_priority", "high".into()),
            ])
        })
        .collect();
    tx.import_records(facility.id, &SYSTEMS, &systems)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let today = store.clock().today_jst();
    let mut times = Vec::new();
    let mut found = 0;
    // A new store each time: the store keeps a facility's facts while its data is unchanged,
    // and this measures reading them.
    for _ in 0..11 {
        let store = db.store(Arc::new(SystemClock)).await;
        let start = Instant::now();
        let facts = store.facility_facts(facility.id, today).await.unwrap();
        let findings = evaluate(&facts);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        found = findings.len();
        store.close().await;
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let facts_only = {
        let store = db.store(Arc::new(SystemClock)).await;
        let start = Instant::now();
        let facts = store.facility_facts(facility.id, today).await.unwrap();
        let read = start.elapsed().as_secs_f64() * 1000.0;
        let start = Instant::now();
        let _ = evaluate(&facts);
        (read, start.elapsed().as_secs_f64() * 1000.0)
    };
    println!(
        "findings {backend:?}: {n} devices, 200 connections, 20 systems → {found} findings; median {:.1} ms (min {:.1}, max {:.1}); read facts {:.1} ms, rules {:.2} ms",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        facts_only.0,
        facts_only.1
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = std::env::var("MIMAMORI_BENCH_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    run(Backend::Sqlite, n).await;
    if postgres_available().await {
        run(Backend::Postgres, n).await;
    }
}
