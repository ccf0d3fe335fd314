//! The rules engine: pure functions over a facility's facts that produce findings — what an
//! inspector would ask about — each with the records to fix and the checklist items it bears on.
//! Every rule is registered once in [`RULES`] and has its own tests.

mod derived;
mod rules_accounts;
mod rules_checklist;
mod rules_ledger;
mod rules_preparedness;
mod rules_remote;
pub mod rules_vulnerabilities;

pub use derived::Memo;
use derived::{PinGuard, Pinned};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::facility::FacilityKind;
use crate::governance::Appointment;
use crate::i18n::Lang;
use crate::ledger::device::{DeviceKind, DeviceStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::High, Severity::Medium, Severity::Low];

    pub fn code(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Self::ALL.into_iter().find(|s| s.code() == text)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Severity::High => lang.pick("高", "High"),
            Severity::Medium => lang.pick("中", "Medium"),
            Severity::Low => lang.pick("低", "Low"),
        }
    }
}

/// What the rules read about a device (a lean view of the ledger).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceFacts {
    pub id: i64,
    pub management_no: String,
    pub kind: Option<DeviceKind>,
    pub status: Option<DeviceStatus>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    /// Maker and model: a FortiGate's OS is FortiOS even where the OS is not written.
    pub maker: Option<String>,
    pub model: Option<String>,
    pub remote_maintenance: bool,
    pub software_without_version: u32,
    /// Distinct network segments of its interfaces.
    pub segments: Vec<String>,
    /// Its software as (name, version), to match vulnerabilities against.
    pub software: Vec<(String, Option<String>)>,
    /// What exposes it (judged from its whole ledger row when read).
    pub exposure: Vec<crate::vulnerabilities::assess::ExposureReason>,
}

impl DeviceFacts {
    pub fn in_use(&self) -> bool {
        self.status == Some(DeviceStatus::Active)
    }

    /// What its ledger row says it runs, for identification.
    pub fn text(&self) -> crate::vulnerabilities::DeviceText<'_> {
        crate::vulnerabilities::DeviceText {
            os_name: self.os_name.as_deref().unwrap_or_default(),
            os_version: self.os_version.as_deref().unwrap_or_default(),
            maker: self.maker.as_deref().unwrap_or_default(),
            model: self.model.as_deref().unwrap_or_default(),
        }
    }

    /// The vendor:product keys of what it runs (its OS and software as identified), to find the
    /// vulnerability records that may bear on it.
    pub fn product_keys(
        &self,
        mappings: &crate::vulnerabilities::mapping::Mappings,
    ) -> Vec<String> {
        use crate::vulnerabilities::{identify, identify_software, Identification};
        let mut keys = Vec::new();
        if let Identification::Identified(id) = identify(mappings.apply(self.text())) {
            keys.extend(id.cpe.map(|c| c.key()));
        }
        for (name, version) in &self.software {
            if let Some(id) = identify_software(name, version.as_deref().unwrap_or_default()) {
                keys.extend(id.cpe.map(|c| c.key()));
            }
        }
        keys
    }

    /// What its assessment depends on, as one text: devices written alike share one.
    pub fn assessment_key(&self) -> String {
        let mut key = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{:?}",
            self.os_name.as_deref().unwrap_or_default(),
            self.os_version.as_deref().unwrap_or_default(),
            self.maker.as_deref().unwrap_or_default(),
            self.model.as_deref().unwrap_or_default(),
            self.exposure
        );
        for (name, version) in &self.software {
            key.push('\u{1e}');
            key.push_str(name);
            key.push('\u{1f}');
            key.push_str(version.as_deref().unwrap_or_default());
        }
        key
    }

    /// What it runs, its end of support on `day` and what exposes it.
    pub fn assess(
        &self,
        lifecycle: &crate::vulnerabilities::Lifecycle,
        mappings: &crate::vulnerabilities::mapping::Mappings,
        day: NaiveDate,
    ) -> crate::vulnerabilities::assess::DeviceAssessment {
        self.assess_with(&mut Default::default(), lifecycle, mappings, day)
    }

    /// [`DeviceFacts::assess`] with identification remembered across devices.
    pub fn assess_with(
        &self,
        identifier: &mut crate::vulnerabilities::assess::Identifier,
        lifecycle: &crate::vulnerabilities::Lifecycle,
        mappings: &crate::vulnerabilities::mapping::Mappings,
        day: NaiveDate,
    ) -> crate::vulnerabilities::assess::DeviceAssessment {
        crate::vulnerabilities::assess::assess_with(
            identifier,
            mappings.apply(self.text()),
            self.software
                .iter()
                .map(|(name, version)| (name.as_str(), version.as_deref().unwrap_or_default())),
            self.exposure.clone(),
            lifecycle,
            day,
        )
    }
}

