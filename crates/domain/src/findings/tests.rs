use chrono::NaiveDate;

use super::*;
use crate::checklist::Answer;
use crate::governance::{AppointedRole, Appointment};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn device(id: i64, no: &str) -> DeviceFacts {
    DeviceFacts {
        id,
        management_no: no.into(),
        kind: Some(DeviceKind::Pc),
        status: Some(DeviceStatus::Active),
        os_name: Some("Windows 11 Pro".into()),
        os_version: Some("25H2".into()),
        maker: None,
        model: None,
        remote_maintenance: false,
        software_without_version: 0,
        segments: vec!["電子カルテ系".into()],
        software: Vec::new(),
        exposure: Vec::new(),
    }
}

fn connection(id: i64, targets: &[&str]) -> ConnectionFacts {
    ConnectionFacts {
        id,
        name: format!("保守{id}"),
        vendor: Some("A社".into()),
        targets: targets
            .iter()
            .map(|t| crate::validation::search_key(t))
            .collect(),
        source_ip_restricted: Some(true),
        shared_id: false,
        two_factor: Some(true),
        confirmed_on: Some(day(2026, 5, 1)),
    }
}

/// A facility that triggers nothing: an officer and a planning manager, a confirmed ledger of
/// patched devices, a remote connection configured as it should be, a vendor form on file.
fn clean() -> FacilityFacts {
    let mut facts = FacilityFacts::new(day(2026, 11, 21), FacilityKind::Clinic);
    for (role, name) in [
        (AppointedRole::SecurityOfficer, "院長"),
        (AppointedRole::PlanningManager, "事務長"),
    ] {
        facts.appointments.push(Appointment {
            role,
            person_name: name.into(),
            position: None,
            department: None,
            tenure: None,
            from_on: Some(day(2024, 4, 1)),
            until_on: None,
            note: None,
        });
    }
    let mut server = device(1, "SV-01");
    server.remote_maintenance = true;
    facts.devices = vec![server, device(2, "PC-01")];
    facts.ledger_confirmed_on = Some(day(2026, 4, 10));
    facts.connections = vec![connection(1, &["SV-01"])];
    facts.systems = vec![SystemFacts {
        id: 1,
        name: "電子カルテ".into(),
        vendor: Some("A社".into()),
    }];
    facts.vendor_forms = vec![("a社".into(), "電子カルテ".into())];
    facts.answers = vec![AnswerFacts {
        item_key: "ledger".into(),
        number: "2-(1)".into(),
        answer: Some(Answer::Yes),
        target_on: None,
    }];
    prepare(&mut facts);
    facts.feeds = FeedFacts {
        nvd_records: 1,
        nvd_newest: Some(facts.today),
    };
    facts
}

/// A complete contact chart, backups meeting 3-2-1 with a recent restore test, and a drill.
fn prepare(facts: &mut FacilityFacts) {
    let rows = |records: Vec<crate::ledger::register::Record>| -> Vec<RegisterRow> {
        records
            .into_iter()
            .enumerate()
            .map(|(i, record)| RegisterRow {
                id: i as i64,
                record,
            })
            .collect()
    };
    let filled = |mut r: crate::ledger::register::Record| {
        for (k, v) in [
            ("person", "山田"),
            ("phone", "03-0000-0000"),
            ("deputy", "佐藤"),
        ] {
            r.values.entry(k.into()).or_insert(v.into());
        }
        r
    };
    facts.escalation = rows(
        crate::contacts::standard_escalation()
            .into_iter()
            .map(filled)
            .collect(),
    );
    facts.contacts = rows(
        crate::contacts::required_contacts(Some("東京都"), &[])
            .into_iter()
            .map(filled)
            .collect(),
    );
    let backup = |pairs: &[(&str, &str)]| crate::ledger::register::Record {
        values: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    facts.backups = rows(vec![
        backup(&[
            ("system", "電子カルテ"),
            ("media", "online_disk"),
            ("restore_tested_on", "2026-09-01"),
        ]),
        backup(&[
            ("system", "電子カルテ"),
            ("media", "tape"),
            ("offline", "yes"),
        ]),
    ]);
    facts.drills = rows(vec![backup(&[("held_on", "2026-06-01")])]);
}

fn rules_hit(facts: &FacilityFacts) -> Vec<String> {
    evaluate(facts).into_iter().map(|f| f.rule).collect()
}

fn only(facts: &FacilityFacts, rule: &str) -> Finding {
    let found: Vec<Finding> = evaluate(facts)
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect();
    assert_eq!(found.len(), 1, "{rule}: {:?}", rules_hit(facts));
    found.into_iter().next().unwrap()
}

#[test]
fn the_clean_facility_triggers_no_rule() {
    assert_eq!(rules_hit(&clean()), Vec::<String>::new());
}

#[test]
fn every_rule_id_is_unique_and_listed_once() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len());
}

