//! The incident register: what happened, when it was discovered, what it touched, and whether
//! personal data is involved — the facts the first-response checklist and the reporting clocks
//! ([`reporting`]) are computed from.

pub mod first_response;
pub mod reporting;

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::jdate::parse_date;
use crate::ledger::register::Choice;
use crate::validation::{nfkc, Issue, Issues};

pub const KINDS: &[Choice] = &[
    ("ransomware", "ランサムウェア", "Ransomware"),
    ("unauthorised_access", "不正アクセス", "Unauthorised access"),
    ("malware", "マルウェア感染", "Malware"),
    ("information_leak", "情報漏えい", "Information leak"),
    ("dos", "DoS攻撃", "Denial of service"),
    (
        "lost_or_stolen",
        "端末・媒体の紛失・盗難",
        "Lost or stolen device",
    ),
    ("misdelivery", "誤送信・誤交付", "Misdelivery"),
    ("other", "その他", "Other"),
];

/// Kinds that are crimes or attacks (police, MHLW).
pub fn is_attack(kind: &str) -> bool {
    matches!(
        kind,
        "ransomware" | "unauthorised_access" | "malware" | "dos"
    )
}

pub const PERSONAL_DATA: &[Choice] = &[
    ("none", "なし", "No"),
    ("possible", "おそれあり", "Possibly"),
    ("yes", "あり", "Yes"),
];

pub const SEVERITIES: &[Choice] = &[
    ("critical", "重大（診療停止）", "Critical (care stopped)"),
    ("high", "高", "High"),
    ("medium", "中", "Medium"),
    ("low", "低", "Low"),
];

pub const STATUSES: &[Choice] = &[
    ("open", "対応中", "Open"),
    ("contained", "封じ込め済", "Contained"),
    ("recovering", "復旧中", "Recovering"),
    ("closed", "完了", "Closed"),
];

pub fn choice_label(choices: &[Choice], code: &str, lang: Lang) -> String {
    choices
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, ja, en)| lang.pick(ja, en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// An incident as validated from a form, a file or the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub title: String,
    /// Japan time, to the minute.
    pub discovered_at: NaiveDateTime,
    pub discovered_by: String,
    pub kind: String,
    pub description: String,
    /// Names of information systems.
    pub systems: Vec<String>,
    /// 管理番号 of devices.
    pub devices: Vec<String>,
    /// none | possible | yes
    pub personal_data: String,
    /// 要配慮個人情報 (medical information usually is).
    pub sensitive_data: bool,
    /// Caused by an improper purpose (unauthorised access, theft, taking data out …).
    pub improper_purpose: bool,
    pub persons_affected: Option<u32>,
    /// Care was or may be disrupted (診療への支障).
    pub care_disrupted: bool,
    pub severity: String,
    pub status: String,
    pub closed_on: Option<NaiveDate>,
}

impl Incident {
    pub fn discovered_on(&self) -> NaiveDate {
        self.discovered_at.date()
    }

    pub fn personal_data_involved(&self) -> bool {
        matches!(self.personal_data.as_str(), "possible" | "yes")
    }

    pub fn is_closed(&self) -> bool {
        self.status == "closed"
    }

