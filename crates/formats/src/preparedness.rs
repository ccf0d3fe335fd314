//! Exports of incident preparedness and incidents: the contact chart workbook (escalation and
//! external contacts), the BCP confirmation table with the facility's answers, and the incident
//! report (summary, reporting status, first response, timeline).

use mimamori_domain::bcp::{BcpCatalog, BcpStatus};
use mimamori_domain::contacts::{CONTACTS, ESCALATION};
use mimamori_domain::i18n::Lang;
use mimamori_domain::incidents::first_response::STEPS;
use mimamori_domain::incidents::reporting::Clock;
use mimamori_domain::incidents::{
    choice_label, Incident, KINDS, PERSONAL_DATA, SEVERITIES, STATUSES,
};
use mimamori_domain::ledger::register::Record;

use crate::registers::record_table;
use crate::write::{Cell, Table};

/// 連絡体制図 as two sheets: 院内連絡体制 (in escalation order) and 外部連絡リスト.
pub fn contact_chart_tables(
    facility: &str,
    escalation: &[Record],
    contacts: &[Record],
) -> Vec<Table> {
    let mut steps = escalation.to_vec();
    steps.sort_by_key(|s| s.number("order").unwrap_or(u32::MAX));
    let mut escalation = record_table(
        &ESCALATION,
        vec![format!("連絡体制図（院内連絡体制） — {facility}")],
        &steps,
    );
    escalation.sheet_name = "院内連絡体制".into();
    let mut external = record_table(
        &CONTACTS,
        vec![format!("外部連絡リスト — {facility}")],
        contacts,
    );
    external.sheet_name = "外部連絡リスト".into();
    vec![escalation, external]
}

/// One answer of the BCP table, as the export reads it.
pub struct BcpRow<'a> {
    pub status: Option<BcpStatus>,
    pub evidence: &'a str,
    pub note: &'a str,
    pub updated: &'a str,
}

/// The BCP confirmation table with the facility's answers; unverified texts are marked ※.
pub fn bcp_table<'a>(
    facility: &str,
    catalog: &BcpCatalog,
    answer: impl Fn(&str) -> Option<BcpRow<'a>>,
) -> Table {
    let headers = [
        "大項目",
        "項番",
        "小項目",
        "確認項目",
        "状況",
        "根拠・証跡",
        "備考",
        "更新",
    ];
    let rows = catalog
        .checks()
        .map(|(phase, item, check)| {
            let a = answer(&check.key);
            let mark = |verified: bool, text: &str| {
                if verified {
                    text.to_string()
                } else {
                    format!("※{text}")
                }
            };
            vec![
                Cell::text(format!("{} {}", phase.no, phase.name)),
                Cell::text(&item.id),
                Cell::text(mark(
                    item.title_verified,
                    item.title.as_deref().unwrap_or("（小項目名未取得）"),
                )),
                Cell::text(mark(check.verified, &check.text)),
                Cell::text(
                    a.as_ref()
                        .and_then(|a| a.status)
                        .map(|s| s.label(Lang::Ja))
                        .unwrap_or("未回答"),
                ),
                Cell::text(a.as_ref().map(|a| a.evidence).unwrap_or("")),
                Cell::text(a.as_ref().map(|a| a.note).unwrap_or("")),
                Cell::text(a.as_ref().map(|a| a.updated).unwrap_or("")),
            ]
        })
        .collect();
    Table {
        sheet_name: "BCP確認表".into(),
        preamble: vec![
            format!("{} — {facility}", catalog.title),
            "※ 原本で文言を確認できていない項目（研修資料のOCR等による）。原本の確認表と照合してください。".into(),
        ],
        headers: headers.iter().map(|h| h.to_string()).collect(),
        widths: vec![12.0, 8.0, 30.0, 50.0, 14.0, 30.0, 30.0, 20.0],
        rows,
    }
}

/// What an incident report shows besides the incident itself.
pub struct IncidentReport<'a> {
    pub facility: &'a str,
    pub label: &'a str,
    pub incident: &'a Incident,
    pub clocks: &'a [Clock],
    /// (step key, done at, by, note)
    pub steps: Vec<(&'a str, &'a str, &'a str, &'a str)>,
    /// (happened at, entry, author)
    pub timeline: Vec<(&'a str, &'a str, &'a str)>,
}

