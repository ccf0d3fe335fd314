//! A facility's dangerous devices on a day: end of support from the lifecycle data, and the
//! vulnerabilities of the feeds matched against what each device runs — distinct platforms
//! matched once and fanned out to their devices — ranked exploited first (CISA KEV), then by
//! exposure, then by CVSS; a suppressed one is shown with its decision and counted apart. Pages,
//! API and CLI call [`report`].

use chrono::NaiveDate;
use mimamori_domain::findings::rules_vulnerabilities::STALE_FEED_DAYS;
use mimamori_domain::i18n::Lang;
use mimamori_domain::ledger::device::DeviceStatus;
use mimamori_domain::ledger::device_filter::DeviceFilter;
use mimamori_domain::vulnerabilities::assess::{assess, Identifier};
use mimamori_domain::vulnerabilities::cve::CveRecord;
use mimamori_domain::vulnerabilities::end_of_life::{EndOfLife, Ending};
use mimamori_domain::vulnerabilities::suppression::{covering, Suppression};
use mimamori_domain::vulnerabilities::{match_platforms, Exposure, Identification};
use mimamori_store::ledger::devices::StoredDevice;
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
    /// The person's decision setting it aside, while in force.
    pub suppressed: Option<SuppressionView>,
}

/// A suppression as the report shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuppressionView {
    pub id: i64,
    pub cve_id: String,
    /// "risk_accepted", "not_applicable" or "mitigated".
    pub kind: String,
    /// The same, in Japanese.
    pub kind_ja: String,
    pub reason: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub until: Option<NaiveDate>,
    pub decided_by: String,
    pub decided_at: String,
    /// It covers every device of the facility, not this one alone.
    pub facility_wide: bool,
    /// 管理番号 of its device, when the report holds the device.
    pub device: Option<String>,
}

impl SuppressionView {
    pub fn of(s: &Suppression) -> Self {
        SuppressionView {
            id: s.id,
            cve_id: s.cve_id.clone(),
            kind: s.kind.code().into(),
            kind_ja: s.kind.label(Lang::Ja).into(),
            reason: s.reason.clone(),
            until: s.until,
            decided_by: s.decided_by.clone(),
            decided_at: s.decided_at.clone(),
            facility_wide: s.device_id.is_none(),
            device: None,
        }
    }
}

impl VulnerabilityEntry {
    /// Counted: affecting the device and not set aside.
    pub fn counts(&self) -> bool {
        self.status == "affected" && self.suppressed.is_none()
    }
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
    /// "ended", "supported", "undetermined", "no_data", "unidentified" or "not_written".
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
    /// Exploited (KEV) vulnerabilities affecting it, not set aside.
    pub fn exploited(&self) -> usize {
        self.vulnerabilities
            .iter()
            .filter(|v| v.kev && v.counts())
            .count()
    }

    /// Whether the report has something to say of it: past end of support, a vulnerability,
    /// or an OS that could not be judged.
    pub fn worth_showing(&self) -> bool {
        !self.end_of_life.is_empty()
            || !self.vulnerabilities.is_empty()
            || matches!(
                self.end_of_life_state.as_str(),
                "unidentified" | "undetermined"
            )
    }

