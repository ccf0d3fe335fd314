//! The vulnerability rules on NVD's real records (tests/data/nvd): an exploited FortiOS flaw on
//! the VPN gateway, a critical SMB flaw on Windows, versions not written, suppressions, and
//! data too old to judge by.

use std::sync::Arc;

use chrono::NaiveDate;

use super::*;
use crate::ledger::device::{DeviceKind, DeviceStatus};
use crate::vulnerabilities::assess::ExposureReason;
use crate::vulnerabilities::cve::CveRecord;
use crate::vulnerabilities::nvd::NvdCve;
use crate::vulnerabilities::suppression::{Suppression, SuppressionKind};

fn record(json: &str) -> CveRecord {
    let cve: NvdCve = serde_json::from_str(json).expect("an NVD record");
    cve.into_record().0
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day")
}

fn device(id: i64, no: &str, os: &str, version: &str) -> DeviceFacts {
    DeviceFacts {
        id,
        management_no: no.into(),
        kind: Some(DeviceKind::Network),
        status: Some(DeviceStatus::Active),
        os_name: Some(os.into()),
        os_version: Some(version.into()),
        ..Default::default()
    }
}

fn facts(devices: Vec<DeviceFacts>) -> FacilityFacts {
    let mut facts = FacilityFacts::new(today(), crate::facility::FacilityKind::Hospital);
    facts.devices = devices;
    facts.cves = Arc::new(vec![
        record(include_str!("../../tests/data/nvd/CVE-2024-21762.json")),
        record(include_str!("../../tests/data/nvd/CVE-2022-42475.json")),
        record(include_str!("../../tests/data/nvd/CVE-2020-0796.json")),
    ]);
    facts.feeds = FeedFacts {
        nvd_records: 3,
        nvd_newest: Some(today() - chrono::Days::new(3)),
    };
    facts
}

