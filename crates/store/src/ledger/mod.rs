//! Ledgers (台帳): devices and the confirmation of a ledger by management.

pub mod confirmations;
mod device_import;
pub(crate) mod device_writes;
pub mod devices;
mod import_plan;
pub mod pending;
pub mod registers;

pub use device_import::DeviceImportRun;
pub use import_plan::{ImportCounts, LISTED_CHANGES};
