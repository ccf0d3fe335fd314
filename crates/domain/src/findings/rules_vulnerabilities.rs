//! Rules over the vulnerabilities the feeds name for what the devices run (checklist: security
//! patches): flaws attackers exploit now (CISA KEV), critical ones, products whose version is
//! not written while such flaws exist, and vulnerability data too old or absent to judge by.
//! A person's suppression (risk accepted, not applicable, mitigated) sets a flaw aside until
//! its day.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::{DeviceFacts, Draft, FacilityFacts, RecordKind, RecordRef, Rule, Severity};
use crate::vulnerabilities::cve::CveRecord;
use crate::vulnerabilities::suppression::covering;
use crate::vulnerabilities::{Exposure, Platform, RecordIndex};

/// CVSS base score from which a flaw is critical (the CVSS v3.1 and v4.0 "Critical" band).
pub const CRITICAL_SCORE: f32 = 9.0;

/// Vulnerability data older than this many days is called out (issue 22).
pub const STALE_FEED_DAYS: i64 = 30;

const REFS: &[&str] = &["システム運用編 10.1", "企画管理編 9.1"];

/// A device in use and the vulnerabilities bearing on it, suppressed ones left out.
#[derive(Debug, Clone)]
pub struct DeviceVulnerabilities {
    /// Index into `FacilityFacts::devices`.
    pub device: usize,
    /// (record index into `FacilityFacts::cves`, how). Devices running the same platform with
    /// no suppression of their own share one list.
    pub found: Arc<Vec<(usize, Exposure)>>,
    pub exposed: bool,
}

/// Every device in use matched against `facts.cves` (each distinct platform once), computed
/// once per facts and shared by the rules.
pub fn device_vulnerabilities(facts: &FacilityFacts) -> Arc<Vec<DeviceVulnerabilities>> {
    facts
        .vulnerabilities
        .get_or_compute(facts.fingerprint(), || {
            if facts.cves.is_empty() {
                return Vec::new();
            }
            let assessments = facts.assessments();
            let index = RecordIndex::new(&facts.cves);
            let mut seen: HashMap<&Platform, Arc<Vec<(usize, Exposure)>>> = HashMap::new();
            // Only suppressions in force can set a flaw aside; most facilities hold none.
            let in_force: Vec<_> = facts
                .suppressions
                .iter()
                .filter(|s| s.in_force(facts.today))
                .collect();
            let mut out = Vec::new();
            for (i, (d, assessed)) in facts.devices.iter().zip(assessments.iter()).enumerate() {
                if !d.in_use() || assessed.platform.items.is_empty() {
                    continue;
                }
                let shared = seen
                    .entry(&assessed.platform)
                    .or_insert_with(|| Arc::new(index.matches(&assessed.platform)))
                    .clone();
                let own = in_force
                    .iter()
                    .any(|s| s.device_id.is_none_or(|id| id == d.id));
                let found = if own {
                    Arc::new(
                        shared
                            .iter()
                            .filter(|(r, _)| {
                                covering(&facts.suppressions, &facts.cves[*r].id, d.id, facts.today)
                                    .is_none()
                            })
                            .copied()
                            .collect(),
                    )
                } else {
                    shared
                };
                if !found.is_empty() {
                    out.push(DeviceVulnerabilities {
                        device: i,
                        found,
                        exposed: !d.exposure.is_empty(),
                    });
                }
            }
            out
        })
}

/// The devices having a vulnerability that `pick` selects, with the ids named, exposed first.
/// Devices sharing a list are looked at once.
fn devices_with(
    facts: &FacilityFacts,
    pick: impl Fn(&CveRecord, Exposure) -> bool,
) -> (Vec<RecordRef>, BTreeSet<String>, usize) {
    let mut picked = vec![false; facts.cves.len()];
    let mut judged: HashMap<*const Vec<(usize, Exposure)>, bool> = HashMap::new();
    let mut hits: Vec<(&DeviceFacts, bool)> = Vec::new();
    for v in device_vulnerabilities(facts).iter() {
        let any = *judged.entry(Arc::as_ptr(&v.found)).or_insert_with(|| {
            let mut any = false;
            for (r, how) in v.found.iter() {
                if pick(&facts.cves[*r], *how) {
                    picked[*r] = true;
                    any = true;
                }
            }
            any
        });
        if any {
            hits.push((&facts.devices[v.device], v.exposed));
        }
    }
    hits.sort_by_key(|(_, exposed)| !exposed);
    let exposed = hits.iter().filter(|(_, e)| *e).count();
    let ids = picked
        .iter()
        .enumerate()
        .filter(|(_, p)| **p)
        .map(|(r, _)| facts.cves[r].id.clone())
        .collect();
    (
        hits.into_iter()
            .map(|(d, _)| RecordRef::device(d))
            .collect(),
        ids,
        exposed,
    )
}

fn named(ids: &BTreeSet<String>) -> String {
    let mut shown: Vec<&str> = ids.iter().rev().take(5).map(String::as_str).collect();
    shown.sort();
    let more = ids.len().saturating_sub(shown.len());
    let mut text = shown.join("、");
    if more > 0 {
        text.push_str(&format!(" ほか {more} 件"));
    }
    text
}

