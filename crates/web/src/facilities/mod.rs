//! Facilities: profile pages and API.

pub mod api;
pub mod pages;
