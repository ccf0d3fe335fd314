//! Ledgers (台帳): devices and the confirmation of a ledger by management.

pub mod confirmations;
pub mod devices;
mod device_writes;

pub use device_writes::ImportCounts;
