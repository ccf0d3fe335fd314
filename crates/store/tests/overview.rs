//! The organisation overview on SQLite and PostgreSQL: summaries go stale on every audited write
//! to their facility and are recomputed from the same findings as the findings page; the page
//! query filters, sorts and pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use mimamori_domain::clock::SharedClock;
use mimamori_domain::facility::FacilityKind;
use mimamori_domain::findings::{evaluate, Severity};
use mimamori_domain::overview::SummaryStatus;
use mimamori_store::overview::{OverviewQuery, OverviewSort};
use mimamori_store::{Actor, Store};
use mimamori_testkit::{backend_tests, Backend, TestApp, TestDb};

backend_tests!(
    summaries_are_computed_from_the_findings_and_go_stale_on_writes,
    overview_filters_sorts_and_pages
);

const TODAY: &str = "2026-11-21";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// An organisation with facilities (code, kind, prefecture); returns their ids in order.
async fn setup(
    backend: Backend,
    facilities: &[(&str, FacilityKind, &str)],
) -> (TestDb, Store, i64, Vec<i64>) {
    let db = TestDb::new(backend).await;
    let clock: SharedClock = mimamori_testkit::fixed_clock();
    let store = db.store(clock).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let mut ids = Vec::new();
    for (code, kind, prefecture) in facilities {
        let mut profile = TestApp::facility_profile_for_tests(code);
        profile.kind = *kind;
        profile.beds = (*kind == FacilityKind::Hospital).then_some(200);
        profile.prefecture = Some(prefecture.to_string());
        ids.push(
            tx.create_facility(organisation.id, &profile)
                .await
                .unwrap()
                .id,
        );
    }
    tx.commit().await.unwrap();
    (db, store, organisation.id, ids)
}

fn query(organisation_id: i64) -> OverviewQuery {
    OverviewQuery {
        organisation_id,
        page: 1,
        per_page: 50,
        ..OverviewQuery::default()
    }
}

async fn summaries_are_computed_from_the_findings_and_go_stale_on_writes(backend: Backend) {
    let (_db, store, org, ids) = setup(
        backend,
        &[
            ("A", FacilityKind::Clinic, "東京都"),
            ("B", FacilityKind::Hospital, "大阪府"),
        ],
    )
    .await;
    let today = day(TODAY);
    // New facilities are listed at once, as not computed yet.
    let page = store.overview(&query(org)).await.unwrap();
    assert_eq!(page.total, 2);
    assert!(page.rows.iter().all(|r| r.status == SummaryStatus::Pending));
    assert_eq!(store.pending_summaries(today, 100).await.unwrap().len(), 2);

    assert_eq!(
        store.refresh_pending_summaries(today, 100).await.unwrap(),
        2
    );
    assert!(store
        .pending_summaries(today, 100)
        .await
        .unwrap()
        .is_empty());
    for id in &ids {
        let facts = store.facility_facts(*id, today).await.unwrap();
        let findings = evaluate(&facts);
        let count = |s| findings.iter().filter(|f| f.severity == s).count() as i64;
        let page = store.overview(&query(org)).await.unwrap();
        let row = page.rows.iter().find(|r| r.facility_id == *id).unwrap();
        assert_eq!(
            (row.findings_high, row.findings_medium, row.findings_low),
            (
                count(Severity::High),
                count(Severity::Medium),
                count(Severity::Low)
            )
        );
        // No security officer on a new facility: a high finding, and urgent.
        assert!(row.findings_high > 0);
        assert_eq!(row.status, SummaryStatus::Urgent);
        assert_eq!(row.fiscal_year, Some(2026));
        assert_eq!(row.pending_changes, 0);
        assert_eq!(row.ledger_confirmed_on, None);
    }

    // A write to A (any audited change) makes only A pending; the refresh reflects it.
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.confirm_ledger(ids[0], "devices", None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.pending_summaries(today, 100).await.unwrap(),
        vec![ids[0]]
    );
    store.refresh_pending_summaries(today, 100).await.unwrap();
    let page = store.overview(&query(org)).await.unwrap();
    let a = page.rows.iter().find(|r| r.code == "A").unwrap();
    assert_eq!(a.ledger_confirmed_on.as_deref(), Some(TODAY));
    assert_eq!(a.pending_changes, 0);

    // Findings depend on the date: every summary is due again the next day.
    assert_eq!(
        store
            .pending_summaries(day("2026-11-22"), 100)
            .await
            .unwrap()
            .len(),
        2
    );

    // Renaming a facility shows at once, before any refresh.
    let facility = store.facility(ids[1]).await.unwrap();
    let mut profile = facility.profile.clone();
    profile.name = "改名病院".into();
    profile.prefecture = Some("京都府".into());
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.update_facility(&facility, &profile).await.unwrap();
    tx.commit().await.unwrap();
    let page = store.overview(&query(org)).await.unwrap();
    let b = page.rows.iter().find(|r| r.facility_id == ids[1]).unwrap();
    assert_eq!(
        (b.name.as_str(), b.prefecture.as_str()),
        ("改名病院", "京都府")
    );
    assert_eq!(b.pending_changes, 1);
}

