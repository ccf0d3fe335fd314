//! Mimamori's domain core: types, validation and rules. No database, HTTP or file I/O lives here.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod audit_labels;
pub mod backups;
pub mod bcp;
pub mod checklist;
pub mod clock;
pub mod contacts;
pub mod deadlines;
pub mod facility;
pub mod findings;
pub mod governance;
pub mod i18n;
pub mod incidents;
pub mod jdate;
pub mod ledger;
pub mod overview;
pub mod password;
pub mod prefecture;
pub mod validation;
pub mod vulnerabilities;

pub use validation::{Issue, Issues};
