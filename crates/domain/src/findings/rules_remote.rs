//! Rules over remote maintenance (checklist 2-(2), and the items on source restriction and
//! two-factor authentication).

use std::collections::HashSet;

use super::{
    ConnectionFacts, Draft, FacilityFacts, Finding, RecordKind, RecordRef, Rule, Severity,
};
use crate::validation::search_key;

const REFS: &[&str] = &["企画管理編 9.1", "システム運用編 10.1"];

fn connection(c: &ConnectionFacts) -> RecordRef {
    RecordRef {
        kind: RecordKind::RemoteMaintenance,
        id: Some(c.id),
        label: c.name.clone(),
    }
}

/// One finding listing the connections that match, or none.
fn per_connection(
    rule: &Rule,
    facts: &FacilityFacts,
    matches: impl Fn(&ConnectionFacts) -> bool,
    severity: Severity,
    title: impl Fn(usize) -> (String, String),
    detail: (&str, &str),
) -> Vec<Finding> {
    let records: Vec<RecordRef> = facts
        .connections
        .iter()
        .filter(|c| matches(c))
        .map(connection)
        .collect();
    if records.is_empty() {
        return Vec::new();
    }
    let (ja, en) = title(records.len());
    vec![Draft::new(rule, severity)
        .title(ja, en)
        .detail(detail.0, detail.1)
        .records(records)
        .guideline(REFS)
        .done()]
}

pub const REMOTE_WITHOUT_REGISTER: Rule = Rule {
    id: "remote.device_without_connection",
    items: &["remote_maintenance"],
    check: |facts| {
        let reached: HashSet<&str> = facts
            .connections
            .iter()
            .flat_map(|c| c.targets.iter().map(String::as_str))
            .collect();
        let devices: Vec<RecordRef> = facts
            .devices
            .iter()
            .filter(|d| {
                d.remote_maintenance
                    && d.status
                        .is_some_and(|s| s != crate::ledger::device::DeviceStatus::Disposed)
            })
            .filter(|d| !reached.contains(search_key(&d.management_no).as_str()))
            .map(RecordRef::device)
            .collect();
        if devices.is_empty() {
            return Vec::new();
        }
        let n = devices.len();
        vec![Draft::new(&REMOTE_WITHOUT_REGISTER, Severity::High)
            .title(
                format!("リモート保守ありの機器のうち {n} 台が接続台帳に登録されていません"),
                format!("{n} devices marked for remote maintenance have no connection in the register"),
            )
            .detail(
                "どの事業者がどの経路で接続するかを事業者に確認し、リモートメンテナンス台帳に登録してください。",
                "Ask the vendor which route reaches the device and record it in the remote-maintenance register.",
            )
            .records(devices)
            .guideline(REFS)
            .done()]
    },
};

pub const SHARED_ID: Rule = Rule {
    id: "remote.shared_id",
    items: &["remote_maintenance"],
    check: |facts| {
        per_connection(
            &SHARED_ID,
            facts,
            |c| c.shared_id,
            Severity::Medium,
            |n| (format!("共用IDで接続するリモート保守が {n} 件あります"), format!("{n} remote-maintenance connections use shared IDs")),
            (
                "誰が接続したか追跡できるよう、作業者ごとのIDを発行するよう事業者に求めてください。",
                "Ask the vendor for one ID per engineer so that every session can be traced to a person.",
            ),
        )
    },
};

pub const NO_SOURCE_RESTRICTION: Rule = Rule {
    id: "remote.no_source_restriction",
    items: &["remote_maintenance", "source_restriction"],
    check: |facts| {
        per_connection(
            &NO_SOURCE_RESTRICTION,
            facts,
            |c| c.source_ip_restricted != Some(true),
            Severity::High,
            |n| (format!("接続元IP制限のない（または未確認の）リモート保守が {n} 件あります"), format!("{n} remote-maintenance connections have no (or no confirmed) source-IP restriction")),
            (
                "VPN機器・ファイアウォールで事業者の接続元だけを許可し、設定を確認してください。",
                "Allow only the vendor's source addresses on the VPN device or firewall and confirm the setting.",
            ),
        )
    },
};

pub const NO_TWO_FACTOR: Rule = Rule {
    id: "remote.no_two_factor",
    items: &["remote_maintenance", "two_factor"],
    check: |facts| {
        per_connection(
            &NO_TWO_FACTOR,
            facts,
            |c| c.two_factor != Some(true),
            Severity::Medium,
            |n| (format!("二要素認証のない（または未確認の）リモート保守が {n} 件あります"), format!("{n} remote-maintenance connections lack (confirmed) two-factor authentication")),
            (
                "VPN・リモート接続に二要素認証を設定するよう事業者と調整してください。",
                "Agree with the vendor to require two-factor authentication for the VPN or remote tool.",
            ),
        )
    },
};

pub const NEVER_CONFIRMED: Rule = Rule {
    id: "remote.never_confirmed",
    items: &["remote_maintenance"],
    check: |facts| {
        per_connection(
            &NEVER_CONFIRMED,
            facts,
            |c| c.confirmed_on.is_none(),
            Severity::Medium,
            |n| (format!("事業者への確認日が記録されていないリモート保守が {n} 件あります"), format!("{n} remote-maintenance connections were never confirmed with the vendor")),
            (
                "チェックリスト2-(2)は事業者に確認したことを問います。確認した日を接続ごとに記録してください。",
                "Item 2-(2) asks that you confirmed with the vendor; record the date for each connection.",
            ),
        )
    },
};
