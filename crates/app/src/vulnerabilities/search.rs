//! The organisation-wide question asked on the day a KEV entry appears: which facilities run
//! FortiOS 7.0.x, which devices does CVE-2024-21762 affect? Answered over the facilities the
//! asker may see, from the facts the findings already keep (no second read of the ledgers).

use chrono::NaiveDate;
use mimamori_domain::findings::DeviceFacts;
use mimamori_domain::vulnerabilities::cve::CveRecord;
use mimamori_domain::vulnerabilities::suppression::{covering, normalize_cve_id};
use mimamori_domain::vulnerabilities::{
    exposure, identify, identify_software, DeviceText, Exposure, Identification,
};
use mimamori_domain::vulnerabilities::{Platform, Version};
use mimamori_store::facilities::Facility;
use mimamori_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What to look for: a CVE, or a product line as a ledger would write it ("FortiOS 7.0").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchQuery {
    pub cve: Option<String>,
    pub runs: Option<String>,
}

/// Why a search cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("CVE 番号（例: CVE-2024-21762）か製品（例: FortiOS 7.0）を指定してください / give a CVE id (e.g. CVE-2024-21762) or a product (e.g. FortiOS 7.0)")]
    Nothing,
    #[error("「{0}」は CVE 番号として読めません（例: CVE-2024-21762） / “{0}” is not a CVE id (e.g. CVE-2024-21762)")]
    BadCve(String),
    #[error("「{0}」はどの製品か判別できません。「FortiOS 7.0」「Windows 10 22H2」のように製品名と版で書いてください / cannot tell which product “{0}” is: write a product and version such as “FortiOS 7.0”")]
    UnknownProduct(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A device the search found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub facility: String,
    pub facility_name: String,
    /// 管理番号.
    pub device: String,
    pub device_id: i64,
    /// What it runs, as identified.
    pub runs: Option<String>,
    /// "affected", "version_unknown" (the product, its version not written) or "runs" (a
    /// product search: it runs that line).
    pub status: String,
    pub exposure: Vec<String>,
    /// The same, in Japanese.
    pub exposure_ja: Vec<String>,
    /// Set aside by a suppression in force.
    pub suppressed: bool,
}

/// The answer, per facility and device.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchReport {
    pub cve: Option<String>,
    pub runs: Option<String>,
    /// The record searched for, when it is held.
    pub kev: Option<bool>,
    pub cvss: Option<f32>,
    pub title_ja: Option<String>,
    pub summary: Option<String>,
    /// The CVE is not in the imported data: nothing can be matched.
    pub cve_not_held: bool,
    pub facilities_searched: usize,
    pub facilities_hit: usize,
    pub devices_hit: usize,
    pub hits: Vec<SearchHit>,
}

