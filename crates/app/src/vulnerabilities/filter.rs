//! Narrowing the facility report, the same way on the page, in its export and in the API.

use serde::Deserialize;
use utoipa::IntoParams;

use super::{DeviceDanger, VulnerabilityReport};

/// Which devices of the report to show.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportFilter {
    /// exploited | vulnerable | end_of_life | version_unknown | unidentified | suppressed
    /// (blank: every device with something to show).
    #[serde(default)]
    pub show: String,
    /// "1": only devices facing outside (edge, remote maintenance, public address, 外部公開).
    #[serde(default)]
    pub exposed: String,
    /// Part of the 管理番号, of what it runs or of a CVE id.
    #[serde(default)]
    pub q: String,
}

/// The kinds of `show`, with their Japanese labels.
pub const SHOW_CHOICES: &[(&str, &str)] = &[
    ("exploited", "悪用されている脆弱性（KEV）あり"),
    ("vulnerable", "脆弱性あり"),
    ("end_of_life", "サポート終了"),
    ("version_unknown", "版不明・要確認"),
    ("unidentified", "OS を判別できない"),
    ("suppressed", "対応不要と判断済み"),
];

impl ReportFilter {
    /// Whether `device` is to be shown.
    pub fn admits(&self, device: &DeviceDanger) -> bool {
        let wanted = match self.show.trim() {
            "exploited" => device.exploited() > 0,
            "vulnerable" => device.affected() > 0,
            "end_of_life" => !device.end_of_life.is_empty(),
            "version_unknown" => device
                .vulnerabilities
                .iter()
                .any(|v| v.status == "version_unknown" && v.suppressed.is_none()),
            "unidentified" => device.end_of_life_state == "unidentified",
            "suppressed" => device
                .vulnerabilities
                .iter()
                .any(|v| v.suppressed.is_some()),
            _ => device.worth_showing(),
        };
        let exposed = self.exposed != "1" || !device.exposure.is_empty();
        wanted && exposed && self.matches_text(device)
    }

    fn matches_text(&self, device: &DeviceDanger) -> bool {
        let q = self.q.trim().to_lowercase();
        if q.is_empty() {
            return true;
        }
        device.device.to_lowercase().contains(&q)
            || device
                .runs
                .as_deref()
                .is_some_and(|r| r.to_lowercase().contains(&q))
            || device
                .vulnerabilities
                .iter()
                .any(|v| v.id.to_lowercase().contains(&q))
    }

    /// The filters as a query string, escaped (for links and the export).
    pub fn query_string(&self) -> String {
        let pairs = [
            ("show", self.show.as_str()),
            ("exposed", self.exposed.as_str()),
            ("q", self.q.as_str()),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", escape(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl VulnerabilityReport {
    /// The devices `filter` admits.
    pub fn filtered<'r>(
        &'r self,
        filter: &'r ReportFilter,
    ) -> impl Iterator<Item = &'r DeviceDanger> {
        self.devices.iter().filter(move |d| filter.admits(d))
    }
}
