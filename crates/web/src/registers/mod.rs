//! The registers beside the device ledger — vendors, information systems, cloud services and
//! remote-maintenance connections — served by one set of pages, API, import and export driven by
//! each register's field specs (`mimamori_domain::ledger::registers`).

pub mod api;
pub mod pages;
pub mod transfer;

use std::collections::BTreeMap;

use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_domain::ledger::registers;

use crate::error::{AppError, AppResult};

/// The register named in the URL.
pub fn spec(slug: &str) -> AppResult<&'static RegisterSpec> {
    registers::by_slug(slug).ok_or_else(AppError::not_found)
}

/// The list's query string (`q`, `page`, `sort`, `desc`, and field filters by key) as the
/// store's filter; the page and the API share it.
pub fn record_filter(
    spec: &RegisterSpec,
    pairs: &[(String, String)],
    per_page: i64,
) -> mimamori_store::ledger::registers::RecordFilter {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    mimamori_store::ledger::registers::RecordFilter {
        q: get("q"),
        fields: spec
            .fields
            .iter()
            .filter(|f| {
                matches!(
                    f.kind,
                    mimamori_domain::ledger::register::FieldKind::Choice(_)
                        | mimamori_domain::ledger::register::FieldKind::Flag
                )
            })
            .filter_map(|f| get(f.key).map(|v| (f.key.to_string(), v)))
            .collect(),
        sort: get("sort").filter(|key| spec.field(key).is_some()),
        descending: get("desc").as_deref() == Some("1"),
        page: get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        per_page: get("per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(per_page)
            .clamp(1, 1000),
    }
}

/// Form pairs as raw values by field key (unknown names ignored).
pub fn raw_values(spec: &RegisterSpec, pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .filter(|(k, _)| spec.field(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
