//! Rules over governance and the device ledger (checklist 1-(1), 2-(1), security patches).

use super::{Draft, RecordKind, RecordRef, Rule, Severity};
use crate::governance::governance_findings;
use crate::i18n::Lang;
use crate::vulnerabilities::{EndOfLife, Identification};

pub const NO_SECURITY_OFFICER: Rule = Rule {
    id: "governance.appointments",
    items: &["safety_officer"],
    check: |facts| {
        governance_findings(facts.kind, facts.beds, &facts.appointments, facts.today)
            .into_iter()
            .map(|g| {
                Draft::new(&NO_SECURITY_OFFICER, g.severity)
                    .title(g.message(Lang::Ja), g.message(Lang::En))
                    .detail(
                        "体制図・任命の画面で任命を登録してください。",
                        "Record the appointment on the governance page.",
                    )
                    .records(vec![RecordRef {
                        kind: RecordKind::Appointment,
                        id: None,
                        label: g.role.label(Lang::Ja).to_string(),
                    }])
                    .guideline(&["経営管理編 1.2"])
                    .done()
            })
            .collect()
    },
};

const LEDGER_REFS: &[&str] = &["経営管理編 1.2.1<管理責任>②", "企画管理編 9.1"];

pub const LEDGER_EMPTY: Rule = Rule {
    id: "ledger.empty",
    items: &["ledger"],
    check: |facts| {
        if facts.devices.iter().any(|d| d.status.is_some()) {
            return Vec::new();
        }
        vec![Draft::new(&LEDGER_EMPTY, Severity::High)
            .title("機器台帳に機器が登録されていません", "The device ledger is empty")
            .detail(
                "サーバ・端末PC・ネットワーク機器を台帳に登録してください（Excel・CSVから取り込めます）。",
                "Add servers, PCs and network devices to the ledger (import from Excel or CSV).",
            )
            .records(vec![RecordRef { kind: RecordKind::Ledger, id: None, label: "devices".into() }])
            .guideline(LEDGER_REFS)
            .done()]
    },
};

pub const DEVICE_WITHOUT_OS: Rule = Rule {
    id: "ledger.device_without_os",
    items: &["ledger"],
    check: |facts| {
        // Blank OS fields, where the model does not tell the OS either.
        let devices: Vec<RecordRef> = facts
            .devices_in_use()
            .into_iter()
            .filter(|(_, a)| a.os == Identification::Blank)
            .map(|(d, _)| RecordRef::device(d))
            .collect();
        if devices.is_empty() {
            return Vec::new();
        }
        let n = devices.len();
        vec![Draft::new(&DEVICE_WITHOUT_OS, Severity::Medium)
            .title(
                format!("台帳に OS が未記入の稼働機器が {n} 台あります"),
                format!("{n} active devices have no OS in the ledger"),
            )
            .detail(
                "OS とバージョンが分からないとサポート切れやパッチ適用を確認できません。各機器の OS 名とバージョンを記入してください。",
                "Without the OS and its version, support status and patches cannot be checked. Fill them in for each device.",
            )
            .records(devices)
            .guideline(LEDGER_REFS)
            .done()]
    },
};