/// What the vulnerability feeds held when the facts were read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedFacts {
    /// NVD records held (0: no vulnerability feed imported).
    pub nvd_records: i64,
    /// The day of the newest NVD record held.
    pub nvd_newest: Option<NaiveDate>,
}

/// A remote-maintenance connection from its register.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionFacts {
    pub id: i64,
    pub name: String,
    pub vendor: Option<String>,
    /// 管理番号 of the devices it reaches, in search form.
    pub targets: Vec<String>,
    pub source_ip_restricted: Option<bool>,
    pub shared_id: bool,
    pub two_factor: Option<bool>,
    pub confirmed_on: Option<NaiveDate>,
}

/// An information system from its register.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemFacts {
    pub id: i64,
    pub name: String,
    pub vendor: Option<String>,
}

/// An answer of the facility's own form for the fiscal year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFacts {
    pub item_key: String,
    pub number: String,
    pub answer: Option<crate::checklist::Answer>,
    pub target_on: Option<NaiveDate>,
}

/// Everything the rules read about one facility.
#[derive(Debug, Clone)]
pub struct FacilityFacts {
    pub today: NaiveDate,
    pub fiscal_year: i32,
    pub kind: FacilityKind,
    pub beds: Option<i64>,
    pub appointments: Vec<Appointment>,
    pub devices: Vec<DeviceFacts>,
    pub ledger_confirmed_on: Option<NaiveDate>,
    pub connections: Vec<ConnectionFacts>,
    pub systems: Vec<SystemFacts>,
    /// (vendor, system) of the vendor forms held for the fiscal year, in search form.
    pub vendor_forms: Vec<(String, String)>,
    /// The facility form's assessment id for the year, and its answers.
    pub assessment_id: Option<i64>,
    pub answers: Vec<AnswerFacts>,
    /// The staff roster.
    pub people: Vec<crate::accounts::Person>,
    /// Accounts of every system that are not deleted.
    pub accounts: Vec<crate::accounts::Account>,
    pub policies: Vec<PolicyFacts>,
    /// Accounts without a sign-in for this many days are unused (default 90).
    pub unused_days: i64,
    /// Completed access reviews: (title, completed on, in Japan).
    pub completed_reviews: Vec<(String, NaiveDate)>,
    /// Incident preparedness registers.
    pub escalation: Vec<RegisterRow>,
    pub contacts: Vec<RegisterRow>,
    pub backups: Vec<RegisterRow>,
    pub drills: Vec<RegisterRow>,
    /// BCP confirmation table: (answered, done, total).
    pub bcp_progress: (usize, usize, usize),
    /// Incidents not closed, with their reporting clocks.
    pub incidents: Vec<IncidentFacts>,
    /// Product lifecycles (end of support): the embedded snapshot and the imported feeds.
    pub lifecycle: std::sync::Arc<crate::vulnerabilities::Lifecycle>,
    /// The vulnerability records naming a product the devices run.
    pub cves: std::sync::Arc<Vec<crate::vulnerabilities::cve::CveRecord>>,
    pub feeds: FeedFacts,
    /// Vulnerabilities set aside by a person (in force or not: the rules check the day).
    pub suppressions: Vec<crate::vulnerabilities::suppression::Suppression>,
    /// What the organisation's administrators confirmed unknown ledger texts to mean.
    pub mappings: std::sync::Arc<crate::vulnerabilities::mapping::Mappings>,
    /// The devices' vulnerabilities, matched once when a rule first asks (see
    /// [`rules_vulnerabilities::device_vulnerabilities`]).
    pub vulnerabilities: Memo<Vec<rules_vulnerabilities::DeviceVulnerabilities>>,
    /// Each device's assessment, in the order of `devices` (see [`FacilityFacts::assessments`]).
    pub assessments: Memo<Vec<std::sync::Arc<crate::vulnerabilities::assess::DeviceAssessment>>>,
    /// The fingerprint while [`evaluate`] runs (the facts cannot change under it): the rules
    /// then do not hash the devices again each.
    pinned: Pinned,
}

