//! The reporting clocks of an incident — the one place where the reporting rules live.
//! Sources (../shared/reference/reporting-rules.md, summarised in docs/reporting.md):
//!
//! - 個人情報保護委員会 (個人情報保護法第26条, 施行規則第7条・第8条): a leak (or its possibility) of
//!   要配慮個人情報, one caused by an improper purpose, or one of more than 1,000 persons must be
//!   reported: 速報 within about 3–5 days of learning of it, 確報 within 30 days, 60 days when the
//!   cause is an improper purpose (unauthorised access, theft …). The persons must be told too.
//! - 厚生労働省 (医政局 通知 平成30年10月29日): after the vendor, tell the ministry's office promptly
//!   when personal data leaked or care was disrupted, or may have been.
//! - 警察: the checklist 3-(1) and BCP 1-2 list the police among the bodies to contact; for attacks and
//!   thefts the prefectural police's cybercrime desk is consulted. No deadline is set for either.
//!
//! Periods are counted in calendar days from the day after discovery (民法第140条: the first day is
//! not counted), weekends and holidays included, so a deadline may fall on a holiday; it is not
//! moved. Whether a holiday extends the PPC deadline is not settled in our reference notes: check
//! the PPC guideline before relying on the last day.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{is_attack, Incident};
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    PpcPreliminary,
    PpcFinal,
    Persons,
    Mhlw,
    Police,
}

impl ReportKind {
    pub const ALL: [ReportKind; 5] = [
        ReportKind::PpcPreliminary,
        ReportKind::PpcFinal,
        ReportKind::Persons,
        ReportKind::Mhlw,
        ReportKind::Police,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::PpcPreliminary => "ppc_preliminary",
            Self::PpcFinal => "ppc_final",
            Self::Persons => "persons",
            Self::Mhlw => "mhlw",
            Self::Police => "police",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::PpcPreliminary => {
                lang.pick("個人情報保護委員会への速報", "PPC preliminary report")
            }
            Self::PpcFinal => lang.pick("個人情報保護委員会への確報", "PPC final report"),
            Self::Persons => lang.pick("本人への通知", "Notice to the persons affected"),
            Self::Mhlw => lang.pick("厚生労働省への連絡", "Contact MHLW"),
            Self::Police => lang.pick("警察への相談・届出", "Consult the police"),
        }
    }
}

/// When a report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Deadline {
    /// A target and a last day (速報: about 3–5 days).
    Window {
        target: NaiveDate,
        latest: NaiveDate,
    },
    By {
        latest: NaiveDate,
    },
    /// 速やかに: no fixed number of days.
    Promptly,
}

impl Deadline {
    pub fn latest(self) -> Option<NaiveDate> {
        match self {
            Deadline::Window { latest, .. } | Deadline::By { latest } => Some(latest),
            Deadline::Promptly => None,
        }
    }

    pub fn describe(self, lang: Lang) -> String {
        match self {
            Deadline::Window { target, latest } => match lang {
                Lang::Ja => format!("目安 {target}〜{latest}（発覚から3〜5日）"),
                Lang::En => format!("about {target} to {latest} (3–5 days after discovery)"),
            },
            Deadline::By { latest } => lang
                .pick(&format!("{latest} まで"), &format!("by {latest}"))
                .to_string(),
            Deadline::Promptly => lang.pick("速やかに", "promptly").to_string(),
        }
    }
}

/// What someone recorded about a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub kind: ReportKind,
    /// done | not_needed
    pub state: String,
    pub on: Option<NaiveDate>,
    pub note: String,
    pub by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    NotNeeded,
    Due,
    Overdue,
    Done,
}

