//! Rules over incident preparedness (checklist 3-(1)–3-(3)) and open incidents: the contact chart,
//! backups (3-2-1, offline, restore tested), the BCP table, drills and overdue reports.

use super::{Draft, FacilityFacts, RecordKind, RecordRef, RegisterRow, Rule, Severity};
use crate::backups::{by_system, evaluate, Evaluation};
use crate::bcp::{drill_recent, last_drill};
use crate::contacts::{contact_incomplete, step_incomplete};
use crate::i18n::Lang;
use crate::incidents::reporting::ClockState;

const CONTACT_GUIDE: &[&str] = &["企画管理編 11", "経営管理編 3.4"];
const BACKUP_GUIDE: &[&str] = &["企画管理編 11.2", "システム運用編 12.1"];

fn chart(label: &str) -> RecordRef {
    RecordRef {
        kind: RecordKind::ContactChart,
        id: None,
        label: label.to_string(),
    }
}

fn label(row: &RegisterRow, key: &str) -> String {
    row.record.get(key).unwrap_or("").to_string()
}

pub const REPORT_OVERDUE: Rule = Rule {
    id: "incidents.report_overdue",
    items: &[],
    check: |facts| {
        facts
            .incidents
            .iter()
            .filter_map(|incident| {
                let overdue: Vec<_> =
                    incident.clocks.iter().filter(|c| c.state == ClockState::Overdue).collect();
                if overdue.is_empty() {
                    return None;
                }
                let ja: Vec<&str> = overdue.iter().map(|c| c.kind.label(Lang::Ja)).collect();
                let en: Vec<&str> = overdue.iter().map(|c| c.kind.label(Lang::En)).collect();
                Some(
                    Draft::new(&REPORT_OVERDUE, Severity::High)
                        .title(
                            format!("インシデント「{}」の報告期限を過ぎています: {}", incident.label, ja.join("、")),
                            format!("Incident \"{}\" is past its reporting deadline: {}", incident.label, en.join(", ")),
                        )
                        .detail(
                            "直ちに報告し、報告日を記録してください。報告が不要と判断した場合は理由を記録してください。",
                            "Report now and record the date; if it is not needed, record why.",
                        )
                        .records(vec![RecordRef { kind: RecordKind::Incident, id: Some(incident.id), label: incident.label.clone() }])
                        .done(),
                )
            })
            .collect()
    },
};

pub const ESCALATION_INCOMPLETE: Rule = Rule {
    id: "contacts.escalation_incomplete",
    items: &["contact_chart"],
    check: |facts| {
        if facts.escalation.is_empty() {
            return vec![Draft::new(&ESCALATION_INCOMPLETE, Severity::High)
                .title("院内の連絡体制（誰が誰に連絡するか）が登録されていません", "No internal escalation is recorded")
                .detail(
                    "連絡体制図の画面で標準の連絡体制を追加し、担当者・代理者・電話番号を記入してください。",
                    "Add the standard escalation on the contact chart page and fill in people, deputies and phones.",
                )
                .records(vec![chart("院内連絡体制")])
                .guideline(CONTACT_GUIDE)
                .done()];
        }
        let open: Vec<RecordRef> = facts
            .escalation
            .iter()
            .filter(|s| step_incomplete(&s.record))
            .map(|s| RecordRef {
                kind: RecordKind::ContactChart,
                id: Some(s.id),
                label: label(s, "role"),
            })
            .collect();
        if open.is_empty() {
            return Vec::new();
        }
        let n = open.len();
        vec![Draft::new(&ESCALATION_INCOMPLETE, Severity::Medium)
            .title(
                format!("院内連絡体制の {n} 段階で担当者・代理者・電話番号が未記入です"),
                format!("{n} escalation steps lack a person, deputy or phone"),
            )
            .detail(
                "夜間・休日でもつながるよう、代理者と電話番号まで記入してください。",
                "Fill in deputies and phone numbers so someone answers at night and on holidays too.",
            )
            .records(open)
            .guideline(CONTACT_GUIDE)
            .done()]
    },
};