/// A record of a register, with its id for links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub id: i64,
    pub record: crate::ledger::register::Record,
}

/// An incident and its reporting clocks on the facts' day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub id: i64,
    pub label: String,
    pub clocks: Vec<crate::incidents::reporting::Clock>,
}

/// One cell of a system's access policy: the most a job type may do with a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFacts {
    /// The system's name in search form.
    pub system: String,
    pub job_type: String,
    pub category: String,
    pub level: crate::accounts::Level,
}

/// Days without a sign-in after which an account counts as unused, unless configured.
pub const DEFAULT_UNUSED_DAYS: i64 = 90;

impl FacilityFacts {
    /// What `device`'s ledger row says it runs, a confirmed mapping applied.
    pub fn text_of<'d>(
        &'d self,
        device: &'d DeviceFacts,
    ) -> crate::vulnerabilities::DeviceText<'d> {
        self.mappings.apply(device.text())
    }

    pub fn new(today: NaiveDate, kind: FacilityKind) -> Self {
        Self {
            today,
            fiscal_year: crate::clock::fiscal_year(today),
            kind,
            beds: None,
            appointments: Vec::new(),
            devices: Vec::new(),
            ledger_confirmed_on: None,
            connections: Vec::new(),
            systems: Vec::new(),
            vendor_forms: Vec::new(),
            assessment_id: None,
            answers: Vec::new(),
            people: Vec::new(),
            accounts: Vec::new(),
            policies: Vec::new(),
            unused_days: DEFAULT_UNUSED_DAYS,
            completed_reviews: Vec::new(),
            escalation: Vec::new(),
            contacts: Vec::new(),
            backups: Vec::new(),
            drills: Vec::new(),
            bcp_progress: (0, 0, 0),
            incidents: Vec::new(),
            lifecycle: crate::vulnerabilities::Lifecycle::embedded(),
            cves: Default::default(),
            feeds: FeedFacts::default(),
            suppressions: Vec::new(),
            mappings: Default::default(),
            vulnerabilities: Default::default(),
            assessments: Default::default(),
            pinned: Pinned::default(),
        }
    }
}

/// The kind of record a finding points at, so the UI can link to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Device,
    RemoteMaintenance,
    System,
    Appointment,
    Answer,
    Ledger,
    Account,
    ContactChart,
    Backup,
    Bcp,
    Drill,
    Incident,
    /// The vulnerability feeds (the feeds page).
    Feeds,
}

impl RecordKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::RemoteMaintenance => "remote_maintenance",
            Self::System => "system",
            Self::Appointment => "appointment",
            Self::Answer => "answer",
            Self::Ledger => "ledger",
            Self::Account => "account",
            Self::ContactChart => "contact_chart",
            Self::Backup => "backup",
            Self::Bcp => "bcp",
            Self::Drill => "drill",
            Self::Incident => "incident",
            Self::Feeds => "feeds",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    pub kind: RecordKind,
    /// Database id; for answers, the assessment id; None for the ledger as a whole.
    pub id: Option<i64>,
    /// What to show: 管理番号, connection name, item number …; for answers the item key.
    pub label: String,
}

