use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::reporting::{clocks, validate_record, ClockState, Deadline, Recorded, ReportKind};
use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn now() -> NaiveDateTime {
    parse_datetime("2026-11-21 10:00").unwrap()
}

fn incident(discovered: &str, extra: &[(&str, &str)]) -> Incident {
    let mut raw: BTreeMap<String, String> = [
        ("title", "電子カルテ端末の暗号化"),
        ("discovered_at", discovered),
        ("kind", "ransomware"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        raw.insert(k.to_string(), v.to_string());
    }
    Incident::validate(&raw, parse_datetime("2030-12-31 00:00").unwrap()).unwrap()
}

fn clock(incident: &Incident, kind: ReportKind, today: &str) -> reporting::Clock {
    clocks(incident, &[], day(today))
        .into_iter()
        .find(|c| c.kind == kind)
        .unwrap()
}

const SENSITIVE: &[(&str, &str)] = &[("personal_data", "yes"), ("sensitive_data", "yes")];

#[test]
fn the_preliminary_report_window_is_three_to_five_days_across_a_month_end() {
    let i = incident("2026-01-29 23:50", SENSITIVE);
    let c = clock(&i, ReportKind::PpcPreliminary, "2026-01-30");
    assert_eq!(
        c.deadline,
        Deadline::Window {
            target: day("2026-02-01"),
            latest: day("2026-02-03")
        }
    );
    assert_eq!((c.state, c.days_left), (ClockState::Due, Some(4)));
    assert_eq!(
        clock(&i, ReportKind::PpcPreliminary, "2026-02-03").state,
        ClockState::Due
    );
    assert_eq!(
        clock(&i, ReportKind::PpcPreliminary, "2026-02-04").state,
        ClockState::Overdue
    );
}

#[test]
fn the_final_report_is_thirty_days_across_a_year_end_and_in_february() {
    let i = incident("2026-12-15 09:00", SENSITIVE);
    let c = clock(&i, ReportKind::PpcFinal, "2026-12-20");
    assert_eq!(
        c.deadline,
        Deadline::By {
            latest: day("2027-01-14")
        }
    );
    let feb = incident("2028-01-31 08:00", SENSITIVE);
    assert_eq!(
        clock(&feb, ReportKind::PpcFinal, "2028-02-01").deadline,
        Deadline::By {
            latest: day("2028-03-01")
        },
        "2028 is a leap year: 29 days of February"
    );
    let year_end = incident("2026-12-31 22:00", SENSITIVE);
    assert_eq!(
        clock(&year_end, ReportKind::PpcPreliminary, "2027-01-01").deadline,
        Deadline::Window {
            target: day("2027-01-03"),
            latest: day("2027-01-05")
        }
    );
}

#[test]
fn an_improper_purpose_gives_sixty_days_and_makes_any_leak_reportable() {
    let i = incident(
        "2026-11-20 14:00",
        &[("personal_data", "possible"), ("improper_purpose", "yes")],
    );
    let c = clock(&i, ReportKind::PpcFinal, "2026-11-21");
    assert!(c.required);
    assert_eq!(
        c.deadline,
        Deadline::By {
            latest: day("2027-01-19")
        }
    );
    assert!(c.reason_ja.contains("不正の目的") && c.reason_ja.contains("60日"));
    assert_eq!(
        clock(&i, ReportKind::PpcFinal, "2027-01-19").state,
        ClockState::Due
    );
    assert_eq!(
        clock(&i, ReportKind::PpcFinal, "2027-01-20").state,
        ClockState::Overdue
    );
}

#[test]
fn no_personal_data_means_no_ppc_report_but_an_attack_still_calls_the_police() {
    let i = incident("2026-11-20 14:00", &[("care_disrupted", "yes")]);
    let cs = clocks(&i, &[], day("2026-12-31"));
    let state = |k: ReportKind| cs.iter().find(|c| c.kind == k).unwrap().state;
    assert_eq!(state(ReportKind::PpcPreliminary), ClockState::NotNeeded);
    assert_eq!(state(ReportKind::PpcFinal), ClockState::NotNeeded);
    assert_eq!(state(ReportKind::Persons), ClockState::NotNeeded);
    assert_eq!(
        state(ReportKind::Mhlw),
        ClockState::Due,
        "care disrupted: MHLW, without a fixed deadline"
    );
    assert_eq!(state(ReportKind::Police), ClockState::Due);
    let misdelivery = incident("2026-11-20 14:00", &[("kind", "misdelivery")]);
    assert!(clocks(&misdelivery, &[], day("2026-11-21"))
        .iter()
        .all(|c| c.state == ClockState::NotNeeded));
}

#[test]
fn a_few_non_sensitive_records_are_not_reportable_but_over_a_thousand_are() {
    let few = incident(
        "2026-11-20 14:00",
        &[
            ("personal_data", "yes"),
            ("kind", "misdelivery"),
            ("persons_affected", "12"),
        ],
    );
    assert!(!clock(&few, ReportKind::PpcPreliminary, "2026-11-21").required);
    let many = incident(
        "2026-11-20 14:00",
        &[
            ("personal_data", "yes"),
            ("kind", "misdelivery"),
            ("persons_affected", "１，００１"),
        ],
    );
    assert!(clock(&many, ReportKind::PpcPreliminary, "2026-11-21").required);
}

#[test]
fn recorded_reports_end_the_clock_and_not_needed_needs_a_reason() {
    let i = incident("2026-11-01 09:00", SENSITIVE);
    let done = validate_record(
        ReportKind::PpcPreliminary,
        "done",
        Some(day("2026-11-04")),
        "",
        "山田",
    )
    .unwrap();
    let cs = clocks(&i, &[done], day("2026-11-21"));
    let pre = cs
        .iter()
        .find(|c| c.kind == ReportKind::PpcPreliminary)
        .unwrap();
    assert_eq!(
        (pre.state, pre.done_on, pre.days_left),
        (ClockState::Done, Some(day("2026-11-04")), None)
    );
    assert_eq!(
        cs.iter()
            .find(|c| c.kind == ReportKind::PpcFinal)
            .unwrap()
            .state,
        ClockState::Due
    );
    assert!(
        validate_record(ReportKind::Police, "done", None, "", "x").is_err(),
        "done needs a date"
    );
    assert!(
        validate_record(ReportKind::Police, "not_needed", None, " ", "x").is_err(),
        "needs a reason"
    );
    let waived: Recorded = validate_record(
        ReportKind::Police,
        "not_needed",
        None,
        "保守作業の誤操作と判明",
        "x",
    )
    .unwrap();
    let cs = clocks(&i, &[waived], day("2026-11-21"));
    assert_eq!(
        cs.iter()
            .find(|c| c.kind == ReportKind::Police)
            .unwrap()
            .state,
        ClockState::NotNeeded
    );
}

#[test]
fn validation_reads_japanese_dates_and_reports_every_problem() {
    let raw: BTreeMap<String, String> = [
        ("title", "端末紛失"),
        ("discovered_at", "令和8年11月20日 ９:３０"),
        ("kind", "端末・媒体の紛失・盗難"),
        ("personal_data", "おそれあり"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let i = Incident::validate(&raw, now()).unwrap();
    assert_eq!(i.discovered_at, parse_datetime("2026-11-20 09:30").unwrap());
    assert_eq!(
        (i.kind.as_str(), i.personal_data.as_str(), i.status.as_str()),
        ("lost_or_stolen", "possible", "open")
    );
    let round = Incident::validate(&i.to_raw(), now()).unwrap();
    assert_eq!(round, i);

    let bad: BTreeMap<String, String> = [
        ("discovered_at", "2026-12-01 10:00"),
        ("kind", "隕石"),
        ("persons_affected", "多数"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let issues = Incident::validate(&bad, now()).unwrap_err();
    let codes: Vec<&str> = issues.0.iter().map(|i| i.code).collect();
    assert_eq!(
        codes,
        [
            "required",
            "future_datetime",
            "invalid_choice",
            "invalid_number"
        ]
    );
}

#[test]
fn every_first_response_step_has_a_unique_key() {
    let keys: std::collections::HashSet<&str> =
        first_response::STEPS.iter().map(|s| s.key).collect();
    assert_eq!(keys.len(), first_response::STEPS.len());
    assert!(first_response::step("isolate").is_some());
}
