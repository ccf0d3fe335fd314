//! MyJVN API 4.0 (OKA) advisories: `getVulnDetailInfo` in JSON, a CSAF 2.x document per JVNDB
//! entry — its Japanese title and description, each vulnerability's CVE, and the products it
//! knows affected, with their CPE names and version branches (as JVN writes them, phrases too).

use mimamori_domain::vulnerabilities::jvn::JvnAffected;
use serde::Deserialize;

use super::{FeedItem, JvnEntry};

#[derive(Deserialize)]
struct Advisory {
    document: Document,
    #[serde(default)]
    product_tree: Option<Branches>,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    title: String,
    #[serde(default)]
    notes: Vec<Note>,
    tracking: Tracking,
}

#[derive(Deserialize)]
struct Note {
    #[serde(default)]
    category: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Tracking {
    id: String,
    #[serde(default)]
    current_release_date: Option<String>,
}

#[derive(Deserialize, Default)]
struct Branches {
    #[serde(default)]
    branches: Vec<Branch>,
}

#[derive(Deserialize)]
struct Branch {
    #[serde(default)]
    category: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    product: Option<ProductDef>,
    #[serde(default)]
    branches: Vec<Branch>,
}

#[derive(Deserialize)]
struct ProductDef {
    product_id: String,
    #[serde(default)]
    product_identification_helper: Option<Helper>,
}

#[derive(Deserialize)]
struct Helper {
    #[serde(default)]
    cpe: Option<String>,
}

#[derive(Deserialize)]
struct Vulnerability {
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    product_status: Option<ProductStatus>,
}

#[derive(Deserialize)]
struct ProductStatus {
    #[serde(default)]
    known_affected: Vec<String>,
}

/// A product of the tree: its id, CPE, and the version branches above or on it.
struct Known {
    id: String,
    cpe: String,
    versions: Vec<String>,
}

fn walk(
    branches: &[Branch],
    cpe_above: Option<&str>,
    versions_above: &[String],
    out: &mut Vec<Known>,
) {
    for branch in branches {
        let mut versions = versions_above.to_vec();
        if branch.category.starts_with("product_version") && !branch.name.trim().is_empty() {
            versions.push(branch.name.chars().take(500).collect());
        }
        let own_cpe = branch
            .product
            .as_ref()
            .and_then(|p| p.product_identification_helper.as_ref())
            .and_then(|h| h.cpe.as_deref());
        let cpe = own_cpe.or(cpe_above);
        if let (Some(product), Some(cpe)) = (&branch.product, cpe) {
            out.push(Known {
                id: product.product_id.clone(),
                cpe: cpe.to_string(),
                versions: versions.clone(),
            });
        }
        walk(&branch.branches, cpe, &versions, out);
    }
}

/// Reads one advisory; hands a [`FeedItem::Jvn`] per CVE; returns its release date.
pub(crate) fn read_advisory(
    text: &str,
    sink: &mut dyn FnMut(FeedItem) -> Result<(), String>,
) -> Result<Option<String>, String> {
    let advisory: Advisory = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut known = Vec::new();
    walk(
        &advisory.product_tree.unwrap_or_default().branches,
        None,
        &[],
        &mut known,
    );
    let summary = advisory
        .document
        .notes
        .iter()
        .find(|n| n.category == "description" && !n.text.trim().is_empty())
        .map(|n| n.text.trim().to_string());
    let title = Some(advisory.document.title.trim().to_string()).filter(|t| !t.is_empty());
    for v in &advisory.vulnerabilities {
        let Some(cve) = v.cve.as_deref().filter(|c| c.starts_with("CVE-")) else {
            continue;
        };
        let affected: Vec<JvnAffected> = v
            .product_status
            .iter()
            .flat_map(|s| &s.known_affected)
            .filter_map(|id| known.iter().find(|k| k.id == *id))
            .map(|k| JvnAffected {
                cpe: k.cpe.clone(),
                versions: k.versions.clone(),
            })
            .collect();
        sink(FeedItem::Jvn(JvnEntry {
            cve: cve.to_string(),
            ids: vec![advisory.document.tracking.id.clone()],
            title_ja: title.clone(),
            summary_ja: summary.clone(),
            affected,
        }))?;
    }
    Ok(advisory.document.tracking.current_release_date)
}
