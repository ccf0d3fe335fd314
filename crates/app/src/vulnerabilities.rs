//! A facility's dangerous devices on a day: end of support from the lifecycle data, and the
//! vulnerabilities of the feeds matched against what each device runs — distinct platforms
//! matched once and fanned out to their devices — ranked exploited first (CISA KEV), then by
//! exposure, then by CVSS. Pages, API and CLI call [`report`].

use std::collections::HashMap;

use chrono::NaiveDate;
use mimamori_domain::ledger::device::DeviceStatus;
use mimamori_domain::ledger::device_filter::DeviceFilter;
use mimamori_domain::vulnerabilities::assess::{assess, ExposureReason};
use mimamori_domain::vulnerabilities::cve::CveRecord;
use mimamori_domain::vulnerabilities::end_of_life::{EndOfLife, Ending};
use mimamori_domain::vulnerabilities::{exposure, Exposure, Identification, Platform};
use mimamori_store::{Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// The notice NVD asks every product that shows its data to carry.
pub const NVD_NOTICE: &str =
    "This product uses data from the NVD API but is not endorsed or certified by the NVD.";

/// A past end of support of one thing a device runs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndOfLifeEntry {
    /// "Microsoft Windows 11 23H2 (W)", "FortiOS 7.2".
    pub product: String,
    /// The last day of support.
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<NaiveDate>,
    /// The edition assumed, when the date depends on it.
    pub edition: Option<String>,
    pub source: String,
}

/// A vulnerability of one device.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VulnerabilityEntry {
    pub id: String,
    /// In CISA's Known Exploited Vulnerabilities catalogue: attackers exploit it now.
    pub kev: bool,
    #[schema(value_type = Option<String>, format = Date)]
    pub kev_added: Option<NaiveDate>,
    /// Used in ransomware campaigns, per CISA ("Known").
    pub ransomware: bool,
    /// CVSS base score (v4.0 where given, else v3.1).
    pub cvss: Option<f32>,
    pub cvss31: Option<f32>,
    pub cvss40: Option<f32>,
    pub epss: Option<f32>,
    /// "affected", or "version_unknown" (the product matches; its version is not written).
    pub status: String,
    pub title_ja: Option<String>,
    pub summary: String,
    pub sources: Vec<String>,
    pub jvn_ids: Vec<String>,
}

/// One device in use, and what makes it dangerous.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeviceDanger {
    /// 管理番号.
    pub device: String,
    pub device_id: i64,
    /// What it runs, as identified ("FortiOS 7.2.8").
    pub runs: Option<String>,
    /// Empty when what it runs is supported (or cannot be judged: see `end_of_life_state`).
    pub end_of_life: Vec<EndOfLifeEntry>,
    /// "ended", "supported", "undetermined", "no_data" or "unidentified".
    pub end_of_life_state: String,
    /// Why the state is undetermined, in Japanese.
    pub undetermined_reason: Option<String>,
    pub vulnerabilities: Vec<VulnerabilityEntry>,
    /// What exposes it: "edge", "remote_maintenance", "public_address", "published".
    pub exposure: Vec<String>,
    /// The same, in Japanese.
    pub exposure_ja: Vec<String>,
}

impl DeviceDanger {
    pub fn exploited(&self) -> usize {
        self.vulnerabilities
            .iter()
            .filter(|v| v.kev && v.status == "affected")
            .count()
    }
}

/// A device whose OS text no rule recognises.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unidentified {
    pub device: String,
    pub device_id: i64,
    pub text: String,
}

/// The report of a facility on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VulnerabilityReport {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub devices: Vec<DeviceDanger>,
    pub unidentified: Vec<Unidentified>,
    /// Devices in use with an exploited (KEV) vulnerability, and of them the exposed ones.
    pub exploited_devices: usize,
    pub exploited_exposed_devices: usize,
    pub end_of_life_devices: usize,
    /// CVE records held; 0 means no vulnerability feed has been imported.
    pub cve_records: i64,
    pub nvd_notice: String,
}

