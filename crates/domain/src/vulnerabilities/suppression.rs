//! A person's decision that a vulnerability does not call for action on a device (or on every
//! device of the facility): the risk is accepted, it does not apply, or it is mitigated. It
//! carries a reason, who decided and until when; it is kept apart from the feeds, so importing
//! them again never takes it away, and once its day has passed the vulnerability counts again.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::validation::{Issue, Issues};

/// Why a vulnerability is set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    /// Known and accepted for now (an update is scheduled, the vendor forbids patching).
    RiskAccepted,
    /// The flaw does not apply (the feature is not used, the configuration excludes it).
    NotApplicable,
    /// A measure blocks it (the SSL-VPN is disabled, the port is closed).
    Mitigated,
}

impl SuppressionKind {
    pub const ALL: [SuppressionKind; 3] = [
        SuppressionKind::RiskAccepted,
        SuppressionKind::NotApplicable,
        SuppressionKind::Mitigated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SuppressionKind::RiskAccepted => "risk_accepted",
            SuppressionKind::NotApplicable => "not_applicable",
            SuppressionKind::Mitigated => "mitigated",
        }
    }

    pub fn parse(text: &str) -> Option<SuppressionKind> {
        Self::ALL.into_iter().find(|k| k.code() == text.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            SuppressionKind::RiskAccepted => lang.pick("リスク受容", "risk accepted"),
            SuppressionKind::NotApplicable => lang.pick("該当しない", "not applicable"),
            SuppressionKind::Mitigated => lang.pick("緩和策あり", "mitigated"),
        }
    }
}

/// A suppression as kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Suppression {
    pub id: i64,
    /// "CVE-2024-21762".
    pub cve_id: String,
    /// The device it is for; `None`: every device of the facility.
    pub device_id: Option<i64>,
    pub kind: SuppressionKind,
    pub reason: String,
    /// The last day it holds; `None`: until lifted.
    pub until: Option<NaiveDate>,
    pub decided_by: String,
    /// When it was decided (RFC 3339).
    pub decided_at: String,
}

impl Suppression {
    /// Whether it sets `cve_id` aside on `device_id` on `day`.
    pub fn covers(&self, cve_id: &str, device_id: i64, day: NaiveDate) -> bool {
        self.cve_id.eq_ignore_ascii_case(cve_id)
            && self.device_id.is_none_or(|d| d == device_id)
            && self.in_force(day)
    }

    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.until.is_none_or(|until| day <= until)
    }
}

/// The suppression that sets `cve_id` aside on `device_id` on `day`, if any: the device's own
/// before the facility-wide one.
pub fn covering<'s>(
    suppressions: &'s [Suppression],
    cve_id: &str,
    device_id: i64,
    day: NaiveDate,
) -> Option<&'s Suppression> {
    suppressions
        .iter()
        .filter(|s| s.covers(cve_id, device_id, day))
        .min_by_key(|s| s.device_id.is_none())
}

/// A suppression as asked for, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SuppressionInput {
    pub cve_id: String,
    /// 管理番号 of the device; blank for every device of the facility.
    #[serde(default)]
    pub device: String,
    pub kind: String,
    pub reason: String,
    /// YYYY-MM-DD, or blank for "until lifted".
    #[serde(default)]
    pub until: String,
}

/// A checked suppression, not yet kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSuppression {
    pub cve_id: String,
    pub device: Option<String>,
    pub kind: SuppressionKind,
    pub reason: String,
    pub until: Option<NaiveDate>,
}

/// The longest reason kept: a paragraph, not a document.
pub const MAX_REASON_CHARS: usize = 2_000;

impl SuppressionInput {
    /// Checks it on `today`: a CVE id, a kind, a reason, and an end date not already past.
    pub fn validate(&self, today: NaiveDate) -> Result<NewSuppression, Issues> {
        let mut issues = Issues::default();
        let cve_id = normalize_cve_id(&self.cve_id);
        if cve_id.is_none() {
            issues.push(Issue::new("cve_id", "invalid_cve_id").with("value", cut(&self.cve_id)));
        }
        let kind = SuppressionKind::parse(&self.kind);
        if kind.is_none() {
            issues.push(Issue::new("kind", "required"));
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            issues.push(Issue::new("reason", "suppression_reason_required"));
        } else if reason.chars().count() > MAX_REASON_CHARS {
            issues.push(Issue::new("reason", "too_long").with("max", MAX_REASON_CHARS));
        }
        let until = match self.until.trim() {
            "" => None,
            text => match crate::jdate::parse_date(text) {
                Some(day) if day < today => {
                    issues.push(Issue::new("until", "suppression_until_past"));
                    None
                }
                Some(day) => Some(day),
                None => {
                    issues.push(Issue::new("until", "invalid_date"));
                    None
                }
            },
        };
        let device = Some(self.device.trim().to_string()).filter(|d| !d.is_empty());
        match (cve_id, kind) {
            (Some(cve_id), Some(kind)) if issues.is_empty() => Ok(NewSuppression {
                cve_id,
                device,
                kind,
                reason: reason.to_string(),
                until,
            }),
            _ => Err(issues),
        }
    }
}

