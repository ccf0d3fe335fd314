//! Ledgers (台帳): devices and the confirmation of a ledger by management.

pub mod confirmations;
pub(crate) mod device_writes;
pub mod devices;
pub mod pending;
pub mod registers;

pub use device_writes::ImportCounts;
