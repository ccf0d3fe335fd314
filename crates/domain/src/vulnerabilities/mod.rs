//! Knowing which devices are dangerous: what the ledger's text means (identification), whether
//! it is past its end of support (lifecycle data from endoflife.date), and which published
//! vulnerabilities affect it (NVD configurations, CISA KEV, JVN). No I/O: the feeds are read by
//! `formats`, kept by `store`, and handed in.

pub mod assess;
pub mod cpe;
pub mod cve;
pub mod end_of_life;
pub mod fan_out;
pub mod feed;
pub mod identify;
mod identify_products;
mod identify_windows;
pub mod jvn;
pub mod lifecycle;
pub mod mapping;
pub mod matching;
pub mod nvd;
pub mod sources;
pub mod suppression;
pub mod version;

#[cfg(test)]
mod cve_cases_tests;
#[cfg(test)]
mod identify_tests;
#[cfg(test)]
mod matching_tests;

pub use end_of_life::{end_of_life, EndOfLife};
pub use fan_out::{match_platforms, RecordIndex};
pub use feed::FeedSource;
pub use identify::{identify, identify_software, DeviceText, Identification, Identified};
pub use lifecycle::Lifecycle;
pub use matching::{exposure, Exposure, Platform};
pub use version::Version;
