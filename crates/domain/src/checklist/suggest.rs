//! Answers suggested from the ledgers, with the reasons and records behind them. A suggestion is
//! only shown beside the item; the person's answer is never changed by it.

use serde::Serialize;

use super::answer::Answer;
use super::catalog::Item;
use crate::findings::{FacilityFacts, Finding, RecordRef};
use crate::governance::AppointedRole;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub answer: Answer,
    pub reasons_ja: Vec<String>,
    pub reasons_en: Vec<String>,
    /// Up to 20 records behind the reasons.
    pub records: Vec<RecordRef>,
}

const MAX_RECORDS: usize = 20;

/// What the ledgers suggest for an item: いいえ when a finding bears on it, はい when the
/// ledgers show the measure, or nothing when they cannot tell.
pub fn suggest(item: &Item, facts: &FacilityFacts, findings: &[Finding]) -> Option<Suggestion> {
    let against: Vec<&Finding> = findings
        .iter()
        .filter(|f| !f.rule.starts_with("checklist.") && f.items.contains(&item.key))
        .collect();
    if !against.is_empty() {
        return Some(Suggestion {
            answer: Answer::No,
            reasons_ja: against.iter().map(|f| f.title_ja.clone()).collect(),
            reasons_en: against.iter().map(|f| f.title_en.clone()).collect(),
            records: against
                .iter()
                .flat_map(|f| f.records.iter().cloned())
                .take(MAX_RECORDS)
                .collect(),
        });
    }
    let (ja, en) = positive(&item.key, facts)?;
    Some(Suggestion {
        answer: Answer::Yes,
        reasons_ja: vec![ja],
        reasons_en: vec![en],
        records: Vec::new(),
    })
}

/// Evidence in the ledgers that the measure is in place, per item key.
fn positive(key: &str, facts: &FacilityFacts) -> Option<(String, String)> {
    let devices = facts.devices.iter().filter(|d| d.in_use()).count();
    match key {
        "has_system" if devices > 0 || !facts.systems.is_empty() => Some((
            format!(
                "台帳に稼働機器 {devices} 台、医療情報システム {} 件が登録されています",
                facts.systems.len()
            ),
            format!(
                "The ledgers list {devices} active devices and {} systems",
                facts.systems.len()
            ),
        )),
        "safety_officer" => facts
            .appointments
            .iter()
            .find(|a| a.role == AppointedRole::SecurityOfficer && a.is_current(facts.today))
            .map(|a| {
                (
                    format!("安全管理責任者に {} さんが任命されています", a.person_name),
                    format!("{} is appointed security officer", a.person_name),
                )
            }),
        "ledger" if devices > 0 => facts.ledger_confirmed_on.map(|d| {
            (
                format!("機器台帳に稼働機器 {devices} 台があり、{d} に経営層が確認しています"),
                format!(
                    "The ledger lists {devices} active devices, confirmed by management on {d}"
                ),
            )
        }),
        // Reached only without a finding on the item: every device judged, none past end of
        // support, none with an exploited or critical flaw, against data of the last 30 days.
        "security_patch"
            if devices > 0
                && facts.feeds.nvd_records > 0
                && facts.devices_in_use().iter().all(|(_, a)| {
                    matches!(a.os, crate::vulnerabilities::Identification::Identified(_))
                }) =>
        {
            Some((
            format!(
                "稼働機器 {devices} 台すべての OS・版を判別でき、サポート終了や悪用・緊急の脆弱性に該当する機器はありません（脆弱性情報 {} 件、最新 {}）",
                facts.feeds.nvd_records,
                facts.feeds.nvd_newest.map(|d| d.to_string()).unwrap_or_default()
            ),
            format!(
                "All {devices} active devices are identified; none is past end of support or has an exploited or critical vulnerability ({} records, newest {})",
                facts.feeds.nvd_records,
                facts.feeds.nvd_newest.map(|d| d.to_string()).unwrap_or_default()
            ),
        ))
        }
        "remote_maintenance" if !facts.connections.is_empty() => Some((
            format!(
                "リモート保守 {} 件すべてについて事業者への確認日が記録されています",
                facts.connections.len()
            ),
            format!(
                "All {} remote-maintenance connections have a confirmation date",
                facts.connections.len()
            ),
        )),
        // A completed access review within 12 months is the evidence for both account items.
        "access_rights" | "remove_accounts" => facts
            .completed_reviews
            .iter()
            .filter(|(_, on)| (facts.today - *on).num_days() <= 365)
            .max_by_key(|(_, on)| *on)
            .map(|(title, on)| {
                (
                    format!("アカウント棚卸し「{title}」を {on} に完了しています"),
                    format!("Access review \"{title}\" was completed on {on}"),
                )
            }),
        _ => None,
    }
}