    /// Vulnerabilities affecting it, not set aside.
    pub fn affected(&self) -> usize {
        self.vulnerabilities.iter().filter(|v| v.counts()).count()
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
    /// Days since the newest NVD record held (None: no NVD data).
    pub feed_age_days: Option<i64>,
    /// Set when the vulnerability data is older than 30 days or absent, in Japanese.
    pub feed_warning_ja: Option<String>,
    /// Suppressions of the facility, in force or past their day.
    pub suppressions: Vec<SuppressionView>,
    pub nvd_notice: String,
}

/// The report of `facility_id` on `as_of`: every device in use.
pub async fn report(
    store: &Store,
    facility_id: i64,
    as_of: NaiveDate,
) -> Result<VulnerabilityReport, StoreError> {
    let filter = DeviceFilter {
        status: Some(DeviceStatus::Active),
        ..Default::default()
    };
    let devices = store.all_devices(facility_id, &filter).await?;
    report_of(store, facility_id, &devices, as_of).await
}

/// What the report says of one device (in use or not), for its own page.
pub async fn device_report(
    store: &Store,
    facility_id: i64,
    device_id: i64,
    as_of: NaiveDate,
) -> Result<DeviceDanger, StoreError> {
    let device = store.device(facility_id, device_id).await?;
    let mut report = report_of(store, facility_id, std::slice::from_ref(&device), as_of).await?;
    report.devices.pop().ok_or(StoreError::NotFound)
}

/// The report over `devices` of the facility.
async fn report_of(
    store: &Store,
    facility_id: i64,
    devices: &[StoredDevice],
    as_of: NaiveDate,
) -> Result<VulnerabilityReport, StoreError> {
    let lifecycle = store.lifecycle().await?;
    let organisation = store.facility(facility_id).await?.organisation_id;
    let mappings = store.mappings(organisation).await?;
    let mut identifier = Identifier::default();
    let assessed: Vec<_> = devices
        .iter()
        .map(|d| {
            (
                d,
                assess(&mut identifier, &d.device, &lifecycle, &mappings, as_of),
            )
        })
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
    let suppressions = store.suppressions(facility_id).await?;
    let feeds = store.nvd_state().await?.map(|(f, _)| f).unwrap_or_default();
    let feed_age_days = feeds.nvd_newest.map(|d| (as_of - d).num_days());
    let feed_warning_ja = match (cve_records, feed_age_days) {
        (0, _) => Some("脆弱性情報（NVD）が取り込まれていません。脆弱性は照合されていません（サポート期限は判定しています）。".to_string()),
        (_, Some(days)) if days > STALE_FEED_DAYS => Some(format!("脆弱性情報が {days} 日前のものです。新しいデータを取り込んでください。")),
        _ => None,
    };
    let mut report = VulnerabilityReport {
        as_of,
        devices: Vec::new(),
        unidentified: Vec::new(),
        exploited_devices: 0,
        exploited_exposed_devices: 0,
        end_of_life_devices: 0,
        cve_records,
        feed_age_days,
        feed_warning_ja,
        suppressions: suppressions
            .iter()
            .map(|s| {
                let mut view = SuppressionView::of(s);
                view.device = s.device_id.and_then(|id| {
                    devices
                        .iter()
                        .find(|d| d.id == id)
                        .map(|d| d.device.management_no.clone())
                });
                view
            })
            .collect(),
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
            (Identification::Blank, _) => ("not_written", None),
            (_, Some(EndOfLife::Ended(e))) => {
                end_of_life.push(entry(e));
                ("ended", None)
            }
            (_, Some(EndOfLife::Supported { .. })) => ("supported", None),
            (_, Some(EndOfLife::Undetermined { reason })) => {
                ("undetermined", Some(reason.words(Lang::Ja).to_string()))
            }
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
            .map(|(i, how)| {
                let mut v = vulnerability(&records[*i], *how);
                v.suppressed =
                    covering(&suppressions, &v.id, stored.id, as_of).map(SuppressionView::of);
                v
            })
            .collect();
        vulnerabilities.sort_by(|x, y| {
            (
                y.suppressed.is_none(),
                y.kev,
                y.status == "affected",
                y.cvss.unwrap_or(0.0).to_bits(),
            )
                .cmp(&(
                    x.suppressed.is_none(),
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
            exposure: a.exposure.iter().map(|e| e.code().to_string()).collect(),
            exposure_ja: a
                .exposure
                .iter()
                .map(|e| e.words(Lang::Ja).to_string())
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

fn entry(e: &Ending) -> EndOfLifeEntry {
    EndOfLifeEntry {
        product: e.label.clone(),
        ended_on: e.on,
        edition: e.edition.map(str::to_string),
        source: e.source.clone(),
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
        suppressed: None,
    }
}
