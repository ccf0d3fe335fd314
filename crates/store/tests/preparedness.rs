//! Incident preparedness and incidents on SQLite and PostgreSQL: the contact chart seeded without
//! invented numbers, the backup evaluation (3-2-1 / offline / restore age) feeding the findings,
//! BCP answers, and reporting clocks across month and year ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use mimamori_domain::backups::BACKUPS;
use mimamori_domain::bcp::BcpStatus;
use mimamori_domain::clock::SharedClock;
use mimamori_domain::contacts::{CONTACTS, ESCALATION};
use mimamori_domain::findings::evaluate;
use mimamori_domain::incidents::reporting::{validate_record, ClockState, Deadline, ReportKind};
use mimamori_domain::incidents::{parse_datetime, Incident};
use mimamori_domain::ledger::register::Record;
use mimamori_domain::ledger::registers::{SYSTEMS, VENDORS};
use mimamori_store::bcp::BcpAnswerInput;
use mimamori_store::{Actor, Store};
use mimamori_testkit::{backend_tests, Backend, TestApp, TestDb};
use std::collections::BTreeMap;

backend_tests!(
    a_new_facility_starts_with_the_contacts_it_needs_and_no_invented_numbers,
    backups_are_evaluated_for_three_two_one_offline_and_restore_age,
    bcp_answers_are_saved_with_audit_and_feed_progress,
    reporting_clocks_run_from_discovery_across_month_and_year_ends,
    incident_timeline_steps_and_reports_are_recorded
);

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn record(pairs: &[(&str, &str)]) -> Record {
    Record {
        values: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

async fn setup(backend: Backend, prefecture: &str) -> (TestDb, Store, i64) {
    let db = TestDb::new(backend).await;
    let clock: SharedClock = mimamori_testkit::fixed_clock();
    let store = db.store(clock).await;
    let mut profile = TestApp::facility_profile_for_tests("A");
    profile.prefecture = Some(prefecture.to_string());
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let facility = tx.create_facility(organisation.id, &profile).await.unwrap();
    tx.seed_contact_chart(facility.id, Some(prefecture))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (db, store, facility.id)
}

async fn a_new_facility_starts_with_the_contacts_it_needs_and_no_invented_numbers(
    backend: Backend,
) {
    let (_db, store, facility) = setup(backend, "大阪府").await;
    let contacts = store.all_records(facility, &CONTACTS).await.unwrap();
    let names: Vec<&str> = contacts
        .iter()
        .filter_map(|c| c.record.get("organisation"))
        .collect();
    assert!(
        names.contains(&"大阪府警察 サイバー犯罪相談窓口"),
        "{names:?}"
    );
    assert!(names.contains(&"管轄の保健所"));
    let numbered: Vec<&str> = contacts
        .iter()
        .filter(|c| c.record.get("phone").is_some())
        .filter_map(|c| c.record.get("organisation"))
        .collect();
    assert_eq!(
        numbered,
        ["厚生労働省 医政局 特定医薬品開発支援・医療情報担当参事官室"],
        "only the sourced number"
    );
    assert_eq!(
        store
            .all_records(facility, &ESCALATION)
            .await
            .unwrap()
            .len(),
        5
    );

    // A vendor added later joins the chart on the next seeding, with its own register's number;
    // nothing already there is touched or duplicated.
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.create_record(
        facility,
        &VENDORS,
        &record(&[("name", "メディカル株式会社"), ("phone", "06-1234-5678")]),
    )
    .await
    .unwrap();
    let seeded = tx
        .seed_contact_chart(facility, Some("大阪府"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(seeded, (0, 1));
    let vendor = store
        .record_by_key(facility, &CONTACTS, "メディカル株式会社")
        .await
        .unwrap();
    assert_eq!(vendor.record.get("phone"), Some("06-1234-5678"));
    assert_eq!(vendor.record.get("category"), Some("vendor"));
    assert_eq!(
        store
            .all_records(facility, &ESCALATION)
            .await
            .unwrap()
            .len(),
        5
    );

    let findings = evaluate(
        &store
            .facility_facts(facility, day("2026-11-21"))
            .await
            .unwrap(),
    );
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains(&"contacts.external_incomplete")
            && rules.contains(&"contacts.escalation_incomplete")
    );
}

async fn backups_are_evaluated_for_three_two_one_offline_and_restore_age(backend: Backend) {
    let (_db, store, facility) = setup(backend, "東京都").await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    for name in ["電子カルテ", "PACS", "レセコン"] {
        tx.create_record(facility, &SYSTEMS, &record(&[("name", name)]))
            .await
            .unwrap();
    }
    // 電子カルテ: NAS + offline tape, restore tested 2025-12-01: 3-2-1, offline, recent.
    // PACS: NAS + cloud, never restored: 3-2-1 (cloud is offsite) but no offline copy.
    // レセコン: nothing.
    let backups = [
        vec![
            ("name", "カルテ NAS"),
            ("system", "電子カルテ"),
            ("media", "online_disk"),
            ("restore_tested_on", "2025-12-01"),
            ("restore_result", "success"),
        ],
        vec![
            ("name", "カルテ テープ"),
            ("system", "電子カルテ"),
            ("media", "tape"),
            ("offline", "yes"),
        ],
        vec![
            ("name", "PACS NAS"),
            ("system", "PACS"),
            ("media", "online_disk"),
        ],
        vec![
            ("name", "PACS クラウド"),
            ("system", "PACS"),
            ("media", "cloud"),
        ],
    ];
    for pairs in &backups {
        let checked = BACKUPS
            .validate(&record(pairs).values, &Default::default())
            .expect("valid backup");
        tx.create_record(facility, &BACKUPS, &checked.record)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let by_rule = |today: &str| {
        let store = &store;
        let today = day(today);
        async move {
            let findings = evaluate(&store.facility_facts(facility, today).await.unwrap());
            let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for f in findings
                .into_iter()
                .filter(|f| f.rule.starts_with("backups."))
            {
                out.insert(
                    f.rule.clone(),
                    f.records.iter().map(|r| r.label.clone()).collect(),
                );
            }
            out
        }
    };
    let found = by_rule("2026-11-21").await;
    assert_eq!(found.get("backups.none").unwrap(), &["レセコン"]);
    assert_eq!(found.get("backups.no_offline").unwrap(), &["PACS"]);
    assert!(!found.contains_key("backups.not_321"), "{found:?}");
    assert_eq!(found.get("backups.restore_not_tested").unwrap(), &["PACS"]);

    // Twelve months after the test, the EHR's restore is stale too (2025-12-01 + 12 months).
    let later = by_rule("2026-12-02").await;
    assert_eq!(
        later.get("backups.restore_not_tested").unwrap(),
        &["PACS", "電子カルテ"],
        "systems in name order"
    );
    let edge = by_rule("2026-12-01").await;
    assert_eq!(edge.get("backups.restore_not_tested").unwrap(), &["PACS"]);

    // Losing the tape makes the EHR both offline-less and short of 3-2-1.
    let tape = store
        .record_by_key(facility, &BACKUPS, "カルテ テープ")
        .await
        .unwrap();
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.delete_record(&BACKUPS, &tape).await.unwrap();
    tx.commit().await.unwrap();
    let found = by_rule("2026-11-21").await;
    assert_eq!(
        found.get("backups.no_offline").unwrap(),
        &["PACS", "電子カルテ"]
    );
    assert_eq!(found.get("backups.not_321").unwrap(), &["電子カルテ"]);
}

async fn bcp_answers_are_saved_with_audit_and_feed_progress(backend: Backend) {
    let (_db, store, facility) = setup(backend, "東京都").await;
    let input = |key: &str, status: Option<BcpStatus>| BcpAnswerInput {
        check_key: key.into(),
        status,
        evidence: "BCP第2版 3章".into(),
        note: String::new(),
    };
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let changed = tx
        .save_bcp_answers(
            facility,
            &[],
            &[
                input("1-1.1", Some(BcpStatus::Done)),
                input("1-2.1", Some(BcpStatus::Partial)),
                input("1-1.2", None),
            ],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        changed, 2,
        "an empty answer that stays empty is not a change"
    );
    let stored = store.bcp_answers(facility).await.unwrap();
    assert_eq!(stored.len(), 2);
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let changed = tx
        .save_bcp_answers(
            facility,
            &stored,
            &[input("1-1.1", Some(BcpStatus::Done)), input("1-2.1", None)],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(changed, 1);
    let facts = store
        .facility_facts(facility, day("2026-11-21"))
        .await
        .unwrap();
    let total = mimamori_domain::bcp::catalog().checks().count();
    assert_eq!(facts.bcp_progress, (1, 1, total));
    let history = store.audit_history("bcp_answer", "1-2.1").await.unwrap();
    assert_eq!(history.len(), 2);
}

fn incident(discovered: &str, extra: &[(&str, &str)]) -> Incident {
    let mut raw: BTreeMap<String, String> = [
        ("title", "電子カルテの暗号化"),
        ("discovered_at", discovered),
        ("kind", "ransomware"),
        ("discovered_by", "看護師A"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        raw.insert(k.to_string(), v.to_string());
    }
    Incident::validate(&raw, parse_datetime("2030-01-01 00:00").unwrap()).unwrap()
}

async fn reporting_clocks_run_from_discovery_across_month_and_year_ends(backend: Backend) {
    let (_db, store, facility) = setup(backend, "東京都").await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let year_end = tx
        .create_incident(
            facility,
            &incident(
                "2026-12-30 23:30",
                &[("personal_data", "yes"), ("sensitive_data", "yes")],
            ),
        )
        .await
        .unwrap();
    let improper = tx
        .create_incident(
            facility,
            &incident(
                "2026-11-30 10:00",
                &[("personal_data", "possible"), ("improper_purpose", "yes")],
            ),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let clocks = |today: &str| {
        let store = &store;
        let today = day(today);
        async move { store.open_incident_clocks(facility, today).await.unwrap() }
    };
    let open = clocks("2027-01-02").await;
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].0.number, 1, "newest discovery first");
    let clock = |list: &[mimamori_domain::incidents::reporting::Clock], kind| {
        list.iter().find(|c| c.kind == kind).unwrap().clone()
    };
    let pre = clock(&open[0].1, ReportKind::PpcPreliminary);
    assert_eq!(
        pre.deadline,
        Deadline::Window {
            target: day("2027-01-02"),
            latest: day("2027-01-04")
        }
    );
    assert_eq!(pre.state, ClockState::Due);
    assert_eq!(
        clock(&open[0].1, ReportKind::PpcFinal).deadline,
        Deadline::By {
            latest: day("2027-01-29")
        }
    );
    assert_eq!(
        clock(&open[1].1, ReportKind::PpcFinal).deadline,
        Deadline::By {
            latest: day("2027-01-29")
        },
        "60 days from 2026-11-30"
    );
    let later = clocks("2027-01-05").await;
    assert_eq!(
        clock(&later[0].1, ReportKind::PpcPreliminary).state,
        ClockState::Overdue
    );

    // Recording the report stops the clock; the findings follow.
    let overdue = |facts: &mimamori_domain::findings::FacilityFacts| -> Vec<i64> {
        evaluate(facts)
            .into_iter()
            .filter(|f| f.rule == "incidents.report_overdue")
            .filter_map(|f| f.records[0].id)
            .collect()
    };
    let facts = store
        .facility_facts(facility, day("2027-01-05"))
        .await
        .unwrap();
    assert_eq!(
        overdue(&facts),
        [year_end, improper],
        "both preliminary reports are overdue"
    );
    let stored = store.incident(facility, year_end).await.unwrap();
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.record_incident_report(
        &stored,
        &validate_record(
            ReportKind::PpcPreliminary,
            "done",
            Some(day("2027-01-04")),
            "",
            "test",
        )
        .unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let facts = store
        .facility_facts(facility, day("2027-01-05"))
        .await
        .unwrap();
    assert_eq!(overdue(&facts), [improper]);
}

async fn incident_timeline_steps_and_reports_are_recorded(backend: Backend) {
    let (_db, store, facility) = setup(backend, "東京都").await;
    let mut tx = store.write(&Actor::user(1, "安全 太郎")).await.unwrap();
    let id = tx
        .create_incident(facility, &incident("2026-11-20 08:15", &[]))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = store.incident(facility, id).await.unwrap();
    assert_eq!(stored.label(), "INC-1");
    let at = parse_datetime("2026-11-20 08:30").unwrap();
    let mut tx = store.write(&Actor::user(1, "安全 太郎")).await.unwrap();
    tx.add_timeline(&stored, &at, "保守事業者に電話で連絡")
        .await
        .unwrap();
    tx.set_incident_step(
        &stored,
        "isolate",
        Some((&at, "看護師A", "LANケーブルを抜いた")),
    )
    .await
    .unwrap();
    let mut closed = stored.incident.clone();
    closed.status = "contained".into();
    tx.update_incident(&stored, &closed).await.unwrap();
    tx.commit().await.unwrap();
    let detail = store.incident_detail(facility, id).await.unwrap();
    let entries: Vec<&str> = detail.timeline.iter().map(|e| e.entry.as_str()).collect();
    assert_eq!(
        entries,
        [
            "発見（看護師A）: 電子カルテの暗号化",
            "保守事業者に電話で連絡",
            "状態を「封じ込め済」に変更"
        ]
    );
    assert_eq!(
        detail.timeline[2].happened_at, "2026-11-21T10:00",
        "written at the clock's time in Japan"
    );
    assert_eq!(detail.timeline[1].author, "安全 太郎");
    assert_eq!(detail.steps.len(), 1);
    assert_eq!(detail.steps[0].done_by, "看護師A");
    // Another facility cannot see it.
    assert!(store.incident(facility + 1000, id).await.is_err());
}