/// The report of `facility_id` on `as_of`: every device in use.
pub async fn report(
    store: &Store,
    facility_id: i64,
    as_of: NaiveDate,
) -> Result<VulnerabilityReport, StoreError> {
    let lifecycle = store.lifecycle().await?;
    let filter = DeviceFilter {
        status: Some(DeviceStatus::Active),
        ..Default::default()
    };
    let devices = store.all_devices(facility_id, &filter).await?;
    let assessed: Vec<_> = devices
        .iter()
        .map(|d| (d, assess(&d.device, &lifecycle, as_of)))
        .collect();
    let mut keys: Vec<String> = assessed
        .iter()
        .flat_map(|(_, a)| a.platform.items.iter().map(|c| c.key()))
        .collect();
    keys.sort();
    keys.dedup();
    let records = store.cves_for_products(&keys).await?;
    let matched = match_platforms(&records, assessed.iter().map(|(_, a)| &a.platform));
    let cve_records = store.cve_count().await?;
    let mut report = VulnerabilityReport {
        as_of,
        devices: Vec::new(),
        unidentified: Vec::new(),
        exploited_devices: 0,
        exploited_exposed_devices: 0,
        end_of_life_devices: 0,
        cve_records,
        nvd_notice: NVD_NOTICE.into(),
    };
    for (stored, a) in &assessed {
        let management_no = stored.device.management_no.clone();
        if let Identification::Unidentified { text } = &a.os {
            report.unidentified.push(Unidentified {
                device: management_no.clone(),
                device_id: stored.id,
                text: text.clone(),
            });
        }
        let mut end_of_life: Vec<EndOfLifeEntry> = Vec::new();
        let (state, reason) = match (&a.os, &a.os_end_of_life) {
            (Identification::Unidentified { .. }, _) => ("unidentified", None),
            (Identification::Blank, _) => ("unidentified", None),
            (_, Some(EndOfLife::Ended(e))) => {
                end_of_life.push(entry(e));
                ("ended", None)
            }
            (_, Some(EndOfLife::Supported { .. })) => ("supported", None),
            (_, Some(EndOfLife::Undetermined { reason })) => (
                "undetermined",
                Some(reason.words(mimamori_domain::i18n::Lang::Ja).to_string()),
            ),
            (_, _) => ("no_data", None),
        };
        for (_, eol) in &a.software {
            if let EndOfLife::Ended(e) = eol {
                end_of_life.push(entry(e));
            }
        }
        let mut vulnerabilities: Vec<VulnerabilityEntry> = matched
            .get(&a.platform)
            .into_iter()
            .flatten()
            .map(|(i, how)| vulnerability(&records[*i], *how))
            .collect();
        vulnerabilities.sort_by(|x, y| {
            (
                y.kev,
                y.status == "affected",
                y.cvss.unwrap_or(0.0).to_bits(),
            )
                .cmp(&(
                    x.kev,
                    x.status == "affected",
                    x.cvss.unwrap_or(0.0).to_bits(),
                ))
                .then_with(|| x.id.cmp(&y.id))
        });
        let danger = DeviceDanger {
            device: management_no,
            device_id: stored.id,
            runs: match &a.os {
                Identification::Identified(id) => Some(id.label.clone()),
                _ => None,
            },
            end_of_life,
            end_of_life_state: state.into(),
            undetermined_reason: reason,
            vulnerabilities,
            exposure: a.exposure.iter().map(|e| code(*e).to_string()).collect(),
            exposure_ja: a
                .exposure
                .iter()
                .map(|e| e.words(mimamori_domain::i18n::Lang::Ja).to_string())
                .collect(),
        };
        if danger.exploited() > 0 {
            report.exploited_devices += 1;
            if !danger.exposure.is_empty() {
                report.exploited_exposed_devices += 1;
            }
        }
        if !danger.end_of_life.is_empty() {
            report.end_of_life_devices += 1;
        }
        report.devices.push(danger);
    }
    // Worst first: exploited and exposed, exploited, past end of support, the rest.
    report.devices.sort_by_key(|d| {
        (
            std::cmp::Reverse((
                d.exploited() > 0,
                !d.exposure.is_empty() && d.exploited() > 0,
            )),
            std::cmp::Reverse(!d.end_of_life.is_empty()),
            std::cmp::Reverse(d.vulnerabilities.len()),
            d.device.clone(),
        )
    });
    Ok(report)
}

/// Each distinct platform matched once against the records naming its products.
pub fn match_platforms<'p>(
    records: &[CveRecord],
    platforms: impl Iterator<Item = &'p Platform>,
) -> HashMap<Platform, Vec<(usize, Exposure)>> {
    let mut by_product: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for key in r.product_keys() {
            by_product.entry(key).or_default().push(i);
        }
    }
    let mut matched: HashMap<Platform, Vec<(usize, Exposure)>> = HashMap::new();
    for platform in platforms {
        if matched.contains_key(platform) {
            continue;
        }
        let mut candidates: Vec<usize> = platform
            .items
            .iter()
            .flat_map(|c| by_product.get(&c.key()).into_iter().flatten().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let found = candidates
            .into_iter()
            .filter_map(|i| exposure(&records[i], platform).map(|e| (i, e)))
            .collect();
        matched.insert(platform.clone(), found);
    }
    matched
}

fn entry(e: &Ending) -> EndOfLifeEntry {
    EndOfLifeEntry {
        product: e.label.clone(),
        ended_on: e.on,
        edition: e.edition.map(str::to_string),
        source: e.source.clone(),
    }
}

fn code(reason: ExposureReason) -> &'static str {
    match reason {
        ExposureReason::Edge => "edge",
        ExposureReason::RemoteMaintenance => "remote_maintenance",
        ExposureReason::PublicAddress => "public_address",
        ExposureReason::Published => "published",
    }
}

fn vulnerability(r: &CveRecord, how: Exposure) -> VulnerabilityEntry {
    VulnerabilityEntry {
        id: r.id.clone(),
        kev: r.kev.is_some(),
        kev_added: r.kev.as_ref().and_then(|k| k.added),
        ransomware: r
            .kev
            .as_ref()
            .and_then(|k| k.ransomware.as_deref())
            .is_some_and(|w| w.eq_ignore_ascii_case("known")),
        cvss: r.score(),
        cvss31: r.cvss31,
        cvss40: r.cvss40,
        epss: r.epss,
        status: match how {
            Exposure::Affected => "affected",
            Exposure::VersionUnknown => "version_unknown",
        }
        .into(),
        title_ja: r.title_ja.clone(),
        summary: r.summary.clone(),
        sources: r.sources().into_iter().map(String::from).collect(),
        jvn_ids: r.jvn_ids.clone(),
    }
}
