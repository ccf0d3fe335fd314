//! NVD's CVE record (API 2.0, the value of `vulnerabilities[].cve`) as published, and its reading
//! into a [`CveRecord`]. The feed import streams records through here one at a time.

use serde::Deserialize;

use super::cpe::Cpe;
use super::cve::{Configuration, CpeMatch, CveRecord, Kev, Node};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NvdCve {
    pub id: String,
    published: Option<String>,
    last_modified: Option<String>,
    #[serde(default)]
    descriptions: Vec<LangText>,
    #[serde(default)]
    metrics: Metrics,
    cisa_exploit_add: Option<String>,
    cisa_action_due: Option<String>,
    cisa_required_action: Option<String>,
    cisa_vulnerability_name: Option<String>,
    #[serde(default)]
    configurations: Vec<NvdConfiguration>,
}

#[derive(Debug, Deserialize)]
struct LangText {
    lang: String,
    value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    #[serde(default)]
    cvss_metric_v31: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v30: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v40: Vec<Metric>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    #[serde(rename = "type")]
    kind: Option<String>,
    cvss_data: CvssData,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    base_score: f32,
}

#[derive(Debug, Deserialize)]
struct NvdConfiguration {
    operator: Option<String>,
    #[serde(default)]
    nodes: Vec<NvdNode>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdNode {
    operator: Option<String>,
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    cpe_match: Vec<NvdMatch>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdMatch {
    vulnerable: bool,
    criteria: String,
    version_start_including: Option<String>,
    version_start_excluding: Option<String>,
    version_end_including: Option<String>,
    version_end_excluding: Option<String>,
}

fn day(text: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// The NVD analyst's score (Primary) where there is one, else the highest given.
fn score(metrics: &[Metric]) -> Option<f32> {
    metrics
        .iter()
        .find(|m| m.kind.as_deref() == Some("Primary"))
        .or_else(|| {
            metrics
                .iter()
                .max_by(|a, b| a.cvss_data.base_score.total_cmp(&b.cvss_data.base_score))
        })
        .map(|m| m.cvss_data.base_score)
}

impl NvdCve {
    /// The record, and how many CPE criteria were junk (`cpe:2.3:o:-:-:-`) and skipped.
    pub fn into_record(self) -> (CveRecord, usize) {
        let mut junk = 0;
        let configurations = self
            .configurations
            .into_iter()
            .map(|c| Configuration {
                and: c.operator.as_deref() == Some("AND"),
                nodes: c
                    .nodes
                    .into_iter()
                    .map(|n| Node {
                        and: n.operator.as_deref() == Some("AND"),
                        negate: n.negate,
                        matches: n
                            .cpe_match
                            .into_iter()
                            .filter_map(|m| match Cpe::parse(&m.criteria) {
                                Some(cpe) => Some(CpeMatch {
                                    vulnerable: m.vulnerable,
                                    cpe,
                                    start_including: m.version_start_including,
                                    start_excluding: m.version_start_excluding,
                                    end_including: m.version_end_including,
                                    end_excluding: m.version_end_excluding,
                                }),
                                None => {
                                    junk += 1;
                                    None
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let kev = self.cisa_exploit_add.as_deref().map(|added| Kev {
            added: day(added),
            due: self.cisa_action_due.as_deref().and_then(day),
            name: self.cisa_vulnerability_name.clone(),
            required_action: self.cisa_required_action.clone(),
            ransomware: None,
        });
        let record = CveRecord {
            id: self.id,
            published: self.published.as_deref().and_then(day),
            modified: self.last_modified,
            summary: self
                .descriptions
                .into_iter()
                .find(|d| d.lang == "en")
                .map(|d| d.value)
                .unwrap_or_default(),
            cvss31: score(&self.metrics.cvss_metric_v31).or(score(&self.metrics.cvss_metric_v30)),
            cvss40: score(&self.metrics.cvss_metric_v40),
            kev,
            configurations,
            ..Default::default()
        };
        (record, junk)
    }
}
