use super::*;

fn copy(pairs: &[(&str, &str)]) -> Record {
    Record {
        values: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-21";

#[test]
fn two_backups_on_another_medium_one_offsite_make_three_two_one() {
    let nas = copy(&[("media", "online_disk")]);
    let cloud = copy(&[("media", "cloud")]);
    let e = evaluate(&[&nas, &cloud], day(TODAY));
    assert_eq!((e.copies, e.media_types), (3, 2));
    assert!(e.offsite && !e.offline && e.three_two_one);
}

#[test]
fn copies_on_the_same_kind_of_disk_are_not_three_two_one() {
    let a = copy(&[("media", "online_disk")]);
    let b = copy(&[("media", "online_disk"), ("offsite", "yes")]);
    let e = evaluate(&[&a, &b], day(TODAY));
    assert_eq!((e.copies, e.media_types), (3, 1));
    assert!(!e.three_two_one, "one media type only");
}

#[test]
fn one_backup_is_only_two_copies() {
    let tape = copy(&[("media", "tape"), ("offline", "yes")]);
    let e = evaluate(&[&tape], day(TODAY));
    assert_eq!(e.copies, 2);
    assert!(e.offline && !e.three_two_one);
}

#[test]
fn three_copies_on_two_media_all_on_site_and_online_fail_the_one() {
    let nas = copy(&[("media", "online_disk")]);
    let usb = copy(&[("media", "usb")]);
    let e = evaluate(&[&nas, &usb], day(TODAY));
    assert!(
        !e.offline && !e.offsite && !e.three_two_one,
        "a USB disk left connected is online"
    );
}

#[test]
fn offline_media_counts_as_offline_without_the_flag_and_cloud_as_offsite() {
    assert!(is_offline(&copy(&[("media", "offline_media")])));
    assert!(
        !is_offline(&copy(&[("media", "immutable")])),
        "WORM is not offline"
    );
    assert!(is_offsite(&copy(&[("media", "cloud")])));
    assert!(!is_offsite(&copy(&[("media", "tape")])));
    assert!(is_offsite(&copy(&[("media", "tape"), ("offsite", "yes")])));
}

#[test]
fn a_restore_test_counts_for_twelve_calendar_months() {
    let at = |tested: &str| {
        copy(&[
            ("media", "tape"),
            ("restore_tested_on", tested),
            ("restore_result", "success"),
        ])
    };
    let today = day(TODAY);
    assert!(
        evaluate(&[&at("2025-11-21")], today).restore_recent,
        "exactly 12 months ago"
    );
    assert!(
        !evaluate(&[&at("2025-11-20")], today).restore_recent,
        "a day more"
    );
    // Across a leap day and a month end: 2024-02-29 + 12 months is 2025-02-28.
    assert!(evaluate(&[&at("2024-02-29")], day("2025-02-28")).restore_recent);
    assert!(!evaluate(&[&at("2024-02-28")], day("2025-03-01")).restore_recent);
    // Across a year end.
    assert!(evaluate(&[&at("2025-12-31")], day("2026-12-31")).restore_recent);
    assert!(!evaluate(&[&at("2025-12-31")], day("2027-01-01")).restore_recent);
    assert!(
        !evaluate(&[&copy(&[("media", "tape")])], today).restore_recent,
        "never tested"
    );
}

#[test]
fn a_failed_restore_does_not_count_and_is_reported_until_one_succeeds() {
    let failed = copy(&[
        ("restore_tested_on", "2026-10-01"),
        ("restore_result", "failed"),
    ]);
    let older = copy(&[
        ("restore_tested_on", "2026-06-01"),
        ("restore_result", "success"),
    ]);
    let e = evaluate(&[&failed, &older], day(TODAY));
    assert_eq!(e.restore_tested_on, Some(day("2026-06-01")));
    assert!(e.restore_recent && e.restore_failed);
    let newer = copy(&[
        ("restore_tested_on", "2026-11-01"),
        ("restore_result", "success"),
    ]);
    assert!(!evaluate(&[&failed, &newer], day(TODAY)).restore_failed);
}

#[test]
fn backups_are_grouped_under_their_system_and_unknown_systems_kept() {
    let rows = vec![
        copy(&[("system", "電子カルテ")]),
        copy(&[("system", "ＰＡＣＳ")]),
        copy(&[("system", "不明なシステム")]),
    ];
    let systems = vec![
        "電子カルテ".to_string(),
        "PACS".to_string(),
        "レセコン".to_string(),
    ];
    let grouped = by_system(&systems, &rows, |r| r);
    let counts: Vec<(&str, usize)> = grouped.iter().map(|(s, r)| (s.as_str(), r.len())).collect();
    assert_eq!(
        counts,
        [
            ("電子カルテ", 1),
            ("PACS", 1),
            ("レセコン", 0),
            ("不明なシステム", 1)
        ]
    );
}
