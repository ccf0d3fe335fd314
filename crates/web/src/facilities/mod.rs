//! Facilities: profile pages and API.

pub mod api;
pub mod choose;
pub mod pages;
pub mod status;
