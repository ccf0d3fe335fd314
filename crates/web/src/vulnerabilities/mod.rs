//! Vulnerabilities and end of life: the facility report and page, suppressions, the feeds page
//! and the organisation-wide search, through the use-cases of `mimamori_app` (the CLI calls the
//! same ones).

pub mod api;
pub mod feeds_pages;
pub mod mappings_pages;
pub mod pages;
pub mod search_pages;