    /// Validates raw values (form fields or JSON strings) as of `now` (Japan time).
    pub fn validate(
        raw: &BTreeMap<String, String>,
        now: NaiveDateTime,
    ) -> Result<Incident, Issues> {
        let mut issues = Issues::default();
        let get = |key: &str| raw.get(key).map(|v| v.trim()).unwrap_or("");
        let title = get("title");
        if title.is_empty() {
            issues.push(Issue::new("title", "required"));
        } else if title.chars().count() > 200 {
            issues.push(Issue::new("title", "too_long").with("max", 200));
        }
        let discovered_at = match get("discovered_at") {
            "" => {
                issues.push(Issue::new("discovered_at", "required"));
                None
            }
            text => match parse_datetime(text) {
                Some(at) if at > now + chrono::Duration::minutes(5) => {
                    issues.push(Issue::new("discovered_at", "future_datetime"));
                    None
                }
                Some(at) => Some(at),
                None => {
                    issues
                        .push(Issue::new("discovered_at", "invalid_datetime").with("value", text));
                    None
                }
            },
        };
        let mut choice = |key: &'static str, choices: &[Choice], default: Option<&str>| -> String {
            let text = get(key);
            if text.is_empty() {
                if default.is_none() {
                    issues.push(Issue::new(key, "required"));
                }
                return default.unwrap_or("").to_string();
            }
            let wanted = crate::validation::search_key(text);
            match choices.iter().find(|(code, ja, en)| {
                *code == wanted
                    || crate::validation::search_key(ja) == wanted
                    || crate::validation::search_key(en) == wanted
            }) {
                Some((code, _, _)) => code.to_string(),
                None => {
                    let allowed = choices
                        .iter()
                        .map(|(_, ja, _)| *ja)
                        .collect::<Vec<_>>()
                        .join("・");
                    issues.push(
                        Issue::new(key, "invalid_choice")
                            .with("value", text)
                            .with("allowed", allowed),
                    );
                    String::new()
                }
            }
        };
        let kind = choice("kind", KINDS, None);
        let personal_data = choice("personal_data", PERSONAL_DATA, Some("none"));
        let severity = choice("severity", SEVERITIES, Some("medium"));
        let status = choice("status", STATUSES, Some("open"));
        let flag = |key: &'static str, issues: &mut Issues| match get(key) {
            "" => false,
            text => crate::ledger::device::parse_flag(text).unwrap_or_else(|| {
                issues.push(Issue::new(key, "invalid_flag").with("value", text));
                false
            }),
        };
        let sensitive_data = flag("sensitive_data", &mut issues);
        let improper_purpose = flag("improper_purpose", &mut issues);
        let care_disrupted = flag("care_disrupted", &mut issues);
        let persons_affected = match nfkc(get("persons_affected")).replace(',', "").as_str() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    issues
                        .push(Issue::new("persons_affected", "invalid_number").with("value", text));
                    None
                }
            },
        };
        let closed_on = match get("closed_on") {
            "" => None,
            text => match parse_date(text) {
                Some(d) => Some(d),
                None => {
                    issues.push(Issue::new("closed_on", "invalid_date").with("value", text));
                    None
                }
            },
        };
        let incident = Incident {
            title: title.to_string(),
            discovered_at: discovered_at.unwrap_or_default(),
            discovered_by: get("discovered_by").to_string(),
            kind,
            description: get("description").to_string(),
            systems: list(get("systems")),
            devices: list(get("devices")),
            personal_data,
            sensitive_data,
            improper_purpose,
            persons_affected,
            care_disrupted,
            severity,
            status,
            closed_on,
        };
        issues.into_result(incident)
    }

    /// The incident as raw values, for forms and round trips through [`Incident::validate`].
    pub fn to_raw(&self) -> BTreeMap<String, String> {
        let flag = |b: bool| if b { "yes" } else { "no" }.to_string();
        [
            ("title", self.title.clone()),
            (
                "discovered_at",
                self.discovered_at.format("%Y-%m-%dT%H:%M").to_string(),
            ),
            ("discovered_by", self.discovered_by.clone()),
            ("kind", self.kind.clone()),
            ("description", self.description.clone()),
            ("systems", self.systems.join(", ")),
            ("devices", self.devices.join(", ")),
            ("personal_data", self.personal_data.clone()),
            ("sensitive_data", flag(self.sensitive_data)),
            ("improper_purpose", flag(self.improper_purpose)),
            ("care_disrupted", flag(self.care_disrupted)),
            (
                "persons_affected",
                self.persons_affected
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
            ("severity", self.severity.clone()),
            ("status", self.status.clone()),
            (
                "closed_on",
                self.closed_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

fn list(text: &str) -> Vec<String> {
    nfkc(text)
        .split([',', '、', ';', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// 「2026-11-21 09:30」「2026-11-21T09:30」「令和8年11月21日 9:30」, full-width digits too; a date alone
/// is read as midnight.
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = nfkc(text).trim().replace('T', " ");
    let (date, time) = match text.rsplit_once(' ') {
        Some((date, time)) if time.contains(':') => (date.trim(), Some(time.trim())),
        _ => (text.as_str(), None),
    };
    let date = parse_date(date)?;
    let time = match time {
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .ok()?,
        None => NaiveTime::MIN,
    };
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests;
