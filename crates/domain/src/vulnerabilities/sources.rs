//! Reading endoflife.date's published shapes into [`Product`]s: its API v1 (all products in
//! full, one product, one release), the upstream product files (YAML front matter) and the
//! release-data files. The embedded snapshot and the feed import both read through here.

use chrono::NaiveDate;
use serde::Deserialize;

use super::lifecycle::{Cycle, LifecycleSource, Milestone, Product};

/// A fault in a lifecycle document.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    #[error("not endoflife.date data: {0}")]
    Shape(String),
    #[error("the product of this release is not known: name the file after the product (e.g. ubuntu.json)")]
    UnknownProduct,
}

#[derive(Deserialize)]
struct ApiResponse {
    generated_at: Option<String>,
    last_modified: Option<String>,
    result: ApiResult,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ApiResult {
    Many(Vec<ApiProduct>),
    One(ApiProduct),
    Release(ApiRelease),
}

#[derive(Deserialize)]
struct ApiProduct {
    name: String,
    label: Option<String>,
    #[serde(default)]
    identifiers: Vec<ApiIdentifier>,
    releases: Vec<ApiRelease>,
}

#[derive(Deserialize)]
struct ApiIdentifier {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiRelease {
    name: String,
    label: Option<String>,
    release_date: Option<String>,
    #[serde(default)]
    is_lts: bool,
    is_eol: Option<bool>,
    eol_from: Option<String>,
    latest: Option<ApiLatest>,
}

#[derive(Deserialize)]
struct ApiLatest {
    name: Option<String>,
}

/// A date, a flag, or nothing, as endoflife.date writes milestones.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum DateOrFlag {
    Flag(bool),
    Text(String),
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok()
}

fn milestone(value: Option<&DateOrFlag>) -> Milestone {
    match value {
        Some(DateOrFlag::Text(t)) => date(t).map_or(Milestone::NotAnnounced, Milestone::On),
        Some(DateOrFlag::Flag(true)) => Milestone::Passed,
        _ => Milestone::NotAnnounced,
    }
}

impl ApiRelease {
    fn cycle(self) -> Cycle {
        let eol = match (self.eol_from.as_deref().and_then(date), self.is_eol) {
            (Some(d), _) => Milestone::On(d),
            (None, Some(true)) => Milestone::Passed,
            _ => Milestone::NotAnnounced,
        };
        Cycle {
            label: self.label.unwrap_or_else(|| self.name.clone()),
            name: self.name,
            released: self.release_date.as_deref().and_then(date),
            eol,
            lts: self.is_lts,
            latest: self.latest.and_then(|l| l.name),
        }
    }
}

/// The products of an API v1 response. A single-release response names no product: `product`
/// (from the file name) does, and must be given.
pub fn read_api_v1(
    text: &str,
    product: Option<&str>,
    origin: &str,
) -> Result<Vec<Product>, SourceError> {
    let response: ApiResponse =
        serde_json::from_str(text).map_err(|e| SourceError::Shape(e.to_string()))?;
    let as_of = response
        .last_modified
        .as_deref()
        .or(response.generated_at.as_deref())
        .and_then(date)
        .unwrap_or_default();
    let source = LifecycleSource {
        origin: origin.to_string(),
        as_of,
    };
    let product_of = |p: ApiProduct| Product {
        title: p.label.unwrap_or_else(|| p.name.clone()),
        name: p.name,
        cpes: p
            .identifiers
            .into_iter()
            .filter(|i| i.kind == "cpe" && i.id.starts_with("cpe:2.3:"))
            .map(|i| i.id)
            .collect(),
        cycles: p.releases.into_iter().map(ApiRelease::cycle).collect(),
        source: source.clone(),
        partial: false,
    };
    Ok(match response.result {
        ApiResult::Many(products) => products.into_iter().map(product_of).collect(),
        ApiResult::One(product) => vec![product_of(product)],
        ApiResult::Release(release) => {
            let name = product.ok_or(SourceError::UnknownProduct)?;
            vec![Product {
                name: name.to_string(),
                title: name.to_string(),
                cpes: Vec::new(),
                cycles: vec![release.cycle()],
                source,
                partial: true,
            }]
        }
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FrontMatter {
    title: String,
    permalink: String,
    release_label: Option<String>,
    #[serde(default)]
    identifiers: Vec<serde_yaml_ng::Value>,
    releases: Vec<FileRelease>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileRelease {
    release_cycle: serde_yaml_ng::Value,
    release_label: Option<String>,
    release_date: Option<DateOrFlag>,
    eol: Option<DateOrFlag>,
    lts: Option<DateOrFlag>,
    latest: Option<serde_yaml_ng::Value>,
}

fn scalar(value: &serde_yaml_ng::Value) -> Option<String> {
    match value {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A product file of endoflife.date's repository (`products/<name>.md`: YAML between `---`
/// lines, then prose). Such a file carries no date of its own: `as_of` gives it.
pub fn read_product_file(
    text: &str,
    origin: &str,
    as_of: NaiveDate,
) -> Result<Product, SourceError> {
    let body = text
        .trim_start_matches('\u{feff}')
        .strip_prefix("---")
        .ok_or_else(|| SourceError::Shape("no front matter (---)".into()))?;
    let end = body
        .find("\n---")
        .ok_or_else(|| SourceError::Shape("front matter not closed (---)".into()))?;
    let front: FrontMatter =
        serde_yaml_ng::from_str(&body[..end]).map_err(|e| SourceError::Shape(e.to_string()))?;
    let name = front.permalink.trim_start_matches('/').to_string();
    let cycles = front
        .releases
        .into_iter()
        .filter_map(|r| {
            let cycle = scalar(&r.release_cycle)?;
            let label = r
                .release_label
                .or_else(|| front.release_label.clone())
                .map(|l| l.replace("__RELEASE_CYCLE__", &cycle))
                .unwrap_or_else(|| cycle.clone());
            Some(Cycle {
                label,
                released: match &r.release_date {
                    Some(DateOrFlag::Text(t)) => date(t),
                    _ => None,
                },
                eol: milestone(r.eol.as_ref()),
                lts: matches!(
                    r.lts,
                    Some(DateOrFlag::Flag(true)) | Some(DateOrFlag::Text(_))
                ),
                latest: r.latest.as_ref().and_then(scalar),
                name: cycle,
            })
        })
        .collect();
    Ok(Product {
        name,
        title: front.title,
        cpes: front
            .identifiers
            .iter()
            .filter_map(|i| i.get("cpe").and_then(scalar))
            .filter(|c| c.starts_with("cpe:2.3:"))
            .collect(),
        cycles,
        source: LifecycleSource {
            origin: origin.to_string(),
            as_of,
        },
        partial: false,
    })
}

#[derive(Deserialize)]
struct ReleaseData {
    releases: std::collections::BTreeMap<String, DataRelease>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataRelease {
    name: Option<String>,
    release_date: Option<String>,
    eol: Option<DateOrFlag>,
}

/// A release-data file (`releases/<name>.json`): cycles with dates, named by the file.
pub fn read_release_data(
    text: &str,
    product: &str,
    origin: &str,
    as_of: NaiveDate,
) -> Result<Product, SourceError> {
    let data: ReleaseData =
        serde_json::from_str(text).map_err(|e| SourceError::Shape(e.to_string()))?;
    Ok(Product {
        name: product.to_string(),
        title: product.to_string(),
        cpes: Vec::new(),
        cycles: data
            .releases
            .into_iter()
            .map(|(key, r)| Cycle {
                label: r.name.clone().unwrap_or_else(|| key.clone()),
                name: r.name.unwrap_or(key),
                released: r.release_date.as_deref().and_then(date),
                eol: milestone(r.eol.as_ref()),
                lts: false,
                latest: None,
            })
            .collect(),
        source: LifecycleSource {
            origin: origin.to_string(),
            as_of,
        },
        partial: true,
    })
}