impl ClockState {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::NotNeeded => lang.pick("不要", "Not needed"),
            Self::Due => lang.pick("未実施", "Due"),
            Self::Overdue => lang.pick("期限超過", "Overdue"),
            Self::Done => lang.pick("実施済", "Done"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::NotNeeded => "not_needed",
            Self::Due => "due",
            Self::Overdue => "overdue",
            Self::Done => "done",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub kind: ReportKind,
    /// Whether the rules call for it on the incident's facts.
    pub required: bool,
    pub reason_ja: String,
    pub reason_en: String,
    pub deadline: Deadline,
    pub state: ClockState,
    /// The date it was done, when recorded.
    pub done_on: Option<NaiveDate>,
    pub note: String,
    /// Days left to the last day (negative when overdue); None without a fixed deadline.
    pub days_left: Option<i64>,
}

impl Clock {
    pub fn reason(&self, lang: Lang) -> &str {
        lang.pick(&self.reason_ja, &self.reason_en)
    }
}

fn after(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

/// Whether the PPC report (and the notice to the persons) is required, and why.
fn ppc_required(incident: &Incident) -> (bool, String, String) {
    if !incident.personal_data_involved() {
        return (
            false,
            "個人データの漏えい等（おそれを含む）がないため".into(),
            "No personal data leaked or may have leaked".into(),
        );
    }
    let mut ja = Vec::new();
    let mut en = Vec::new();
    if incident.sensitive_data {
        ja.push("要配慮個人情報を含む");
        en.push("sensitive (要配慮) personal data");
    }
    if incident.improper_purpose {
        ja.push("不正の目的によるおそれ");
        en.push("an improper purpose");
    }
    if incident.persons_affected.is_some_and(|n| n > 1000) {
        ja.push("本人の数が1,000人を超える");
        en.push("more than 1,000 persons");
    }
    if ja.is_empty() {
        return (
            false,
            "報告対象の事態（要配慮個人情報・不正の目的・1,000人超）に当たらないため。医療情報は通常、要配慮個人情報です。".into(),
            "Not a reportable case (sensitive data, improper purpose, over 1,000 persons). Medical data usually is sensitive.".into(),
        );
    }
    (
        true,
        format!("個人データの漏えい等（おそれを含む）: {}", ja.join("・")),
        format!("Personal data leaked or may have: {}", en.join(", ")),
    )
}

/// The requirement and deadline of each report, before anything is recorded.
fn rule(kind: ReportKind, incident: &Incident) -> (bool, String, String, Deadline) {
    let found = incident.discovered_on();
    match kind {
        ReportKind::PpcPreliminary => {
            let (required, ja, en) = ppc_required(incident);
            let deadline = Deadline::Window {
                target: after(found, 3),
                latest: after(found, 5),
            };
            (required, ja, en, deadline)
        }
        ReportKind::PpcFinal => {
            let (required, ja, en) = ppc_required(incident);
            let days = if incident.improper_purpose { 60 } else { 30 };
            let (ja, en) = if required {
                (
                    format!("{ja}（確報は{days}日以内）"),
                    format!("{en} (final report within {days} days)"),
                )
            } else {
                (ja, en)
            };
            (
                required,
                ja,
                en,
                Deadline::By {
                    latest: after(found, days),
                },
            )
        }
        ReportKind::Persons => {
            let (required, ja, en) = ppc_required(incident);
            (required, ja, en, Deadline::Promptly)
        }
        ReportKind::Mhlw => {
            let required = incident.personal_data_involved() || incident.care_disrupted;
            let (ja, en) = if required {
                (
                    "個人情報の漏えいまたは診療への支障（おそれを含む）があるため",
                    "Personal data or care is or may be affected",
                )
            } else {
                (
                    "個人情報の漏えい・診療への支障がないため",
                    "Neither personal data nor care is affected",
                )
            };
            (required, ja.into(), en.into(), Deadline::Promptly)
        }
        ReportKind::Police => {
            let required = is_attack(&incident.kind)
                || (incident.kind == "lost_or_stolen" && incident.improper_purpose);
            let (ja, en) = if required {
                (
                    "サイバー攻撃・盗難など犯罪のおそれがあるため",
                    "An attack or theft: possibly a crime",
                )
            } else {
                ("犯罪のおそれがないため", "Not a possible crime")
            };
            (required, ja.into(), en.into(), Deadline::Promptly)
        }
    }
}

/// Every clock of an incident on `today`, with what was recorded.
pub fn clocks(incident: &Incident, recorded: &[Recorded], today: NaiveDate) -> Vec<Clock> {
    ReportKind::ALL
        .into_iter()
        .map(|kind| {
            let (required, reason_ja, reason_en, deadline) = rule(kind, incident);
            let record = recorded.iter().find(|r| r.kind == kind);
            let days_left = deadline.latest().map(|l| (l - today).num_days());
            let state = match record.map(|r| r.state.as_str()) {
                Some("done") => ClockState::Done,
                Some("not_needed") => ClockState::NotNeeded,
                _ if !required => ClockState::NotNeeded,
                _ if days_left.is_some_and(|d| d < 0) => ClockState::Overdue,
                _ => ClockState::Due,
            };
            Clock {
                kind,
                required,
                reason_ja,
                reason_en,
                deadline,
                state,
                done_on: record.filter(|r| r.state == "done").and_then(|r| r.on),
                note: record.map(|r| r.note.clone()).unwrap_or_default(),
                days_left: days_left
                    .filter(|_| matches!(state, ClockState::Due | ClockState::Overdue)),
            }
        })
        .collect()
}

/// Validates what a person records about a report: done needs its date, not needed its reason.
pub fn validate_record(
    kind: ReportKind,
    state: &str,
    on: Option<NaiveDate>,
    note: &str,
    by: &str,
) -> Result<Recorded, crate::Issues> {
    let mut issues = crate::Issues::default();
    match state {
        "done" if on.is_none() => issues.push(crate::Issue::new("on", "done_on_required")),
        "not_needed" if note.trim().is_empty() => {
            issues.push(crate::Issue::new("note", "reason_required"))
        }
        "done" | "not_needed" | "due" => {}
        other => issues.push(
            crate::Issue::new("state", "invalid_status")
                .with("value", other)
                .with("allowed", "done・not_needed・due"),
        ),
    }
    issues.into_result(Recorded {
        kind,
        state: state.to_string(),
        on: on.filter(|_| state == "done"),
        note: note.trim().to_string(),
        by: by.to_string(),
    })
}