/// Searches `facilities` on `today`.
pub async fn search(
    store: &Store,
    facilities: &[Facility],
    query: &SearchQuery,
    today: NaiveDate,
) -> Result<SearchReport, SearchError> {
    let blank = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let (cve_text, runs_text) = (blank(&query.cve), blank(&query.runs));
    let cve_id = cve_text
        .as_deref()
        .map(|t| normalize_cve_id(t).ok_or_else(|| SearchError::BadCve(cut(t))))
        .transpose()?;
    let line = runs_text.as_deref().map(product_line).transpose()?;
    if cve_id.is_none() && line.is_none() {
        return Err(SearchError::Nothing);
    }
    let record = match &cve_id {
        Some(id) => store.cve_record(id).await?,
        None => None,
    };
    let mut report = SearchReport {
        cve: cve_id.clone(),
        runs: runs_text,
        kev: record.as_ref().map(|r| r.kev.is_some()),
        cvss: record.as_ref().and_then(CveRecord::score),
        title_ja: record.as_ref().and_then(|r| r.title_ja.clone()),
        summary: record.as_ref().map(|r| r.summary.clone()),
        cve_not_held: cve_id.is_some() && record.is_none(),
        facilities_searched: facilities.len(),
        facilities_hit: 0,
        devices_hit: 0,
        hits: Vec::new(),
    };
    if report.cve_not_held {
        return Ok(report);
    }
    for facility in facilities {
        let facts = store.facility_facts(facility.id, today).await?;
        let before = report.hits.len();
        for (device, assessed) in facts.devices_in_use() {
            let assessed = assessed.as_ref();
            let status = match (&record, &line) {
                (Some(record), line) => {
                    let on_line = line.as_ref().is_none_or(|l| l.holds(&assessed.platform));
                    match exposure(record, &assessed.platform) {
                        Some(how) if on_line => Some(how),
                        _ => None,
                    }
                    .map(|how| match how {
                        Exposure::Affected => "affected",
                        Exposure::VersionUnknown => "version_unknown",
                    })
                }
                (None, Some(line)) => line.status(&assessed.platform),
                (None, None) => None,
            };
            let Some(status) = status else { continue };
            report.hits.push(hit(facility, device, assessed, status, {
                let id = cve_id.as_deref().unwrap_or_default();
                cve_id.is_some() && covering(&facts.suppressions, id, device.id, today).is_some()
            }));
        }
        if report.hits.len() > before {
            report.facilities_hit += 1;
        }
    }
    report.devices_hit = report.hits.len();
    Ok(report)
}

fn hit(
    facility: &Facility,
    device: &DeviceFacts,
    assessed: &mimamori_domain::vulnerabilities::assess::DeviceAssessment,
    status: &str,
    suppressed: bool,
) -> SearchHit {
    SearchHit {
        facility: facility.profile.code.clone(),
        facility_name: facility.profile.name.clone(),
        device: device.management_no.clone(),
        device_id: device.id,
        runs: match &assessed.os {
            Identification::Identified(id) => Some(id.label.clone()),
            _ => None,
        },
        status: status.into(),
        exposure: assessed.exposure.iter().map(|e| e.code().into()).collect(),
        exposure_ja: assessed
            .exposure
            .iter()
            .map(|e| e.words(mimamori_domain::i18n::Lang::Ja).into())
            .collect(),
        suppressed,
    }
}

fn cut(text: &str) -> String {
    mimamori_domain::validation::cut(text, 60)
}

/// A product line: its vendor:product key and, when written, the version it leads with.
struct ProductLine {
    key: String,
    version: Option<Version>,
}

/// Reads "FortiOS 7.0", "Windows 10 22H2", "NetScaler ADC 13.1" as the identification of the
/// ledger reads them.
fn product_line(text: &str) -> Result<ProductLine, SearchError> {
    let id = match identify(DeviceText {
        os_name: text,
        ..Default::default()
    }) {
        Identification::Identified(id) => id,
        _ => identify_software(text, "").ok_or_else(|| SearchError::UnknownProduct(cut(text)))?,
    };
    let cpe = id
        .cpe
        .ok_or_else(|| SearchError::UnknownProduct(cut(text)))?;
    let version = Version::parse(&cpe.version).filter(|_| cpe.version != "*");
    Ok(ProductLine {
        key: cpe.key(),
        version,
    })
}

impl ProductLine {
    /// "runs" when the platform runs the line, "version_unknown" when it runs the product
    /// with no version written.
    fn status(&self, platform: &Platform) -> Option<&'static str> {
        let mut unknown = false;
        for item in platform.items.iter().filter(|c| c.key() == self.key) {
            match (&self.version, Version::parse(&item.version)) {
                (None, _) => return Some("runs"),
                (Some(line), Some(v)) if item.version != "*" => {
                    if v.in_line(line) {
                        return Some("runs");
                    }
                }
                _ => unknown = true,
            }
        }
        unknown.then_some("version_unknown")
    }

    fn holds(&self, platform: &Platform) -> bool {
        self.status(platform).is_some()
    }
}