async fn overview_filters_sorts_and_pages(backend: Backend) {
    let (_db, store, org, ids) = setup(
        backend,
        &[
            ("C03", FacilityKind::Clinic, "東京都"),
            ("C01", FacilityKind::Clinic, "大阪府"),
            ("H01", FacilityKind::Hospital, "東京都"),
            ("P01", FacilityKind::Pharmacy, "東京都"),
            ("C02", FacilityKind::Clinic, "東京都"),
        ],
    )
    .await;
    let today = day(TODAY);
    // Only some are computed: the others stay pending and are counted as such.
    store.refresh_summary(ids[0], today).await.unwrap();
    store.refresh_summary(ids[2], today).await.unwrap();

    let codes = |rows: &[mimamori_store::overview::FacilitySummary]| {
        rows.iter().map(|r| r.code.clone()).collect::<Vec<_>>()
    };
    let mut q = query(org);
    q.sort = OverviewSort::Code;
    assert_eq!(
        codes(&store.overview(&q).await.unwrap().rows),
        ["C01", "C02", "C03", "H01", "P01"]
    );
    q.reverse = true;
    assert_eq!(
        codes(&store.overview(&q).await.unwrap().rows),
        ["P01", "H01", "C03", "C02", "C01"]
    );

    // Paging: 2 per page, page 2 of the code order.
    q.reverse = false;
    q.per_page = 2;
    q.page = 2;
    let page = store.overview(&q).await.unwrap();
    assert_eq!(
        (codes(&page.rows), page.total),
        (vec!["C03".to_string(), "H01".to_string()], 5)
    );

    // Filters: kind, prefecture, status, and a part of the code or name (case-insensitive).
    let mut q = query(org);
    q.sort = OverviewSort::Code;
    q.kind = Some(FacilityKind::Clinic);
    q.prefecture = Some("東京都".into());
    let page = store.overview(&q).await.unwrap();
    assert_eq!(
        (codes(&page.rows), page.total),
        (vec!["C02".to_string(), "C03".to_string()], 2)
    );
    let count = |page: &mimamori_store::overview::OverviewPage, s: SummaryStatus| {
        page.by_status
            .iter()
            .find(|(status, _)| *status == s)
            .unwrap()
            .1
    };
    assert_eq!(count(&page, SummaryStatus::Urgent), 1);
    assert_eq!(count(&page, SummaryStatus::Pending), 1);
    q.status = Some(SummaryStatus::Pending);
    let page = store.overview(&q).await.unwrap();
    assert_eq!(
        (codes(&page.rows), page.total),
        (vec!["C02".to_string()], 1)
    );
    // The per-status counts ignore the status filter, so the other choices stay visible.
    assert_eq!(count(&page, SummaryStatus::Urgent), 1);

    let mut q = query(org);
    q.q = Some("h0".into());
    assert_eq!(codes(&store.overview(&q).await.unwrap().rows), ["H01"]);
    q.q = Some("施設P".into());
    assert_eq!(codes(&store.overview(&q).await.unwrap().rows), ["P01"]);
    q.q = Some("%".into());
    assert!(store.overview(&q).await.unwrap().rows.is_empty());

    // Sorted by findings, the computed facilities with high findings come first.
    let mut q = query(org);
    q.sort = OverviewSort::Findings;
    let rows = store.overview(&q).await.unwrap().rows;
    assert!(
        rows[..2].iter().all(|r| r.status == SummaryStatus::Urgent),
        "{rows:?}"
    );
    assert!(rows[0].findings_high >= rows[1].findings_high);
    // By ledger confirmation: never confirmed first.
    q.sort = OverviewSort::Confirmed;
    assert_eq!(store.overview(&q).await.unwrap().rows.len(), 5);
    // Another organisation's facilities never show.
    let mut q = query(org + 1000);
    q.sort = OverviewSort::Name;
    assert_eq!(store.overview(&q).await.unwrap().total, 0);
}
