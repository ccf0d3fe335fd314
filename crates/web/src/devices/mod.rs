//! The device ledger (機器台帳): pages, forms, API, import and export.

pub mod api;
pub mod export;
mod forms;
pub mod import;
pub mod pages;
mod query;

pub use query::DeviceQuery;