fn pairs_table(name: &str, preamble: Vec<String>, rows: Vec<(String, String)>) -> Table {
    Table {
        sheet_name: name.into(),
        preamble,
        headers: vec!["項目".into(), "内容".into()],
        widths: vec![24.0, 80.0],
        rows: rows
            .into_iter()
            .map(|(k, v)| vec![Cell::text(k), Cell::text(v)])
            .collect(),
    }
}

/// The incident report: 概要, 報告状況, 初動対応, 経過 — one sheet each.
pub fn incident_tables(report: &IncidentReport) -> Vec<Table> {
    let i = report.incident;
    let yes_no = |b: bool| if b { "はい" } else { "いいえ" }.to_string();
    let title = format!("インシデント報告書 {} — {}", report.label, report.facility);
    let summary = pairs_table(
        "概要",
        vec![title.clone()],
        vec![
            ("件名".into(), i.title.clone()),
            (
                "発見日時".into(),
                i.discovered_at.format("%Y-%m-%d %H:%M").to_string(),
            ),
            ("発見者".into(), i.discovered_by.clone()),
            ("種別".into(), choice_label(KINDS, &i.kind, Lang::Ja)),
            ("内容".into(), i.description.clone()),
            ("影響を受けたシステム".into(), i.systems.join("、")),
            ("影響を受けた機器（管理番号）".into(), i.devices.join("、")),
            (
                "個人情報".into(),
                choice_label(PERSONAL_DATA, &i.personal_data, Lang::Ja),
            ),
            ("要配慮個人情報".into(), yes_no(i.sensitive_data)),
            ("不正の目的によるおそれ".into(), yes_no(i.improper_purpose)),
            (
                "本人の数".into(),
                i.persons_affected
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
            ("診療への支障".into(), yes_no(i.care_disrupted)),
            (
                "重大度".into(),
                choice_label(SEVERITIES, &i.severity, Lang::Ja),
            ),
            ("状態".into(), choice_label(STATUSES, &i.status, Lang::Ja)),
            (
                "完了日".into(),
                i.closed_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
        ],
    );
    let reports = Table {
        sheet_name: "報告状況".into(),
        preamble: vec![
            title.clone(),
            "期限は発覚日の翌日から数えた暦日（土日祝日を含む）です。".into(),
        ],
        headers: ["報告先", "要否の理由", "期限", "状況", "実施日", "備考"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        widths: vec![26.0, 44.0, 30.0, 10.0, 12.0, 30.0],
        rows: report
            .clocks
            .iter()
            .map(|c| {
                vec![
                    Cell::text(c.kind.label(Lang::Ja)),
                    Cell::text(&c.reason_ja),
                    Cell::text(if c.required {
                        c.deadline.describe(Lang::Ja)
                    } else {
                        String::new()
                    }),
                    Cell::text(c.state.label(Lang::Ja)),
                    c.done_on.map(Cell::Date).unwrap_or(Cell::Empty),
                    Cell::text(&c.note),
                ]
            })
            .collect(),
    };
    let steps = Table {
        sheet_name: "初動対応".into(),
        preamble: vec![title.clone()],
        headers: ["対応", "実施日時", "実施者", "メモ"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        widths: vec![60.0, 18.0, 16.0, 30.0],
        rows: STEPS
            .iter()
            .map(|step| {
                let done = report.steps.iter().find(|s| s.0 == step.key);
                vec![
                    Cell::text(step.ja),
                    Cell::text(
                        done.map(|d| d.1.replace('T', " "))
                            .unwrap_or_else(|| "未実施".into()),
                    ),
                    Cell::text(done.map(|d| d.2).unwrap_or("")),
                    Cell::text(done.map(|d| d.3).unwrap_or("")),
                ]
            })
            .collect(),
    };
    let timeline = Table {
        sheet_name: "経過".into(),
        preamble: vec![title],
        headers: ["日時", "内容", "記録者"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        widths: vec![18.0, 70.0, 16.0],
        rows: report
            .timeline
            .iter()
            .map(|(at, entry, author)| {
                vec![
                    Cell::text(at.replace('T', " ")),
                    Cell::text(*entry),
                    Cell::text(*author),
                ]
            })
            .collect(),
    };
    vec![summary, reports, steps, timeline]
}