impl RecordRef {
    pub fn device(d: &DeviceFacts) -> Self {
        Self {
            kind: RecordKind::Device,
            id: Some(d.id),
            label: d.management_no.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's stable id, e.g. "ledger.device_without_os".
    pub rule: String,
    pub severity: Severity,
    pub title_ja: String,
    pub title_en: String,
    pub detail_ja: String,
    pub detail_en: String,
    pub records: Vec<RecordRef>,
    /// Keys of the checklist items it bears on.
    pub items: Vec<String>,
    pub guideline_refs: Vec<String>,
}

impl Finding {
    pub fn title(&self, lang: Lang) -> &str {
        lang.pick(&self.title_ja, &self.title_en)
    }

    pub fn detail(&self, lang: Lang) -> &str {
        lang.pick(&self.detail_ja, &self.detail_en)
    }
}

/// A registered rule.
pub struct Rule {
    pub id: &'static str,
    pub items: &'static [&'static str],
    pub check: fn(&FacilityFacts) -> Vec<Finding>,
}

/// Every rule, in the order findings are listed.
pub const RULES: &[Rule] = &[
    rules_ledger::NO_SECURITY_OFFICER,
    rules_ledger::LEDGER_EMPTY,
    rules_ledger::DEVICE_WITHOUT_OS,
    rules_ledger::SOFTWARE_WITHOUT_VERSION,
    rules_ledger::LEDGER_NOT_CONFIRMED,
    rules_ledger::END_OF_LIFE_OS,
    rules_ledger::OS_NOT_JUDGED,
    rules_vulnerabilities::EXPLOITED,
    rules_vulnerabilities::CRITICAL,
    rules_vulnerabilities::VERSION_UNKNOWN,
    rules_vulnerabilities::FEED_STALE,
    rules_ledger::DUAL_HOMED,
    rules_remote::REMOTE_WITHOUT_REGISTER,
    rules_remote::SHARED_ID,
    rules_remote::NO_SOURCE_RESTRICTION,
    rules_remote::NO_TWO_FACTOR,
    rules_remote::NEVER_CONFIRMED,
    rules_accounts::LEAVER,
    rules_accounts::UNKNOWN_OWNER,
    rules_accounts::PRIVILEGED_WITHOUT_OWNER,
    rules_accounts::SHARED,
    rules_accounts::BEYOND_POLICY,
    rules_accounts::EXPIRED_ACTIVE,
    rules_accounts::UNUSED,
    rules_preparedness::REPORT_OVERDUE,
    rules_preparedness::ESCALATION_INCOMPLETE,
    rules_preparedness::CONTACTS_INCOMPLETE,
    rules_preparedness::NO_BACKUP,
    rules_preparedness::NO_OFFLINE_BACKUP,
    rules_preparedness::NOT_THREE_TWO_ONE,
    rules_preparedness::RESTORE_NOT_TESTED,
    rules_preparedness::BCP_UNANSWERED,
    rules_preparedness::NO_DRILL,
    rules_checklist::TARGET_DATE_PASSED,
    rules_checklist::VENDOR_FORM_MISSING,
];

/// All findings for a facility, most severe first (stable within a severity).
pub fn evaluate(facts: &FacilityFacts) -> Vec<Finding> {
    let fingerprint = facts.fingerprint().max(1);
    facts
        .pinned
        .0
        .store(fingerprint, std::sync::atomic::Ordering::Relaxed);
    let _unpin = PinGuard(facts);
    let mut findings: Vec<Finding> = RULES.iter().flat_map(|rule| (rule.check)(facts)).collect();
    findings.sort_by_key(|f| f.severity);
    findings
}

/// Builder used by the rules: one place that fills the common fields.
pub(crate) struct Draft {
    finding: Finding,
}

impl Draft {
    pub(crate) fn new(rule: &Rule, severity: Severity) -> Self {
        Self {
            finding: Finding {
                rule: rule.id.to_string(),
                severity,
                title_ja: String::new(),
                title_en: String::new(),
                detail_ja: String::new(),
                detail_en: String::new(),
                records: Vec::new(),
                items: rule.items.iter().map(|s| s.to_string()).collect(),
                guideline_refs: Vec::new(),
            },
        }
    }

    pub(crate) fn title(mut self, ja: impl Into<String>, en: impl Into<String>) -> Self {
        self.finding.title_ja = ja.into();
        self.finding.title_en = en.into();
        self
    }

    pub(crate) fn detail(mut self, ja: impl Into<String>, en: impl Into<String>) -> Self {
        self.finding.detail_ja = ja.into();
        self.finding.detail_en = en.into();
        self
    }

    pub(crate) fn records(mut self, records: Vec<RecordRef>) -> Self {
        self.finding.records = records;
        self
    }

    pub(crate) fn items(mut self, items: Vec<String>) -> Self {
        self.finding.items = items;
        self
    }

    pub(crate) fn guideline(mut self, refs: &[&str]) -> Self {
        self.finding.guideline_refs = refs.iter().map(|s| s.to_string()).collect();
        self
    }

    pub(crate) fn done(self) -> Finding {
        self.finding
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

#[cfg(test)]
#[path = "rules_preparedness_tests.rs"]
mod rules_preparedness_tests;

#[cfg(test)]
#[path = "rules_vulnerabilities_tests.rs"]
mod rules_vulnerabilities_tests;
