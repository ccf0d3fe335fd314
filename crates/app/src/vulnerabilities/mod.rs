//! Vulnerabilities and end of life: the facility report, its export, suppressions and the
//! organisation-wide search, each one function that the pages, the API and the CLI call.

pub mod export;
pub mod filter;
pub mod mappings;
pub mod report;
pub mod search;
pub mod suppressions;

pub use filter::{ReportFilter, SHOW_CHOICES};
pub use report::{
    device_report, report, DeviceDanger, EndOfLifeEntry, SuppressionView, Unidentified,
    VulnerabilityEntry, VulnerabilityReport, NVD_NOTICE,
};