pub const EXPLOITED: Rule = Rule {
    id: "device.exploited_vulnerability",
    items: &["security_patch"],
    check: |facts| {
        let (devices, ids, exposed) =
            devices_with(facts, |r, how| r.kev.is_some() && how == Exposure::Affected);
        if devices.is_empty() {
            return Vec::new();
        }
        let n = devices.len();
        vec![Draft::new(&EXPLOITED, Severity::High)
            .title(
                format!("攻撃に悪用されている脆弱性がある稼働機器が {n} 台あります（うち外部に接する機器 {exposed} 台）"),
                format!("{n} active devices have vulnerabilities attackers exploit now ({exposed} of them exposed)"),
            )
            .detail(
                format!("米国 CISA の悪用が確認された脆弱性カタログ（KEV）に載っている脆弱性です: {}。ベンダーの修正版に更新し、更新まで VPN・リモート保守の経路を止めるなど代替策を記録してください。", named(&ids)),
                format!("These are in CISA's Known Exploited Vulnerabilities catalogue: {}. Update to the vendor's fixed version and, until then, close the VPN or remote-maintenance path and record the measure.", named(&ids)),
            )
            .records(devices)
            .guideline(REFS)
            .done()]
    },
};

pub const CRITICAL: Rule = Rule {
    id: "device.critical_vulnerability",
    items: &["security_patch"],
    check: |facts| {
        let (devices, ids, exposed) = devices_with(facts, |r, how| {
            r.kev.is_none()
                && how == Exposure::Affected
                && r.score().is_some_and(|s| s >= CRITICAL_SCORE)
        });
        if devices.is_empty() {
            return Vec::new();
        }
        let n = devices.len();
        let severity = if exposed > 0 {
            Severity::High
        } else {
            Severity::Medium
        };
        vec![Draft::new(&CRITICAL, severity)
            .title(
                format!("深刻度「緊急」（CVSS 9.0 以上）の脆弱性がある稼働機器が {n} 台あります（うち外部に接する機器 {exposed} 台）"),
                format!("{n} active devices have critical vulnerabilities (CVSS 9.0 or more; {exposed} exposed)"),
            )
            .detail(
                format!("{}。修正版への更新を計画し、記録してください。", named(&ids)),
                format!("{}. Plan the update to a fixed version and record it.", named(&ids)),
            )
            .records(devices)
            .guideline(REFS)
            .done()]
    },
};

pub const VERSION_UNKNOWN: Rule = Rule {
    id: "device.vulnerability_version_unknown",
    items: &["ledger", "security_patch"],
    check: |facts| {
        let (devices, ids, _) = devices_with(facts, |r, how| {
            how == Exposure::VersionUnknown
                && (r.kev.is_some() || r.score().is_some_and(|s| s >= CRITICAL_SCORE))
        });
        if devices.is_empty() {
            return Vec::new();
        }
        let n = devices.len();
        vec![Draft::new(&VERSION_UNKNOWN, Severity::Medium)
            .title(
                format!("悪用・緊急の脆弱性がある製品で、バージョン未記入のため該当するか判定できない稼働機器が {n} 台あります"),
                format!("{n} active devices run a product with exploited or critical flaws, but their version is not written: it cannot be told whether they are affected"),
            )
            .detail(
                format!("{}。機器のファームウェア・OS のバージョンを確認して台帳に記入してください（該当・非該当のどちらとも推測していません）。", named(&ids)),
                format!("{}. Check the firmware or OS version and write it in the ledger (nothing was guessed either way).", named(&ids)),
            )
            .records(devices)
            .guideline(REFS)
            .done()]
    },
};

pub const FEED_STALE: Rule = Rule {
    id: "vulnerabilities.feed_stale",
    items: &["security_patch"],
    check: |facts| {
        if !facts.devices.iter().any(DeviceFacts::in_use) {
            return Vec::new();
        }
        let record = vec![RecordRef {
            kind: RecordKind::Feeds,
            id: None,
            label: "nvd".into(),
        }];
        let age = facts
            .feeds
            .nvd_newest
            .map(|newest| (facts.today - newest).num_days());
        let (ja, en) = match (facts.feeds.nvd_records, age) {
            (0, _) => (
                "脆弱性情報（NVD）が取り込まれていないため、機器の脆弱性を照合できていません".to_string(),
                "No vulnerability data (NVD) is imported: the devices are not matched against any vulnerability".to_string(),
            ),
            (_, Some(days)) if days > STALE_FEED_DAYS => (
                format!("脆弱性情報が {days} 日前のものです（30 日を超えています）"),
                format!("The vulnerability data is {days} days old (more than 30)"),
            ),
            _ => return Vec::new(),
        };
        vec![Draft::new(&FEED_STALE, Severity::Low)
            .title(ja, en)
            .detail(
                "システム管理者が NVD・CISA KEV・JVN のファイルを取り込むと（脆弱性情報の画面、または mimamori feeds import）、その日のデータで照合します。",
                "An administrator imports the NVD, CISA KEV and JVN files (the feeds page, or mimamori feeds import); the devices are then matched against that day's data.",
            )
            .records(record)
            .guideline(REFS)
            .done()]
    },
};