#[test]
fn missing_security_officer() {
    let mut facts = clean();
    facts
        .appointments
        .retain(|a| a.role != AppointedRole::SecurityOfficer);
    let f = only(&facts, "governance.appointments");
    assert_eq!(f.severity, Severity::High);
    assert!(
        f.title_ja.contains("医療情報システム安全管理責任者"),
        "{}",
        f.title_ja
    );
    assert_eq!(f.items, vec!["safety_officer"]);
}

#[test]
fn empty_ledger() {
    let mut facts = clean();
    facts.devices.clear();
    facts.connections.clear();
    assert!(rules_hit(&facts).contains(&"ledger.empty".to_string()));
    assert!(!rules_hit(&clean()).contains(&"ledger.empty".to_string()));
}

#[test]
fn devices_without_os_are_counted_and_listed() {
    let mut facts = clean();
    facts.devices[1].os_name = None;
    facts.devices[1].os_version = None;
    let mut disposed = device(3, "PC-OLD");
    disposed.status = Some(DeviceStatus::Disposed);
    disposed.os_name = None;
    facts.devices.push(disposed);
    let f = only(&facts, "ledger.device_without_os");
    assert_eq!(f.records.len(), 1, "disposed devices do not count");
    assert_eq!(f.records[0].label, "PC-01");
    assert!(f.title_ja.contains("1 台"));
}

#[test]
fn software_without_version() {
    let mut facts = clean();
    facts.devices[0].software_without_version = 2;
    let f = only(&facts, "ledger.software_without_version");
    assert_eq!(f.records[0].label, "SV-01");
}

#[test]
fn ledger_confirmation_older_than_twelve_months() {
    let mut facts = clean();
    facts.ledger_confirmed_on = Some(day(2025, 11, 21));
    assert!(
        !rules_hit(&facts).contains(&"ledger.not_confirmed".to_string()),
        "exactly 12 months is still in time"
    );
    facts.ledger_confirmed_on = Some(day(2025, 11, 20));
    assert!(only(&facts, "ledger.not_confirmed")
        .title_ja
        .contains("2025-11-20"));
    facts.ledger_confirmed_on = None;
    assert!(only(&facts, "ledger.not_confirmed")
        .title_ja
        .contains("一度も"));
}

#[test]
fn end_of_life_operating_systems() {
    let mut facts = clean();
    facts.devices[1].os_name = Some("Windows 10 Pro".into());
    let mut xp = device(3, "PC-XP");
    xp.os_name = Some("ＷｉｎｄｏｗｓＸＰ".into());
    xp.os_version = Some("SP3".into());
    let mut ltsc = device(4, "PC-LTSC");
    ltsc.os_name = Some("Windows 10 IoT Enterprise LTSC 2021".into());
    facts.devices.extend([xp, ltsc]);
    let f = only(&facts, "device.end_of_life_os");
    let labels: Vec<&str> = f.records.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, vec!["PC-01", "PC-XP"]);
    assert!(f.title_ja.contains("Windows 10") && f.title_ja.contains("Windows XP"));
    // Before 2025-10-14 Windows 10 was supported.
    facts.today = day(2025, 10, 14);
    let f = only(&facts, "device.end_of_life_os");
    assert_eq!(f.records.len(), 1);
}