fn found(facts: &FacilityFacts, rule: &str) -> Vec<Finding> {
    evaluate(facts)
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

fn labels(finding: &Finding) -> Vec<&str> {
    finding.records.iter().map(|r| r.label.as_str()).collect()
}

#[test]
fn an_exploited_flaw_on_the_vpn_gateway_is_high_and_counts_the_exposed() {
    let mut gateway = device(1, "FW-01", "FortiOS", "7.2.6");
    gateway.exposure = vec![ExposureReason::Edge];
    let inner = device(2, "FW-02", "FortiOS", "7.0.12");
    let patched = device(3, "FW-03", "FortiOS", "7.4.3");
    let facts = facts(vec![inner, gateway, patched]);
    let f = found(&facts, "device.exploited_vulnerability");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(
        labels(&f[0]),
        ["FW-01", "FW-02"],
        "exposed first; 7.4.3 is fixed"
    );
    assert!(f[0].title_ja.contains("2 台"), "{}", f[0].title_ja);
    assert!(
        f[0].title_ja.contains("外部に接する機器 1 台"),
        "{}",
        f[0].title_ja
    );
    assert!(
        f[0].detail_ja.contains("CVE-2024-21762"),
        "{}",
        f[0].detail_ja
    );
}

#[test]
fn a_version_not_written_is_asked_for_never_called_affected() {
    let facts = facts(vec![device(1, "FW-01", "FortiOS", "")]);
    assert!(found(&facts, "device.exploited_vulnerability").is_empty());
    let f = found(&facts, "device.vulnerability_version_unknown");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(labels(&f[0]), ["FW-01"]);
}

#[test]
fn a_suppression_sets_a_flaw_aside_until_its_day() {
    // 7.2.2: both exploited FortiOS flaws bear on it.
    let mut facts = facts(vec![device(7, "FW-01", "FortiOS", "7.2.2")]);
    let suppression = |cve: &str, until| Suppression {
        id: 1,
        cve_id: cve.into(),
        device_id: Some(7),
        kind: SuppressionKind::Mitigated,
        reason: "SSL-VPN 無効化".into(),
        until,
        decided_by: "情報 太郎".into(),
        decided_at: "2026-11-30T00:00:00Z".into(),
    };
    // One set aside leaves the other.
    facts.suppressions = vec![suppression("CVE-2024-21762", None)];
    let f = found(&facts, "device.exploited_vulnerability");
    assert_eq!(f.len(), 1);
    assert!(
        !f[0].detail_ja.contains("CVE-2024-21762"),
        "{}",
        f[0].detail_ja
    );
    assert!(
        f[0].detail_ja.contains("CVE-2022-42475"),
        "{}",
        f[0].detail_ja
    );
    let mut both = facts.clone();
    both.suppressions
        .push(suppression("CVE-2022-42475", Some(today())));
    assert!(found(&both, "device.exploited_vulnerability").is_empty());
    let mut past = both.clone();
    past.today = today() + chrono::Days::new(1);
    assert_eq!(
        found(&past, "device.exploited_vulnerability").len(),
        1,
        "the day after its end the flaw counts again"
    );
}

#[test]
fn a_critical_flaw_is_medium_inside_and_high_when_exposed() {
    let mut pc = device(1, "PC-01", "Windows 10 Pro", "1909");
    pc.kind = Some(DeviceKind::Pc);
    let facts_inside = facts(vec![pc.clone()]);
    let f = found(&facts_inside, "device.critical_vulnerability");
    // SMBGhost (CVE-2020-0796) is in KEV too: then it is the exploited rule's.
    let exploited = found(&facts_inside, "device.exploited_vulnerability");
    assert_eq!(
        f.len() + exploited.len(),
        1,
        "{:?}",
        rules_of(&facts_inside)
    );
    pc.exposure = vec![ExposureReason::PublicAddress];
    let exposed = facts(vec![pc]);
    for f in found(&exposed, "device.critical_vulnerability")
        .iter()
        .chain(&found(&exposed, "device.exploited_vulnerability"))
    {
        assert_eq!(f.severity, Severity::High);
    }
}

fn rules_of(facts: &FacilityFacts) -> Vec<String> {
    evaluate(facts).into_iter().map(|f| f.rule).collect()
}

#[test]
fn old_or_absent_vulnerability_data_is_said_so() {
    let mut facts = facts(vec![device(1, "FW-01", "FortiOS", "7.4.3")]);
    assert!(found(&facts, "vulnerabilities.feed_stale").is_empty());
    facts.feeds.nvd_newest = Some(today() - chrono::Days::new(45));
    let f = found(&facts, "vulnerabilities.feed_stale");
    assert_eq!(f.len(), 1);
    assert!(f[0].title_ja.contains("45 日前"), "{}", f[0].title_ja);
    facts.feeds = FeedFacts::default();
    let f = found(&facts, "vulnerabilities.feed_stale");
    assert!(
        f[0].title_ja.contains("取り込まれていない"),
        "{}",
        f[0].title_ja
    );
    facts.devices.clear();
    assert!(found(&facts, "vulnerabilities.feed_stale").is_empty());
}

#[test]
fn a_copy_of_the_facts_matches_afresh() {
    let facts = facts(vec![device(1, "FW-01", "FortiOS", "7.2.6")]);
    assert_eq!(found(&facts, "device.exploited_vulnerability").len(), 1);
    let mut changed = facts.clone();
    changed.devices[0].os_version = Some("7.4.3".into());
    assert!(found(&changed, "device.exploited_vulnerability").is_empty());
}

#[test]
fn a_fixed_line_is_not_flagged_by_an_older_flaw() {
    // 7.2.6 is past CVE-2022-42475's fix (7.2.3) but before CVE-2024-21762's (7.2.7).
    let facts = facts(vec![device(1, "FW-01", "FortiOS", "7.2.6")]);
    let f = found(&facts, "device.exploited_vulnerability");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].detail_ja.contains("CVE-2024-21762"),
        "{}",
        f[0].detail_ja
    );
    assert!(
        !f[0].detail_ja.contains("CVE-2022-42475"),
        "{}",
        f[0].detail_ja
    );
}

#[test]
fn the_patch_item_is_suggested_from_the_vulnerabilities() {
    use crate::checklist::{suggest, Answer, Condition, Item, Mandatory, TextStatus};
    let item = Item {
        key: "security_patch".into(),
        number: Some("2-(2)".into()),
        number_verified: false,
        section: None,
        text: None,
        text_status: TextStatus::Unverified,
        text_note: None,
        scope: vec![],
        guideline_refs: vec![],
        guideline_refs_verified: false,
        explanation_ja: None,
        applies_when: vec![Condition::HasSystem],
        allow_not_applicable: false,
        mandatory: Mandatory::Required,
        sources: vec![],
    };
    let exploited = facts(vec![device(1, "FW-01", "FortiOS", "7.2.6")]);
    let s = suggest(&item, &exploited, &evaluate(&exploited)).expect("a suggestion");
    assert_eq!(s.answer, Answer::No);
    assert!(
        s.reasons_ja.iter().any(|r| r.contains("悪用")),
        "{:?}",
        s.reasons_ja
    );
    let patched = facts(vec![device(1, "FW-01", "FortiOS", "7.4.3")]);
    let s = suggest(&item, &patched, &evaluate(&patched)).expect("a suggestion");
    assert_eq!(s.answer, Answer::Yes, "{:?}", s.reasons_ja);
    let mut blank = patched.clone();
    blank.devices.push(DeviceFacts {
        id: 9,
        management_no: "MD-01".into(),
        status: Some(DeviceStatus::Active),
        ..Default::default()
    });
    let s = suggest(&item, &blank, &evaluate(&blank));
    assert!(
        s.is_none_or(|s| s.answer != Answer::Yes),
        "a device with no OS written is not judged: no yes"
    );
}
