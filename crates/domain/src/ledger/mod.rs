//! Ledgers (台帳): devices and the registries around them.

pub mod absent;
pub mod changes;
pub mod device;
pub mod device_filter;
pub mod network;
pub mod register;
pub mod registers;
pub mod values;