#[test]
fn an_os_written_without_its_version_is_judged_when_every_release_has_ended() {
    // The MHLW example's "Win8", with no version: Windows 8 ended in 2016 — not "OS 未記入".
    let mut facts = clean();
    facts.devices[1].os_name = Some("Win8".into());
    facts.devices[1].os_version = None;
    assert_eq!(
        only(&facts, "device.end_of_life_os").records[0].label,
        "PC-01"
    );
    assert!(!rules_hit(&facts).contains(&"ledger.device_without_os".to_string()));
}

#[test]
fn an_os_that_cannot_be_judged_is_listed_never_guessed() {
    let mut facts = clean();
    // Windows 11 Pro with no release: 24H2 has ended, 25H2 has not.
    facts.devices[1].os_version = None;
    let mut firewall = device(3, "NW-01");
    firewall.os_name = None;
    firewall.os_version = None;
    firewall.model = Some("FortiGate 60F".into());
    let mut odd = device(4, "MD-01");
    odd.os_name = Some("専用OS".into());
    facts.devices.extend([firewall, odd]);
    let found: Vec<Finding> = evaluate(&facts)
        .into_iter()
        .filter(|f| f.rule == "device.os_not_judged")
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    let labels = |f: &Finding| {
        f.records
            .iter()
            .map(|r| r.label.clone())
            .collect::<Vec<_>>()
    };
    assert!(found
        .iter()
        .any(|f| labels(f) == ["MD-01"] && f.title_ja.contains("判別できない")));
    assert!(found.iter().any(|f| labels(f) == ["PC-01", "NW-01"]));
    assert!(!rules_hit(&facts).contains(&"device.end_of_life_os".to_string()));
}

#[test]
fn dual_homed_devices() {
    let mut facts = clean();
    facts.devices[1].segments.push("インターネット系".into());
    assert_eq!(only(&facts, "device.dual_homed").records[0].label, "PC-01");
}

#[test]
fn remote_maintenance_device_without_a_connection() {
    let mut facts = clean();
    facts.devices[1].remote_maintenance = true;
    let f = only(&facts, "remote.device_without_connection");
    assert_eq!(f.records[0].label, "PC-01");
    // Full-width 管理番号 in the register still match.
    facts.connections[0]
        .targets
        .push(crate::validation::search_key("ＰＣ－０１"));
    assert!(!rules_hit(&facts).contains(&"remote.device_without_connection".to_string()));
}

#[test]
fn shared_ids_source_ip_two_factor_and_confirmation() {
    let mut facts = clean();
    facts.connections[0].shared_id = true;
    facts.connections[0].source_ip_restricted = None;
    facts.connections[0].two_factor = Some(false);
    facts.connections[0].confirmed_on = None;
    for rule in [
        "remote.shared_id",
        "remote.no_source_restriction",
        "remote.no_two_factor",
        "remote.never_confirmed",
    ] {
        let f = only(&facts, rule);
        assert_eq!(f.records[0].label, "保守1");
        assert!(f.items.contains(&"remote_maintenance".to_string()));
    }
}

#[test]
fn overdue_target_dates() {
    let mut facts = clean();
    facts.assessment_id = Some(7);
    facts.answers.push(AnswerFacts {
        item_key: "backup".into(),
        number: "3-(2)".into(),
        answer: Some(Answer::No),
        target_on: Some(day(2026, 11, 20)),
    });
    facts.answers.push(AnswerFacts {
        item_key: "bcp".into(),
        number: "3-(3)".into(),
        answer: Some(Answer::No),
        target_on: Some(day(2026, 11, 21)),
    });
    let f = only(&facts, "checklist.target_date_passed");
    assert_eq!(f.items, vec!["backup"]);
    assert_eq!(f.records[0].id, Some(7));
}

#[test]
fn systems_without_a_vendor_form() {
    let mut facts = clean();
    facts.systems.push(SystemFacts {
        id: 2,
        name: "PACS".into(),
        vendor: Some("B社".into()),
    });
    facts.systems.push(SystemFacts {
        id: 3,
        name: "自作ツール".into(),
        vendor: None,
    });
    let f = only(&facts, "checklist.vendor_form_missing");
    assert_eq!(f.records.len(), 1);
    assert!(f.records[0].label.contains("PACS"));
}
