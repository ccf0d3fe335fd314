//! The generator: deterministic, in Japan's proportions, valid by the registers' own rules, and
//! written so that the audit chain holds, ids continue after it and every summary is computed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::facility::FacilityKind;
use mimamori_domain::overview::SummaryStatus;
use mimamori_store::audit::Verification;
use mimamori_store::overview::OverviewQuery;
use mimamori_store::Actor;
use mimamori_testkit::{backend_tests, Backend, TestDb};

use super::{run, Options, Plan};

fn plan() -> Plan {
    Plan {
        seed: 7,
        devices_per_hospital: 300,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        fiscal_year: 2026,
        facility_items: vec!["1-1".into(), "2-1".into()],
        pharmacy_items: vec!["1-1".into()],
    }
}

#[test]
fn the_same_seed_gives_the_same_facility() {
    let (a, b) = (plan().facility(42), plan().facility(42));
    assert_eq!(a.profile, b.profile);
    assert_eq!(a.devices, b.devices);
    assert_eq!(a.accounts, b.accounts);
    let other = Plan { seed: 8, ..plan() }.facility(42);
    assert_ne!(
        (a.profile.name, a.devices.len()),
        (other.profile.name, other.devices.len())
    );
}

#[test]
fn facilities_come_in_japans_proportions_and_sizes() {
    let plan = plan();
    let n = 4_000;
    let facilities: Vec<_> = (0..n).map(|i| plan.facility(i)).collect();
    let share = |kind| {
        facilities.iter().filter(|f| f.profile.kind == kind).count() as f64 / n as f64 * 100.0
    };
    // 8,100 / 105,000 / 62,000 / 2,300 of 177,400.
    assert!(
        (3.5..5.8).contains(&share(FacilityKind::Hospital)),
        "{}",
        share(FacilityKind::Hospital)
    );
    assert!((56.0..62.5).contains(&share(FacilityKind::Clinic)));
    assert!((32.0..38.0).contains(&share(FacilityKind::Pharmacy)));
    for f in &facilities {
        let devices = f.devices.len();
        match f.profile.kind {
            FacilityKind::Clinic => assert!((5..=50).contains(&devices)),
            FacilityKind::Pharmacy => assert!((2..=6).contains(&devices)),
            FacilityKind::Hospital => {
                assert!(devices >= 10 && f.profile.beds.unwrap() >= 20);
                assert!(!f.accounts.is_empty());
            }
            FacilityKind::MidwiferyHome => assert!(devices <= 4),
        }
        assert!(f.profile.prefecture.is_some());
    }
    // About 3 % have had an incident, and a few have one still open.
    let with_incidents = facilities
        .iter()
        .filter(|f| !f.incidents.is_empty())
        .count();
    assert!((60..=200).contains(&with_incidents), "{with_incidents}");
    assert!(facilities
        .iter()
        .any(|f| f.incidents.iter().any(|i| i.status != "closed")));
    // Tokyo, the most populous prefecture, has the most facilities.
    let tokyo = facilities
        .iter()
        .filter(|f| f.profile.prefecture.as_deref() == Some("東京都"))
        .count();
    let tottori = facilities
        .iter()
        .filter(|f| f.profile.prefecture.as_deref() == Some("鳥取県"))
        .count();
    assert!(tokyo > 5 * tottori.max(1), "{tokyo} / {tottori}");
}

backend_tests!(generated_facilities_are_written_whole_and_summarised);

async fn generated_facilities_are_written_whole_and_summarised(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store(mimamori_testkit::fixed_clock()).await;
    store
        .sync_builtin_editions(&mimamori_formats::catalog::builtin_editions().unwrap())
        .await
        .unwrap();
    let options = Options {
        facilities: 60,
        seed: 3,
        devices_per_hospital: 40,
        csv_out: None,
        csv_devices: None,
    };
    let plan = super::plan(&store, &options).await.unwrap();
    let incidents: usize = (0..60).map(|n| plan.facility(n).incidents.len()).sum();
    let report = run(&store, &options).await.unwrap();
    let today = store.clock().today_jst();
    let mut stored = 0;
    for facility in store.facilities(None).await.unwrap() {
        stored += store
            .incident_clocks(facility.id, true, today)
            .await
            .unwrap()
            .len();
    }
    assert_eq!(stored, incidents);
    assert_eq!(report.facilities, 60);
    let organisation = store.organisations().await.unwrap()[0].id;
    let page = store
        .overview(&OverviewQuery {
            organisation_id: organisation,
            page: 1,
            per_page: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 60);
    assert!(page
        .rows
        .iter()
        .all(|r| r.status != SummaryStatus::Pending && r.pending_changes == 0));
    // The planner knows the computed statuses: filtered by one, a page of 200,000 facilities
    // then walks the sort's index instead of sorting every facility.
    if backend == Backend::Postgres {
        let common = db
            .text("SELECT CAST(most_common_vals AS TEXT) FROM pg_stats WHERE tablename = 'facility_summaries' AND attname = 'status'")
            .await
            .unwrap_or_default();
        assert!(
            !common.is_empty() && !common.contains("pending"),
            "{common}"
        );
    }
    // The summaries are the findings engine's on the facility's data.
    let row = &page.rows[0];
    let facts = store
        .facility_facts(row.facility_id, store.clock().today_jst())
        .await
        .unwrap();
    let high = mimamori_domain::findings::evaluate(&facts)
        .iter()
        .filter(|f| f.severity == mimamori_domain::findings::Severity::High)
        .count();
    assert_eq!(row.findings_high, high as i64);
    let devices: usize = facts.devices.len();
    assert!(devices > 0);
    // One audit entry per facility (and the organisation's), chained.
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verification::Intact { entries } if entries > 60
    ));
    // Ids continue after the reserved ones: a facility created afterwards works.
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let profile = mimamori_testkit::facility_profile("AFTER", "後から登録");
    let after = tx.create_facility(organisation, &profile).await.unwrap();
    tx.commit().await.unwrap();
    assert!(after.id > 60);
    // Generating again into the same database is refused, not duplicated.
    let again = run(&store, &options).await.unwrap_err().to_string();
    assert!(again.contains("すでにあります"), "{again}");
}