pub const OS_NOT_JUDGED: Rule = Rule {
    id: "device.os_not_judged",
    items: &["ledger", "security_patch"],
    check: |facts| {
        // Written, but not enough to judge support: an unknown product, or a release or
        // edition that decides the end date and is missing.
        let mut unidentified = Vec::new();
        let mut undetermined = Vec::new();
        for (d, a) in facts.devices_in_use() {
            match (&a.os, &a.os_end_of_life) {
                (Identification::Unidentified { .. }, _) => unidentified.push(RecordRef::device(d)),
                (Identification::Identified(_), Some(EndOfLife::Undetermined { .. })) => {
                    undetermined.push(RecordRef::device(d))
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        if !unidentified.is_empty() {
            let n = unidentified.len();
            found.push(Draft::new(&OS_NOT_JUDGED, Severity::Low)
                .title(
                    format!("OS を判別できない稼働機器が {n} 台あります"),
                    format!("{n} active devices run an OS that could not be identified"),
                )
                .detail(
                    "台帳の OS 欄の記載からは製品を特定できませんでした（推測はしていません）。製品名とバージョンを記入するか、脆弱性の画面で製品を確認してください。",
                    "The OS written in the ledger names no product we know (nothing was guessed). Write the product and version, or confirm it on the vulnerabilities page.",
                )
                .records(unidentified)
                .guideline(LEDGER_REFS)
                .done());
        }
        if !undetermined.is_empty() {
            let n = undetermined.len();
            found.push(Draft::new(&OS_NOT_JUDGED, Severity::Medium)
                .title(
                    format!("サポート期限を判定できない稼働機器が {n} 台あります（リリース・エディション未記入）"),
                    format!("{n} active devices cannot be judged for end of support (release or edition not written)"),
                )
                .detail(
                    "同じ製品でもリリース（22H2 等）やエディション（Home/Pro・Enterprise・LTSC）でサポート期限が異なります。台帳に記入してください。",
                    "Support ends differently by release (22H2, …) and edition (Home/Pro, Enterprise, LTSC). Write them in the ledger.",
                )
                .records(undetermined)
                .guideline(LEDGER_REFS)
                .done());
        }
        found
    },
};

pub const SOFTWARE_WITHOUT_VERSION: Rule = Rule {
    id: "ledger.software_without_version",
    items: &["ledger", "security_patch"],
    check: |facts| {
        let devices: Vec<RecordRef> = facts
            .devices
            .iter()
            .filter(|d| d.in_use() && d.software_without_version > 0)
            .map(RecordRef::device)
            .collect();
        if devices.is_empty() {
            return Vec::new();
        }
        let n = devices.len();
        vec![Draft::new(&SOFTWARE_WITHOUT_VERSION, Severity::Low)
            .title(
                format!("バージョン未記入のソフトウェアがある稼働機器が {n} 台あります"),
                format!("{n} active devices have software without a version"),
            )
            .detail(
                "脆弱性情報と照合するため、導入ソフトウェアのバージョンを記入してください。",
                "Record software versions so they can be matched against vulnerability data.",
            )
            .records(devices)
            .guideline(LEDGER_REFS)
            .done()]
    },
};

pub const LEDGER_NOT_CONFIRMED: Rule = Rule {
    id: "ledger.not_confirmed",
    items: &["ledger"],
    check: |facts| {
        let year_ago = facts.today - chrono::Months::new(12);
        let recent = facts.ledger_confirmed_on.is_some_and(|d| d >= year_ago);
        if recent || !facts.devices.iter().any(|d| d.status.is_some()) {
            return Vec::new();
        }
        let (ja, en) = match facts.ledger_confirmed_on {
            Some(d) => (
                format!("機器台帳の経営層による確認が12か月以上ありません（最終確認 {d}）"),
                format!("Management has not confirmed the device ledger in 12 months (last {d})"),
            ),
            None => (
                "機器台帳が経営層に一度も確認されていません".to_string(),
                "Management has never confirmed the device ledger".to_string(),
            ),
        };
        vec![Draft::new(&LEDGER_NOT_CONFIRMED, Severity::Medium)
            .title(ja, en)
            .detail(
                "台帳の画面で「台帳を確認した」を記録してください。定期確認の記録は立入検査の証跡になります。",
                "Record the confirmation on the ledger page; it is evidence for the inspection.",
            )
            .records(vec![RecordRef { kind: RecordKind::Ledger, id: None, label: "devices".into() }])
            .guideline(LEDGER_REFS)
            .done()]
    },
};

pub const END_OF_LIFE_OS: Rule = Rule {
    id: "device.end_of_life_os",
    items: &["security_patch"],
    check: |facts| {
        let mut labels = std::collections::BTreeSet::new();
        let devices: Vec<RecordRef> = facts
            .devices_in_use()
            .into_iter()
            .filter_map(|(d, a)| {
                let Some(EndOfLife::Ended(ending)) = &a.os_end_of_life else {
                    return None;
                };
                labels.insert(ending.label.clone());
                Some(RecordRef::device(d))
            })
            .collect();
        if devices.is_empty() {
            return Vec::new();
        }
        let n = devices.len();
        let names = labels.into_iter().collect::<Vec<_>>().join("、");
        vec![Draft::new(&END_OF_LIFE_OS, Severity::High)
            .title(
                format!("サポートが終了した OS で稼働している機器が {n} 台あります（{names}）"),
                format!("{n} active devices run an OS past end of support ({names})"),
            )
            .detail(
                "セキュリティパッチが提供されません。更新・入替えの計画を立て、それまでの間はネットワークからの隔離などの代替策を記録してください。サポート期限は endoflife.date のデータによります。",
                "No security patches are released. Plan an upgrade or replacement and record compensating measures such as isolation until then. Support dates are endoflife.date's.",
            )
            .records(devices)
            .guideline(&["システム運用編 10.1"])
            .done()]
    },
};

pub const DUAL_HOMED: Rule = Rule {
    id: "device.dual_homed",
    items: &["source_restriction", "ledger"],
    check: |facts| {
        let devices: Vec<RecordRef> = facts
            .devices
            .iter()
            .filter(|d| d.in_use() && d.segments.len() >= 2)
            .map(RecordRef::device)
            .collect();
        if devices.is_empty() {
            return Vec::new();
        }
        let n = devices.len();
        vec![Draft::new(&DUAL_HOMED, Severity::Medium)
            .title(
                format!("2つ以上のネットワークに接続された機器（2枚挿し）が {n} 台あります"),
                format!("{n} devices are connected to two or more networks (dual-homed)"),
            )
            .detail(
                "2枚挿しの機器は閉域網とインターネット側をつなぐ侵入経路になります。必要性を確認し、不要なら片方を外してください。",
                "A dual-homed device can bridge the closed network and the internet. Confirm it is needed; otherwise disconnect one side.",
            )
            .records(devices)
            .guideline(&["システム運用編 13"])
            .done()]
    },
};