pub const CONTACTS_INCOMPLETE: Rule = Rule {
    id: "contacts.external_incomplete",
    items: &["contact_chart"],
    check: |facts| {
        if facts.contacts.is_empty() {
            return vec![Draft::new(&CONTACTS_INCOMPLETE, Severity::High)
                .title("外部連絡先（厚生労働省・警察・事業者など）が登録されていません", "No external contacts (MHLW, police, vendors …)")
                .detail(
                    "連絡体制図の画面で「必要な連絡先を追加」を押し、各連絡先の電話番号を記入してください。",
                    "Press 'Add the required contacts' on the contact chart page and fill in each phone number.",
                )
                .records(vec![chart("外部連絡リスト")])
                .guideline(CONTACT_GUIDE)
                .done()];
        }
        let open: Vec<RecordRef> = facts
            .contacts
            .iter()
            .filter(|c| c.record.flag("required") && contact_incomplete(&c.record))
            .map(|c| RecordRef {
                kind: RecordKind::ContactChart,
                id: Some(c.id),
                label: label(c, "organisation"),
            })
            .collect();
        if open.is_empty() {
            return Vec::new();
        }
        let n = open.len();
        vec![Draft::new(&CONTACTS_INCOMPLETE, Severity::Medium)
            .title(
                format!("必須の外部連絡先 {n} 件に電話番号・メールがありません"),
                format!("{n} required external contacts have no phone or e-mail"),
            )
            .detail(
                "各機関の窓口を確認して番号を記入してください（推測の番号は書かないでください）。",
                "Look up each body's desk and record its number (never a guessed one).",
            )
            .records(open)
            .guideline(CONTACT_GUIDE)
            .done()]
    },
};

/// Each system of the facility with its backups and their evaluation.
fn systems(facts: &FacilityFacts) -> Vec<(String, Option<i64>, Vec<&RegisterRow>, Evaluation)> {
    let names: Vec<String> = facts.systems.iter().map(|s| s.name.clone()).collect();
    by_system(&names, &facts.backups, |row| &row.record)
        .into_iter()
        .map(|(name, rows)| {
            let id = facts.systems.iter().find(|s| s.name == name).map(|s| s.id);
            let records: Vec<_> = rows.iter().map(|r| &r.record).collect();
            let evaluation = evaluate(&records, facts.today);
            (name, id, rows, evaluation)
        })
        .collect()
}

fn backup_finding(
    rule: &Rule,
    severity: Severity,
    facts: &FacilityFacts,
    failing: impl Fn(&[&RegisterRow], &Evaluation) -> bool,
    title: impl Fn(usize) -> (String, String),
    detail: (&str, &str),
) -> Vec<Finding> {
    let records: Vec<RecordRef> = systems(facts)
        .into_iter()
        .filter(|(_, _, rows, evaluation)| failing(rows, evaluation))
        .map(|(name, id, rows, _)| match rows.first() {
            None => RecordRef {
                kind: RecordKind::System,
                id,
                label: name,
            },
            Some(_) => RecordRef {
                kind: RecordKind::Backup,
                id: None,
                label: name,
            },
        })
        .collect();
    if records.is_empty() {
        return Vec::new();
    }
    let (ja, en) = title(records.len());
    vec![Draft::new(rule, severity)
        .title(ja, en)
        .detail(detail.0, detail.1)
        .records(records)
        .guideline(BACKUP_GUIDE)
        .done()]
}

use super::Finding;

pub const NO_BACKUP: Rule = Rule {
    id: "backups.none",
    items: &["backup"],
    check: |facts| {
        backup_finding(
            &NO_BACKUP,
            Severity::High,
            facts,
            |rows, _| rows.is_empty(),
            |n| (format!("バックアップが登録されていない情報システムが {n} 件あります"), format!("{n} information systems have no backup recorded")),
            (
                "システムごとにバックアップの方式・媒体・保管場所・最終成功日をバックアップ台帳に登録してください。",
                "Record each system's backup method, media, place and last success in the backup register.",
            ),
        )
    },
};

pub const NO_OFFLINE_BACKUP: Rule = Rule {
    id: "backups.no_offline",
    items: &["backup"],
    check: |facts| {
        backup_finding(
            &NO_OFFLINE_BACKUP,
            Severity::High,
            facts,
            |rows, e| !rows.is_empty() && !e.offline,
            |n| (format!("オフラインのバックアップがない情報システムが {n} 件あります"), format!("{n} systems have no offline backup")),
            (
                "ランサムウェアはネットワークにつながったバックアップも暗号化します。一部をネットワークから切り離して保管してください（診療録管理体制加算の要件）。",
                "Ransomware encrypts backups it can reach: keep a copy disconnected from the network (required for 診療録管理体制加算).",
            ),
        )
    },
};