fn cut(text: &str) -> String {
    crate::validation::cut(text, 60)
}

/// "cve-2024-21762", "ＣＶＥ−２０２４−２１７６２" → "CVE-2024-21762"; anything else is `None`.
pub fn normalize_cve_id(text: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = text
        .trim()
        .nfkc()
        .map(|c| match c {
            '−' | '‐' | '‑' | '–' | '—' | 'ー' => '-',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    let rest = folded.strip_prefix("CVE-")?;
    let (year, number) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (year.len() == 4 && digits(year) && number.len() >= 4 && number.len() <= 19 && digits(number))
        .then_some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    fn input(cve: &str, reason: &str, until: &str) -> SuppressionInput {
        SuppressionInput {
            cve_id: cve.into(),
            device: " FW-01 ".into(),
            kind: "mitigated".into(),
            reason: reason.into(),
            until: until.into(),
        }
    }

    #[test]
    fn ids_are_read_as_people_type_them() {
        assert_eq!(
            normalize_cve_id(" ｃｖｅ－２０２４－２１７６２ ").as_deref(),
            Some("CVE-2024-21762")
        );
        assert_eq!(
            normalize_cve_id("CVE-2018-13379").as_deref(),
            Some("CVE-2018-13379")
        );
        for bad in [
            "",
            "CVE-24-1",
            "CVE-2024-",
            "JVNDB-2024-000001",
            "CVE-2024-12a4",
        ] {
            assert_eq!(normalize_cve_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_suppression_needs_a_reason_and_a_future_end() {
        let today = day(2026, 12, 1);
        let ok = input("cve-2024-21762", "SSL-VPN を無効化済み", "2027-03-31")
            .validate(today)
            .expect("valid");
        assert_eq!(ok.cve_id, "CVE-2024-21762");
        assert_eq!(ok.device.as_deref(), Some("FW-01"));
        assert_eq!(ok.until, Some(day(2027, 3, 31)));
        let codes = |i: SuppressionInput| -> Vec<&'static str> {
            i.validate(today)
                .expect_err("invalid")
                .0
                .iter()
                .map(|i| i.code)
                .collect()
        };
        assert_eq!(
            codes(input("CVE-2024-21762", "  ", "")),
            ["suppression_reason_required"]
        );
        assert_eq!(
            codes(input("CVE-2024-21762", "理由", "2026-11-30")),
            ["suppression_until_past"]
        );
        assert_eq!(codes(input("21762", "理由", "")), ["invalid_cve_id"]);
    }

    #[test]
    fn it_holds_through_its_last_day_and_the_device_own_comes_first() {
        let facility_wide = Suppression {
            id: 1,
            cve_id: "CVE-2024-21762".into(),
            device_id: None,
            kind: SuppressionKind::RiskAccepted,
            reason: "更新予定".into(),
            until: Some(day(2026, 12, 31)),
            decided_by: "情報 太郎".into(),
            decided_at: "2026-12-01T00:00:00Z".into(),
        };
        let own = Suppression {
            id: 2,
            device_id: Some(7),
            kind: SuppressionKind::Mitigated,
            until: None,
            ..facility_wide.clone()
        };
        let all = [facility_wide.clone(), own];
        let on = day(2026, 12, 31);
        assert_eq!(
            covering(&all, "cve-2024-21762", 7, on).map(|s| s.id),
            Some(2)
        );
        assert_eq!(
            covering(&all, "CVE-2024-21762", 8, on).map(|s| s.id),
            Some(1)
        );
        assert!(covering(&[facility_wide], "CVE-2024-21762", 8, day(2027, 1, 1)).is_none());
        assert!(covering(&all, "CVE-2022-42475", 7, on).is_none());
    }
}
