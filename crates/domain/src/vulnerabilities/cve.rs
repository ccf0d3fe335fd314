//! A published vulnerability as Mimamori keeps it: NVD's record (configurations, CVSS), with
//! CISA's Known Exploited Vulnerabilities entry, FIRST's EPSS score and JVN's Japanese title
//! where those feeds have it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cpe::Cpe;

/// One vulnerability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CveRecord {
    /// "CVE-2024-21762".
    pub id: String,
    pub published: Option<NaiveDate>,
    /// NVD's lastModified: a record replaces the one held only when it is newer.
    pub modified: Option<String>,
    /// NVD's English description.
    pub summary: String,
    /// JVN's title and summary in Japanese, when JVN has the CVE.
    pub title_ja: Option<String>,
    pub summary_ja: Option<String>,
    pub jvn_ids: Vec<String>,
    pub cvss31: Option<f32>,
    pub cvss40: Option<f32>,
    pub kev: Option<Kev>,
    /// FIRST EPSS probability of exploitation in the next 30 days (0–1).
    pub epss: Option<f32>,
    pub configurations: Vec<Configuration>,
}

impl CveRecord {
    /// The highest base score given (v4.0 where given, else v3.1).
    pub fn score(&self) -> Option<f32> {
        self.cvss40.or(self.cvss31)
    }

    /// The vendor:product keys its configurations name, vulnerable or platform.
    pub fn product_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .configurations
            .iter()
            .flat_map(|c| &c.nodes)
            .flat_map(|n| &n.matches)
            .filter(|m| m.vulnerable)
            .map(|m| m.cpe.key())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The feeds it comes from, for display.
    pub fn sources(&self) -> Vec<&'static str> {
        let mut sources = Vec::new();
        // NVD's records carry their lastModified; a CVE known from JVN alone has none.
        if self.modified.is_some() {
            sources.push("NVD");
        }
        if !self.jvn_ids.is_empty() {
            sources.push("JVN");
        }
        if self.kev.is_some() {
            sources.push("CISA KEV");
        }
        if self.epss.is_some() {
            sources.push("EPSS");
        }
        sources
    }
}

/// CISA's Known Exploited Vulnerabilities entry: attackers are exploiting it now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kev {
    pub added: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub name: Option<String>,
    pub required_action: Option<String>,
    /// "Known" when used in ransomware campaigns.
    pub ransomware: Option<String>,
}

/// One configuration: its nodes all hold (`and`) or any holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configuration {
    pub and: bool,
    pub nodes: Vec<Node>,
}

/// A node: its matches all hold (`and`) or any holds, the result negated when `negate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub and: bool,
    pub negate: bool,
    pub matches: Vec<CpeMatch>,
}

/// A CPE criterion with its version range. `vulnerable: false` names a platform the
/// vulnerable product must run on, not something vulnerable itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeMatch {
    pub vulnerable: bool,
    pub cpe: Cpe,
    pub start_including: Option<String>,
    pub start_excluding: Option<String>,
    pub end_including: Option<String>,
    pub end_excluding: Option<String>,
}

impl CpeMatch {
    pub fn has_range(&self) -> bool {
        self.start_including.is_some()
            || self.start_excluding.is_some()
            || self.end_including.is_some()
            || self.end_excluding.is_some()
    }
}
