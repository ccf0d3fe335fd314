//! Accounts for a large hospital: 3,000 staff and 20 systems of 3,000 accounts each (60,000).
//! Measures the first import of every system's user export (diff, owner matching, batched
//! writes, one audit entry per system), a second import of changed exports, owner matching alone
//! and all findings of the facility with the accounts — on SQLite and, when reachable,
//! PostgreSQL.
//!
//! `cargo bench -p mimamori-store --bench accounts` — MIMAMORI_BENCH_STAFF (default 3000) and
//! MIMAMORI_BENCH_SYSTEMS (default 20) scale it down for a smoke run.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use mimamori_domain::accounts::account::OwnerState;
use mimamori_domain::accounts::matching::Roster;
use mimamori_domain::accounts::{Account, AccountStatus, Privileges, STAFF};
use mimamori_domain::clock::SystemClock;
use mimamori_domain::findings::evaluate;
use mimamori_domain::ledger::register::Record;
use mimamori_domain::ledger::registers::SYSTEMS;
use mimamori_store::Actor;
use mimamori_testkit::{postgres_available, Backend, TestApp, TestDb};

const JOBS: &[&str] = &[
    "doctor",
    "nurse",
    "nurse",
    "nurse",
    "clerk",
    "pharmacist",
    "lab_technologist",
];
const FAMILY: &[&str] = &[
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
];
const GIVEN: &[&str] = &[
    "太郎",
    "花子",
    "一郎",
    "美咲",
    "健",
    "陽子",
    "翔",
    "愛",
    "誠",
    "由美",
    "大輔",
    "さくら",
    "直樹",
    "恵",
    "拓也",
    "舞",
    "亮",
    "綾",
    "蓮",
    "葵",
];

fn record(values: &[(&str, String)]) -> Record {
    Record {
        values: values
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn name(i: usize) -> String {
    format!(
        "{} {}{}",
        FAMILY[i % 20],
        GIVEN[(i / 20) % 20],
        if i >= 400 {
            format!("{}", i / 400)
        } else {
            String::new()
        }
    )
}

fn staff(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            record(&[
                ("staff_number", format!("{:06}", 100000 + i)),
                ("name", name(i)),
                ("job_type", JOBS[i % JOBS.len()].into()),
                (
                    "left_on",
                    if i % 50 == 0 {
                        "2026-09-30".into()
                    } else {
                        String::new()
                    },
                ),
            ])
        })
        .collect()
}

/// A system's export: half the systems put the staff number in the login ID, the other half use
/// their own IDs with the person's name (matched by name, to confirm); a few generic IDs.
fn export(system: usize, n: usize, round: usize) -> Vec<Account> {
    let mut accounts: Vec<Account> = (0..n)
        .filter(|i| round == 0 || i % 100 != 7) // the second export drops 1 %
        .map(|i| {
            let by_number = system.is_multiple_of(2);
            let rights = if round == 1 && i % 100 == 3 {
                "カルテ:更新,医事:参照"
            } else {
                "カルテ:更新"
            };
            Account {
                id: 0,
                system: format!("システム{system}"),
                login_id: if by_number {
                    format!("u{:06}", 100000 + i)
                } else {
                    format!("s{system}x{i}")
                },
                display_name: name(i),
                owners: Vec::new(),
                owner_state: OwnerState::Unknown,
                role: String::new(),
                privileges: Privileges::parse(rights).unwrap(),
                privileged: i % 500 == 0,
                status: AccountStatus::Active,
                created_on: chrono::NaiveDate::from_ymd_opt(2020, 4, 1),
                last_sign_in_on: chrono::NaiveDate::from_ymd_opt(
                    2026,
                    if i % 30 == 0 { 5 } else { 11 },
                    1 + (i % 20) as u32,
                ),
                expires_on: None,
            }
        })
        .collect();
    if round == 1 {
        for k in 0..n / 100 {
            let mut new = accounts[0].clone();
            new.login_id = format!("new{system}x{k}");
            accounts.push(new);
        }
    }
    for generic in ["admin", "user01", "guest"] {
        let mut a = accounts[0].clone();
        a.login_id = generic.into();
        a.display_name = "共用".into();
        accounts.push(a);
    }
    accounts
}

