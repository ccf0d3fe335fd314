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

/// Form pairs as raw values by field key (unknown names ignored).
pub fn raw_values(spec: &RegisterSpec, pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .filter(|(k, _)| spec.field(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