pub const NOT_THREE_TWO_ONE: Rule = Rule {
    id: "backups.not_321",
    items: &["backup"],
    check: |facts| {
        backup_finding(
            &NOT_THREE_TWO_ONE,
            Severity::Medium,
            facts,
            |rows, e| !rows.is_empty() && !e.three_two_one,
            |n| (format!("3-2-1（3つのコピー・2種類の媒体・1つは遠隔地かオフライン）を満たさない情報システムが {n} 件あります"), format!("{n} systems do not meet 3-2-1 (3 copies, 2 media, 1 offsite or offline)")),
            (
                "本番データのほかに2つ以上のバックアップを、異なる種類の媒体に取り、1つは別の場所かオフラインで保管してください。",
                "Keep two or more backups besides the live data, on different kinds of media, one offsite or offline.",
            ),
        )
    },
};

pub const RESTORE_NOT_TESTED: Rule = Rule {
    id: "backups.restore_not_tested",
    items: &["backup"],
    check: |facts| {
        backup_finding(
            &RESTORE_NOT_TESTED,
            Severity::Medium,
            facts,
            |rows, e| !rows.is_empty() && (!e.restore_recent || e.restore_failed),
            |n| (format!("12か月以内に復元テストが成功していない情報システムが {n} 件あります"), format!("{n} systems have no successful restore test in the last 12 months")),
            (
                "バックアップから実際に復元できることを確かめ、日付・結果・実施者を記録してください。失敗した場合は原因を直して再テストしてください。",
                "Prove a restore from the backup works and record the date, result and who did it; after a failure, fix the cause and test again.",
            ),
        )
    },
};

pub const BCP_UNANSWERED: Rule = Rule {
    id: "bcp.unanswered",
    items: &["bcp"],
    check: |facts| {
        let (answered, _, total) = facts.bcp_progress;
        if total == 0 || answered == total {
            return Vec::new();
        }
        let open = total - answered;
        let (severity, ja, en) = if answered == 0 {
            (
                Severity::Medium,
                "BCP確認表に回答がありません".to_string(),
                "The BCP confirmation table is not answered".to_string(),
            )
        } else {
            (
                Severity::Low,
                format!("BCP確認表に未回答の項目が {open} 件あります"),
                format!("{open} questions of the BCP table are unanswered"),
            )
        };
        vec![Draft::new(&BCP_UNANSWERED, severity)
            .title(ja, en)
            .detail(
                "サイバー攻撃を想定したBCPが確認表の事項を満たしているか、項目ごとに状況と根拠を記録してください。",
                "Record for each question of the table whether the cyber-attack BCP covers it, with evidence.",
            )
            .records(vec![RecordRef { kind: RecordKind::Bcp, id: None, label: format!("{answered}/{total}") }])
            .done()]
    },
};

pub const NO_DRILL: Rule = Rule {
    id: "bcp.no_drill",
    items: &["bcp"],
    check: |facts| {
        let last = last_drill(facts.drills.iter().map(|d| &d.record), facts.today);
        if drill_recent(last, facts.today) {
            return Vec::new();
        }
        let (ja, en) = match last {
            Some(d) => (
                format!("最後の訓練（{d}）から12か月を過ぎています"),
                format!("The last drill ({d}) was more than 12 months ago"),
            ),
            None => (
                "サイバー攻撃を想定した訓練の記録がありません".to_string(),
                "No cyber-attack drill is recorded".to_string(),
            ),
        };
        vec![Draft::new(&NO_DRILL, Severity::Medium)
            .title(ja, en)
            .detail(
                "年1回程度、BCPに沿った訓練（連絡訓練・机上訓練・復元訓練など）を行い、分かったことと改善策を記録してください。",
                "About once a year, run a drill of the BCP (contact, tabletop or restore drill) and record lessons and follow-ups.",
            )
            .records(vec![RecordRef { kind: RecordKind::Drill, id: None, label: "訓練".into() }])
            .done()]
    },
};