async fn import_all(
    store: &mimamori_store::Store,
    facility: i64,
    systems: usize,
    n: usize,
    round: usize,
) -> (f64, usize, usize, usize) {
    let people = store.people(facility).await.unwrap();
    let start = Instant::now();
    let (mut created, mut changed, mut disabled) = (0, 0, 0);
    for s in 0..systems {
        let name = format!("システム{s}");
        let existing = store.all_accounts(facility, Some(&name)).await.unwrap();
        let mut tx = store.write(&Actor::system("bench")).await.unwrap();
        let import = tx
            .import_accounts(facility, &name, &existing, &export(s, n, round), &people)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        created += import.changes.created.len();
        changed += import.changes.changed.len();
        disabled += import.changes.disabled.len();
    }
    (start.elapsed().as_secs_f64(), created, changed, disabled)
}

async fn run(backend: Backend, n: usize, systems: usize) {
    let db = TestDb::new(backend).await;
    let store = db.store(Arc::new(SystemClock)).await;
    let mut tx = store.write(&Actor::system("bench")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let facility = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("BIG"))
        .await
        .unwrap();
    tx.import_records(facility.id, &STAFF, &staff(n))
        .await
        .unwrap();
    let system_records: Vec<Record> = (0..systems)
        .map(|s| {
            record(&[
                ("name", format!("システム{s}")),
                ("category", "other".into()),
            ])
        })
        .collect();
    tx.import_records(facility.id, &SYSTEMS, &system_records)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (first, created, _, _) = import_all(&store, facility.id, systems, n, 0).await;
    let total = created;
    println!(
        "accounts {backend:?}: first import of {systems} exports, {total} accounts: {:.2} s = {:.0} accounts/s",
        first,
        total as f64 / first
    );
    let (second, created, changed, disabled) = import_all(&store, facility.id, systems, n, 1).await;
    println!(
        "accounts {backend:?}: second import (created {created}, changed {changed}, disabled {disabled}): {:.2} s",
        second
    );

    let people = store.people(facility.id).await.unwrap();
    let mut accounts = store.all_accounts(facility.id, None).await.unwrap();
    for a in &mut accounts {
        a.owners.clear();
        a.owner_state = OwnerState::Unknown;
    }
    let start = Instant::now();
    let roster = Roster::new(&people);
    let (certain, suggested) = roster.match_accounts(&mut accounts);
    println!(
        "accounts {backend:?}: matching {} accounts to {} people: {:.1} ms ({certain} by staff number, {suggested} by name)",
        accounts.len(),
        people.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );

    let today = store.clock().today_jst();
    let mut times = Vec::new();
    let mut found = 0;
    // A new store each time: the store keeps a facility's facts while its data is unchanged,
    // and this measures reading them.
    for _ in 0..5 {
        let store = db.store(Arc::new(SystemClock)).await;
        let start = Instant::now();
        let facts = store.facility_facts(facility.id, today).await.unwrap();
        found = evaluate(&facts).len();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        store.close().await;
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let store = db.store(Arc::new(SystemClock)).await;
    let start = Instant::now();
    let facts = store.facility_facts(facility.id, today).await.unwrap();
    let read = start.elapsed().as_secs_f64() * 1000.0;
    let start = Instant::now();
    let _ = evaluate(&facts);
    println!(
        "accounts {backend:?}: all findings with {} accounts, {} people → {found} findings; median {:.0} ms (min {:.0}); read facts {read:.0} ms, rules {:.1} ms",
        facts.accounts.len(),
        facts.people.len(),
        times[times.len() / 2],
        times[0],
        start.elapsed().as_secs_f64() * 1000.0
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (n, systems) = (
        env("MIMAMORI_BENCH_STAFF", 3000),
        env("MIMAMORI_BENCH_SYSTEMS", 20),
    );
    run(Backend::Sqlite, n, systems).await;
    if postgres_available().await {
        run(Backend::Postgres, n, systems).await;
    }
}
