//! Mimamori's use-cases, between the domain core and its doors (pages, API, CLI): each is one
//! function taking options and returning a report type, so that every door does the same thing.
//! Knows the store and the file formats; no HTTP.

pub mod export;
pub mod feeds;
pub mod import;
pub mod overview;
pub mod vulnerabilities;
